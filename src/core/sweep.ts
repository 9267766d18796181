/**
 * Sweeps: one policy over a grid of parameter values. Each `--vary` gives an
 * axis, PATH=START:STOP:STEP (decimal arithmetic, STOP included when the steps
 * land on it exactly) or PATH=v1,v2,...; several axes give the full grid, the
 * first axis varying slowest. Every grid point is an independent policy:
 * the base document with that point's overrides applied to a fresh copy, so
 * nothing one point does can reach another, and a point's result is what
 * `allocate --set ...` gives with the same values.
 *
 * Example: --vary special_poverty.county.weights.incidence=0.1:0.3:0.1 and
 * --vary special_poverty.county.floor=1000000.00,2000000.00 give 6 points:
 * (0.1, 1000000.00), (0.1, 2000000.00), (0.2, 1000000.00), ... (0.3, 2000000.00).
 */
import { allocate, type AllocationResult } from './allocate.js';
import { computeMetrics, type Metrics } from './metrics.js';
import { decimal } from './money.js';
import { outcomeFromResult } from './outcome.js';
import type { Policy } from './policy.js';
import type { Problem } from './problems.js';
import { resolvePath, settablePaths, unknownPathProblem, valueProblem, type Override } from './scenario.js';
import type { RunInputs } from './state.js';

export const SWEEP_SCHEMA_VERSION = 1;
/** More points than this is almost certainly a mistyped step. */
export const MAX_SWEEP_POINTS = 1_000_000;

export interface VaryAxis {
  /** The canonical path (without `.value`). */
  readonly path: string;
  readonly values: readonly string[];
}

const DECIMAL_TEXT = /^\d+(\.\d+)?$/;
const RANGE = /^([^:]*):([^:]*):([^:]*)$/;

function placesOf(text: string): number {
  return (text.split('.')[1] ?? '').length;
}

/** Parses one `--vary PATH=START:STOP:STEP` or `--vary PATH=v1,v2,...` against the policy document. */
export function parseVary(text: string, document: unknown, source = '--vary'): { axis?: VaryAxis; problems: Problem[] } {
  const at = text.indexOf('=');
  const path = at < 0 ? '' : text.slice(0, at).trim();
  const spec = at < 0 ? '' : text.slice(at + 1).trim();
  const fail = (column: string, message: string): { problems: Problem[] } => ({ problems: [{ file: source, line: 0, column, message }] });
  if (path === '' || spec === '') return fail(text, 'expected PATH=START:STOP:STEP or PATH=v1,v2,..., e.g. special_poverty.county.weights.incidence=0.1:0.4:0.05');
  const entry = resolvePath(document, path);
  if (!entry) return { problems: [unknownPathProblem(source, { path, value: spec }, settablePaths(document))] };
  if (entry.kind !== 'decimal' && entry.kind !== 'money' && entry.kind !== 'yes/no') {
    return fail(entry.path, `is ${entry.kind === 'text' ? 'text' : `a ${entry.kind}`}: only decimal, money and yes/no parameters can be varied (use --set for the rest)`);
  }
  const range = RANGE.exec(spec);
  if (range) {
    if (entry.kind === 'yes/no') return fail(entry.path, 'is a yes/no parameter: give its values as a list, e.g. true,false');
    const [start, stop, step] = [range[1]!.trim(), range[2]!.trim(), range[3]!.trim()];
    for (const [name, value] of [['START', start], ['STOP', stop], ['STEP', step]] as const) {
      if (!DECIMAL_TEXT.test(value)) return fail(entry.path, `${name} ${JSON.stringify(value)} is not a decimal (digits with an optional . and fraction)`);
    }
    const startValue = decimal(start);
    const stopValue = decimal(stop);
    const stepValue = decimal(step);
    if (stepValue.isZero()) return fail(entry.path, 'STEP must be greater than 0');
    if (startValue.greaterThan(stopValue)) return fail(entry.path, `START ${start} is greater than STOP ${stop}`);
    const count = stopValue.minus(startValue).div(stepValue).floor().plus(1);
    if (count.greaterThan(MAX_SWEEP_POINTS)) return fail(entry.path, `${start}:${stop}:${step} has ${count.toFixed(0)} values, more than ${MAX_SWEEP_POINTS}: check the step`);
    const places = Math.max(placesOf(start), placesOf(stop), placesOf(step));
    if (entry.kind === 'money' && places > 2) return fail(entry.path, 'is an amount in yuan: START, STOP and STEP may have at most 2 decimals');
    const values: string[] = [];
    for (let value = startValue; value.lessThanOrEqualTo(stopValue); value = value.plus(stepValue)) values.push(value.toFixed(places));
    return { axis: { path: entry.path, values }, problems: [] };
  }
  const values = spec.split(',').map((value) => value.trim());
  const problems: Problem[] = [];
  for (const value of values) {
    const problem = valueProblem(entry.kind, value);
    if (problem) problems.push({ file: source, line: 0, column: entry.path, message: problem });
  }
  if (new Set(values).size !== values.length) problems.push({ file: source, line: 0, column: entry.path, message: 'a value is listed twice' });
  return problems.length > 0 ? { problems } : { axis: { path: entry.path, values }, problems: [] };
}

/** The number of grid points (product of the axis lengths). */
export function gridSize(axes: readonly VaryAxis[]): number {
  return axes.reduce((product, axis) => product * axis.values.length, 1);
}

/** The overrides of grid point `index` (0-based); the first axis varies slowest. */
export function gridPoint(axes: readonly VaryAxis[], index: number): Override[] {
  const overrides: Override[] = new Array(axes.length);
  let rest = index;
  for (let a = axes.length - 1; a >= 0; a--) {
    const axis = axes[a]!;
    overrides[a] = { path: axis.path, value: axis.values[rest % axis.values.length]! };
    rest = Math.floor(rest / axis.values.length);
  }
  return overrides;
}

/** The allocation of one point: the shared inputs with this point's policy; no steps traced. */
export function allocatePoint(run: RunInputs, policy: Policy): AllocationResult {
  return allocate({ ...run, policy, trace: false });
}

/** The outcome metrics of one point. */
export function evaluatePoint(run: RunInputs, policy: Policy): Metrics {
  return computeMetrics(outcomeFromResult(allocatePoint(run, policy)));
}
