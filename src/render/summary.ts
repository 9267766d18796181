/**
 * summary.json and the terminal summary: pure functions of the result.
 */
import type { AllocationResult } from '../core/allocate.js';
import { formatWanYuan, formatYuan, groupThousands, sumDecimals } from '../core/money.js';
import type { Problem } from '../core/problems.js';
import { formatProblem } from '../core/problems.js';
import { formatIncidence, formatPopulation } from './tables.js';

export const SUMMARY_SCHEMA_VERSION = 1;

export interface SummaryContext {
  readonly command: string;
  readonly warnings: readonly Problem[];
  readonly skippedBlankRows: Readonly<Record<string, number>>;
  /** `--set` overrides applied to the policy; listed under policy.overrides when there are any. */
  readonly overrides?: readonly { readonly path: string; readonly value: string }[];
}

export function summaryDocument(result: AllocationResult, context: SummaryContext): Record<string, unknown> {
  const policy = result.inputs.policy.document;
  const countyTotal = (column: string): bigint => result.counties.reduce((sum, countyState) => sum + (countyState.amounts.get(column) ?? 0n), 0n);
  const funds: Record<string, Record<string, { budget: string; allocated: string; unallocated: string }>> = {};
  for (const account of result.fundAccounts) {
    funds[account.fund] ??= {};
    funds[account.fund]![account.level] = {
      budget: formatYuan(account.budget),
      allocated: formatYuan(account.allocated),
      unallocated: formatYuan(account.unallocated),
    };
  }
  const unallocatedPots = result.pots.filter((pot) => pot.unallocated > 0n);
  const severities = { info: 0, warning: 0, error: 0 };
  for (const check of result.checks) severities[check.severity]++;
  const totals: Record<string, string> = {};
  for (const column of [...result.totalColumns, 'total']) totals[column] = formatYuan(countyTotal(column));

  return {
    schema_version: SUMMARY_SCHEMA_VERSION,
    command: context.command,
    policy: {
      name: policy.name,
      title: policy.title,
      year: policy.year,
      ...(context.overrides && context.overrides.length > 0 ? { overrides: context.overrides.map((override) => ({ path: override.path, value: override.value })) } : {}),
    },
    inputs: {
      counties: {
        file: result.inputs.files.counties,
        rows: result.counties.length,
        skipped_blank_rows: context.skippedBlankRows[result.inputs.files.counties] ?? 0,
      },
      budget: {
        file: result.inputs.files.budget,
        rows: result.inputs.budget.lines.length,
        skipped_blank_rows: context.skippedBlankRows[result.inputs.files.budget] ?? 0,
      },
    },
    counts: {
      counties: result.counties.length,
      eligible_counties: result.counties.filter((countyState) => countyState.eligible).length,
      provinces: result.provinces.length,
      priority_provinces: result.provinces.filter((province) => province.priority).map((province) => province.province.code),
    },
    funds,
    totals,
    unallocated: {
      total: formatYuan(unallocatedPots.reduce((sum, pot) => sum + pot.unallocated, 0n)),
      pots: unallocatedPots.map((pot) => ({ pot: pot.id, amount: formatYuan(pot.unallocated), reason: pot.unallocatedReason })),
    },
    checks: severities,
    skipped_rules: result.skippedRules,
    warnings: context.warnings.map(formatProblem),
    provinces: result.provinces.map((province) => {
      const entry: Record<string, unknown> = {
        province_code: province.province.code,
        province_name: province.province.nameZh,
        counties: province.counties.length,
        eligible_counties: province.eligibleCounties,
        poor_population: formatPopulation(province.poorPopulation),
        incidence: formatIncidence(province.incidence),
        priority_province: province.priority,
      };
      for (const column of [...result.totalColumns, 'total']) entry[column] = formatYuan(province.amounts.get(column) ?? 0n);
      return entry;
    }),
  };
}

/** Display width of text in a terminal: CJK characters take two cells. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    width += (code >= 0x1100 && code <= 0x115f) || (code >= 0x2e80 && code <= 0xa4cf) || (code >= 0xac00 && code <= 0xd7a3) || (code >= 0xf900 && code <= 0xfaff) || (code >= 0xfe30 && code <= 0xfe4f) || (code >= 0xff00 && code <= 0xff60) || (code >= 0xffe0 && code <= 0xffe6) ? 2 : 1;
  }
  return width;
}

function pad(text: string, width: number, align: 'left' | 'right'): string {
  const fill = ' '.repeat(Math.max(0, width - displayWidth(text)));
  return align === 'left' ? text + fill : fill + text;
}

export interface Painter {
  bold(text: string): string;
  dim(text: string): string;
  yellow(text: string): string;
  green(text: string): string;
}

export const PLAIN: Painter = { bold: (t) => t, dim: (t) => t, yellow: (t) => t, green: (t) => t };

/** The per-province table printed after `allocate`, amounts in yuan and 万元. */
export function terminalSummary(result: AllocationResult, paint: Painter, outDir: string | undefined): string {
  const headers = ['code', 'province', 'counties', 'eligible', 'poor people', 'central (yuan)', 'provincial (yuan)', 'total (yuan)', 'total (万元)'];
  const align: ('left' | 'right')[] = ['left', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'right'];
  const rows = result.provinces.map((province) =>
    [
      province.province.code,
      `${province.province.nameShort}${province.priority ? ' *' : ''}`,
      String(province.counties.length),
      String(province.eligibleCounties),
      groupThousands(formatPopulation(province.poorPopulation)),
      groupThousands(formatYuan(province.amounts.get('special_poverty_central') ?? 0n)),
      groupThousands(formatYuan(province.amounts.get('special_poverty_provincial') ?? 0n)),
      groupThousands(formatYuan(province.amounts.get('total') ?? 0n)),
      groupThousands(formatWanYuan(province.amounts.get('total') ?? 0n)),
    ],
  );
  const sum = (column: string): bigint => result.provinces.reduce((total, province) => total + (province.amounts.get(column) ?? 0n), 0n);
  const poor = sumDecimals(result.provinces.map((province) => province.poorPopulation));
  const totalRow = [
    '',
    'total',
    String(result.counties.length),
    String(result.counties.filter((countyState) => countyState.eligible).length),
    groupThousands(formatPopulation(poor)),
    groupThousands(formatYuan(sum('special_poverty_central'))),
    groupThousands(formatYuan(sum('special_poverty_provincial'))),
    groupThousands(formatYuan(sum('total'))),
    groupThousands(formatWanYuan(sum('total'))),
  ];
  const widths = headers.map((header, index) => Math.max(displayWidth(header), ...[...rows, totalRow].map((row) => displayWidth(row[index] ?? ''))));
  const line = (cells: string[]): string => cells.map((cell, index) => pad(cell, widths[index]!, align[index]!)).join('  ');
  const policy = result.inputs.policy.document;
  const out: string[] = [];
  out.push(paint.bold(`povalloc: ${policy.title} (${policy.year})`));
  out.push('');
  out.push(paint.bold(line(headers)));
  for (const row of rows) out.push(line(row));
  out.push(paint.bold(line(totalRow)));
  out.push('');
  out.push(paint.dim('* priority province (clause IV.1)'));
  const unallocated = result.pots.reduce((total, pot) => total + pot.unallocated, 0n);
  out.push(
    unallocated === 0n
      ? paint.green('Every budget line allocated to the fen: 0.00 yuan unallocated.')
      : paint.yellow(`${groupThousands(formatYuan(unallocated))} yuan unallocated: see checks.csv.`),
  );
  const warnings = result.checks.filter((check) => check.severity !== 'info').length;
  if (warnings > 0) out.push(paint.yellow(`${warnings} warning(s) in checks.csv.`));
  if (outDir !== undefined) out.push(`Run folder: ${outDir}`);
  return `${out.join('\n')}\n`;
}
