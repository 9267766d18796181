/**
 * The run's tables (CONTRACT section 5) as CSV tables: allocations.csv,
 * provinces.csv, checks.csv and projects.csv. Pure functions of the
 * allocation result.
 */
import type { AllocationResult } from '../core/allocate.js';
import { formatDecimal, formatYuan, ZERO, type Fen } from '../core/money.js';
import { ABSORBING_LEVELS } from '../core/policy.js';
import { PAYING_LEVELS, type ProvinceState } from '../core/state.js';
import { allocationRows, formatIncidence, formatPopulation, snapshotAllocationRows, type AllocationRowsData } from './allocation-rows.js';
import { yesNo, type CsvTable } from './csv.js';

/** Amount columns of allocations.csv in the order the rules declared them, before `total`. */
export function amountColumns(result: AllocationResult): string[] {
  return result.amountColumns.filter((column) => column.shownIn !== 'provinces').map((column) => column.name);
}

/** Amount columns of provinces.csv (sums over counties), before `total`. */
export function provinceAmountColumns(result: AllocationResult): string[] {
  return result.amountColumns.filter((column) => column.shownIn !== 'counties').map((column) => column.name);
}

export { formatIncidence, formatIncidenceTexts, formatPopulation, formatPopulationText } from './allocation-rows.js';

/** An amount cell: yuan with two decimals, or empty when the rule that writes it did not run. */
function amountCell(amount: Fen | undefined): string {
  return amount === undefined ? '' : formatYuan(amount);
}

/** The columns of allocations.csv, and which of them hold numbers. */
/** allocations.csv's columns and which of them hold numbers, with the amount columns given (before `total`). */
export function allocationsColumns(amounts: readonly string[]): { columns: string[]; numberColumns: string[] } {
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
  return { ...allocationsColumns(amounts), rows: [...allocationRows(snapshotAllocationRows(result, amounts))] };
}

/** A table whose rows are formatted each time they are read, and never held: allocations.csv of a village table has a million. */
export interface StreamedTable {
  readonly columns: readonly string[];
  readonly numberColumns: readonly string[];
  readonly rowCount: number;
  readonly rows: Iterable<readonly string[]>;
  /** What the rows show (gathered anew on each call, not held), for formatting them elsewhere (a worker thread) with `allocationRows`. */
  snapshot(): AllocationRowsData;
}

/** allocations.csv as `allocationsTable` gives it, with rows formatted on each reading. */
export function streamedAllocationsTable(result: AllocationResult): StreamedTable {
  const amounts = amountColumns(result);
  const snapshot = (): AllocationRowsData => snapshotAllocationRows(result, amounts);
  return {
    ...allocationsColumns(amounts),
    rowCount: result.counties.length,
    snapshot,
    rows: { [Symbol.iterator]: () => allocationRows(snapshot()) },
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
