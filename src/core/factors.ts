/**
 * The factor method (因素法): a unit's share is the weighted sum of its shares
 * of several factors. A factor is a county column, optionally divided by
 * another; for provinces the columns are first aggregated over all counties.
 */
import { addFigure, addFigureProduct, addTableFigures, figureFixedText, figureScaled, packedFigure, tableFiguresOf, type County } from './counties.js';
import {
  addScaled,
  decimalFromScaled,
  divideScaled,
  formatScaled,
  formatScaledApproximately,
  LimbAccumulator,
  multiplyScaled,
  scaledOf,
  scaledToInteger,
  sumDecimals,
  sumOfProducts,
  ZERO,
  ZERO_SCALED,
  type Dec,
  type Scaled,
} from './money.js';
import type { Aggregation, FactorSpec, Policy } from './policy.js';
import { commonScaleIntegersOfScaled } from './pot.js';
import { InputError, type Problem } from './problems.js';

/** Aggregates one column over counties: a sum, or a weighted mean. */
export function aggregateColumn(counties: readonly County[], column: string, aggregation: Aggregation | undefined): Dec {
  // The exact sums of the limb accumulator are the decimal.js sums whenever it can tell (see money.ts).
  if (aggregation?.method === 'weighted_mean' && aggregation.weight) {
    const weightColumn = aggregation.weight;
    const weights = new LimbAccumulator();
    const products = new LimbAccumulator();
    for (const county of counties) {
      addFigure(weights, county, weightColumn);
      addFigureProduct(products, county, column, weightColumn);
    }
    const totalWeight = weights.total();
    const totalProducts = products.total();
    if (totalWeight === undefined || totalProducts === undefined) return aggregateColumnByDecimals(counties, column, aggregation);
    if (totalWeight.digits === 0) return ZERO;
    return decimalFromScaled(divideScaled(totalProducts, totalWeight));
  }
  const sum = new LimbAccumulator();
  for (const county of counties) addFigure(sum, county, column);
  const total = sum.total();
  return total === undefined ? aggregateColumnByDecimals(counties, column, aggregation) : decimalFromScaled(total);
}

/**
 * `aggregateColumn` of several columns at once: one pass over the counties
 * (each county's figures are read together), the same decimals.
 */
export function aggregateColumns(counties: readonly County[], wanted: readonly { column: string; aggregation: Aggregation | undefined }[]): Dec[] {
  const specs = wanted.map(({ column, aggregation }) => {
    const weight = aggregation?.method === 'weighted_mean' && aggregation.weight ? aggregation.weight : undefined;
    return { column, aggregation, weight, sum: new LimbAccumulator(), products: weight === undefined ? undefined : new LimbAccumulator() };
  });
  // Counties read from one table (looked at once, not once per column): column by column from its store.
  // Otherwise county by county.
  const table = tableFiguresOf(counties);
  if (table !== undefined) {
    for (const spec of specs) addTableFigures(table, spec.column, spec.sum, spec.weight === undefined ? undefined : { column: spec.weight, products: spec.products! });
  } else {
    for (const county of counties) {
      for (const spec of specs) {
        if (spec.weight === undefined) {
          addFigure(spec.sum, county, spec.column);
        } else {
          // For a weighted mean, `sum` adds the weights and `products` figure x weight.
          addFigure(spec.sum, county, spec.weight);
          addFigureProduct(spec.products!, county, spec.column, spec.weight);
        }
      }
    }
  }
  return specs.map(({ column, aggregation, weight, sum, products }) => {
    const total = sum.total();
    if (weight === undefined) return total === undefined ? aggregateColumnByDecimals(counties, column, aggregation) : decimalFromScaled(total);
    const totalProducts = products!.total();
    if (total === undefined || totalProducts === undefined) return aggregateColumnByDecimals(counties, column, aggregation);
    if (total.digits === 0) return ZERO;
    return decimalFromScaled(divideScaled(totalProducts, total));
  });
}

/** `aggregateColumn` in decimal.js, object by object: what the exact sums must equal. */
export function aggregateColumnByDecimals(counties: readonly County[], column: string, aggregation: Aggregation | undefined): Dec {
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

/** County factor values; a zero denominator is an input problem naming the cell. */
export function countyFactorValues(county: County, policy: Policy, file: string): Map<string, Dec> {
  const values = new Map<string, Dec>();
  const problems: Problem[] = [];
  for (const factor of policy.factors) {
    const value = factorValue(factor, (column) => county.figures.get(column) ?? ZERO);
    if (value === undefined) {
      problems.push(zeroDenominator(county, factor, file));
      continue;
    }
    values.set(factor.id, value);
  }
  if (problems.length > 0) throw new InputError(problems);
  return values;
}

function zeroDenominator(county: County, factor: FactorSpec, file: string): Problem {
  return { file, line: county.line, column: factor.denominator, message: `is 0, but factor ${factor.id} divides by it` };
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

/** An empty map that refuses changes: the factor values and shares of a county stage 2 did not score. */
export const NO_FACTOR_VALUES: Map<string, Dec> = new FrozenMap<string, Dec>([]);

/** Coefficients of up to this many digits fit three 64-bit limbs (2^192 > 6.2 x 10^57). */
const LIMB_DIGITS = 57;
const LIMB_MASK = (1n << 64n) - 1n;

/**
 * Exact decimals in integer form (money.ts `Scaled`), kept flat: a group of
 * half a million counties holds its factor values, shares and scores in a
 * few typed arrays rather than in millions of decimal objects and maps. A
 * coefficient (at most 50 digits after rounding) is kept as three 64-bit
 * limbs, not as a bigint object: the garbage collector never sees it, where
 * millions of long-lived bigints would be traced and copied again and again.
 * A longer coefficient (a figure of more digits) is kept aside as a bigint.
 */
/** Where the low and high 32 bits of a 64-bit limb lie among the 32-bit words (the platform's byte order). */
const LOW_WORD = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1 ? 0 : 1;
const HIGH_WORD = 1 - LOW_WORD;
const TWO_TO_32 = 2 ** 32;

/** What a ScaledColumn is kept in: plain typed arrays and a map, which another thread can be given. */
export interface ScaledColumnArrays {
  readonly limbs: BigUint64Array;
  readonly exponents: Int32Array;
  readonly digits: Uint16Array;
  readonly wide: Map<number, bigint> | undefined;
}

export class ScaledColumn {
  private readonly limbs: BigUint64Array;
  /** The limbs as 32-bit words: read as numbers, a coefficient's nearest doubles need no bigint. */
  private readonly words: Uint32Array;
  private readonly exponents: Int32Array;
  private readonly digits: Uint16Array;
  private wide: Map<number, bigint> | undefined = undefined;
  constructor(
    readonly length: number,
    raw?: ScaledColumnArrays,
  ) {
    if (raw !== undefined && (raw.limbs.length !== length * 3 || raw.exponents.length !== length || raw.digits.length !== length)) {
      throw new RangeError(`a scaled column of ${length} entries cannot be made of arrays of other lengths`);
    }
    this.limbs = raw?.limbs ?? new BigUint64Array(length * 3);
    this.words = new Uint32Array(this.limbs.buffer, this.limbs.byteOffset, this.limbs.length * 2);
    this.exponents = raw?.exponents ?? new Int32Array(length);
    this.digits = raw?.digits ?? new Uint16Array(length);
    this.wide = raw?.wide;
  }

  /** The arrays the column is kept in (for another thread: `new ScaledColumn(length, arrays)` there is the same column). */
  arrays(): ScaledColumnArrays {
    return { limbs: this.limbs, exponents: this.exponents, digits: this.digits, wide: this.wide };
  }
  set(index: number, value: Scaled): void {
    this.exponents[index] = value.exponent;
    this.digits[index] = value.digits;
    const coefficient = value.coefficient;
    const at = index * 3;
    if (value.digits > LIMB_DIGITS) {
      (this.wide ??= new Map()).set(index, coefficient);
      return;
    }
    this.wide?.delete(index);
    if (coefficient <= LIMB_MASK) {
      this.limbs[at] = coefficient;
      this.limbs[at + 1] = 0n;
      this.limbs[at + 2] = 0n;
    } else {
      this.limbs[at] = coefficient & LIMB_MASK;
      this.limbs[at + 1] = (coefficient >> 64n) & LIMB_MASK;
      this.limbs[at + 2] = coefficient >> 128n;
    }
  }
  get(index: number): Scaled {
    const digits = this.digits[index]!;
    if (digits === 0) return ZERO_SCALED;
    return { coefficient: this.coefficient(index, digits), exponent: this.exponents[index]!, digits };
  }
  /**
   * formatScaled(get(index), places): from the limbs' words as doubles (each
   * step errs by half a unit in the last place, well within what
   * formatApproximate allows) unless that cannot settle the text.
   */
  format(index: number, places: number): string {
    const approximate = this.approximately(index);
    if (approximate !== undefined) {
      const quick = formatScaledApproximately(approximate, this.exponents[index]!, places);
      if (quick !== undefined) return quick;
    }
    return formatScaled(this.get(index), places);
  }

  /**
   * The coefficient of entry `index` as a double from the limbs' words (each
   * step errs by half a unit in the last place); undefined when it is 0 or
   * kept aside as a bigint. Its exponent is `exponent(index)`.
   */
  approximately(index: number): number | undefined {
    const digits = this.digits[index]!;
    if (digits === 0 || digits > LIMB_DIGITS) return undefined;
    const words = this.words;
    const at = index * 6;
    let approximate = 0;
    for (let word = at + 4; word >= at; word -= 2) approximate = (approximate * TWO_TO_32 + words[word + HIGH_WORD]!) * TWO_TO_32 + words[word + LOW_WORD]!;
    return approximate;
  }

  exponent(index: number): number {
    return this.exponents[index]!;
  }

  /**
   * commonScaleIntegersOfScaled(this), the same integers: each entry as a
   * whole number at the scale of the most decimal places among them. The
   * places are read from the exponents, and whether the coefficient of an
   * entry with the most ends in 0 from its 32-bit words (2^32, 2^64, ... are
   * each 6 modulo 10), without a bigint. When every entry with the most
   * places ends in 0, or one is kept aside as a bigint, the general way works
   * it out.
   */
  commonScaleIntegers(): bigint[] {
    const { length, digits, exponents, words } = this;
    let most = 0;
    for (let index = 0; index < length; index++) {
      const entryDigits = digits[index]!;
      if (entryDigits === 0) continue;
      if (entryDigits > LIMB_DIGITS) return commonScaleIntegersOfScaled(this);
      if (-exponents[index]! > most) most = -exponents[index]!;
    }
    if (most > 0) {
      let settled = false;
      for (let index = 0; index < length && !settled; index++) {
        if (digits[index] === 0 || -exponents[index]! !== most) continue;
        // The lowest word counts as itself, each of the five others as 6 times itself.
        const at = index * 6;
        let all = 0;
        for (let word = at; word < at + 6; word++) all += words[word]!;
        const lowest = words[at + LOW_WORD]!;
        settled = (lowest + 6 * (all - lowest)) % 10 !== 0;
      }
      if (!settled) return commonScaleIntegersOfScaled(this);
    }
    const integers = new Array<bigint>(length);
    for (let index = 0; index < length; index++) integers[index] = scaledToInteger(this.get(index), most);
    return integers;
  }

  private coefficient(index: number, digits: number): bigint {
    if (digits > LIMB_DIGITS) return this.wide!.get(index)!;
    const at = index * 3;
    const low = this.limbs[at]!;
    // Up to 19 digits fit the low limb alone.
    if (digits <= 19) return low;
    const high = this.limbs[at + 2]!;
    const middle = this.limbs[at + 1]!;
    return high === 0n ? (middle << 64n) | low : (high << 128n) | (middle << 64n) | low;
  }
}

/** Scores of a group under one set of weights, and what callers derived from them (see `CountyGroup.remember`). */
interface ScoresEntry {
  readonly scores: ScaledColumn;
  readonly derived: Map<string, unknown>;
}

/**
 * Factor values and shares do not depend on the weights, only on the factor
 * definitions and the county figures, so they are cached by the county
 * objects of the group: a sweep over weights reuses them instead of redoing
 * the 50-digit divisions of every county at every grid point. The cache is
 * a pure memo (same county objects and factor definitions, same numbers),
 * and what callers get from it cannot be changed (see `CountyGroup`).
 */
interface CountySharesEntry {
  readonly counties: readonly County[];
  /** The counties' figures (see GroupFigures). */
  readonly figures: GroupFigures;
  readonly key: string;
  readonly factors: readonly FactorSpec[];
  /**
   * The values of the ratio factors (those with a denominator), at county *
   * ratio factors + the factor's place among them (`valueSlots`). A figure
   * factor's value is the county's figure, read from the table when asked for.
   */
  readonly values: ScaledColumn;
  /** Per factor in policy order: its place among the ratio factors, or -1 for a figure factor. */
  readonly valueSlots: readonly number[];
  /** How many ratio factors there are. */
  readonly ratios: number;
  /** Each factor's total over the group (the divisor of its shares). */
  readonly totals: readonly Scaled[];
  /** The shares, kept when the group has at most SHARES_KEPT_UP_TO counties; else divided again when read (see `shareOf`). */
  readonly shares: ScaledColumn | undefined;
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

function factorKey(factor: FactorSpec): string {
  return `${factor.numerator}/${factor.denominator ?? ''}`;
}

/** The factor definitions of a policy as text: equal texts, equal factor values. */
function factorsKey(policy: Policy): string {
  let key = factorsKeys.get(policy);
  if (key === undefined) {
    key = policy.factors.map((factor) => `${factor.id}=${factorKey(factor)}`).join(';');
    factorsKeys.set(policy, key);
  }
  return key;
}

/**
 * A group of more counties than this keeps its factor values but not its
 * shares (30 bytes per county and factor: about 70 MB for half a million
 * villages under four factors); a share is divided again each time it is
 * read, once for the scores and once for the audit log, at the cost of one
 * division. A sweep over the county weights of a smaller group reuses its
 * shares at every point.
 */
export const SHARES_KEPT_UP_TO = 10_000;
let sharesKeptUpTo = SHARES_KEPT_UP_TO;

/** Whether a group of COUNT counties keeps its shares (and its pot weights' integers, see special-poverty-counties.ts). */
export function keepsShares(count: number): boolean {
  return count <= sharesKeptUpTo;
}

/**
 * WORK run with groups of more than LIMIT counties keeping no shares: for
 * tests, which show that no result depends on it.
 */
export function withSharesKeptUpTo<T>(limit: number, work: () => T): T {
  const before = sharesKeptUpTo;
  sharesKeptUpTo = limit;
  try {
    return work();
  } finally {
    sharesKeptUpTo = before;
  }
}

/**
 * Where the figures of a group's counties are read from: the counties
 * themselves (their table's store, or their decimals), or columns of packed
 * digits handed to another thread (see PackedGroupFigures). The same values
 * either way, so the same numbers come out.
 */
export interface GroupFigures {
  readonly count: number;
  /** County `index`'s figure in `column` in exact integer form (0 when absent), as figureScaled reads it. */
  scaled(index: number, column: string): Scaled;
  /** Adds that figure to an exact sum, as addFigure adds it. */
  addTo(sum: LimbAccumulator, index: number, column: string): void;
}

/** The figures of the counties, read from them. */
function countyFigures(counties: readonly County[]): GroupFigures {
  return {
    count: counties.length,
    scaled: (index, column) => figureScaled(counties[index]!, column),
    addTo: (sum, index, column) => addFigure(sum, counties[index]!, column),
  };
}

type GroupNumbers = Pick<CountySharesEntry, 'figures' | 'factors' | 'values' | 'valueSlots' | 'ratios' | 'totals' | 'shares'>;

/** County `index`'s value of factor `f`: a ratio's as computed, a figure's read from the county. */
function valueOf(entry: GroupNumbers, index: number, f: number): Scaled {
  const slot = entry.valueSlots[f]!;
  return slot === -1 ? entry.figures.scaled(index, entry.factors[f]!.numerator) : entry.values.get(index * entry.ratios + slot);
}

/** Scratch for packedFigure: a figure's digits and places. */
const FIGURE_SCRATCH = new Float64Array(2);

/**
 * formatScaled(shareOf(entry, index, f), places) for a group that does not
 * keep its shares: from the value and the total as doubles (a quotient within
 * a few units in the last place, which formatApproximate allows for) when
 * that settles the text, else from the share divided exactly.
 */
function shareTextOf(entry: GroupNumbers & { readonly counties: readonly County[] }, index: number, f: number, places: number): string {
  const total = entry.totals[f]!;
  const slot = entry.valueSlots[f]!;
  let coefficient: number | undefined;
  let exponent = 0;
  if (slot === -1) {
    const county = entry.counties[index]!;
    const column = entry.factors[f]!.numerator;
    if (packedFigure(county, column, FIGURE_SCRATCH)) {
      // A figure packed as digits: its integer form as numbers (exact: at most nine digits).
      if (FIGURE_SCRATCH[0] !== 0) {
        coefficient = FIGURE_SCRATCH[0]!;
        exponent = -FIGURE_SCRATCH[1]!;
      }
    } else {
      const value = figureScaled(county, column);
      if (value.digits !== 0) {
        coefficient = Number(value.coefficient);
        exponent = value.exponent;
      }
    }
  } else {
    coefficient = entry.values.approximately(index * entry.ratios + slot);
    exponent = entry.values.exponent(index * entry.ratios + slot);
  }
  if (coefficient !== undefined && total.digits !== 0) {
    const quick = formatScaledApproximately(coefficient / Number(total.coefficient), exponent - total.exponent, places);
    if (quick !== undefined) return quick;
  }
  return formatScaled(shareOf(entry, index, f), places);
}

/** County `index`'s share of factor `f`: kept, or its value divided by the factor's total as computeGroupShares divides it. */
function shareOf(entry: GroupNumbers, index: number, f: number): Scaled {
  if (entry.shares) return entry.shares.get(index * entry.factors.length + f);
  const total = entry.totals[f]!;
  return total.digits === 0 ? ZERO_SCALED : divideScaled(valueOf(entry, index, f), total);
}

/**
 * Every county's factor values, each factor's total and (for a group of at
 * most SHARES_KEPT_UP_TO counties) every county's shares, in exact integer
 * arithmetic that rounds each step as the decimal.js clone does
 * (`countyFactorValues`, then `factorShares`: the same numbers,
 * property-tested in money-scaled.test.ts and engine-exact.test.ts). The
 * first county with a zero denominator is reported, as `countyFactorValues`
 * reports it.
 */
function computeGroupShares(
  figures: GroupFigures,
  factors: readonly FactorSpec[],
  zeroDenominator: (index: number, factor: FactorSpec) => Problem,
  keepShares = keepsShares(figures.count),
): Omit<GroupNumbers, 'figures' | 'factors'> {
  const count = figures.count;
  const width = factors.length;
  const { valueSlots, ratios } = ratioSlots(factors);
  const values = new ScaledColumn(count * ratios);
  // A factor without a denominator is a figure (populations): its total is exact, see money.ts LimbAccumulator.
  const figureTotals = factors.map((factor) => (factor.denominator ? undefined : new LimbAccumulator()));
  // A ratio's total as sumDecimals adds it: left to right, each partial sum rounded; added as each value is made.
  const ratioTotals: Scaled[] = factors.map(() => ZERO_SCALED);
  // The loops over the counties are functions of their own: V8 compiled a loop of this function alone while it ran
  // (on-stack replacement), and each later group entered that code and left it again at once (with --previous,
  // 30 times at a million villages), running the rest unoptimised.
  addGroupValues(figures, factors, zeroDenominator, valueSlots, ratios, values, figureTotals, ratioTotals);
  const totals: Scaled[] = [];
  for (let f = 0; f < width; f++) {
    // A figure's total as sumDecimals adds it (exact when that rounds nothing, else added again the slow way).
    let total = valueSlots[f] === -1 ? figureTotals[f]!.total() : ratioTotals[f]!;
    if (total === undefined) {
      total = ZERO_SCALED;
      for (let index = 0; index < count; index++) total = addScaled(total, figures.scaled(index, factors[f]!.numerator));
    }
    totals.push(total);
  }
  const numbers = { values, valueSlots, ratios, totals, shares: undefined };
  if (!keepShares) return numbers;
  const shares = new ScaledColumn(count * width);
  for (let f = 0; f < width; f++) {
    const total = totals[f]!;
    if (total.digits === 0) continue; // every share 0
    // Each county's value as valueOf reads it: a ratio's computed, a figure's from the counties.
    if (valueSlots[f] === -1) setFigureShares(figures, factors[f]!.numerator, f, total, shares, width);
    else setRatioShares(values, valueSlots[f]!, ratios, f, total, shares, width, count);
  }
  return { ...numbers, shares };
}

/**
 * Each county's factor values into VALUES (at index * RATIOS + its slot) and
 * into the totals, FIGURE_TOTALS for a figure factor, RATIO_TOTALS for a
 * ratio (see computeGroupShares); throws at the first county with a zero
 * denominator.
 */
function addGroupValues(
  figures: GroupFigures,
  factors: readonly FactorSpec[],
  zeroDenominator: (index: number, factor: FactorSpec) => Problem,
  valueSlots: readonly number[],
  ratios: number,
  values: ScaledColumn,
  figureTotals: readonly (LimbAccumulator | undefined)[],
  ratioTotals: Scaled[],
): void {
  const width = factors.length;
  for (let index = 0; index < figures.count; index++) {
    let problems: Problem[] | undefined;
    for (let f = 0; f < width; f++) {
      const factor = factors[f]!;
      if (!factor.denominator) {
        figures.addTo(figureTotals[f]!, index, factor.numerator);
        continue;
      }
      // A ratio's figures straight from the table, as integers: no decimal per county and figure.
      const denominator = figures.scaled(index, factor.denominator);
      if (denominator.digits === 0) {
        (problems ??= []).push(zeroDenominator(index, factor));
        continue;
      }
      const value = divideScaled(figures.scaled(index, factor.numerator), denominator);
      values.set(index * ratios + valueSlots[f]!, value);
      ratioTotals[f] = addScaled(ratioTotals[f]!, value);
    }
    if (problems) throw new InputError(problems);
  }
}

// The shares' loops: each county's share of factor F (its value over TOTAL) into SHARES, at index * WIDTH + F, as
// shareOf divides it. Given the columns they read rather than the group's object: V8 met a new map of that object in
// many a group and compiled the loop again each time (11 times at 100,000 villages).

/** The shares of a figure factor (its values are the counties' figures in COLUMN). */
function setFigureShares(figures: GroupFigures, column: string, f: number, total: Scaled, shares: ScaledColumn, width: number): void {
  for (let index = 0; index < figures.count; index++) shares.set(index * width + f, divideScaled(figures.scaled(index, column), total));
}

/** The shares of a ratio factor (its values in VALUES at index * RATIOS + SLOT). */
function setRatioShares(values: ScaledColumn, slot: number, ratios: number, f: number, total: Scaled, shares: ScaledColumn, width: number, count: number): void {
  for (let index = 0; index < count; index++) shares.set(index * width + f, divideScaled(values.get(index * ratios + slot), total));
}

/** Each factor's place among the ratio factors (-1 for a figure factor), and how many ratio factors there are. */
function ratioSlots(factors: readonly FactorSpec[]): { valueSlots: number[]; ratios: number } {
  let ratios = 0;
  const valueSlots = factors.map((factor) => (factor.denominator ? ratios++ : -1));
  return { valueSlots, ratios };
}

/** A group's factor values, totals, shares (when kept) and scores (see `groupNumbers`). */
export interface GroupNumbersResult {
  readonly values: ScaledColumn;
  readonly totals: readonly Scaled[];
  readonly shares: ScaledColumn | undefined;
  readonly scores: ScaledColumn;
  /** Each score times its unit's multiplier, when `groupNumbers` was given them: remembered with the scores under `key` as `{ weights }` (see CountyGroup.remember). */
  readonly weighted?: { readonly key: string; readonly weights: ScaledColumn };
}

/**
 * A multiplier for each unit of a group, as a code per unit and the
 * multiplier of each code (e.g. stage 2's focus multipliers, by which focus
 * flags hold), and the key under which the scores times them are remembered
 * (see GroupNumbersResult.weighted).
 */
export interface UnitMultipliers {
  readonly key: string;
  readonly codes: Uint8Array;
  readonly multipliers: readonly Scaled[];
}

/**
 * The factor values, totals, shares (when KEEP_SHARES, as a group of at most
 * SHARES_KEPT_UP_TO counties keeps them) and weighted scores of a group
 * whose figures FIGURES reads, with the factors and county weights given:
 * what `countyGroupScores` computes for the same figures, by the same code.
 * For another thread, given the figures as columns (PackedGroupFigures).
 * Throws InputError at a zero denominator (the problem names no file or
 * line: the caller computes the group again from its counties to report it).
 */
export function groupNumbers(
  figures: GroupFigures,
  factors: readonly FactorSpec[],
  weights: ReadonlyMap<string, Dec>,
  keepShares: boolean,
  unitMultipliers?: UnitMultipliers,
): GroupNumbersResult {
  const numbers = computeGroupShares(figures, factors, (_, factor) => ({ file: '', line: 0, column: factor.denominator, message: `is 0, but factor ${factor.id} divides by it` }), keepShares);
  const scores = computeScores({ ...numbers, figures, factors }, weights);
  const result = { values: numbers.values, totals: numbers.totals, shares: numbers.shares, scores };
  if (unitMultipliers === undefined) return result;
  // Each product rounded as decimal.js rounds it: what stage 2 computes from the same score and multiplier.
  const weighted = new ScaledColumn(figures.count);
  for (let index = 0; index < figures.count; index++) weighted.set(index, multiplyScaled(scores.get(index), unitMultipliers.multipliers[unitMultipliers.codes[index]!]!));
  return { ...result, weighted: { key: unitMultipliers.key, weights: weighted } };
}

/**
 * Computes the numbers of some large groups elsewhere (a worker thread) while
 * this thread allocates others: the CLI installs one for a run (see
 * `withGroupNumbersHelper`); the core only offers groups and takes what comes back.
 */
export interface GroupNumbersHelper {
  /** The eligible counties of each province of a stage-2 allocation, in the order they will be asked for, before any is. */
  begin(groups: readonly (readonly County[])[], policy: Policy): void;
  /** The numbers of this group computed elsewhere for this policy (waited for), or undefined: then compute them here. */
  take(counties: readonly County[], policy: Policy): GroupNumbersResult | undefined;
}

let groupNumbersHelper: GroupNumbersHelper | undefined;

/** WORK run with HELPER computing groups elsewhere (see GroupNumbersHelper); the numbers are the same without. */
export function withGroupNumbersHelper<T>(helper: GroupNumbersHelper, work: () => T): T {
  const before = groupNumbersHelper;
  groupNumbersHelper = helper;
  try {
    return work();
  } finally {
    groupNumbersHelper = before;
  }
}

/** Offers the groups of a stage-2 allocation (listed by GROUPS when asked) to the helper, if one is installed (see GroupNumbersHelper). */
export function beginGroupNumbers(groups: () => readonly (readonly County[])[], policy: Policy): void {
  groupNumbersHelper?.begin(groups(), policy);
}

function groupEntry(counties: readonly County[], policy: Policy, file: string): CountySharesEntry {
  const first = counties[0];
  const key = factorsKey(policy);
  const entries = first === undefined ? undefined : countySharesCache.get(first);
  const hit = entries?.find(
    (entry) =>
      entry.key === key &&
      entry.counties.length === counties.length &&
      (entry.shares !== undefined) === keepsShares(counties.length) &&
      entry.counties.every((county, index) => county === counties[index]),
  );
  if (hit) return hit;
  const kept = [...counties];
  const figures = countyFigures(kept);
  // Numbers computed elsewhere (another thread, see GroupNumbersHelper) for these counties and this policy, if any.
  const taken = groupNumbersHelper?.take(counties, policy);
  const offloaded = taken !== undefined && (taken.shares !== undefined) === keepsShares(counties.length) ? taken : undefined;
  const numbers = offloaded
    ? { ...ratioSlots(policy.factors), values: offloaded.values, totals: offloaded.totals, shares: offloaded.shares }
    : computeGroupShares(figures, policy.factors, (index, factor) => zeroDenominator(counties[index]!, factor, file));
  const entry: CountySharesEntry = { counties: kept, figures, key, factors: [...policy.factors], ...numbers, scores: new Map() };
  if (offloaded) {
    // The scores times each unit's multiplier, if computed there too, are what a caller would remember under their key.
    const derived = new Map<string, unknown>(offloaded.weighted ? [[offloaded.weighted.key, { weights: offloaded.weighted.weights }]] : []);
    entry.scores.set(weightsKey(policy), { scores: offloaded.scores, derived });
  }
  if (first !== undefined) {
    const list = entries ?? [];
    if (list.length >= COUNTY_SHARES_ENTRIES) list.shift();
    list.push(entry);
    countySharesCache.set(first, list);
  }
  return entry;
}

/**
 * Each county's weighted score, share by share times weight in factor order,
 * every product and partial sum rounded as decimal.js rounds them
 * (`scoresFromShares` on the same shares).
 */
function computeScores(entry: GroupNumbers, weights: ReadonlyMap<string, Dec>): ScaledColumn {
  const factors = entry.factors;
  const width = factors.length;
  const count = entry.figures.count;
  const scores = new ScaledColumn(count);
  const factorWeights = factors.map((factor) => weights.get(factor.id) ?? ZERO);
  if (width === 0) return scores;
  if (factorWeights.some((weight) => weight.isNegative() || !weight.isFinite())) {
    // Not a weight a policy can have; decimal.js (through sumOfProducts) says what it gives.
    for (let index = 0; index < count; index++) {
      const shares = factors.map((_, f) => decimalFromScaled(shareOf(entry, index, f)));
      scores.set(index, scaledOf(sumOfProducts(shares, factorWeights)));
    }
    return scores;
  }
  const scaledWeights = factorWeights.map((weight) => scaledOf(weight));
  // The shares as shareOf reads them, each way in a loop of its own that is given the columns it reads rather than
  // the group's object: V8 met new maps of that object from group to group and compiled the loop again each time.
  const shares = sharesAgain(entry);
  if (shares !== undefined) scoresOfShares(shares, scaledWeights, scores);
  else if (entry.shares !== undefined) scoresOfShareColumn(entry.shares, scaledWeights, scores);
  else {
    const slots = Int32Array.from(entry.valueSlots);
    const columns = factors.map((factor) => factor.numerator);
    scoresOfValues(entry.values, entry.ratios, entry.figures, slots, columns, entry.totals, scaledWeights, scores);
  }
  return scores;
}

/** computeScores from the shares read out of their column (see sharesAgain): each county's WEIGHTS.length in turn. */
function scoresOfShares(shares: readonly Scaled[], weights: readonly Scaled[], scores: ScaledColumn): void {
  const width = weights.length;
  for (let index = 0; index < scores.length; index++) {
    const at = index * width;
    let total = multiplyScaled(shares[at]!, weights[0]!);
    for (let f = 1; f < width; f++) total = addScaled(total, multiplyScaled(shares[at + f]!, weights[f]!));
    scores.set(index, total);
  }
}

/** computeScores from the group's kept shares. */
function scoresOfShareColumn(shares: ScaledColumn, weights: readonly Scaled[], scores: ScaledColumn): void {
  const width = weights.length;
  for (let index = 0; index < scores.length; index++) {
    const at = index * width;
    let total = multiplyScaled(shares.get(at), weights[0]!);
    for (let f = 1; f < width; f++) total = addScaled(total, multiplyScaled(shares.get(at + f), weights[f]!));
    scores.set(index, total);
  }
}

/**
 * computeScores of a group that keeps no shares: each divided again from
 * the county's value (VALUES at index * RATIOS + its slot in SLOTS, or, at
 * slot -1, its figure in COLUMNS) and the factor's total, as shareOf does.
 */
function scoresOfValues(
  values: ScaledColumn,
  ratios: number,
  figures: GroupFigures,
  slots: Int32Array,
  columns: readonly string[],
  totals: readonly Scaled[],
  weights: readonly Scaled[],
  scores: ScaledColumn,
): void {
  const width = weights.length;
  const share = (index: number, f: number): Scaled => {
    const total = totals[f]!;
    if (total.digits === 0) return ZERO_SCALED;
    const slot = slots[f]!;
    return divideScaled(slot === -1 ? figures.scaled(index, columns[f]!) : values.get(index * ratios + slot), total);
  };
  for (let index = 0; index < scores.length; index++) {
    let total = multiplyScaled(share(index, 0), weights[0]!);
    for (let f = 1; f < width; f++) total = addScaled(total, multiplyScaled(share(index, f), weights[f]!));
    scores.set(index, total);
  }
}

/**
 * The kept shares of a group whose scores are computed a second time (other
 * county weights: a sweep's next point, a scenario), read out of their column
 * once and kept beside it, so that each later point need not make a bigint
 * of every share again; undefined the first time, and for a group that keeps
 * no shares (a large one: a run scores it once).
 */
function sharesAgain(entry: GroupNumbers): readonly Scaled[] | undefined {
  const column = entry.shares;
  if (column === undefined) return undefined;
  const known = readShares.get(column);
  if (known === undefined) {
    readShares.set(column, 'once');
    return undefined;
  }
  if (known !== 'once') return known;
  const shares = Array.from({ length: column.length }, (_, index) => column.get(index));
  readShares.set(column, shares);
  return shares;
}

const readShares = new WeakMap<ScaledColumn, readonly Scaled[] | 'once'>();

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

/**
 * A group of counties (the eligible counties of a province, in the order
 * given) with its factor values, shares and weighted scores, in exact integer
 * form; decimals are built only for what a caller reads as decimals.
 */
export interface CountyGroup {
  readonly size: number;
  readonly factors: readonly FactorSpec[];
  /** Factor value of county `index` for the factor at position `factor` of `factors`. */
  value(index: number, factor: number): Scaled;
  /** Its share of the factor's total over the group. */
  share(index: number, factor: number): Scaled;
  /** Its weighted score: sum over factors of share times the county weight. */
  score(index: number): Scaled;
  /** formatScaled of value, share and score, without building them where doubles settle the text. */
  valueText(index: number, factor: number, places: number): string;
  shareText(index: number, factor: number, places: number): string;
  scoreText(index: number, places: number): string;
  /** Factor id to factor value as decimals, in a map that refuses changes. */
  valuesMap(index: number): Map<string, Dec>;
  /** Factor id to share as decimals, in a map that refuses changes. */
  sharesMap(index: number): Map<string, Dec>;
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
 * Factor values, shares and each county's weighted score with the policy's
 * county weights, remembered per group and per set of weights: a sweep over
 * anything but the county weights (a multiplier, the floor, the stage-1
 * weights) computes the scores once, and one over the county weights reuses
 * the shares.
 */
export function countyGroupScores(counties: readonly County[], policy: Policy, file: string): CountyGroup {
  const entry = groupEntry(counties, policy, file);
  const key = weightsKey(policy);
  let scoresEntry = entry.scores.get(key);
  if (scoresEntry === undefined) {
    // Values and shares kept from a run with other weights (compare --scenario): the scores may have been computed
    // elsewhere meanwhile, with the values and shares (see GroupNumbersHelper), the same numbers as here.
    const scores = groupNumbersHelper?.take(counties, policy)?.scores ?? computeScores(entry, policy.countyWeights);
    scoresEntry = { scores, derived: new Map() };
    if (entry.scores.size >= SCORES_PER_GROUP) entry.scores.delete(entry.scores.keys().next().value!);
    entry.scores.set(key, scoresEntry);
  }
  return new GroupScores(entry, scoresEntry.scores, scoresEntry.derived);
}

/**
 * A CountyGroup (see countyGroupScores) as an object of a class: its methods
 * are the same functions for every group, so that a caller looping over the
 * units of one province after another (stage 2's audit step, say) calls the
 * same target each time. As closures made for each group, each new province
 * met by optimised code that had inlined the last one's threw that code away.
 */
class GroupScores implements CountyGroup {
  readonly size: number;
  readonly factors: readonly FactorSpec[];
  private readonly width: number;

  constructor(
    private readonly entry: CountySharesEntry,
    private readonly scores: ScaledColumn,
    private readonly derived: Map<string, unknown>,
  ) {
    this.size = entry.counties.length;
    this.factors = entry.factors;
    this.width = entry.factors.length;
  }

  value(index: number, f: number): Scaled {
    return valueOf(this.entry, index, f);
  }

  share(index: number, f: number): Scaled {
    return shareOf(this.entry, index, f);
  }

  score(index: number): Scaled {
    return this.scores.get(index);
  }

  valueText(index: number, factor: number, places: number): string {
    const entry = this.entry;
    const slot = entry.valueSlots[factor]!;
    return slot === -1 ? figureFixedText(entry.counties[index]!, entry.factors[factor]!.numerator, places) : entry.values.format(index * entry.ratios + slot, places);
  }

  shareText(index: number, factor: number, places: number): string {
    const entry = this.entry;
    return entry.shares ? entry.shares.format(index * this.width + factor, places) : shareTextOf(entry, index, factor, places);
  }

  scoreText(index: number, places: number): string {
    return this.scores.format(index, places);
  }

  valuesMap(index: number): Map<string, Dec> {
    return this.decimals(index, (at, f) => valueOf(this.entry, at, f));
  }

  sharesMap(index: number): Map<string, Dec> {
    return this.decimals(index, (at, f) => shareOf(this.entry, at, f));
  }

  remember<T>(derivedKey: string, compute: () => T): T {
    const derived = this.derived;
    if (derived.has(derivedKey)) return derived.get(derivedKey) as T;
    const result = compute();
    if (derived.size >= DERIVED_PER_SCORES) derived.delete(derived.keys().next().value!);
    derived.set(derivedKey, result);
    return result;
  }

  private decimals(index: number, read: (index: number, f: number) => Scaled): Map<string, Dec> {
    return new FrozenMap(this.entry.factors.map((factor, f) => [factor.id, decimalFromScaled(read(index, f))] as const));
  }
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
