/**
 * Comparing scenarios: per county and per province, what each scenario gives
 * compared with the base; who wins and who loses, in bands of percent
 * change; the outcome metrics of every scenario; and, per fund and paying
 * level, a check that the changes add up: with the same budget, what one
 * county gains another loses (or it is left unallocated).
 *
 * Bands, by the percent change of a county's total (scenario - base) / base:
 *   lose_over_5    below -5%
 *   lose_up_to_5   from -5% (included) up to -0.1% (excluded)
 *   no_change      from -0.1% to +0.1%, both included
 *   gain_up_to_5   above +0.1% up to +5% (included)
 *   gain_over_5    above +5%
 * A county with 0 in the base is in no_change when it still gets 0, in
 * gain_over_5 when it gets anything.
 *
 * Example: base 1,000,000.00, scenario 1,000,900.00: +0.09%, no_change;
 * scenario 950,000.00: -5% exactly, lose_up_to_5.
 */
import { formatFraction, formatYuan, type Fen } from './money.js';
import { computeMetrics, type Metrics } from './metrics.js';
import { fundColumns, fundsWithColumns, type CountyOutcome, type Outcome } from './outcome.js';
import { appendAll, InputError, invariant } from './problems.js';
import { FUND_LEVEL_COLUMNS } from './allocate.js';
import { policyDifferences, type PolicyDifference } from './scenario.js';

export const COMPARE_SCHEMA_VERSION = 1;
export const BASE_NAME = 'base';

export const BANDS = ['lose_over_5', 'lose_up_to_5', 'no_change', 'gain_up_to_5', 'gain_over_5'] as const;
export type Band = (typeof BANDS)[number];

export const BAND_DIMENSIONS = ['overall', 'province', 'region', 'contiguous_area', 'priority'] as const;
export type BandDimension = (typeof BAND_DIMENSIONS)[number];

/** Decimals of change_percent. */
export const PERCENT_PLACES = 4;

/** The band of a change from `base` to `scenario` (see the module comment). */
export function bandOf(base: Fen, scenario: Fen): Band {
  const change = scenario - base;
  if (change === 0n) return 'no_change';
  if (base === 0n) return change > 0n ? 'gain_over_5' : 'lose_over_5';
  const magnitude = change < 0n ? -change : change;
  // |change| / base <= 0.1%  <=>  1000 |change| <= base
  if (magnitude * 1000n <= base) return 'no_change';
  // |change| / base <= 5%  <=>  100 |change| <= 5 base
  const withinFive = magnitude * 100n <= base * 5n;
  if (change < 0n) return withinFive ? 'lose_up_to_5' : 'lose_over_5';
  return withinFive ? 'gain_up_to_5' : 'gain_over_5';
}

/** Percent change with 4 decimals; '' when the base is 0 and the scenario is not. */
export function percentChange(base: Fen, scenario: Fen): string {
  const change = scenario - base;
  if (base === 0n) return change === 0n ? formatFraction(0n, 1n, PERCENT_PLACES) : '';
  return formatFraction(change * 100n, base, PERCENT_PLACES);
}

/** One side of a comparison: a named outcome and, when known, its policy document. */
export interface CompareSide {
  readonly name: string;
  readonly outcome: Outcome;
  /** The effective policy document; undefined when not available (a run folder without inputs/policy.json). */
  readonly policyDocument?: unknown;
  /** Where it came from, for the reader: a policy file, overrides, a run folder. */
  readonly source: string;
}

export interface AmountChange {
  /** Amount columns, fund sums and total, base and scenario, in fen. */
  readonly base: ReadonlyMap<string, Fen>;
  readonly scenario: ReadonlyMap<string, Fen>;
}

export interface CountyChange extends AmountChange {
  readonly scenarioName: string;
  readonly county: CountyOutcome;
  readonly change: Fen;
  readonly changePercent: string;
  readonly band: Band;
}

export interface ProvinceChange extends AmountChange {
  readonly scenarioName: string;
  readonly provinceCode: string;
  readonly provinceName: string;
  readonly region: string;
  readonly counties: number;
  readonly poorPopulation: bigint;
  readonly change: Fen;
  readonly changePercent: string;
}

export interface BandCount {
  readonly scenarioName: string;
  readonly dimension: BandDimension;
  readonly group: string;
  readonly band: Band;
  readonly counties: number;
  readonly poorPopulation: bigint;
}

/** Per fund and paying level: what the scenario changed, and the check that it adds up. */
export interface PotBalance {
  readonly scenarioName: string;
  readonly fund: string;
  readonly level: 'central' | 'provincial';
  readonly baseBudget: Fen;
  readonly scenarioBudget: Fen;
  readonly baseAllocated: Fen;
  readonly scenarioAllocated: Fen;
  readonly baseUnallocated: Fen;
  readonly scenarioUnallocated: Fen;
  /** Sum over counties of the change in this fund-level's column. */
  readonly countyChange: Fen;
  /** Budgets equal: the county changes and the change in unallocated money add up to 0. */
  readonly balanced: boolean;
}

export interface ScenarioPolicyDiff {
  readonly scenarioName: string;
  /** undefined when either side's policy is not available. */
  readonly differences: readonly PolicyDifference[] | undefined;
}

export interface Comparison {
  readonly base: CompareSide;
  readonly scenarios: readonly CompareSide[];
  /** The fund sums reported (funds with amount columns), e.g. special_poverty. */
  readonly funds: readonly string[];
  readonly amountColumns: readonly string[];
  readonly counties: readonly CountyChange[];
  readonly provinces: readonly ProvinceChange[];
  readonly bands: readonly BandCount[];
  /** Base first, then each scenario. */
  readonly metrics: readonly { readonly scenarioName: string; readonly values: Metrics }[];
  readonly pots: readonly PotBalance[];
  readonly policyDiffs: readonly ScenarioPolicyDiff[];
}

/** What a side's amounts of one county are read as: its keys in order, and where each key's amount comes from. */
interface AmountKeys {
  /** Each amount column, then each fund, then 'total', a name that comes again only once (where it first came). */
  readonly keys: readonly string[];
  /** Per key: the columns whose amounts add up to it (a fund's columns for a fund; 'total' and a column: itself). */
  readonly sources: ReadonlyMap<string, readonly string[]>;
}

function amountKeys(amountColumns: readonly string[], funds: readonly string[]): AmountKeys {
  const sources = new Map<string, readonly string[]>();
  // Later kinds win where a name is both (a fund named as its column): 'total', then a fund, then a column.
  for (const column of amountColumns) sources.set(column, [column]);
  for (const fund of funds) sources.set(fund, fundColumns(fund, amountColumns));
  sources.set('total', ['total']);
  return { keys: [...sources.keys()], sources };
}

/**
 * Every amount of a county keyed by column, fund sum and 'total' (0 where the
 * county has none), read from its amounts when asked for: a comparison of a
 * million villages holds a small view per village and side, not a map and a
 * dozen bigints.
 */
class CountyAmountsView implements ReadonlyMap<string, Fen> {
  constructor(
    private readonly amounts: ReadonlyMap<string, Fen>,
    private readonly layout: AmountKeys,
  ) {}

  get size(): number {
    return this.layout.keys.length;
  }

  get(key: string): Fen | undefined {
    const columns = this.layout.sources.get(key);
    if (columns === undefined) return undefined;
    let sum = 0n;
    for (const column of columns) sum += this.amounts.get(column) ?? 0n;
    return sum;
  }

  has(key: string): boolean {
    return this.layout.sources.has(key);
  }

  forEach(callback: (amount: Fen, key: string, map: ReadonlyMap<string, Fen>) => void, thisArg?: unknown): void {
    for (const key of this.layout.keys) callback.call(thisArg, this.get(key)!, key, this);
  }

  *entries(): MapIterator<[string, Fen]> {
    for (const key of this.layout.keys) yield [key, this.get(key)!];
  }

  *keys(): MapIterator<string> {
    yield* this.layout.keys;
  }

  *values(): MapIterator<Fen> {
    for (const key of this.layout.keys) yield this.get(key)!;
  }

  [Symbol.iterator](): MapIterator<[string, Fen]> {
    return this.entries();
  }
}

/**
 * A county's change, its amounts and percent change made when read: a
 * comparison of village tables holds one for each village and scenario, and
 * two views and a text each, kept, were about 150 MB at a million villages.
 */
class CountyChangeOf implements CountyChange {
  constructor(
    readonly scenarioName: string,
    readonly county: CountyOutcome,
    private readonly other: CountyOutcome,
    private readonly layout: AmountKeys,
    readonly change: Fen,
    readonly band: Band,
  ) {}

  get base(): ReadonlyMap<string, Fen> {
    return new CountyAmountsView(this.county.amounts, this.layout);
  }

  get scenario(): ReadonlyMap<string, Fen> {
    return new CountyAmountsView(this.other.amounts, this.layout);
  }

  get changePercent(): string {
    const baseTotal = this.county.amounts.get('total') ?? 0n;
    return percentChange(baseTotal, baseTotal + this.change);
  }
}

/** Adds a county's amounts (every key of the layout) into a province's. */
function addInto(target: Map<string, Fen>, amounts: ReadonlyMap<string, Fen>, keys: readonly string[]): void {
  for (const key of keys) target.set(key, (target.get(key) ?? 0n) + (amounts.get(key) ?? 0n));
}

/** Whether the scenario lists the same counties in the same order as the base; an input problem if it lists others. */
function checkSameCounties(base: CompareSide, scenario: CompareSide): boolean {
  // Two runs of one table list the same codes in the same order (the tables are in code order): looked at
  // pairwise first, which at a million villages saves building two sets of a million codes each.
  if (sameCodesInOrder(base.outcome.counties, scenario.outcome.counties)) return true;
  const baseCodes = new Set(base.outcome.counties.map((county) => county.code));
  const scenarioCodes = new Set(scenario.outcome.counties.map((county) => county.code));
  const onlyBase = [...baseCodes].filter((code) => !scenarioCodes.has(code));
  const onlyScenario = [...scenarioCodes].filter((code) => !baseCodes.has(code));
  if (onlyBase.length === 0 && onlyScenario.length === 0) return false;
  const list = (codes: string[]): string => codes.slice(0, 5).join(', ') + (codes.length > 5 ? `, ... (${codes.length})` : '');
  const parts: string[] = [];
  if (onlyBase.length > 0) parts.push(`only in ${base.name}: ${list(onlyBase)}`);
  if (onlyScenario.length > 0) parts.push(`only in ${scenario.name}: ${list(onlyScenario)}`);
  throw new InputError([{ file: scenario.source, line: 0, message: `covers different counties from ${base.source} (${parts.join('; ')}): compare runs of the same county table` }]);
}

function sameCodesInOrder(first: readonly CountyOutcome[], second: readonly CountyOutcome[]): boolean {
  if (first.length !== second.length) return false;
  for (let index = 0; index < first.length; index++) if (first[index]!.code !== second[index]!.code) return false;
  return true;
}

/** The county's group in one band dimension. */
function groupKey(county: CountyOutcome, dimension: BandDimension): string {
  switch (dimension) {
    case 'overall':
      return 'all';
    case 'province':
      return county.provinceCode;
    case 'region':
      return county.region;
    case 'contiguous_area':
      return county.contiguousArea === '' ? 'none' : county.contiguousArea;
    case 'priority':
      return county.priorityProvince ? 'priority' : 'other';
  }
}

function potBalances(scenarioName: string, base: Outcome, scenario: Outcome, counties: readonly CountyChange[]): PotBalance[] {
  const balances: PotBalance[] = [];
  for (const baseAccount of base.funds) {
    const scenarioAccount = scenario.funds.find((account) => account.fund === baseAccount.fund && account.level === baseAccount.level);
    if (!scenarioAccount) continue;
    const column = FUND_LEVEL_COLUMNS.find((entry) => entry.fund === baseAccount.fund && entry.level === baseAccount.level)?.column;
    const countyChange =
      column === undefined ? 0n : counties.reduce((sum, change) => sum + (change.scenario.get(column) ?? 0n) - (change.base.get(column) ?? 0n), 0n);
    const allocatedChange = scenarioAccount.allocated - baseAccount.allocated;
    const unallocatedChange = scenarioAccount.unallocated - baseAccount.unallocated;
    const sameBudget = scenarioAccount.budget === baseAccount.budget;
    if (column !== undefined) {
      invariant(countyChange === allocatedChange, `${scenarioName}: the county changes of ${baseAccount.fund} ${baseAccount.level} (${formatYuan(countyChange)}) differ from the change in money allocated (${formatYuan(allocatedChange)})`);
    }
    if (sameBudget) {
      // The law of the pot across scenarios: the same budget, so what some gain others lose (or it stays unallocated).
      invariant(allocatedChange + unallocatedChange === 0n, `${scenarioName}: ${baseAccount.fund} ${baseAccount.level} has the same budget in both, but its changes add up to ${formatYuan(allocatedChange + unallocatedChange)}`);
    }
    balances.push({
      scenarioName,
      fund: baseAccount.fund,
      level: baseAccount.level,
      baseBudget: baseAccount.budget,
      scenarioBudget: scenarioAccount.budget,
      baseAllocated: baseAccount.allocated,
      scenarioAllocated: scenarioAccount.allocated,
      baseUnallocated: baseAccount.unallocated,
      scenarioUnallocated: scenarioAccount.unallocated,
      countyChange,
      balanced: sameBudget,
    });
  }
  return balances;
}

/** Compares each scenario with the base. Scenario names must be unique and differ from the base's. */
export function compareOutcomes(base: CompareSide, scenarios: readonly CompareSide[]): Comparison {
  const names = [base.name, ...scenarios.map((scenario) => scenario.name)];
  invariant(new Set(names).size === names.length, `scenario names are not unique: ${names.join(', ')}`);
  const amountColumns = [...base.outcome.amountColumns];
  for (const scenario of scenarios) {
    for (const column of scenario.outcome.amountColumns) if (!amountColumns.includes(column)) amountColumns.push(column);
  }
  const funds = fundsWithColumns(amountColumns);
  const layout = amountKeys(amountColumns, funds);

  const counties: CountyChange[] = [];
  const provinces: ProvinceChange[] = [];
  const bands: BandCount[] = [];
  const pots: PotBalance[] = [];
  const policyDiffs: ScenarioPolicyDiff[] = [];

  for (const scenario of scenarios) {
    const inOrder = checkSameCounties(base, scenario);
    // Runs in the same order are read side by side; others by code (a map of a million codes for a village table).
    const scenarioByCode = inOrder ? undefined : new Map(scenario.outcome.counties.map((county) => [county.code, county]));
    const scenarioCounties: CountyChange[] = base.outcome.counties.map((county, index) => {
      const other = scenarioByCode === undefined ? scenario.outcome.counties[index]! : scenarioByCode.get(county.code)!;
      const baseTotal = county.amounts.get('total') ?? 0n;
      const scenarioTotal = other.amounts.get('total') ?? 0n;
      return new CountyChangeOf(scenario.name, county, other, layout, scenarioTotal - baseTotal, bandOf(baseTotal, scenarioTotal));
    });
    appendAll(counties, scenarioCounties);

    const byProvince = new Map<string, { first: CountyOutcome; counties: number; poor: bigint; base: Map<string, Fen>; scenario: Map<string, Fen> }>();
    for (const change of scenarioCounties) {
      const code = change.county.provinceCode;
      let entry = byProvince.get(code);
      if (!entry) {
        entry = { first: change.county, counties: 0, poor: 0n, base: new Map(), scenario: new Map() };
        byProvince.set(code, entry);
      }
      entry.counties++;
      entry.poor += change.county.poorPopulation;
      addInto(entry.base, change.base, layout.keys);
      addInto(entry.scenario, change.scenario, layout.keys);
    }
    for (const code of [...byProvince.keys()].sort()) {
      const entry = byProvince.get(code)!;
      const baseTotal = entry.base.get('total') ?? 0n;
      const scenarioTotal = entry.scenario.get('total') ?? 0n;
      provinces.push({
        scenarioName: scenario.name,
        provinceCode: code,
        provinceName: entry.first.provinceName,
        region: entry.first.region,
        counties: entry.counties,
        poorPopulation: entry.poor,
        base: entry.base,
        scenario: entry.scenario,
        change: scenarioTotal - baseTotal,
        changePercent: percentChange(baseTotal, scenarioTotal),
      });
    }

    for (const dimension of BAND_DIMENSIONS) {
      const groups = new Map<string, Map<Band, { counties: number; poor: bigint }>>();
      for (const change of scenarioCounties) {
        const group = groupKey(change.county, dimension);
        let tally = groups.get(group);
        if (!tally) {
          tally = new Map(BANDS.map((band) => [band, { counties: 0, poor: 0n }]));
          groups.set(group, tally);
        }
        const cell = tally.get(change.band)!;
        cell.counties++;
        cell.poor += change.county.poorPopulation;
      }
      for (const group of [...groups.keys()].sort()) {
        for (const band of BANDS) {
          const cell = groups.get(group)!.get(band)!;
          bands.push({ scenarioName: scenario.name, dimension, group, band, counties: cell.counties, poorPopulation: cell.poor });
        }
      }
    }

    appendAll(pots, potBalances(scenario.name, base.outcome, scenario.outcome, scenarioCounties));
    policyDiffs.push({
      scenarioName: scenario.name,
      differences:
        base.policyDocument === undefined || scenario.policyDocument === undefined ? undefined : policyDifferences(base.policyDocument, scenario.policyDocument),
    });
  }

  const metrics = [base, ...scenarios].map((side) => ({ scenarioName: side.name, values: computeMetrics(side.outcome) }));
  return { base, scenarios, funds, amountColumns, counties, provinces, bands, metrics, pots, policyDiffs };
}

