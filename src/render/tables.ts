/**
 * The run's tables (CONTRACT section 5) as CSV tables: allocations.csv,
 * provinces.csv, checks.csv and projects.csv. Pure functions of the
 * allocation result.
 */
import type { AllocationResult } from '../core/allocate.js';
import type { County } from '../core/counties.js';
import { formatDecimal, formatFraction, formatQuotient, formatSafeIntegerQuotient, formatYuan, ZERO, type Dec, type Fen } from '../core/money.js';
import { ABSORBING_LEVELS } from '../core/policy.js';
import { PAYING_LEVELS, type CountyState, type ProvinceState } from '../core/state.js';
import { yesNo, type CsvTable } from './csv.js';

/** Amount columns of allocations.csv in the order the rules declared them, before `total`. */
export function amountColumns(result: AllocationResult): string[] {
  return result.amountColumns.filter((column) => column.shownIn !== 'provinces').map((column) => column.name);
}

/** Amount columns of provinces.csv (sums over counties), before `total`. */
export function provinceAmountColumns(result: AllocationResult): string[] {
  return result.amountColumns.filter((column) => column.shownIn !== 'counties').map((column) => column.name);
}

/** An amount cell: yuan with two decimals, or empty when the rule that writes it did not run. */
function amountCell(amount: Fen | undefined): string {
  return amount === undefined ? '' : formatYuan(amount);
}

/** Whole persons as digits; a derived (fractional) figure with two decimals. */
export function formatPopulation(value: Dec): string {
  return value.isInteger() ? value.toFixed(0) : formatDecimal(value, 2);
}

export function formatIncidence(value: Dec): string {
  return formatDecimal(value, 6);
}

/** An exact decimal text (digits, optional `.` and fraction) as an integer over a power of ten. */
function scaledText(text: string): { scaled: bigint; places: number } {
  const point = text.indexOf('.');
  return point < 0 ? { scaled: BigInt(text), places: 0 } : { scaled: BigInt(text.slice(0, point) + text.slice(point + 1)), places: text.length - point - 1 };
}

const POPULATION_TEXT = /^\d+(\.\d+)?$/;

/** formatPopulation of the decimal an exact text stands for, in integers. */
export function formatPopulationText(text: string): string {
  if (text.indexOf('.') < 0) return text.length > 1 && text.charCodeAt(0) === 48 ? BigInt(text).toString() : text;
  const { scaled, places } = scaledText(text);
  const unit = 10n ** BigInt(places);
  return scaled % unit === 0n ? (scaled / unit).toString() : formatFraction(scaled, unit, 2);
}

/** formatIncidence(poor / rural) for the decimals two exact texts stand for, in integers: the quotient rounded to 50 digits as decimal.js divides. */
export function formatIncidenceTexts(poor: string, rural: string): string {
  // Whole numbers of persons (the usual case) divide as doubles unless the quotient lies near a rounding boundary.
  if (poor.length <= 15 && rural.length <= 15 && poor.indexOf('.') < 0 && rural.indexOf('.') < 0) {
    const p = Number(poor);
    const r = Number(rural);
    if (r === 0) return formatIncidence(ZERO);
    return formatSafeIntegerQuotient(p, r, 6);
  }
  const p = scaledText(poor);
  const r = scaledText(rural);
  if (r.scaled === 0n) return formatIncidence(ZERO);
  return formatQuotient(p.scaled * 10n ** BigInt(r.places), r.scaled * 10n ** BigInt(p.places), 6);
}

/** A county's poor and rural population as exact text, when its figures can give them without building decimals. */
function populationTexts(county: County): { poor: string; rural: string } | undefined {
  const figures = county.figures as { textOf?: (column: string) => string | undefined };
  if (typeof figures.textOf !== 'function') return undefined;
  const poor = figures.textOf('poor_population');
  const rural = figures.textOf('rural_population');
  if (poor === undefined || rural === undefined || !POPULATION_TEXT.test(poor) || !POPULATION_TEXT.test(rural)) return undefined;
  return { poor, rural };
}

/** The poor population, rural population and incidence cells of a county. */
function populationCells(county: County): [string, string, string] {
  const texts = populationTexts(county);
  if (texts) return [formatPopulationText(texts.poor), formatPopulationText(texts.rural), formatIncidenceTexts(texts.poor, texts.rural)];
  const poor = county.poorPopulation;
  const rural = county.ruralPopulation;
  return [formatPopulation(poor), formatPopulation(rural), formatIncidence(rural.isZero() ? ZERO : poor.div(rural))];
}

function countyRow(countyState: CountyState, amountColumnNames: readonly string[]): string[] {
  const county = countyState.county;
  return [
    county.code,
    county.name,
    county.province.code,
    county.province.nameZh,
    county.province.region,
    county.prefecture,
    yesNo(countyState.eligible),
    yesNo(county.povertyCounty),
    yesNo(county.keyCounty),
    county.contiguousArea,
    yesNo(countyState.priorityProvince),
    ...populationCells(county),
    countyState.focusMultiplier ? countyState.focusMultiplier.toFixed() : '',
    countyState.scoreText(10) ?? '',
    countyState.binding ?? '',
    ...amountColumnNames.map((column) => amountCell(countyState.amounts.get(column))),
    formatYuan(countyState.amounts.get('total') ?? 0n),
  ];
}

/** The columns of allocations.csv, and which of them hold numbers. */
function allocationsColumns(amounts: readonly string[]): { columns: string[]; numberColumns: string[] } {
  return {
    columns: [
      'county_code',
      'county_name',
      'province_code',
      'province_name',
      'region',
      'prefecture',
      'eligible',
      'poverty_county',
      'key_county',
      'contiguous_area',
      'priority_province',
      'poor_population',
      'rural_population',
      'incidence',
      'focus_multiplier',
      'score',
      'binding',
      ...amounts,
      'total',
    ],
    numberColumns: ['poor_population', 'rural_population', 'incidence', 'focus_multiplier', 'score', ...amounts, 'total'],
  };
}

export function allocationsTable(result: AllocationResult): CsvTable {
  const amounts = amountColumns(result);
  return { ...allocationsColumns(amounts), rows: result.counties.map((countyState) => countyRow(countyState, amounts)) };
}

/** A table whose rows are formatted each time they are read, and never held: allocations.csv of a village table has a million. */
export interface StreamedTable {
  readonly columns: readonly string[];
  readonly numberColumns: readonly string[];
  readonly rowCount: number;
  readonly rows: Iterable<readonly string[]>;
}

/** allocations.csv as `allocationsTable` gives it, with rows formatted on each reading. */
export function streamedAllocationsTable(result: AllocationResult): StreamedTable {
  const amounts = amountColumns(result);
  return {
    ...allocationsColumns(amounts),
    rowCount: result.counties.length,
    rows: {
      *[Symbol.iterator]() {
        for (const countyState of result.counties) yield countyRow(countyState, amounts);
      },
    },
  };
}

function provinceRow(province: ProvinceState, amountColumnNames: readonly string[]): string[] {
  return [
    province.province.code,
    province.province.nameZh,
    province.province.nameEn,
    province.province.region,
    String(province.counties.length),
    String(province.eligibleCounties),
    formatPopulation(province.poorPopulation),
    formatPopulation(province.ruralPopulation),
    formatIncidence(province.incidence),
    yesNo(province.priority),
    province.score ? formatDecimal(province.score, 10) : '',
    province.stageOneShare ? formatDecimal(province.stageOneShare, 10) : '',
    ...amountColumnNames.map((column) => amountCell(province.amounts.get(column))),
    formatYuan(province.amounts.get('total') ?? 0n),
  ];
}

export function provincesTable(result: AllocationResult): CsvTable {
  const amounts = provinceAmountColumns(result);
  return {
    columns: [
      'province_code',
      'province_name',
      'province_name_en',
      'region',
      'counties',
      'eligible_counties',
      'poor_population',
      'rural_population',
      'incidence',
      'priority_province',
      'stage1_score',
      'stage1_share',
      ...amounts,
      'total',
    ],
    rows: result.provinces.map((province) => provinceRow(province, amounts)),
    numberColumns: [
      'counties',
      'eligible_counties',
      'poor_population',
      'rural_population',
      'incidence',
      'stage1_score',
      'stage1_share',
      ...amounts,
      'total',
    ],
  };
}

export function checksTable(result: AllocationResult): CsvTable {
  return {
    columns: ['check', 'severity', 'rule', 'clause', 'scope', 'code', 'name', 'message', 'value', 'threshold'],
    rows: result.checks.map((check) => [
      check.check,
      check.severity,
      check.rule,
      check.clause,
      check.scope,
      check.code,
      check.name,
      check.message,
      check.value,
      check.threshold,
    ]),
  };
}

/** projects.csv: one row per project (matching_waiver), sorted by project id. */
export function projectsTable(result: AllocationResult): CsvTable {
  return {
    columns: [
      'project_id',
      'county_code',
      'county_name',
      'province_code',
      'region',
      'contiguous_area',
      'eligible_county',
      'name',
      'public_welfare',
      'state_arranged',
      'total_cost',
      'shares_from',
      ...PAYING_LEVELS.map((level) => `share_${level}`),
      ...PAYING_LEVELS.map((level) => `standard_${level}`),
      'waived_county',
      'waived_prefecture',
      ...ABSORBING_LEVELS.map((level) => `absorbed_${level}`),
      ...PAYING_LEVELS.map((level) => `final_${level}`),
      'rule_applied',
      'reason',
    ],
    rows: result.projects.map((project) => {
      const countyState = result.countyByCode.get(project.countyCode)!;
      const county = countyState.county;
      return [
        project.projectId,
        county.code,
        county.name,
        county.province.code,
        county.province.region,
        county.contiguousArea,
        yesNo(countyState.eligible),
        project.name,
        yesNo(project.publicWelfare),
        yesNo(project.stateArranged),
        formatYuan(project.totalCost),
        project.sharesFrom,
        ...PAYING_LEVELS.map((level) => (project.shares.get(level) ?? ZERO).toFixed()),
        ...PAYING_LEVELS.map((level) => formatYuan(project.standard.get(level) ?? 0n)),
        formatYuan(project.waivedCounty),
        formatYuan(project.waivedPrefecture),
        ...ABSORBING_LEVELS.map((level) => formatYuan(project.absorbed.get(level) ?? 0n)),
        ...PAYING_LEVELS.map((level) => formatYuan(project.final.get(level) ?? 0n)),
        project.waiver,
        project.reason,
      ];
    }),
  };
}
