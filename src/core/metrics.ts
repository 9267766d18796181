/**
 * Outcome metrics of one run, the figures compare and sweep report for every
 * scenario. All of them are exact or rounded once, at the end, from integer
 * arithmetic: no binary floating point.
 *
 * - share_priority_provinces, share_contiguous_area, share_west: the special
 *   fund (central + provincial columns) reaching counties of priority
 *   provinces (as this run classified them), of the contiguous areas, of the
 *   western region, over the special fund's budget (all its central and
 *   provincial lines); ratios with 6 decimals, rounded half-even.
 * - per_poor_min, per_poor_median, per_poor_max: special fund per poor
 *   person, in yuan with 2 decimals, over eligible counties with a poor
 *   population above 0 (the median of an even count is the mean of the two
 *   middle values); exact fractions rounded half-even.
 * - per_poor_cv: population standard deviation over mean of the same
 *   figures; per_poor_gini: Gini coefficient across those counties
 *   (unweighted: each county counts once). Both with 6 decimals, computed in
 *   integers with 30 decimal places per county figure and rounded once.
 * - counties_at_floor (binding floor or floor_reduced), counties_at_cap.
 * - unallocated: money left unallocated over every pot of every fund, yuan.
 *
 * Example: two eligible counties, 300.00 yuan for 3 poor and 100.00 for 1:
 * 100.00 and 100.00 per person, cv 0.000000, gini 0.000000.
 */
import { formatFraction, formatYuan, type Fen } from './money.js';
import { fundColumns, SPECIAL_FUND, type Outcome } from './outcome.js';

export const METRICS = [
  'share_priority_provinces',
  'share_contiguous_area',
  'share_west',
  'per_poor_min',
  'per_poor_median',
  'per_poor_max',
  'per_poor_cv',
  'per_poor_gini',
  'counties_at_floor',
  'counties_at_cap',
  'unallocated',
] as const;

export type MetricName = (typeof METRICS)[number];

/** Metric values as text; null when undefined (no eligible county with poor people). */
export type Metrics = Readonly<Record<MetricName, string | null>>;

export const SHARE_PLACES = 6;
export const STATISTIC_PLACES = 6;
/** Decimal places of each county figure in the CV and Gini sums. */
const FIXED_PLACES = 30n;
const FIXED_SCALE = 10n ** FIXED_PLACES;

/** Floor of the square root of a non-negative bigint (Newton's method). */
export function integerSquareRoot(value: bigint): bigint {
  if (value < 0n) throw new RangeError('square root of a negative number');
  if (value < 2n) return value;
  let guess = 1n << BigInt(Math.ceil(value.toString(2).length / 2));
  for (;;) {
    const next = (guess + value / guess) >> 1n;
    if (next >= guess) return guess;
    guess = next;
  }
}

interface PerPoor {
  /** Special fund in fen. */
  readonly fen: bigint;
  readonly poor: bigint;
  /** fen / poor * 10^30, rounded down: the fixed-point figure for sums. */
  readonly fixed: bigint;
}

function compareExact(a: PerPoor, b: PerPoor): number {
  if (a.fixed !== b.fixed) return a.fixed < b.fixed ? -1 : 1;
  const left = a.fen * b.poor;
  const right = b.fen * a.poor;
  return left < right ? -1 : left > right ? 1 : 0;
}

/**
 * The values in compareExact's order. Half a million villages sorted through
 * that comparator of bigints took 0.7 s: their fixed-point figures' nearest
 * doubles (which never invert the order of two figures, at most make them
 * equal) are sorted first, and only values whose doubles are equal are
 * ordered exactly. Values that compare equal have the same fen per person:
 * whichever comes first, the statistics are the same.
 */
function sortedExactly(values: readonly PerPoor[]): PerPoor[] {
  const count = values.length;
  const keys = new Float64Array(count);
  const order = new Uint32Array(count);
  for (let index = 0; index < count; index++) {
    keys[index] = Number(values[index]!.fixed);
    order[index] = index;
  }
  order.sort((a, b) => keys[a]! - keys[b]!);
  const sorted = new Array<PerPoor>(count);
  for (let at = 0; at < count; at++) sorted[at] = values[order[at]!]!;
  for (let start = 0; start < count; ) {
    let end = start + 1;
    while (end < count && keys[order[end]!] === keys[order[start]!]) end++;
    if (end - start > 1) {
      const tied = sorted.slice(start, end).sort(compareExact);
      for (let at = start; at < end; at++) sorted[at] = tied[at - start]!;
    }
    start = end;
  }
  return sorted;
}

/** Yuan per person (2 decimals) of fen / poor. */
function perPersonText(fen: bigint, poor: bigint): string {
  return formatFraction(fen, poor * 100n, 2);
}

export function computeMetrics(outcome: Outcome): Metrics {
  const specialColumns = fundColumns(SPECIAL_FUND, outcome.amountColumns);
  const specialOf = (amounts: ReadonlyMap<string, Fen>): Fen => {
    let sum = 0n;
    for (const column of specialColumns) sum += amounts.get(column) ?? 0n;
    return sum;
  };
  const budget = outcome.funds.filter((account) => account.fund === SPECIAL_FUND).reduce((sum, account) => sum + account.budget, 0n);
  let priority = 0n;
  let contiguous = 0n;
  let west = 0n;
  let atFloor = 0;
  let atCap = 0;
  const perPoor: PerPoor[] = [];
  for (const county of outcome.counties) {
    const special = specialOf(county.amounts);
    if (county.priorityProvince) priority += special;
    if (county.contiguousArea !== '') contiguous += special;
    if (county.region === 'west') west += special;
    if (county.binding === 'floor' || county.binding === 'floor_reduced') atFloor++;
    if (county.binding === 'cap') atCap++;
    if (county.eligible && county.poorPopulation > 0n) {
      perPoor.push({ fen: special, poor: county.poorPopulation, fixed: (special * FIXED_SCALE) / (county.poorPopulation * 100n) });
    }
  }
  const share = (part: bigint): string => (budget === 0n ? formatFraction(0n, 1n, SHARE_PLACES) : formatFraction(part, budget, SHARE_PLACES));
  const statistics = perPoorStatistics(perPoor);
  return {
    share_priority_provinces: share(priority),
    share_contiguous_area: share(contiguous),
    share_west: share(west),
    ...statistics,
    counties_at_floor: String(atFloor),
    counties_at_cap: String(atCap),
    unallocated: formatYuan(outcome.unallocated),
  };
}

function perPoorStatistics(values: PerPoor[]): Pick<Metrics, 'per_poor_min' | 'per_poor_median' | 'per_poor_max' | 'per_poor_cv' | 'per_poor_gini'> {
  const count = values.length;
  if (count === 0) return { per_poor_min: null, per_poor_median: null, per_poor_max: null, per_poor_cv: null, per_poor_gini: null };
  const sorted = sortedExactly(values);
  const first = sorted[0]!;
  const last = sorted[count - 1]!;
  let median: string;
  if (count % 2 === 1) {
    const middle = sorted[(count - 1) / 2]!;
    median = perPersonText(middle.fen, middle.poor);
  } else {
    const low = sorted[count / 2 - 1]!;
    const high = sorted[count / 2]!;
    // (a/p + b/q) / 2 = (a q + b p) / (2 p q), in fen per person.
    median = formatFraction(low.fen * high.poor + high.fen * low.poor, 2n * low.poor * high.poor * 100n, 2);
  }
  const n = BigInt(count);
  let sum = 0n;
  let sumOfSquares = 0n;
  // Gini = sum over ranks i = 1..n of (2i - n - 1) x_(i), over n * sum x; the sum over i of i x_(i) is the sum of
  // the sums of x_(i) from each rank to the last (x_(i) is in i of them), added up from the last rank down.
  let fromRank = 0n;
  let ranked = 0n;
  for (let index = count - 1; index >= 0; index--) {
    const fixed = sorted[index]!.fixed;
    sum += fixed;
    sumOfSquares += fixed * fixed;
    fromRank += fixed;
    ranked += fromRank;
  }
  const rankWeighted = 2n * ranked - (n + 1n) * sum;
  let cv: string;
  let gini: string;
  if (sum === 0n) {
    cv = formatFraction(0n, 1n, STATISTIC_PLACES);
    gini = formatFraction(0n, 1n, STATISTIC_PLACES);
  } else {
    // cv = sqrt(n * sum x^2 - (sum x)^2) / sum x; 20 guard digits, then rounded once.
    const spread = n * sumOfSquares - sum * sum;
    const guard = 20n;
    const scale = 10n ** (BigInt(STATISTIC_PLACES) + guard);
    const scaledCv = integerSquareRoot(spread * scale * scale) / sum;
    cv = formatFraction(scaledCv, scale, STATISTIC_PLACES);
    gini = formatFraction(rankWeighted, n * sum, STATISTIC_PLACES);
  }
  return {
    per_poor_min: perPersonText(first.fen, first.poor),
    per_poor_median: median,
    per_poor_max: perPersonText(last.fen, last.poor),
    per_poor_cv: cv,
    per_poor_gini: gini,
  };
}
