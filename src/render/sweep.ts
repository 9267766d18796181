/**
 * A sweep as files (sweep.csv, sweep.json), JSON lines and the human
 * summary. Pure functions of the sweep's axes and per-point metrics.
 */
import { METRICS, type Metrics } from '../core/metrics.js';
import { SWEEP_SCHEMA_VERSION, type VaryAxis } from '../core/sweep.js';
import type { Override } from '../core/scenario.js';
import type { CsvTable } from './csv.js';
import type { Painter } from './summary.js';

export interface SweepPoint {
  /** 1-based. */
  readonly point: number;
  readonly overrides: readonly Override[];
  readonly metrics: Metrics;
}

export interface SweepContext {
  readonly policy: string;
  /** `--set` overrides applied to every point. */
  readonly set: readonly Override[];
  readonly axes: readonly VaryAxis[];
}

function valuesOf(point: SweepPoint): Record<string, string> {
  return Object.fromEntries(point.overrides.map((override) => [override.path, override.value]));
}

/** One JSON line per point (no --out). */
export function sweepLine(point: SweepPoint): string {
  return `${JSON.stringify({ schema_version: SWEEP_SCHEMA_VERSION, kind: 'sweep_point', point: point.point, values: valuesOf(point), metrics: point.metrics })}\n`;
}

export function sweepTable(context: SweepContext, points: readonly SweepPoint[]): CsvTable {
  return {
    columns: ['point', ...context.axes.map((axis) => axis.path), ...METRICS],
    rows: points.map((point) => [String(point.point), ...point.overrides.map((override) => override.value), ...METRICS.map((metric) => point.metrics[metric] ?? '')]),
  };
}

/** sweep.json, and the --json document. */
export function sweepDocument(context: SweepContext, points: readonly SweepPoint[]): Record<string, unknown> {
  return {
    schema_version: SWEEP_SCHEMA_VERSION,
    kind: 'sweep',
    policy: context.policy,
    set: context.set.map((override) => ({ path: override.path, value: override.value })),
    vary: context.axes.map((axis) => ({ path: axis.path, values: [...axis.values] })),
    points: points.length,
    metrics: [...METRICS],
    results: points.map((point) => ({ point: point.point, values: valuesOf(point), metrics: point.metrics })),
  };
}

/** The human summary after --out: the grid and, per metric, its range and where it peaks. */
export function sweepSummary(context: SweepContext, points: readonly SweepPoint[], paint: Painter, outDir: string): string {
  const out: string[] = [];
  out.push(paint.bold(`povalloc sweep: ${points.length} point(s), policy ${context.policy}`));
  for (const axis of context.axes) {
    const shown = axis.values.length <= 6 ? axis.values.join(', ') : `${axis.values.slice(0, 3).join(', ')}, ..., ${axis.values.slice(-2).join(', ')}`;
    out.push(`  ${axis.path}: ${axis.values.length} value(s): ${shown}`);
  }
  for (const override of context.set) out.push(paint.dim(`  --set ${override.path}=${override.value} at every point`));
  out.push('');
  for (const metric of ['share_priority_provinces', 'share_contiguous_area', 'share_west', 'per_poor_gini'] as const) {
    const valued = points.filter((point) => point.metrics[metric] !== null);
    if (valued.length === 0) continue;
    // Fixed-point texts with the same number of places compare as numbers once padded.
    const key = (point: SweepPoint): string => point.metrics[metric]!.padStart(24, '0');
    let best = valued[0]!;
    let worst = valued[0]!;
    for (const point of valued) {
      if (key(point) > key(best)) best = point;
      if (key(point) < key(worst)) worst = point;
    }
    out.push(`  ${metric}: ${worst.metrics[metric]} (point ${worst.point}) to ${best.metrics[metric]} (point ${best.point})`);
  }
  out.push('');
  out.push(`Written to ${outDir}: sweep.csv, sweep.json`);
  return `${out.join('\n')}\n`;
}
