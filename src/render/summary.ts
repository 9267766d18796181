/**
 * summary.json and the terminal summary: pure functions of the result.
 */
import { countyColumnTotal, type AllocationResult } from '../core/allocate.js';
import { formatDecimal, formatWanYuan, formatYuan, groupThousands, sumDecimals, type Fen } from '../core/money.js';
import { ABSORBING_LEVELS } from '../core/policy.js';
import type { Problem } from '../core/problems.js';
import { anyCountyHas, countCounties, PAYING_LEVELS, type PayingLevel, type ProvinceState } from '../core/state.js';
import { message, messageOr, type Lang } from './messages.js';
import { formatIncidence, formatPopulation, provinceAmountColumns } from './tables.js';

export const SUMMARY_SCHEMA_VERSION = 1;

export interface SummaryContext {
  readonly command: string;
  /** Warnings about the inputs, each with the role of the input it concerns. */
  readonly warnings: readonly (Problem & { readonly role: string })[];
  /** Blank rows skipped, by input role. */
  readonly skippedBlankRows: Readonly<Record<string, number>>;
  /** `--set` overrides applied to the policy; listed under policy.overrides when there are any. */
  readonly overrides?: readonly { readonly path: string; readonly value: string }[];
}

/** A column's total over counties as yuan text, or null when no county has a value (its rule did not run). */
function columnTotalText(result: AllocationResult, column: string): string | null {
  const present = anyCountyHas(result.counties, column);
  return present ? formatYuan(countyColumnTotal(result, column)) : null;
}

/**
 * Money paid to counties per paying level, by fund (special_poverty,
 * relocation, refund), from the transfer columns the rules declared. The
 * levels' totals add up to the sum of `total` over counties.
 */
function byPayingLevel(result: AllocationResult): Record<string, Record<string, string>> {
  const levels: Record<string, Record<string, string>> = {};
  for (const level of PAYING_LEVELS) {
    const columns = result.amountColumns.filter((column) => column.kind === 'transfer' && column.payingLevel === level);
    if (columns.length === 0) continue;
    const byFund = new Map<string, Fen>();
    for (const column of columns) byFund.set(column.fund, (byFund.get(column.fund) ?? 0n) + countyColumnTotal(result, column.name));
    const entry: Record<string, string> = {};
    for (const [fund, amount] of byFund) entry[fund] = formatYuan(amount);
    entry['total'] = formatYuan([...byFund.values()].reduce((sum, amount) => sum + amount, 0n));
    levels[level] = entry;
  }
  return levels;
}

function projectsSummary(result: AllocationResult): Record<string, unknown> | null {
  if (!result.inputs.projects) return null;
  const sum = (pick: (project: (typeof result.projects)[number]) => Fen): string => formatYuan(result.projects.reduce((total, project) => total + pick(project), 0n));
  const perLevel = (pick: (project: (typeof result.projects)[number], level: PayingLevel) => Fen): Record<string, string> =>
    Object.fromEntries(PAYING_LEVELS.map((level) => [level, sum((project) => pick(project, level))]));
  return {
    count: result.projects.length,
    county_waived: result.projects.filter((project) => project.waiver === 'county_waived').length,
    county_prefecture_waived: result.projects.filter((project) => project.waiver === 'county_prefecture_waived').length,
    no_waiver: result.projects.filter((project) => project.waiver === 'none').length,
    total_cost: sum((project) => project.totalCost),
    standard: perLevel((project, level) => project.standard.get(level) ?? 0n),
    waived: { county: sum((project) => project.waivedCounty), prefecture: sum((project) => project.waivedPrefecture) },
    absorbed: Object.fromEntries(ABSORBING_LEVELS.map((level) => [level, sum((project) => project.absorbed.get(level) ?? 0n)])),
    final: perLevel((project, level) => project.final.get(level) ?? 0n),
  };
}

function growthSummary(result: AllocationResult): Record<string, unknown> | null {
  const growth = result.growth;
  if (!growth) return null;
  return {
    previous_central_total: formatYuan(growth.previousCentralTotal),
    source: growth.source,
    current_central_total: formatYuan(growth.currentCentralTotal),
    change: formatYuan(growth.change),
    change_ratio: growth.changeRatio === undefined ? null : formatDecimal(growth.changeRatio, 6),
    increased: growth.increased,
  };
}

export function summaryDocument(result: AllocationResult, context: SummaryContext): Record<string, unknown> {
  const policy = result.inputs.policy.document;
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
  const provinceColumns = provinceAmountColumns(result);
  const totals: Record<string, string | null> = {};
  for (const column of [...provinceColumns, 'total']) totals[column] = columnTotalText(result, column);
  const inputRole = (role: 'projects' | 'previous', rows: number): Record<string, unknown> | undefined =>
    result.inputs.files[role] === undefined ? undefined : { rows, skipped_blank_rows: context.skippedBlankRows[role] ?? 0 };

  return {
    schema_version: SUMMARY_SCHEMA_VERSION,
    command: context.command,
    policy: {
      name: policy.name,
      title: policy.title,
      year: policy.year,
      ...(context.overrides && context.overrides.length > 0 ? { overrides: context.overrides.map((override) => ({ path: override.path, value: override.value })) } : {}),
    },
    // Inputs by role, not by file name: a run replayed from copies of its
    // inputs under other names must give the same bytes.
    inputs: {
      counties: { rows: result.counties.length, skipped_blank_rows: context.skippedBlankRows['counties'] ?? 0 },
      budget: { rows: result.inputs.budget.lines.length, skipped_blank_rows: context.skippedBlankRows['budget'] ?? 0 },
      projects: inputRole('projects', result.inputs.projects?.projects.length ?? 0),
      previous: inputRole('previous', result.inputs.previous?.byCounty.size ?? 0),
    },
    counts: {
      counties: result.counties.length,
      eligible_counties: countCounties(result.counties, (countyState) => countyState.eligible),
      provinces: result.provinces.length,
      priority_provinces: result.provinces.filter((province) => province.priority).map((province) => province.province.code),
    },
    funds,
    totals,
    by_paying_level: byPayingLevel(result),
    // Refunds are entitlements: their totals are the budget impact on each paying level (null: not computed).
    refund: {
      computed: !result.skippedRules.some((skipped) => skipped.rule === 'refund'),
      ...Object.fromEntries(['central', 'provincial', 'prefecture', 'total'].map((level) => [level, columnTotalText(result, `refund_${level}`)])),
    },
    projects: projectsSummary(result),
    growth: growthSummary(result),
    unallocated: {
      total: formatYuan(unallocatedPots.reduce((sum, pot) => sum + pot.unallocated, 0n)),
      pots: unallocatedPots.map((pot) => ({ pot: pot.id, amount: formatYuan(pot.unallocated), reason: pot.unallocatedReason })),
    },
    checks: severities,
    skipped_rules: result.skippedRules,
    warnings: context.warnings.map((warning) => ({ input: warning.role, line: warning.line, column: warning.column ?? '', message: warning.message })),
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
      for (const column of [...provinceColumns, 'total']) {
        const amount = province.amounts.get(column);
        entry[column] = amount === undefined ? null : formatYuan(amount);
      }
      return entry;
    }),
  };
}

/** Display width of text in a terminal: CJK characters take two cells. */
export function displayWidth(text: string): number {
  let width = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    // A surrogate pair is one character (of width 1: none of the wide ranges is beyond U+FFFF); a lone surrogate too.
    if (code >= 0xd800 && code <= 0xdbff && index + 1 < text.length) {
      const next = text.charCodeAt(index + 1);
      if (next >= 0xdc00 && next <= 0xdfff) index++;
    }
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

/** The per-province table printed after `allocate`, amounts in yuan and 万元, what each rule found; labels in `lang`. */
export function terminalSummary(result: AllocationResult, paint: Painter, outDir: string | undefined, lang: Lang = 'en'): string {
  type Column = { header: string; align: 'left' | 'right'; province: (province: ProvinceState) => string; total: string };
  const sum = (column: string): bigint => result.provinces.reduce((total, province) => total + (province.amounts.get(column) ?? 0n), 0n);
  const hasValues = (column: string): boolean => result.provinces.some((province) => province.amounts.has(column));
  const amount = (header: string, column: string, format: (fen: Fen) => string = formatYuan): Column => ({
    header,
    align: 'right',
    province: (province) => (province.amounts.has(column) ? groupThousands(format(province.amounts.get(column)!)) : ''),
    total: groupThousands(format(sum(column))),
  });
  const poor = sumDecimals(result.provinces.map((province) => province.poorPopulation));
  const header = (name: 'code' | 'province' | 'counties' | 'villages' | 'eligible' | 'poor' | 'central' | 'provincial' | 'relocation' | 'refunds' | 'total' | 'total_wan'): string =>
    message(lang, `summary.header.${name}`);
  // A village table (12-digit codes) counts villages.
  const units = result.counties[0]?.county.code.length === 12 ? 'villages' : 'counties';
  const columns: Column[] = [
    { header: header('code'), align: 'left', province: (province) => province.province.code, total: '' },
    { header: header('province'), align: 'left', province: (province) => `${province.province.nameShort}${province.priority ? ' *' : ''}`, total: message(lang, 'summary.total_row') },
    { header: header(units), align: 'right', province: (province) => String(province.counties.length), total: String(result.counties.length) },
    { header: header('eligible'), align: 'right', province: (province) => String(province.eligibleCounties), total: String(countCounties(result.counties, (countyState) => countyState.eligible)) },
    { header: header('poor'), align: 'right', province: (province) => groupThousands(formatPopulation(province.poorPopulation)), total: groupThousands(formatPopulation(poor)) },
    amount(header('central'), 'special_poverty_central'),
    amount(header('provincial'), 'special_poverty_provincial'),
    ...(hasValues('relocation') ? [amount(header('relocation'), 'relocation')] : []),
    ...(hasValues('refund_total') ? [amount(header('refunds'), 'refund_total')] : []),
    amount(header('total'), 'total'),
    amount(header('total_wan'), 'total', formatWanYuan),
  ];
  const rows = result.provinces.map((province) => columns.map((column) => column.province(province)));
  const totalRow = columns.map((column) => column.total);
  const headers = columns.map((column) => column.header);
  const widths = headers.map((header, index) => Math.max(displayWidth(header), ...[...rows, totalRow].map((row) => displayWidth(row[index] ?? ''))));
  const line = (cells: string[]): string => cells.map((cell, index) => pad(cell, widths[index]!, columns[index]!.align)).join('  ');
  const policy = result.inputs.policy.document;
  const out: string[] = [];
  out.push(paint.bold(message(lang, 'summary.title', { title: policy.title, year: policy.year })));
  out.push('');
  out.push(paint.bold(line(headers)));
  for (const row of rows) out.push(line(row));
  out.push(paint.bold(line(totalRow)));
  out.push('');
  out.push(paint.dim(message(lang, 'summary.priority_note')));
  out.push(...ruleLines(result, lang));
  const unallocated = result.pots.reduce((total, pot) => total + pot.unallocated, 0n);
  out.push(
    unallocated === 0n
      ? paint.green(message(lang, 'summary.all_allocated'))
      : paint.yellow(message(lang, 'summary.unallocated', { amount: groupThousands(formatYuan(unallocated)) })),
  );
  const warnings = result.checks.filter((check) => check.severity !== 'info').length;
  if (warnings > 0) out.push(paint.yellow(message(lang, 'summary.warnings', { count: warnings })));
  if (outDir !== undefined) out.push(message(lang, 'summary.run_folder', { dir: outDir }));
  return `${out.join('\n')}\n`;
}

/** One line per transfer-payment rule saying what it did, for the terminal. */
function ruleLines(result: AllocationResult, lang: Lang): string[] {
  const lines: string[] = [];
  const yuan = (fen: Fen): string => groupThousands(formatYuan(fen));
  const checks = (check: string): number => result.checks.filter((entry) => entry.check === check).length;
  const skipped = new Map(result.skippedRules.map((entry) => [entry.rule, entry.reason]));
  const policy = result.inputs.policy;
  const add = (rule: string, text: () => string): void => {
    const reason = skipped.get(rule);
    lines.push(`${rule}: ${reason === undefined ? text() : messageOr(lang, `summary.skip.${rule}`, message(lang, 'summary.skip.other'))}`);
  };

  add('assessment', () => {
    const adjusted = countCounties(result.counties, (countyState) => countyState.scoreMultipliers.some((multiplier) => multiplier.rule === 'assessment'));
    return message(lang, 'summary.rule.assessment', { adjusted, failed: checks('leading_cadres_interview') });
  });
  add('hold_harmless', () => {
    const guaranteed = countCounties(result.counties, (countyState) => countyState.floors.some((floor) => floor.rule === 'hold_harmless'));
    return message(lang, 'summary.rule.hold_harmless', {
      guaranteed,
      share: policy.holdHarmlessShare.toFixed(),
      bound: checks('hold_harmless_bound'),
      reduced: checks('hold_harmless_reduced'),
    });
  });
  add('growth_check', () => {
    const growth = result.growth!;
    const ratio = growth.changeRatio === undefined ? '' : ` (${growth.change >= 0n ? '+' : ''}${formatDecimal(growth.changeRatio.times(100), 2)}%)`;
    return message(lang, growth.increased ? 'summary.rule.growth' : 'summary.rule.growth_not_increased', {
      current: yuan(growth.currentCentralTotal),
      previous: yuan(growth.previousCentralTotal),
      change: `${growth.change >= 0n ? '+' : ''}${yuan(growth.change)}${ratio}`,
    });
  });
  add('provincial_effort', () =>
    message(lang, 'summary.rule.provincial_effort', { count: checks('provincial_effort'), share: policy.provincialEffortMinimumShare.toFixed() }),
  );
  add('asset_income', () =>
    policy.assetIncomeShare.isZero()
      ? message(lang, 'summary.rule.asset_income_off')
      : message(lang, 'summary.rule.asset_income', { amount: yuan(countyColumnTotal(result, 'asset_income_invested')), share: policy.assetIncomeShare.toFixed() }),
  );
  add('relocation', () => {
    const surplus = result.pots.filter((pot) => pot.rule === 'relocation').reduce((total, pot) => total + pot.unallocated, 0n);
    const counties = countCounties(result.counties, (countyState) => (countyState.amounts.get('relocation') ?? 0n) > 0n);
    return message(lang, 'summary.rule.relocation', {
      amount: yuan(countyColumnTotal(result, 'relocation')),
      counties,
      short: checks('relocation_shortfall'),
      surplus: yuan(surplus),
    });
  });
  add('refund', () => {
    const levels = (['central', 'provincial', 'prefecture'] as const)
      .filter((level) => anyCountyHas(result.counties, `refund_${level}`))
      .map((level) => `${message(lang, `summary.level.${level}`)} ${yuan(countyColumnTotal(result, `refund_${level}`))}`);
    return message(lang, 'summary.rule.refund', { amount: yuan(countyColumnTotal(result, 'refund_total')), levels: levels.join(', ') });
  });
  add('matching_waiver', () => {
    const waived = result.projects.reduce((total, project) => total + project.waivedCounty + project.waivedPrefecture, 0n);
    const counted = (waiver: string): number => result.projects.filter((project) => project.waiver === waiver).length;
    return message(lang, 'summary.rule.matching_waiver', {
      projects: result.projects.length,
      county: counted('county_waived'),
      both: counted('county_prefecture_waived'),
      absorbed: yuan(waived),
    });
  });
  return lines;
}
