/**
 * The allocation engine: a pure function from parsed inputs to a result. It
 * builds the run state, applies the rules in registry order, then accounts for
 * every budget line no rule took, so no money is ever dropped.
 */
import { budgetKey } from './budget.js';
import { aggregateColumn, aggregateColumns } from './factors.js';
import type { County } from './counties.js';
import { formatYuan, ZERO, type Dec, type Fen } from './money.js';
import type { Aggregation } from './policy.js';
import { invariant } from './problems.js';
import { RULES, type Rule } from './rules/index.js';
import { countiesColumnSum, CountyRecord, sharedAmountStore, type AllocationObserver, type CountyState, type ProvinceState, type RunInputs, type RunState } from './state.js';

/**
 * The allocations.csv column that carries each (fund, paying level) of the
 * budget under the default rule list, for readers that have only the files
 * (compare RUN_A RUN_B). A run checks its own declarations against it.
 */
export const FUND_LEVEL_COLUMNS: readonly { readonly fund: string; readonly level: 'central' | 'provincial'; readonly column: string }[] = [
  { fund: 'special_poverty', level: 'central', column: 'special_poverty_central' },
  { fund: 'special_poverty', level: 'provincial', column: 'special_poverty_provincial' },
  { fund: 'relocation', level: 'central', column: 'relocation_central' },
  { fund: 'relocation', level: 'provincial', column: 'relocation_provincial' },
];

export interface FundAccount {
  readonly fund: string;
  readonly level: 'central' | 'provincial';
  readonly budget: Fen;
  readonly allocated: Fen;
  readonly unallocated: Fen;
}

export interface AllocationResult extends RunState {
  /** Names of the amount columns that add up to `total`, in output order. */
  readonly totalColumns: readonly string[];
  /** Budget, allocated and unallocated money per fund and paying level, funds in name order. */
  readonly fundAccounts: readonly FundAccount[];
}

/** Sum of one amount column over counties. */
export function countyColumnTotal(state: RunState, column: string): Fen {
  // Once the province rows hold the sums of every declared column (and the total), they are the same sum.
  if (provinceSummed.has(state) && (column === 'total' || state.amountColumns.some((entry) => entry.name === column))) {
    return state.provinces.reduce((sum, province) => sum + (province.amounts.get(column) ?? 0n), 0n);
  }
  return countiesColumnSum(state.counties, column);
}

/** Run states and results whose province rows hold the sums of their counties' declared columns and total. */
const provinceSummed = new WeakSet<RunState>();

/**
 * Each county's total (the columns that add up to it), checked against the sum
 * of its transfers, and each province row as sums over its counties; a column
 * no county has a value for stays empty. One pass over each county's amounts.
 */
function sumByProvince(state: RunState): void {
  const names = [...state.amountColumns.map((column) => column.name), 'total'];
  const totalIndex = names.length - 1;
  const indexOf = new Map(state.amountColumns.map((column, index) => [column.name, index]));
  const inTotal = state.amountColumns.map((column) => column.inTotal);
  const isTransfer = state.amountColumns.map((column) => column.kind === 'transfer');
  // Counties whose amounts share the run's store are read from it directly (no view per county), in its column order as forEach reads them.
  const store = sharedAmountStore(state.counties);
  // One county's total and transfers, and its province's sums, as its amounts are read.
  let sums: (Fen | undefined)[] = [];
  let total = 0n;
  let transfers = 0n;
  const add = (amount: Fen, column: string): void => {
    const index = indexOf.get(column);
    if (index === undefined) return;
    if (inTotal[index]) total += amount;
    if (isTransfer[index]) transfers += amount;
    const sum = sums[index];
    sums[index] = sum === undefined ? amount : sum + amount;
  };
  for (const province of state.provinces) {
    sums = new Array<Fen | undefined>(names.length).fill(undefined);
    for (const countyState of province.counties) {
      total = 0n;
      transfers = 0n;
      if (store !== undefined && countyState instanceof CountyRecord) {
        store.forEachOf(countyState.amountIndex, add);
        store.set('total', countyState.amountIndex, total);
      } else {
        countyState.amounts.forEach(add);
        countyState.amounts.set('total', total);
      }
      // The total counts every transfer exactly once, whichever columns it is shown in.
      if (total !== transfers) invariant(false, `county ${countyState.county.code}: total does not equal the sum of its transfers`);
      const sum = sums[totalIndex];
      sums[totalIndex] = sum === undefined ? total : sum + total;
    }
    names.forEach((column, index) => {
      const sum = sums[index];
      if (sum === undefined) province.amounts.delete(column);
      else province.amounts.set(column, sum);
    });
  }
  provinceSummed.add(state);
}

function accountFunds(state: RunState): FundAccount[] {
  const accounts: FundAccount[] = [];
  for (const fund of state.inputs.policy.funds) {
    for (const level of ['central', 'provincial'] as const) {
      const budget = state.inputs.budget.lines
        .filter((line) => line.fund === fund && line.level === level)
        .reduce((sum, line) => sum + line.amount, 0n);
      // The columns that pay out this budget line, as the rules declared them.
      const columns = state.amountColumns.filter((column) => column.fromBudget && column.fund === fund && column.payingLevel === level);
      const allocated = columns.reduce((sum, column) => sum + countyColumnTotal(state, column.name), 0n);
      invariant(allocated <= budget, `fund ${fund} ${level} allocated more than its budget`);
      accounts.push({ fund, level, budget, allocated, unallocated: budget - allocated });
    }
  }
  const potUnallocated = state.pots.reduce((sum, pot) => sum + pot.unallocated, 0n);
  const accountUnallocated = accounts.reduce((sum, account) => sum + account.unallocated, 0n);
  invariant(potUnallocated === accountUnallocated, `unallocated money does not reconcile: pots ${potUnallocated}, funds ${accountUnallocated}`);
  return accounts;
}

/** The counties' states, their amounts kept column by column in one store. */
function newCountyStates(counties: readonly CountyState['county'][]): CountyState[] {
  return CountyRecord.ofRun(counties);
}

/**
 * Province aggregates depend only on the county table (and how a column is
 * aggregated), not on the weights: cached per table so a sweep computes them
 * once. A pure memo: the same table object always gives the same decimals.
 */
const aggregateCache = new WeakMap<RunInputs['counties'], Map<string, Dec>>();

function aggregateKey(provinceCode: string, column: string, aggregation: Aggregation | undefined): string {
  return `${provinceCode}|${column}|${aggregation?.method ?? 'sum'}|${aggregation?.weight ?? ''}`;
}

function aggregatesOf(inputs: RunInputs): Map<string, Dec> {
  let cache = aggregateCache.get(inputs.counties);
  if (!cache) {
    cache = new Map();
    aggregateCache.set(inputs.counties, cache);
  }
  return cache;
}

/** Computes the aggregates not cached yet in one pass over the counties (see factors.ts aggregateColumns). */
function prepareAggregates(inputs: RunInputs, provinceCode: string, members: readonly County[], wanted: readonly { column: string; aggregation: Aggregation | undefined }[]): void {
  const cache = aggregatesOf(inputs);
  const missing = wanted.filter(({ column, aggregation }) => !cache.has(aggregateKey(provinceCode, column, aggregation)));
  if (missing.length === 0) return;
  const values = aggregateColumns(members, missing);
  missing.forEach(({ column, aggregation }, index) => cache.set(aggregateKey(provinceCode, column, aggregation), values[index]!));
}

function provinceAggregate(inputs: RunInputs, provinceCode: string, members: readonly County[], column: string, aggregation: Aggregation | undefined): Dec {
  const cache = aggregatesOf(inputs);
  const key = aggregateKey(provinceCode, column, aggregation);
  let value = cache.get(key);
  if (value === undefined) {
    value = aggregateColumn(members, column, aggregation);
    cache.set(key, value);
  }
  return value;
}

/**
 * Counties by code, indexed on first use: only projects look counties up by
 * code, and hashing half a million village codes for nothing costs a run
 * about as much as its province sums.
 */
class CountyIndex extends Map<string, CountyState> {
  private pending: readonly CountyState[] | undefined;
  constructor(counties: readonly CountyState[]) {
    super();
    this.pending = counties;
  }
  private fill(): void {
    const pending = this.pending;
    if (pending === undefined) return;
    this.pending = undefined;
    for (const countyState of pending) super.set(countyState.county.code, countyState);
  }
  override get(code: string): CountyState | undefined {
    this.fill();
    return super.get(code);
  }
  override has(code: string): boolean {
    this.fill();
    return super.has(code);
  }
  override get size(): number {
    this.fill();
    return super.size;
  }
  override set(code: string, countyState: CountyState): this {
    this.fill();
    return super.set(code, countyState);
  }
  override delete(code: string): boolean {
    this.fill();
    return super.delete(code);
  }
  override clear(): void {
    this.pending = undefined;
    super.clear();
  }
  override forEach(callback: (value: CountyState, key: string, map: Map<string, CountyState>) => void, thisArg?: unknown): void {
    this.fill();
    super.forEach(callback, thisArg);
  }
  override entries(): MapIterator<[string, CountyState]> {
    this.fill();
    return super.entries();
  }
  override keys(): MapIterator<string> {
    this.fill();
    return super.keys();
  }
  override values(): MapIterator<CountyState> {
    this.fill();
    return super.values();
  }
  override [Symbol.iterator](): MapIterator<[string, CountyState]> {
    this.fill();
    return super[Symbol.iterator]();
  }
}

function buildState(inputs: RunInputs, observer: AllocationObserver | undefined): RunState {
  const counties = newCountyStates(inputs.counties.counties);
  const countyByCode: Map<string, CountyState> = new CountyIndex(counties);
  const byProvince = new Map<string, CountyState[]>();
  // A table's counties come province by province (it is in code order): the list is looked up when the province changes.
  let province: CountyState['county']['province'] | undefined;
  let list: CountyState[] = [];
  for (const countyState of counties) {
    const own = countyState.county.province;
    if (own !== province) {
      province = own;
      const code = own.code;
      const found = byProvince.get(code);
      if (found) list = found;
      else byProvince.set(code, (list = []));
    }
    list.push(countyState);
  }
  const policy = inputs.policy;
  const provinces: ProvinceState[] = [...byProvince.keys()].sort().map((code) => {
    const members = byProvince.get(code)!;
    const memberCounties = members.map((countyState) => countyState.county);
    const aggregates = new Map<string, Dec>();
    const columns = [...new Set(['poor_population', 'rural_population', ...policy.factorColumns])];
    // Computed together, in one pass over the counties, when not cached yet.
    prepareAggregates(
      inputs,
      code,
      memberCounties,
      columns.map((column) => ({ column, aggregation: policy.aggregation.get(column) })),
    );
    for (const column of columns) {
      aggregates.set(column, provinceAggregate(inputs, code, memberCounties, column, policy.aggregation.get(column)));
    }
    const poorPopulation = provinceAggregate(inputs, code, memberCounties, 'poor_population', { method: 'sum' });
    const ruralPopulation = provinceAggregate(inputs, code, memberCounties, 'rural_population', { method: 'sum' });
    return {
      province: members[0]!.county.province,
      counties: members,
      eligibleCounties: 0,
      poorPopulation,
      ruralPopulation,
      incidence: ruralPopulation.isZero() ? ZERO : poorPopulation.div(ruralPopulation),
      priority: false,
      priorityReasons: [],
      aggregates,
      factorValues: new Map(),
      factorShares: new Map(),
      score: undefined,
      stageOneShare: undefined,
      amounts: new Map(),
    };
  });
  return {
    inputs,
    observer,
    counties,
    countyByCode,
    provinces,
    provinceByCode: new Map(provinces.map((province) => [province.province.code, province])),
    checks: [],
    pots: [],
    steps: [],
    consumedBudgetLines: new Set(),
    skippedRules: [],
    amountColumns: [],
    projects: [],
    growth: undefined,
  };
}

/** Budget lines no rule took are reported as unallocated, never dropped. */
function accountForUntakenLines(state: RunState): void {
  for (const line of state.inputs.budget.lines) {
    const key = budgetKey(line.fund, line.level, line.provinceCode);
    if (state.consumedBudgetLines.has(key)) continue;
    const reason =
      line.level === 'provincial' && !state.provinceByCode.has(line.provinceCode)
        ? `no county of province ${line.provinceCode} is in the county table`
        : `no rule allocates the ${line.fund} fund`;
    state.pots.push({
      id: line.level === 'central' ? `${line.fund}.central` : `${line.fund}.provincial.${line.provinceCode}`,
      fund: line.fund,
      level: line.level,
      provinceCode: line.provinceCode,
      rule: 'budget',
      clause: 'IV.2',
      amount: line.amount,
      allocated: 0n,
      unallocated: line.amount,
      unallocatedReason: reason,
      recipients: 0,
      roundingFen: 0n,
    });
  }
}

function reportUnallocated(state: RunState): void {
  for (const pot of state.pots) {
    if (pot.unallocated === 0n) continue;
    const province = state.provinceByCode.get(pot.provinceCode);
    state.checks.push({
      check: 'unallocated',
      severity: 'warning',
      rule: pot.rule,
      clause: pot.clause,
      scope: pot.provinceCode === '' ? 'national' : 'province',
      code: pot.provinceCode,
      name: province?.province.nameZh ?? '',
      message: `${formatYuan(pot.unallocated)} yuan of ${pot.id} left unallocated: ${pot.unallocatedReason}`,
      value: formatYuan(pot.unallocated),
      threshold: '0.00',
    });
  }
}

/**
 * Runs the rules over the inputs. Pure: same inputs, same result. OBSERVER,
 * if given, is told each rule as it begins and stage 2's provinces as they
 * are done (a progress bar); it changes nothing.
 */
export function allocate(inputs: RunInputs, rules: readonly Rule[] = RULES, observer?: AllocationObserver): AllocationResult {
  const state = buildState(inputs, observer);
  rules.forEach((rule, index) => {
    observer?.rule?.(rule.id, index + 1, rules.length);
    rule.apply(state);
  });
  // Rules that set something a later rule acts on (a floor, a guarantee) report what became of it.
  for (const rule of rules) rule.review?.(state);
  accountForUntakenLines(state);
  reportUnallocated(state);

  const totalColumns = state.amountColumns.filter((column) => column.inTotal).map((column) => column.name);
  sumByProvince(state);
  // Columns paid from a budget line are the ones readers of run folders know (FUND_LEVEL_COLUMNS).
  for (const column of state.amountColumns) {
    if (!column.fromBudget) continue;
    const known = FUND_LEVEL_COLUMNS.some((entry) => entry.column === column.name && entry.fund === column.fund && entry.level === column.payingLevel);
    invariant(known, `column ${column.name} is paid from a budget line but is not in FUND_LEVEL_COLUMNS`);
  }
  // The law of the pot: every pot's parts and unallocated money add up to it.
  for (const pot of state.pots) {
    invariant(pot.allocated + pot.unallocated === pot.amount, `pot ${pot.id} does not add up`);
  }
  // The observer is the caller's, not part of what the run found.
  const result = { ...state, observer: undefined, totalColumns, fundAccounts: accountFunds(state) };
  provinceSummed.add(result);
  return result;
}
