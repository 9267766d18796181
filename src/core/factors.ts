/**
 * The factor method (因素法): a unit's share is the weighted sum of its shares
 * of several factors. A factor is a county column, optionally divided by
 * another; for provinces the columns are first aggregated over all counties.
 */
import type { County } from './counties.js';
import { sumDecimals, sumOfProducts, ZERO, type Dec } from './money.js';
import type { Aggregation, FactorSpec, Policy } from './policy.js';
import { InputError, type Problem } from './problems.js';

/** Aggregates one column over counties: a sum, or a weighted mean. */
export function aggregateColumn(counties: readonly County[], column: string, aggregation: Aggregation | undefined): Dec {
  const figure = (county: County, name: string): Dec => county.figures.get(name) ?? ZERO;
  if (aggregation?.method === 'weighted_mean' && aggregation.weight) {
    const weightColumn = aggregation.weight;
    const totalWeight = sumDecimals(counties.map((county) => figure(county, weightColumn)));
    if (totalWeight.isZero()) return ZERO;
    return sumDecimals(counties.map((county) => figure(county, column).times(figure(county, weightColumn)))).div(totalWeight);
  }
  return sumDecimals(counties.map((county) => figure(county, column)));
}

/** A factor's value from figures (numerator, or numerator / denominator). */
export function factorValue(factor: FactorSpec, figure: (column: string) => Dec): Dec | undefined {
  const numerator = figure(factor.numerator);
  if (!factor.denominator) return numerator;
  const denominator = figure(factor.denominator);
  if (denominator.isZero()) return undefined;
  return numerator.div(denominator);
}

/**
 * Factor values and shares do not depend on the weights, only on the factor
 * definitions and the county figures, so they are cached by county object:
 * a sweep over weights reuses them instead of redoing thousands of 50-digit
 * divisions per grid point. The cache is a pure memo (same county object and
 * factor definition, same decimal); callers always get fresh maps, so no run
 * can change what another sees.
 */
const countyFactorCache = new WeakMap<County, Map<string, Dec | undefined>>();

function factorKey(factor: FactorSpec): string {
  return `${factor.numerator}/${factor.denominator ?? ''}`;
}

function cachedCountyFactorValue(county: County, factor: FactorSpec): Dec | undefined {
  let entries = countyFactorCache.get(county);
  if (!entries) {
    entries = new Map();
    countyFactorCache.set(county, entries);
  }
  const key = factorKey(factor);
  if (entries.has(key)) return entries.get(key);
  const value = factorValue(factor, (column) => county.figures.get(column) ?? ZERO);
  entries.set(key, value);
  return value;
}

/** County factor values; a zero denominator is an input problem naming the cell. */
export function countyFactorValues(county: County, policy: Policy, file: string): Map<string, Dec> {
  const values = new Map<string, Dec>();
  const problems: Problem[] = [];
  for (const factor of policy.factors) {
    const value = cachedCountyFactorValue(county, factor);
    if (value === undefined) {
      problems.push({ file, line: county.line, column: factor.denominator, message: `is 0, but factor ${factor.id} divides by it` });
      continue;
    }
    values.set(factor.id, value);
  }
  if (problems.length > 0) throw new InputError(problems);
  return values;
}

/**
 * Each unit's share of each factor's total. A factor whose total is 0 gives
 * every unit a share of 0.
 */
export function factorShares(unitFactorValues: readonly ReadonlyMap<string, Dec>[], factors: readonly FactorSpec[]): Map<string, Dec>[] {
  const totals = new Map<string, Dec>();
  for (const factor of factors) {
    totals.set(factor.id, sumDecimals(unitFactorValues.map((values) => values.get(factor.id) ?? ZERO)));
  }
  return unitFactorValues.map((values) => {
    const unitShares = new Map<string, Dec>();
    for (const factor of factors) {
      const total = totals.get(factor.id)!;
      unitShares.set(factor.id, total.isZero() ? ZERO : (values.get(factor.id) ?? ZERO).div(total));
    }
    return unitShares;
  });
}

/** Each unit's weighted score: the sum over factors of share times weight, in factor order. */
export function scoresFromShares(
  shares: readonly ReadonlyMap<string, Dec>[],
  factors: readonly FactorSpec[],
  weights: ReadonlyMap<string, Dec>,
): Dec[] {
  const factorWeights = factors.map((factor) => weights.get(factor.id) ?? ZERO);
  // The same decimal as sumDecimals(share.times(weight)): sumDecimals starts from ZERO.plus(first
  // product), which is that product (already rounded to the precision); sumOfProducts does the
  // rest in exact integers, rounded as decimal.js rounds (see money.ts).
  return shares.map((unitShares) =>
    sumOfProducts(
      factors.map((factor) => unitShares.get(factor.id) ?? ZERO),
      factorWeights,
    ),
  );
}

/**
 * Shares of each factor across units and the weighted score of each unit.
 * A factor whose total is 0 gives every unit a share of 0.
 */
export function weightedScores(
  unitFactorValues: readonly ReadonlyMap<string, Dec>[],
  factors: readonly FactorSpec[],
  weights: ReadonlyMap<string, Dec>,
): { shares: Map<string, Dec>[]; scores: Dec[] } {
  const shares = factorShares(unitFactorValues, factors);
  return { shares, scores: scoresFromShares(shares, factors, weights) };
}

/**
 * A map that refuses changes once built: cached values and shares are handed
 * to every run that asks, so a rule that tried to change them would change
 * them for other scenarios too. It throws instead.
 */
class FrozenMap<K, V> extends Map<K, V> {
  private frozen = false;
  constructor(entries: Iterable<readonly [K, V]>) {
    super(entries);
    this.frozen = true;
  }
  override set(key: K, value: V): this {
    if (this.frozen) throw new TypeError('cached factor values and shares cannot be changed');
    return super.set(key, value);
  }
  override delete(): boolean {
    throw new TypeError('cached factor values and shares cannot be changed');
  }
  override clear(): void {
    throw new TypeError('cached factor values and shares cannot be changed');
  }
}

/** Scores of a group under one set of weights, and what callers derived from them (see `CountyGroup.remember`). */
interface ScoresEntry {
  readonly scores: readonly Dec[];
  readonly derived: Map<string, unknown>;
}

interface CountySharesEntry {
  readonly counties: readonly County[];
  readonly key: string;
  readonly values: readonly Map<string, Dec>[];
  readonly shares: readonly Map<string, Dec>[];
  /** Scores already computed from these shares, by the weights used (see `weightsKey`). */
  readonly scores: Map<string, ScoresEntry>;
}

/** Cached share computations, keyed by the first county of the group (then compared county by county). */
const countySharesCache = new WeakMap<County, CountySharesEntry[]>();
/** Distinct groups kept per first county: a sweep that changes eligibility should not grow the cache without bound. */
const COUNTY_SHARES_ENTRIES = 8;
/**
 * Sets of weights whose scores are kept per group. A sweep either keeps the
 * county weights from one point to the next (they vary on an outer axis, or
 * not at all) or changes them at every point: two is enough to hit in the
 * first case, and keeping more would only age garbage in the second.
 */
const SCORES_PER_GROUP = 2;

const factorsKeys = new WeakMap<Policy, string>();

/** The factor definitions of a policy as text: equal texts, equal factor values. */
function factorsKey(policy: Policy): string {
  let key = factorsKeys.get(policy);
  if (key === undefined) {
    key = policy.factors.map((factor) => `${factor.id}=${factorKey(factor)}`).join(';');
    factorsKeys.set(policy, key);
  }
  return key;
}

function groupEntry(counties: readonly County[], policy: Policy, file: string): CountySharesEntry {
  const first = counties[0];
  const key = factorsKey(policy);
  const entries = first === undefined ? undefined : countySharesCache.get(first);
  const hit = entries?.find(
    (entry) => entry.key === key && entry.counties.length === counties.length && entry.counties.every((county, index) => county === counties[index]),
  );
  if (hit) return hit;
  const values = counties.map((county) => new FrozenMap(countyFactorValues(county, policy, file)));
  const shares = factorShares(values, policy.factors).map((map) => new FrozenMap(map));
  const entry: CountySharesEntry = { counties: [...counties], key, values, shares, scores: new Map() };
  if (first !== undefined) {
    const list = entries ?? [];
    if (list.length >= COUNTY_SHARES_ENTRIES) list.shift();
    list.push(entry);
    countySharesCache.set(first, list);
  }
  return entry;
}

/**
 * Factor values and factor shares of a group of counties (the eligible
 * counties of a province), as `countyFactorValues` and `factorShares` would
 * compute them, from the cache when the same county objects and factor
 * definitions were seen before. The maps are shared between calls and
 * refuse changes (FrozenMap).
 */
export function countyGroupFactorShares(
  counties: readonly County[],
  policy: Policy,
  file: string,
): { values: Map<string, Dec>[]; shares: Map<string, Dec>[] } {
  const entry = groupEntry(counties, policy, file);
  return { values: [...entry.values], shares: [...entry.shares] };
}

const weightsKeys = new WeakMap<Policy, string>();

/** The county weights of a policy as text: equal texts, equal weights. */
function weightsKey(policy: Policy): string {
  let key = weightsKeys.get(policy);
  if (key === undefined) {
    key = policy.factors.map((factor) => `${factor.id}=${(policy.countyWeights.get(factor.id) ?? ZERO).toFixed()}`).join(';');
    weightsKeys.set(policy, key);
  }
  return key;
}

/** A group of counties with its cached factor values, shares and scores. */
export interface CountyGroup {
  readonly values: Map<string, Dec>[];
  readonly shares: Map<string, Dec>[];
  readonly scores: Dec[];
  /**
   * Something computed from these scores and other policy values named by
   * `key` (e.g. the focus multipliers), remembered with the scores: the next
   * run with the same weights and the same key gets the same result back.
   * `compute` must depend on nothing but the scores and what `key` names.
   */
  remember<T>(key: string, compute: () => T): T;
}

/** Derived results kept per scores entry. */
const DERIVED_PER_SCORES = 2;

/**
 * `countyGroupFactorShares` plus each county's weighted score with the
 * policy's county weights (`scoresFromShares`), remembered per set of
 * weights: a sweep over anything but the county weights (a multiplier, the
 * floor, the stage-1 weights) computes the scores once.
 */
export function countyGroupScores(counties: readonly County[], policy: Policy, file: string): CountyGroup {
  const entry = groupEntry(counties, policy, file);
  const key = weightsKey(policy);
  let scoresEntry = entry.scores.get(key);
  if (scoresEntry === undefined) {
    scoresEntry = { scores: scoresFromShares(entry.shares, policy.factors, policy.countyWeights), derived: new Map() };
    if (entry.scores.size >= SCORES_PER_GROUP) entry.scores.delete(entry.scores.keys().next().value!);
    entry.scores.set(key, scoresEntry);
  }
  const { derived, scores } = scoresEntry;
  return {
    values: [...entry.values],
    shares: [...entry.shares],
    scores: [...scores],
    remember<T>(derivedKey: string, compute: () => T): T {
      if (derived.has(derivedKey)) return derived.get(derivedKey) as T;
      const result = compute();
      if (derived.size >= DERIVED_PER_SCORES) derived.delete(derived.keys().next().value!);
      derived.set(derivedKey, result);
      return result;
    },
  };
}

/** A number per decimal object, so that a list of decimals can key a memo by identity. */
const decimalIds = new WeakMap<Dec, number>();
let nextDecimalId = 1;

function decimalId(value: Dec): number {
  let id = decimalIds.get(value);
  if (id === undefined) {
    id = nextDecimalId++;
    decimalIds.set(value, id);
  }
  return id;
}

interface ProvinceSharesEntry {
  readonly values: readonly Map<string, Dec>[];
  readonly shares: readonly Map<string, Dec>[];
}

const provinceSharesCache = new Map<string, ProvinceSharesEntry>();
const PROVINCE_SHARES_ENTRIES = 4;

/**
 * Stage 1's factor values of every province (from its aggregates) and the
 * factor shares of the recipients, as `factorValue` and `factorShares` give
 * them, remembered by the identity of the aggregate decimals they are
 * computed from: the province aggregates are cached per county table, so a
 * sweep computes these divisions once. The maps refuse changes.
 */
export function provinceFactorShares(
  aggregates: readonly ReadonlyMap<string, Dec>[],
  recipients: readonly number[],
  factors: readonly FactorSpec[],
): { values: Map<string, Dec>[]; shares: Map<string, Dec>[] } {
  const columns = factors.map((factor) => `${factor.id}=${factorKey(factor)}`).join(';');
  const figure = (units: ReadonlyMap<string, Dec>, column: string | undefined): string => {
    if (column === undefined) return '';
    const value = units.get(column);
    return value === undefined ? '-' : String(decimalId(value));
  };
  const inputs = aggregates.map((units) => factors.map((factor) => `${figure(units, factor.numerator)}/${figure(units, factor.denominator)}`).join(',')).join(';');
  const key = `${columns}|${recipients.join(',')}|${inputs}`;
  let entry = provinceSharesCache.get(key);
  if (entry === undefined) {
    const values = aggregates.map((units) => {
      const unitValues = new Map<string, Dec>();
      for (const factor of factors) unitValues.set(factor.id, factorValue(factor, (column) => units.get(column) ?? ZERO) ?? ZERO);
      return new FrozenMap(unitValues);
    });
    const shares = factorShares(
      recipients.map((index) => values[index]!),
      factors,
    ).map((map) => new FrozenMap(map));
    entry = { values, shares };
    // Keys hold no decimals (only their numbers), so this map keeps a few entries, oldest dropped first.
    if (provinceSharesCache.size >= PROVINCE_SHARES_ENTRIES) provinceSharesCache.delete(provinceSharesCache.keys().next().value!);
    provinceSharesCache.set(key, entry);
  }
  return { values: [...entry.values], shares: [...entry.shares] };
}
