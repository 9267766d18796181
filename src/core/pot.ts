/**
 * The pot primitive: a fixed amount of fen shared over weighted recipients,
 * with optional per-recipient floors and caps, rounded to the fen by largest
 * remainder. Every fixed pot in povalloc goes through `allocatePot`.
 *
 * The exact result (before rounding) is the unique x with
 *   x_i = clamp(lambda * w_i, floor_i, cap_i)   and   sum x_i = amount,
 * i.e. every recipient gets its weighted share of what is left once the
 * recipients held at a floor or a cap are paid. When the floors alone exceed
 * the pot they are reduced ratably (x_i = amount * floor_i / sum floors); when
 * the caps cannot absorb the pot they are not applied. Rounding: every x_i is
 * rounded down to the fen and the fen left over go one each to the largest
 * remainders, ties to the ascending id. All arithmetic is on bigint, so the
 * parts add up to the pot exactly and the result does not depend on the order
 * in which recipients are given.
 *
 * Example: 10.00 yuan (1000 fen) over weights a=1, b=1, c=1 gives 333.34 fen
 * each before rounding... in fen: 333, 333, 333 and one fen left over; the
 * remainders tie, so it goes to `a`: a=3.34, b=3.33, c=3.33 yuan.
 */
import { decimalPlaces, fitsInt64, scaledDecimalPlaces, scaledToInteger, toScaledInteger, type Dec, type Fen, type Scaled } from './money.js';

export interface PotRecipient {
  /** Unique id; ties in rounding go to the ascending id (plain code-unit order). */
  readonly id: string;
  /** Non-negative weight. */
  readonly weight: Dec;
  /** Minimum amount in fen (default 0). */
  readonly floor?: Fen;
  /** Maximum amount in fen (default none). */
  readonly cap?: Fen;
}

/** How a recipient's amount was bound. */
export type PotBinding = 'share' | 'floor' | 'cap' | 'floor_reduced' | 'none';

export interface PotPart {
  readonly id: string;
  readonly amount: Fen;
  readonly binding: PotBinding;
  /** Exact amount before rounding, as numerator / denominator fen. */
  readonly exactNumerator: bigint;
  readonly exactDenominator: bigint;
  /** Fen added by largest-remainder rounding (0 or 1). */
  readonly roundingFen: Fen;
}

export interface PotResult {
  /** Parts in the order the recipients were given. */
  readonly parts: readonly PotPart[];
  readonly allocated: Fen;
  /** Fen that could not be allocated (only when no recipient can take it). */
  readonly unallocated: Fen;
  /** The floors could not all be paid and were reduced ratably. */
  readonly floorsReduced: boolean;
  /** The caps could not absorb the pot and were not applied. */
  readonly capsDropped: boolean;
  /** Fen distributed by largest remainder. */
  readonly roundingFen: Fen;
}

/** Weights converted to integers over one common power of ten. */
function integerWeights(recipients: readonly PotRecipient[]): bigint[] {
  return commonScaleIntegers(
    recipients.map((recipient) => recipient.weight),
    recipients.map((recipient) => recipient.id),
  );
}

/**
 * Non-negative decimal weights as integers over one common power of ten (the
 * largest number of places among them): what `allocatePot` shares by. With
 * `allocatePotByIntegers`, a caller that keeps these integers can run the
 * same pot again without converting the decimals again.
 */
export function commonScaleIntegers(weights: readonly Dec[], ids: readonly string[] = []): bigint[] {
  let scale = 0;
  weights.forEach((weight, index) => {
    if (weight.isNegative() || !weight.isFinite()) {
      throw new RangeError(`pot weight of ${ids[index] ?? `#${index}`} is not a non-negative number: ${weight.toString()}`);
    }
    scale = Math.max(scale, decimalPlaces(weight));
  });
  return weights.map((weight) => toScaledInteger(weight, scale));
}

/** `commonScaleIntegers` of weights in exact integer form (money.ts `Scaled`), the same integers. */
export function commonScaleIntegersOfScaled(weights: { readonly length: number; get(index: number): Scaled }): bigint[] {
  let scale = 0;
  for (let i = 0; i < weights.length; i++) scale = Math.max(scale, scaledDecimalPlaces(weights.get(i)));
  const integers = new Array<bigint>(weights.length);
  for (let i = 0; i < weights.length; i++) integers[i] = scaledToInteger(weights.get(i), scale);
  return integers;
}

/** The solution when every weighted recipient is strictly inside its bounds (see `solveClamped`), else undefined. */
function solveInside(amount: bigint, weights: readonly bigint[], floors: readonly bigint[], caps: readonly (bigint | undefined)[]): ExactParts | undefined {
  let weightSum = 0n;
  let zeroWeightFloors = 0n;
  for (let i = 0; i < weights.length; i++) {
    if (weights[i] === 0n) zeroWeightFloors += floors[i]!;
    else weightSum += weights[i]!;
  }
  const available = amount - zeroWeightFloors;
  if (weightSum === 0n || available <= 0n) return undefined;
  // x_i = available * w_i / weightSum; inside means f_i * weightSum < available * w_i < c_i * weightSum. Each
  // share is the numerator of its part: made once, kept while checking.
  const numerators = new Array<bigint>(weights.length);
  const bindings = new Uint8Array(weights.length);
  let lastFloor: bigint | undefined;
  let floorScaled = 0n;
  let lastCap: bigint | undefined;
  let capScaled = 0n;
  for (let i = 0; i < weights.length; i++) {
    const weight = weights[i]!;
    const floor = floors[i]!;
    if (floor !== lastFloor) {
      lastFloor = floor;
      floorScaled = floor * weightSum;
    }
    if (weight === 0n) {
      numerators[i] = floorScaled;
      bindings[i] = FLOOR;
      continue;
    }
    const share = available * weight;
    if (share <= floorScaled) return undefined;
    numerators[i] = share;
    bindings[i] = SHARE;
    const cap = caps[i];
    if (cap === undefined) continue;
    if (cap !== lastCap) {
      lastCap = cap;
      capScaled = cap * weightSum;
    }
    if (share >= capScaled) return undefined;
  }
  return { numerators, bindings, denominator: weightSum };
}

/** lambda = num / den, where recipient `index` leaves its floor (`cap` false) or reaches its cap. */
type Breakpoint = { num: bigint; den: bigint; index: number; cap: boolean };

function compareBreakpoints(a: Breakpoint, b: Breakpoint): number {
  const left = a.num * b.den;
  const right = b.num * a.den;
  return left < right ? -1 : left > right ? 1 : 0;
}

/**
 * The breakpoints lambda = f_i / w_i and c_i / w_i in ascending order.
 * When every weighted recipient has the same floor and the same cap (every
 * county of a stage-2 pool does), both runs are already in order once the
 * weights are in descending order, and merging them costs 2n comparisons
 * instead of a sort of 2n by cross-multiplication. Breakpoints of equal value
 * may come in another order than the sort's; the solution depends only on
 * their values.
 */
function sortedBreakpoints(weights: readonly bigint[], floors: readonly bigint[], caps: readonly (bigint | undefined)[]): Breakpoint[] {
  const weighted: number[] = [];
  for (let i = 0; i < weights.length; i++) if (weights[i]! > 0n) weighted.push(i);
  const first = weighted[0];
  const uniform = first !== undefined && weighted.every((i) => floors[i] === floors[first] && caps[i] === caps[first]);
  if (!uniform) {
    const breakpoints: Breakpoint[] = [];
    for (const i of weighted) {
      breakpoints.push({ num: floors[i]!, den: weights[i]!, index: i, cap: false });
      const cap = caps[i];
      if (cap !== undefined) breakpoints.push({ num: cap, den: weights[i]!, index: i, cap: true });
    }
    return breakpoints.sort(compareBreakpoints);
  }
  weighted.sort((a, b) => (weights[a]! > weights[b]! ? -1 : weights[a]! < weights[b]! ? 1 : 0));
  const floor = floors[first]!;
  const cap = caps[first];
  const floorRun = weighted.map((i) => ({ num: floor, den: weights[i]!, index: i, cap: false }));
  if (cap === undefined) return floorRun;
  const capRun = weighted.map((i) => ({ num: cap, den: weights[i]!, index: i, cap: true }));
  const merged: Breakpoint[] = [];
  let f = 0;
  let c = 0;
  while (f < floorRun.length && c < capRun.length) {
    if (compareBreakpoints(floorRun[f]!, capRun[c]!) <= 0) merged.push(floorRun[f++]!);
    else merged.push(capRun[c++]!);
  }
  while (f < floorRun.length) merged.push(floorRun[f++]!);
  while (c < capRun.length) merged.push(capRun[c++]!);
  return merged;
}

/** Each part's exact amount, numerator / denominator fen, and how it is bound (its place in BINDINGS). */
interface ExactParts {
  readonly numerators: bigint[];
  readonly bindings: Uint8Array;
  readonly denominator: bigint;
}


/**
 * Solves clamp(lambda * w_i, f_i, c_i) summing to `amount` exactly, over a common
 * denominator. Assumes sum f_i < amount <= sum of the reachable maxima.
 */
function solveClamped(
  amount: bigint,
  weights: readonly bigint[],
  floors: readonly bigint[],
  caps: readonly (bigint | undefined)[],
): ExactParts {
  const count = weights.length;
  if (floors.every((floor) => floor === 0n) && caps.every((cap) => cap === undefined)) {
    // No floor, no cap: every weighted recipient gets its plain share, amount * w_i / sum w (the general search
    // below ends in the same place), and one of no weight nothing, bound by nothing.
    const numerators = new Array<bigint>(count);
    const bindings = new Uint8Array(count);
    return { numerators, bindings, denominator: plainShareParts(amount, weights, numerators, bindings) };
  }
  // When every weighted recipient lies strictly between its floor and cap at its plain share of
  // what the zero-weight recipients' floors leave, that is the solution (the search below ends
  // in the same place, with the same bindings): one pass instead of a search.
  const inside = solveInside(amount, weights, floors, caps);
  if (inside) return inside;
  // Breakpoints lambda = f_i / w_i (leaves the floor) and c_i / w_i (reaches the cap).
  const breakpoints = sortedBreakpoints(weights, floors, caps);

  // Find the last breakpoint whose total, sum clamp(lambda * w_i, f_i, c_i), does not exceed the amount: the total
  // never falls as lambda grows, so those breakpoints come first. Walking up the breakpoints, the total at each is
  // kept as FIXED (what the recipients at their floor or cap take) plus lambda times FREE (the weight of those in
  // between), each breakpoint moving one recipient from its floor to in between, or from in between to its cap. At a
  // breakpoint's own value either side gives that recipient the same, so ties between breakpoints may be taken in any
  // order. (A search halving the breakpoints, each total summed over every recipient, took n log n steps; this, n.)
  let fixed = 0n;
  for (let i = 0; i < count; i++) fixed += floors[i]!;
  let free = 0n;
  let low = -1;
  for (let at = 0; at < breakpoints.length; at++) {
    const point = breakpoints[at]!;
    const index = point.index;
    if (point.cap) {
      fixed += caps[index]!;
      free -= weights[index]!;
    } else {
      fixed -= floors[index]!;
      free += weights[index]!;
    }
    // The total at lambda = num / den, times den.
    if (fixed * point.den + point.num * free > amount * point.den) break;
    low = at;
  }
  // lambda lies in [breakpoints[low], breakpoints[low+1]]; classify at its start
  // and the next breakpoint: a recipient is free when lambda*w_i lies strictly
  // between its floor and cap on that whole segment.
  const start = low >= 0 ? breakpoints[low]! : { num: 0n, den: 1n, index: -1, cap: false };
  const next = breakpoints[low + 1];
  let fixedSum = 0n;
  let freeWeight = 0n;
  const state: ('floor' | 'cap' | 'free')[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const weight = weights[i]!;
    const floor = floors[i]!;
    const cap = caps[i];
    if (weight === 0n) {
      state[i] = 'floor';
      fixedSum += floor;
      continue;
    }
    // At the segment's end (or beyond the last breakpoint) still at or below the floor?
    const endAtOrBelowFloor = next !== undefined && next.num * weight <= floor * next.den;
    const startAtOrAboveCap = cap !== undefined && low >= 0 && start.num * weight >= cap * start.den;
    if (endAtOrBelowFloor) {
      state[i] = 'floor';
      fixedSum += floor;
    } else if (startAtOrAboveCap) {
      state[i] = 'cap';
      fixedSum += cap;
    } else {
      state[i] = 'free';
      freeWeight += weight;
    }
  }
  const remaining = amount - fixedSum;
  const numerators = new Array<bigint>(count);
  const bindings = new Uint8Array(count);
  if (freeWeight === 0n) {
    // Every recipient is bound; the totals match exactly at a breakpoint.
    for (let i = 0; i < count; i++) {
      const atCap = state[i] === 'cap';
      numerators[i] = atCap ? caps[i]! : floors[i]!;
      bindings[i] = atCap ? CAP : FLOOR;
    }
    return { numerators, bindings, denominator: 1n };
  }
  for (let i = 0; i < count; i++) {
    if (state[i] === 'free') {
      numerators[i] = remaining * weights[i]!;
      bindings[i] = SHARE;
    } else if (state[i] === 'cap') {
      numerators[i] = caps[i]! * freeWeight;
      bindings[i] = CAP;
    } else {
      numerators[i] = floors[i]! * freeWeight;
      bindings[i] = FLOOR;
    }
  }
  return { numerators, bindings, denominator: freeWeight };
}

/** Rounds exact parts (numerator / denominator) to fen by largest remainder. */
function roundLargestRemainder(
  ids: readonly string[],
  numerators: readonly bigint[],
  denominator: bigint,
  target: bigint,
): { amounts: bigint[]; extra: Uint8Array; leftover: bigint; extras: number } {
  const count = numerators.length;
  const amounts = new Array<bigint>(count);
  const remainders = new Array<bigint>(count);
  // The fen each part gets by rounding: 0 or 1.
  const extra = new Uint8Array(count);
  const candidates: number[] = [];
  // The loops are functions of their own: V8 compiled a loop of this function on its own while it ran (on-stack
  // replacement) without the code after it, and each later pot entered that code and left it again there, running
  // the rest unoptimised (some 30 times at a million villages).
  let leftover = target - roundDown(numerators, denominator, amounts, remainders, candidates);
  if (leftover <= 0n) return { amounts, extra, leftover, extras: 0 };
  // One fen each to the largest remainders, ties to the ascending id.
  const chosen = leftover >= BigInt(candidates.length) ? candidates : largestRemainders(candidates, remainders, ids, Number(leftover));
  addExtraFen(chosen, amounts, extra);
  leftover -= BigInt(chosen.length);
  return { amounts, extra, leftover, extras: chosen.length };
}

/** Each part's whole fen into AMOUNTS and what is left of it into REMAINDERS, the parts with some left into CANDIDATES; the sum of the whole fen. */
function roundDown(numerators: readonly bigint[], denominator: bigint, amounts: bigint[], remainders: bigint[], candidates: number[]): bigint {
  let rounded = 0n;
  for (let i = 0; i < numerators.length; i++) {
    const numerator = numerators[i]!;
    const amount = numerator / denominator;
    const remainder = numerator - amount * denominator;
    amounts[i] = amount;
    remainders[i] = remainder;
    rounded += amount;
    if (remainder > 0n) candidates.push(i);
  }
  return rounded;
}

/** One more fen to each part CHOSEN. */
function addExtraFen(chosen: readonly number[], amounts: bigint[], extra: Uint8Array): void {
  for (const index of chosen) {
    amounts[index] = amounts[index]! + 1n;
    extra[index] = 1;
  }
}

/**
 * The `count` candidates first in the order remainder descending, then id
 * ascending (in no particular order among themselves). Sorting half a million
 * bigints through a comparator is slow; instead the remainders' nearest
 * doubles (which never invert the order of two remainders, at most make them
 * equal) find the threshold by selection (kthSmallest), and only the
 * candidates whose double equals the threshold are ordered exactly.
 */
function largestRemainders(candidates: readonly number[], remainders: readonly bigint[], ids: readonly string[], count: number): number[] {
  const keys = remainderKeys(candidates, remainders);
  const threshold = kthSmallest(keys.slice(), candidates.length - count);
  const chosen: number[] = [];
  const tied: number[] = [];
  splitAtThreshold(candidates, keys, threshold, chosen, tied);
  tied.sort((a, b) => {
    const ra = remainders[a]!;
    const rb = remainders[b]!;
    if (ra !== rb) return ra > rb ? -1 : 1;
    const ia = ids[a]!;
    const ib = ids[b]!;
    return ia < ib ? -1 : ia > ib ? 1 : 0;
  });
  for (let j = 0; chosen.length < count; j++) chosen.push(tied[j]!);
  return chosen;
}

// largestRemainders's loops are functions of their own (see roundLargestRemainder).

/** The nearest double of each candidate's remainder. */
function remainderKeys(candidates: readonly number[], remainders: readonly bigint[]): Float64Array {
  const keys = new Float64Array(candidates.length);
  for (let j = 0; j < candidates.length; j++) keys[j] = Number(remainders[candidates[j]!]!);
  return keys;
}

/** The candidates whose key is above THRESHOLD into CHOSEN, those at it into TIED. */
function splitAtThreshold(candidates: readonly number[], keys: Float64Array, threshold: number, chosen: number[], tied: number[]): void {
  for (let j = 0; j < candidates.length; j++) {
    const key = keys[j]!;
    if (key > threshold) chosen.push(candidates[j]!);
    else if (key === threshold) tied.push(candidates[j]!);
  }
}

/**
 * The K-th smallest (from 0) of VALUES, which it reorders: what sorting them
 * ascending puts at K. A quickselect (pivot the median of three, values equal
 * to it kept together), in linear time where a sort takes n log n; should it
 * partition more often than a sort would need, it sorts what is left.
 */
export function kthSmallest(values: Float64Array, k: number): number {
  if (!(Number.isInteger(k) && k >= 0 && k < values.length)) throw new RangeError(`no value number ${k} among ${values.length}`);
  let low = 0;
  let high = values.length - 1;
  let partitions = 2 * Math.ceil(Math.log2(values.length + 1)) + 8;
  while (high > low) {
    if (partitions-- === 0) return values.subarray(low, high + 1).sort()[k - low]!;
    const a = values[low]!;
    const b = values[(low + high) >>> 1]!;
    const c = values[high]!;
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
    // Below the pivot to [low, less), equal to [less, at), above to (greater, high].
    let less = low;
    let at = low;
    let greater = high;
    while (at <= greater) {
      const value = values[at]!;
      if (value < pivot) {
        values[at++] = values[less]!;
        values[less++] = value;
      } else if (value > pivot) {
        values[at] = values[greater]!;
        values[greater--] = value;
      } else at++;
    }
    if (k < less) high = less - 1;
    else if (k > greater) low = greater + 1;
    else return pivot;
  }
  return values[k]!;
}

/** A recipient whose weight is already a whole number (fen, persons): no decimal conversion needed. */
export interface IntegerPotRecipient {
  readonly id: string;
  /** Non-negative whole-number weight. */
  readonly weight: bigint;
  readonly floor?: Fen;
  readonly cap?: Fen;
}

/**
 * Allocates `amount` fen over `recipients`. Throws on a negative amount or weight
 * or on duplicate ids (both are bugs in the caller, not bad input).
 */
export function allocatePot(amount: Fen, recipients: readonly PotRecipient[]): PotResult {
  if (amount < 0n) throw new RangeError(`pot amount is negative: ${amount}`);
  return allocateScaled(amount, recipients, recipients.length === 0 ? [] : integerWeights(recipients));
}

/**
 * `allocatePot` for whole-number weights (e.g. splitting amounts in fen by
 * amounts in fen). Same result as `allocatePot` with the same weights as
 * decimals, without converting them to decimals and back.
 */
export function allocatePotByIntegers(amount: Fen, recipients: readonly IntegerPotRecipient[]): PotResult {
  if (amount < 0n) throw new RangeError(`pot amount is negative: ${amount}`);
  for (const recipient of recipients) {
    if (recipient.weight < 0n) throw new RangeError(`pot weight of ${recipient.id} is not a non-negative number: ${recipient.weight}`);
  }
  return allocateScaled(amount, recipients, recipients.map((recipient) => recipient.weight));
}

function allocateScaled(
  amount: Fen,
  recipients: readonly { readonly id: string; readonly floor?: Fen; readonly cap?: Fen }[],
  weights: readonly bigint[],
): PotResult {
  return allocateColumns(amount, {
    ids: recipients.map((recipient) => recipient.id),
    weights,
    floors: recipients.map((recipient) => recipient.floor ?? 0n),
    caps: recipients.map((recipient) => recipient.cap),
  });
}

/** A pot's recipients as columns: entry i of each is recipient i. */
export interface PotColumns {
  readonly ids: readonly string[];
  /** The caller guarantees the ids are distinct (e.g. county codes of one table): not checked again. */
  readonly idsUnique?: boolean;
  /** Non-negative whole-number weights. */
  readonly weights: readonly bigint[];
  /** Floors in fen (default 0 each). */
  readonly floors?: readonly Fen[];
  /** Caps in fen (default none). */
  readonly caps?: readonly (Fen | undefined)[];
}

/**
 * `allocatePotByIntegers` with the recipients given as columns: a pool of
 * half a million villages is shared without building an object per
 * recipient first. Same result as `allocatePotByIntegers` with the same
 * recipients.
 */
export function allocatePotColumns(amount: Fen, columns: PotColumns): PotResult {
  return allocatePotAsColumns(amount, columns).toPotResult();
}

/** `allocatePotColumns` with the parts given as columns (see PotColumnsResult): for pools of many recipients. */
export function allocatePotAsColumns(amount: Fen, columns: PotColumns): PotColumnsResult {
  if (amount < 0n) throw new RangeError(`pot amount is negative: ${amount}`);
  const { ids, weights } = columns;
  refuseNegativeWeights(ids, weights);
  if (columns.floors === undefined && columns.caps === undefined && ids.length > 0) return solvedPlainShares(amount, ids, columns.idsUnique === true, weights);
  return solvedColumns(amount, {
    ids,
    idsUnique: columns.idsUnique,
    weights,
    floors: columns.floors ?? weights.map(() => 0n),
    caps: columns.caps ?? weights.map(() => undefined),
  });
}

function allocateColumns(amount: Fen, columns: Required<Omit<PotColumns, 'idsUnique'>> & { idsUnique?: boolean }): PotResult {
  return solvedColumns(amount, columns).toPotResult();
}

/** The pot solved and rounded, as columns (see PotColumnsResult). */
function solvedColumns(amount: Fen, columns: Required<Omit<PotColumns, 'idsUnique'>> & { idsUnique?: boolean }): PotColumnsResult {
  const { ids, weights } = columns;
  refuseDuplicateIds(ids, columns.idsUnique === true);

  if (ids.length === 0) {
    return new PotColumnsResult(ids, [], [], 1n, new Uint8Array(0), new Uint8Array(0), { allocated: 0n, unallocated: amount, floorsReduced: false, capsDropped: false, roundingFen: 0n });
  }

  const floors = columns.floors;
  let caps = columns.caps.map((cap, index) => {
    if (cap === undefined) return undefined;
    const floor = floors[index]!;
    return cap < floor ? floor : cap;
  });
  const floorTotal = floors.reduce((sum, value) => sum + value, 0n);

  let exact: ExactParts;
  let target = amount;
  let floorsReduced = false;
  let capsDropped = false;
  const count = ids.length;

  if (floorTotal >= amount && floorTotal > 0n) {
    // The floors use up the pot (or more): each gets amount * floor_i / sum floors.
    floorsReduced = floorTotal > amount;
    exact = { numerators: floors.map((floor) => amount * floor), bindings: new Uint8Array(count).fill(floorsReduced ? FLOOR_REDUCED : FLOOR), denominator: floorTotal };
  } else {
    // The most the recipients can take: cap where weighted, floor where weight is zero.
    let reachable: bigint | undefined = 0n;
    for (let i = 0; i < count; i++) {
      if (weights[i] === 0n) reachable = reachable === undefined ? undefined : reachable + floors[i]!;
      else if (caps[i] === undefined) reachable = undefined;
      else if (reachable !== undefined) reachable += caps[i]!;
    }
    if (reachable !== undefined && reachable < amount && caps.some((cap) => cap !== undefined)) {
      capsDropped = true;
      caps = caps.map(() => undefined);
    }
    const anyWeight = weights.some((weight) => weight > 0n);
    if (!anyWeight) {
      // Nobody can take more than the floor: pay floors, the rest is unallocated.
      exact = { numerators: [...floors], bindings: new Uint8Array(count).fill(FLOOR), denominator: 1n };
      target = floorTotal;
    } else {
      exact = solveClamped(amount, weights, floors, caps);
    }
  }

  // A recipient of no weight held at a floor of 0 is bound by nothing.
  for (let index = 0; index < count; index++) if (exact.bindings[index] === FLOOR && weights[index] === 0n && floors[index] === 0n) exact.bindings[index] = NONE;
  return roundedColumns(amount, ids, exact, target, floorsReduced, capsDropped);
}

/** EXACT rounded to the fen by largest remainder so that the parts add up to TARGET, as columns. */
function roundedColumns(amount: Fen, ids: readonly string[], exact: ExactParts, target: Fen, floorsReduced: boolean, capsDropped: boolean): PotColumnsResult {
  const { numerators, bindings, denominator } = exact;
  const { amounts, extra, leftover, extras } = roundLargestRemainder(ids, numerators, denominator, target);
  if (leftover !== 0n) throw new Error(`internal error: pot rounding left ${leftover} fen`);
  // Every fen of the target is placed (leftover 0): the parts add up to it.
  const allocated = target;
  return new PotColumnsResult(ids, amounts, numerators, denominator, bindings, extra, {
    allocated,
    unallocated: amount - allocated,
    floorsReduced,
    capsDropped,
    roundingFen: BigInt(extras),
  });
}

/**
 * solvedColumns of a pot with no floors and no caps (a province's money split
 * between its central and provincial lines in proportion to the amounts, say):
 * each weighted recipient gets amount * w_i / sum w, a recipient of no weight
 * nothing and no binding; with no weight at all, nothing is placed. The same
 * parts as solvedColumns with floors of 0 and no caps, without making those
 * columns and walking them: at a million villages the central splits took
 * 172 to 198 ms instead of 212 to 255 ms (four runs each, timed in the run).
 */
function solvedPlainShares(amount: Fen, ids: readonly string[], idsUnique: boolean, weights: readonly bigint[]): PotColumnsResult {
  refuseDuplicateIds(ids, idsUnique);
  const count = ids.length;
  const numerators = new Array<bigint>(count);
  const bindings = new Uint8Array(count);
  const total = plainShareParts(amount, weights, numerators, bindings);
  // No weight at all: every part is 0 (a denominator of 1), the amount unallocated.
  if (total === 0n) return roundedColumns(amount, ids, { numerators, bindings, denominator: 1n }, 0n, false, false);
  return roundedColumns(amount, ids, { numerators, bindings, denominator: total }, amount, false, false);
}

/**
 * Each part's numerator (AMOUNT times its weight) into NUMERATORS and its
 * binding into BINDINGS (a share, or none for no weight); the sum of the
 * weights: the plain shares of a pot with no floors and no caps, as
 * solvedPlainShares and solveClamped both take them. The loops here and in
 * refuseNegativeWeights are functions of their own for the reason
 * roundLargestRemainder's are (V8's code for a loop compiled while it ran
 * left the function where the code after the loop began, once a province).
 */
function plainShareParts(amount: Fen, weights: readonly bigint[], numerators: bigint[], bindings: Uint8Array): bigint {
  let total = 0n;
  for (let i = 0; i < weights.length; i++) {
    const weight = weights[i]!;
    if (weight === 0n) {
      numerators[i] = 0n;
      bindings[i] = NONE;
    } else {
      total += weight;
      numerators[i] = amount * weight;
      bindings[i] = SHARE;
    }
  }
  return total;
}

/** Refuses IDS that repeat one, unless the caller vouches that they do not (IDS_UNIQUE). */
function refuseDuplicateIds(ids: readonly string[], idsUnique: boolean): void {
  if (!idsUnique && new Set(ids).size !== ids.length) throw new RangeError('pot recipients have duplicate ids');
}

function refuseNegativeWeights(ids: readonly string[], weights: readonly bigint[]): void {
  for (let i = 0; i < weights.length; i++) {
    if (weights[i]! < 0n) throw new RangeError(`pot weight of ${ids[i]} is not a non-negative number: ${weights[i]}`);
  }
}

/** Every binding, in a fixed order: its place is its code in a column of small numbers. */
export const BINDINGS: readonly PotBinding[] = ['share', 'floor', 'cap', 'floor_reduced', 'none'];
/** The codes of the bindings. */
const SHARE = BINDINGS.indexOf('share');
const FLOOR = BINDINGS.indexOf('floor');
const CAP = BINDINGS.indexOf('cap');
const FLOOR_REDUCED = BINDINGS.indexOf('floor_reduced');
const NONE = BINDINGS.indexOf('none');

/**
 * A pot's parts as columns: amounts in 64-bit fen slots (bigints when one
 * does not fit), exact numerators over one denominator, bindings and rounding
 * fen as small codes. A province pool of tens of thousands of villages keeps
 * no part object (and no bigint for its amount) per village; `toPotResult`
 * gives the parts as objects, for a caller that wants them.
 */
export class PotColumnsResult {
  readonly allocated: Fen;
  readonly unallocated: Fen;
  readonly floorsReduced: boolean;
  readonly capsDropped: boolean;
  readonly roundingFen: Fen;
  private readonly fen: BigInt64Array | readonly Fen[];

  constructor(
    readonly ids: readonly string[],
    amounts: readonly Fen[],
    private readonly numerators: readonly bigint[],
    readonly exactDenominator: bigint,
    private readonly bindings: Uint8Array,
    private readonly rounding: Uint8Array,
    totals: { allocated: Fen; unallocated: Fen; floorsReduced: boolean; capsDropped: boolean; roundingFen: Fen },
  ) {
    this.allocated = totals.allocated;
    this.unallocated = totals.unallocated;
    this.floorsReduced = totals.floorsReduced;
    this.capsDropped = totals.capsDropped;
    this.roundingFen = totals.roundingFen;
    this.fen = amounts.every(fitsInt64) ? BigInt64Array.from(amounts) : amounts;
  }

  get length(): number {
    return this.ids.length;
  }

  amount(index: number): Fen {
    return this.fen[index]!;
  }

  /** Every part's amount, in order. */
  amounts(): Fen[] {
    return Array.from(this.fen);
  }

  binding(index: number): PotBinding {
    return BINDINGS[this.bindings[index]!]!;
  }

  exactNumerator(index: number): bigint {
    return this.numerators[index]!;
  }

  /** Fen added by largest-remainder rounding (0 or 1). */
  roundingFenOf(index: number): Fen {
    return this.rounding[index] === 0 ? 0n : 1n;
  }

  part(index: number): PotPart {
    return {
      id: this.ids[index]!,
      amount: this.amount(index),
      binding: this.binding(index),
      exactNumerator: this.exactNumerator(index),
      exactDenominator: this.exactDenominator,
      roundingFen: this.roundingFenOf(index),
    };
  }

  toPotResult(): PotResult {
    return {
      parts: this.ids.map((_, index) => this.part(index)),
      allocated: this.allocated,
      unallocated: this.unallocated,
      floorsReduced: this.floorsReduced,
      capsDropped: this.capsDropped,
      roundingFen: this.roundingFen,
    };
  }
}
