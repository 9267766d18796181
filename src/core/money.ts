/**
 * Money and ratios through one door.
 *
 * Money is held as a whole number of fen in a `bigint`, so sums are exact and
 * cannot drift. Ratios, weights and per-capita figures are decimals from a
 * private decimal.js clone with 50 significant digits. Everything enters as a
 * string and leaves as a string: nothing here, and nothing elsewhere, builds a
 * decimal from a JavaScript number.
 */
import { Decimal as DecimalJs } from 'decimal.js';

const PrivateDecimal = DecimalJs.clone({
  precision: 50,
  rounding: DecimalJs.ROUND_HALF_EVEN,
  toExpNeg: -100,
  toExpPos: 100,
});

/** A decimal value: a ratio, weight, population or per-capita figure. */
export type Dec = DecimalJs;

/** Whole fen (1 yuan = 100 fen). */
export type Fen = bigint;

export const ZERO: Dec = new PrivateDecimal('0');
export const ONE: Dec = new PrivateDecimal('1');
export const HUNDRED: Dec = new PrivateDecimal('100');
export const FEN_PER_YUAN = 100n;
/** 1 万元 = 10,000 yuan = 1,000,000 fen. */
export const FEN_PER_WAN_YUAN = 1_000_000n;

const DECIMAL_TEXT = /^-?\d+(\.\d+)?$/;

/** A decimal from its text (digits, optional fraction). Throws on anything else. */
export function decimal(text: string): Dec {
  if (!DECIMAL_TEXT.test(text)) {
    throw new TypeError(`not a decimal: ${JSON.stringify(text)}`);
  }
  return new PrivateDecimal(text);
}

/** A decimal from a whole number held as bigint (a count of persons, fen, ...). */
export function decimalFromBigInt(value: bigint): Dec {
  return new PrivateDecimal(value.toString());
}

/** Sum of decimals, added in the order given (callers pass a canonical order). */
export function sumDecimals(values: Iterable<Dec>): Dec {
  let total = ZERO;
  for (const value of values) total = total.plus(value);
  return total;
}

/** Parses yuan text (`1234`, `1234.5`, `1234.56`) into fen; null when malformed. */
export function parseYuan(text: string): Fen | null {
  // What /^(\d+)(?:\.(\d{1,2}))?$/ matches, checked character by character: digits, then optionally a point and one
  // or two digits. The fen are then the digits without the point, padded to two places: one bigint
  // parsed from one text, with no match object and no second bigint.
  const length = text.length;
  let at = 0;
  while (at < length && isDigit(text.charCodeAt(at))) at++;
  if (at === 0) return null;
  if (at === length) return BigInt(text) * FEN_PER_YUAN;
  const places = length - at - 1;
  if (text.charCodeAt(at) !== 46 || places < 1 || places > 2) return null;
  for (let after = at + 1; after < length; after++) if (!isDigit(text.charCodeAt(after))) return null;
  return BigInt(text.slice(0, at) + text.slice(at + 1) + (places === 1 ? '0' : ''));
}

/**
 * Whether a cell is yuan with two decimals, optionally negative (what
 * /^-?\d+\.\d{2}$/ matches: every amount povalloc writes), checked
 * character by character: a table of a million villages has some twenty
 * million cells to look at.
 */
export function isYuanCell(text: string): boolean {
  const length = text.length;
  const first = length > 0 && text.charCodeAt(0) === 45 ? 1 : 0;
  const point = length - 3;
  if (point <= first || text.charCodeAt(point) !== 46) return false;
  for (let at = first; at < length; at++) if (at !== point && !isDigit(text.charCodeAt(at))) return false;
  return true;
}

/** yuan text with two decimals (optionally negative) to fen: its digits without the point, as one bigint. */
export function yuanToFen(text: string): Fen | null {
  return isYuanCell(text) ? BigInt(text.slice(0, -3) + text.slice(-2)) : null;
}

/**
 * -1, 0 or 1 as the non-negative decimal text `a` (ASCII digits, optionally a
 * point and digits; leading and trailing zeros allowed) is below, equal to or
 * above `b`, compared as numbers without making either.
 */
export function compareDecimalTexts(a: string, b: string): number {
  const endA = wholeEnd(a);
  const endB = wholeEnd(b);
  const startA = firstSignificant(a, endA);
  const startB = firstSignificant(b, endB);
  if (endA - startA !== endB - startB) return endA - startA < endB - startB ? -1 : 1;
  for (let offset = 0; offset < endA - startA; offset++) {
    const difference = a.charCodeAt(startA + offset) - b.charCodeAt(startB + offset);
    if (difference !== 0) return difference < 0 ? -1 : 1;
  }
  // The places, a missing one read as 0.
  const placesA = a.length - endA - 1;
  const placesB = b.length - endB - 1;
  for (let place = 0; place < Math.max(placesA, placesB); place++) {
    const digitA = place < placesA ? a.charCodeAt(endA + 1 + place) : 48;
    const digitB = place < placesB ? b.charCodeAt(endB + 1 + place) : 48;
    if (digitA !== digitB) return digitA < digitB ? -1 : 1;
  }
  return 0;
}

/** Where a decimal text's whole part ends: its point, or its end. */
function wholeEnd(text: string): number {
  const point = text.indexOf('.');
  return point === -1 ? text.length : point;
}

/** Where a whole part ending at `end` begins after its leading zeros. */
function firstSignificant(text: string, end: number): number {
  let start = 0;
  while (start < end && text.charCodeAt(start) === 48) start++;
  return start;
}

/** An ASCII digit (what `\d` matches without the u flag). */
function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** `0.`, `0.0`, `0.00`, ...: the start of a fixed-point text below 1, made once each. */
const ZERO_POINT: readonly string[] = Array.from({ length: 40 }, (_, zeros) => `0.${'0'.repeat(zeros)}`);

/**
 * A whole number of 10^-places (its digits, no sign; places > 0) as
 * fixed-point text: `1234` with 2 places is `12.34`, `5` with 3 is `0.005`
 * (what padding the digits to places + 1 and putting the point in writes).
 */
export function unitsText(digits: string, places: number): string {
  const zeros = places - digits.length;
  if (zeros >= 0) return zeros < ZERO_POINT.length ? ZERO_POINT[zeros] + digits : `0.${'0'.repeat(zeros)}${digits}`;
  const point = digits.length - places;
  return `${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** Powers of ten up to 10^10, and runs of that many zeros (see wholeUnitsText). */
export const POWERS_OF_TEN_UP_TO_10: readonly number[] = Array.from({ length: 11 }, (_, exponent) => 10 ** exponent);
const ZEROS_UP_TO_10: readonly string[] = Array.from({ length: 11 }, (_, count) => '0'.repeat(count));

/** The digits of 0 to 9,999, and the same padded to four digits, each made when first asked for (every command loads this module). */
const GROUP_DIGITS: (string | undefined)[] = new Array<string | undefined>(10_000).fill(undefined);
const FOUR_DIGITS: (string | undefined)[] = new Array<string | undefined>(10_000).fill(undefined);

function groupDigits(group: number): string {
  return (GROUP_DIGITS[group] ??= String(group));
}

function fourDigits(group: number): string {
  return (FOUR_DIGITS[group] ??= String(group).padStart(4, '0'));
}

/**
 * The digits of a whole number 0 <= n < 2^53, put together from the texts of
 * its groups of four digits, each made once. Not String(n): V8 keeps the text of
 * each number String writes in its number-string cache, which lives in the
 * old generation, so that every collection of the young generation copies
 * the last 16,384 such texts and moves them on to the old generation. At a
 * million villages, where the audit log writes some twenty million numbers,
 * the young generation's collections while the log was written took 135 ms
 * instead of 228 ms (68 collections either way).
 */
function wholeDigits(n: number): string {
  if (n < 10_000) return groupDigits(n);
  if (n < 100_000_000) return groupDigits(Math.floor(n / 10_000)) + fourDigits(n % 10_000);
  const high = wholeQuotient(n, 1e8);
  const low = n - high * 1e8;
  return wholeDigits(high) + fourDigits(Math.floor(low / 10_000)) + fourDigits(low % 10_000);
}

/**
 * The whole quotient of a whole number 0 <= n < 2^53 by a power of ten
 * (n - quotient * divisor is then the remainder, exactly). The quotient of
 * doubles may round up to the next whole number: the remainder tells.
 */
export function wholeQuotient(n: number, divisor: number): number {
  const quotient = Math.floor(n / divisor);
  return n - quotient * divisor < 0 ? quotient - 1 : quotient;
}

/**
 * unitsText of the digits of a whole number 0 <= units < 2^53 (places 0 to
 * 10; 0 gives the digits alone): the same text, made from the texts of its
 * groups of four digits (see wholeDigits). String() of a double above 2^31
 * takes V8's general shortest-digits path, about twice as slow as the
 * integer one, and the audit log of a million villages writes several
 * million such numbers.
 */
export function wholeUnitsText(units: number, places: number): string {
  if (!(Number.isSafeInteger(units) && units >= 0 && places >= 0 && places <= 10)) {
    const digits = String(units);
    return places === 0 ? digits : unitsText(digits, places);
  }
  if (places === 0) return wholeDigits(units);
  const scale = POWERS_OF_TEN_UP_TO_10[places]!;
  const whole = wholeQuotient(units, scale);
  const fraction = units - whole * scale;
  const fractionText = wholeDigits(fraction);
  return `${wholeDigits(whole)}.${ZEROS_UP_TO_10[places - fractionText.length]}${fractionText}`;
}

/** Yuan text with exactly two decimals, no grouping: `1234.50`, `-0.05`. */
export function formatYuan(fen: Fen): string {
  // The fen's digits with the point put in: one bigint to text, no division.
  const negative = fen < 0n;
  const text = unitsText((negative ? -fen : fen).toString(), 2);
  return negative ? `-${text}` : text;
}

/**
 * 万元 exactly (fen / 1,000,000), without trailing zeros or a point with
 * nothing after it: `1234567` fen -> `1.234567`, `150000000` -> `150`,
 * `-1500` -> `-0.0015`. The text decimal.js's `toFixed()` writes for the
 * quotient, made from the fen's digits.
 */
export function formatFenAsWan(fen: Fen): string {
  if (fen === 0n) return '0';
  const negative = fen < 0n;
  const text = withoutTrailingZeros(unitsText((negative ? -fen : fen).toString(), 6));
  return negative ? `-${text}` : text;
}

/** A plain decimal without the trailing zeros of its fraction, nor its point when nothing is left after it: `1234.50` -> `1234.5`, `7.00` -> `7`. */
export function withoutTrailingZeros(text: string): string {
  if (!text.includes('.')) return text;
  let end = text.length;
  while (text.charCodeAt(end - 1) === 0x30) end--;
  if (text.charCodeAt(end - 1) === 0x2e) end--;
  return end === text.length ? text : text.slice(0, end);
}

/** 万元 with two decimals, rounded half-even: for human summaries only. */
export function formatWanYuan(fen: Fen): string {
  return decimalFromBigInt(fen).div(decimalFromBigInt(FEN_PER_WAN_YUAN)).toFixed(2);
}

/** Groups the integer part of a plain number string with commas, for terminals. */
export function groupThousands(text: string): string {
  const [whole = '', fraction] = text.split('.');
  const negative = whole.startsWith('-');
  const digits = negative ? whole.slice(1) : whole;
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${negative ? '-' : ''}${grouped}${fraction === undefined ? '' : `.${fraction}`}`;
}

/** Fen as a decimal number of yuan (for ratios such as yuan per person). */
export function fenToYuanDecimal(fen: Fen): Dec {
  return decimalFromBigInt(fen).div(decimalFromBigInt(FEN_PER_YUAN));
}

/** Rounds a non-negative decimal amount of yuan down to whole fen. */
export function floorYuanToFen(yuan: Dec): Fen {
  return BigInt(yuan.times(decimalFromBigInt(FEN_PER_YUAN)).floor().toFixed(0));
}

/** Rounds a non-negative decimal number of fen down to whole fen. */
export function floorToFen(fen: Dec): Fen {
  return BigInt(fen.floor().toFixed(0));
}

/**
 * floorToFen(decimalFromBigInt(fen).times(factor)): an amount of fen times a
 * policy factor (a share), rounded down to the fen. In integers when the
 * product has at most 50 significant digits, which decimal.js then does not
 * round; otherwise (and for a negative amount or factor) through decimal.js.
 */
export function floorFenTimes(fen: Fen, factor: Dec): Fen {
  if (fen >= 0n && factor.isFinite() && !factor.isNegative()) {
    if (fen === 0n || factor.isZero()) return 0n;
    const scaled = scaledOf(factor);
    if (bigintDigits(fen) + scaled.digits <= SIGNIFICANT_DIGITS) {
      const product = fen * scaled.coefficient;
      // Non-negative: the quotient bigint division truncates to is the floor.
      return scaled.exponent >= 0 ? product * powerOfTen(scaled.exponent) : product / powerOfTen(-scaled.exponent);
    }
  }
  return floorToFen(decimalFromBigInt(fen).times(factor));
}

/** Rounds a decimal amount of yuan to the nearest fen, half-even. */
export function roundYuanToFen(yuan: Dec): Fen {
  return BigInt(yuan.times(decimalFromBigInt(FEN_PER_YUAN)).toDecimalPlaces(0, DecimalJs.ROUND_HALF_EVEN).toFixed(0));
}

/**
 * A non-negative decimal as an exact integer over a power of ten:
 * value = numerator / 10^scale. Used to hand weights to exact integer code.
 */
export function toScaledInteger(value: Dec, scale: number): bigint {
  if (!value.isFinite()) throw new RangeError(`decimal ${value.toString()} is not finite`);
  if (value.decimalPlaces() > scale) throw new RangeError(`decimal ${value.toString()} has more than ${scale} places`);
  if (value.isZero()) return 0n;
  // decimal.js keeps a value as its coefficient in base-10^7 limbs (d, the
  // first limb without leading zeros) and the decimal exponent of its first
  // digit (e): documented instance properties. Building the integer from the
  // limbs is exact and several times faster than going through toFixed text,
  // which matters for the thousands of pot weights of every sweep point.
  const limbs = value.d;
  let coefficient = 0n;
  for (const limb of limbs) coefficient = coefficient * LIMB_BASE + BigInt(limb);
  const digits = String(limbs[0]).length + 7 * (limbs.length - 1);
  // value = coefficient * 10^(e - digits + 1); times 10^scale it is a whole number (checked above).
  const shift = value.e - digits + 1 + scale;
  const magnitude = shift >= 0 ? coefficient * 10n ** BigInt(shift) : coefficient / 10n ** BigInt(-shift);
  return value.isNegative() ? -magnitude : magnitude;
}

const LIMB_BASE = 10_000_000n;

/** Number of decimal places a decimal needs to be written exactly. */
export function decimalPlaces(value: Dec): number {
  return value.decimalPlaces();
}

/**
 * Fixed-point text of a decimal with the given places, half-even: what
 * decimal.js `toFixed(places, ROUND_HALF_EVEN)` writes, built from the limbs
 * as text (tables write a score per county; property-tested against toFixed).
 */
export function formatDecimal(value: Dec, places: number): string {
  const limbs = value.d;
  if (!limbs || !Number.isInteger(places) || places < 0 || places > 1000) return value.toFixed(places, DecimalJs.ROUND_HALF_EVEN);
  let digits = String(limbs[0]);
  for (let j = 1; j < limbs.length; j++) digits += String(limbs[j]).padStart(7, '0');
  const text = formatDigits(digits, value.e, places);
  return value.s < 0 && limbs[0] !== 0 ? `-${text}` : text;
}

/** Powers of ten as doubles, 10^0 to 10^340 (the nearest double to each). */
const DOUBLE_POWERS_OF_TEN: number[] = Array.from({ length: 341 }, (_, exponent) => Number(`1e${exponent}`));

/**
 * Fixed-point text of x * 10^shift with `places` decimals, half-even, from
 * doubles, or undefined when doubles cannot tell. x is a double within a few
 * units in the last place of the exact value (a bigint or a quotient of two
 * converted to doubles); so is the scaled value, whose rounding to a whole
 * number of 10^-places is then certain unless it lies within a safe margin of
 * a half (or is too large for doubles to hold its units): then the caller
 * works exactly. Nearness to a whole number does not matter: both neighbours
 * round to it.
 */
function formatApproximate(x: number, shift: number, places: number): string | undefined {
  const units = approximateUnits(x, shift);
  return units < 0 ? undefined : wholeUnitsText(units, places);
}

/**
 * x * 10^shift rounded to the nearest whole number, from doubles (see
 * formatApproximate): below 10^15; -1 when doubles cannot tell (a value near
 * a half, too large, negative or not finite), where the caller works exactly.
 */
function approximateUnits(x: number, shift: number): number {
  if (!Number.isFinite(x) || x < 0 || shift > 340 || shift < -340) return -1;
  const scaled = shift >= 0 ? x * DOUBLE_POWERS_OF_TEN[shift]! : x / DOUBLE_POWERS_OF_TEN[-shift]!;
  if (!(scaled < 1e15)) return -1;
  const whole = Math.floor(scaled);
  const distanceFromHalf = Math.abs(scaled - whole - 0.5);
  // Each conversion, the power and the product or quotient err by half an ulp at most: 1e-14 relative is ample.
  if (distanceFromHalf <= scaled * 1e-14 + 1e-12) return -1;
  return scaled - whole > 0.5 ? whole + 1 : whole;
}

/**
 * The digits of a non-negative number whose first digit stands for 10^e, as
 * fixed-point text with `places` decimals rounded half-even (toFixed's text).
 */
function formatDigits(digits: string, e: number, places: number): string {
  // Keep the digits down to 10^-places.
  const integerLength = e + 1;
  const keep = integerLength + places;
  let kept: string;
  if (keep >= digits.length) kept = digits.padEnd(keep, '0');
  else if (keep < 0) kept = '';
  else {
    kept = digits.slice(0, keep);
    const next = digits.charCodeAt(keep) - 48;
    let roundUp = next > 5;
    if (next === 5) {
      // A tie only when nothing but zeros follows; then to the even neighbour.
      let beyond = false;
      for (let k = keep + 1; k < digits.length; k++) {
        if (digits.charCodeAt(k) !== 48) {
          beyond = true;
          break;
        }
      }
      roundUp = beyond || (keep > 0 && (kept.charCodeAt(keep - 1) - 48) % 2 === 1);
    }
    if (roundUp) kept = incrementDigits(kept);
  }
  // kept holds the units of 10^-places (possibly empty, or one digit longer after a carry).
  const units = kept === '' ? '0' : kept;
  if (places === 0) return units.replace(/^0+(?=\d)/, '');
  const padded = units.length <= places ? units.padStart(places + 1, '0') : units;
  const whole = padded.slice(0, padded.length - places).replace(/^0+(?=\d)/, '');
  return `${whole}.${padded.slice(padded.length - places)}`;
}

/** A string of decimal digits plus one ('' counts as 0). */
function incrementDigits(digits: string): string {
  let end = digits.length;
  while (end > 0 && digits.charCodeAt(end - 1) === 57) end--;
  if (end === 0) return `1${'0'.repeat(digits.length)}`;
  return `${digits.slice(0, end - 1)}${String.fromCharCode(digits.charCodeAt(end - 1) + 1)}${'0'.repeat(digits.length - end)}`;
}

/** Plain text of a decimal with as many places as it has (no exponent). */
export function formatDecimalExact(value: Dec): string {
  return value.toFixed();
}

export function isDecimal(value: unknown): value is Dec {
  return value instanceof PrivateDecimal;
}

export function minDecimal(a: Dec, b: Dec): Dec {
  return a.lessThan(b) ? a : b;
}

/**
 * Greatest common divisor (Lehmer's method): the exact fraction of every
 * county's pot share is written in lowest terms, and plain Euclid on numbers
 * of 200 bits takes a hundred bigint divisions. Lehmer runs Euclid on the
 * leading 48 bits in doubles (exact: every value stays below 2^51) and
 * applies the combined steps to the bigints at once.
 */
export function greatestCommonDivisor(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  if (x < y) [x, y] = [y, x];
  while (y > SAFE_BIGINT) {
    const shift = bitLength(x) - 48;
    let u = Number(x >> BigInt(shift));
    let v = Number(y >> BigInt(shift));
    // Cofactors: x' = A x + B y, y' = C x + D y.
    let A = 1;
    let B = 0;
    let C = 0;
    let D = 1;
    for (;;) {
      if (v + C <= 0 || v + D <= 0) break;
      const q = floorDivide(u + A, v + C);
      if (q !== floorDivide(u + B, v + D)) break;
      let t = A - q * C;
      A = C;
      C = t;
      t = B - q * D;
      B = D;
      D = t;
      t = u - q * v;
      u = v;
      v = t;
    }
    if (B === 0) {
      [x, y] = [y, x % y];
    } else {
      const nextX = BigInt(A) * x + BigInt(B) * y;
      const nextY = BigInt(C) * x + BigInt(D) * y;
      x = nextX < 0n ? -nextX : nextX;
      y = nextY < 0n ? -nextY : nextY;
      if (x < y) [x, y] = [y, x];
    }
  }
  if (y === 0n) return x;
  // Both below 2^53 after one more step: Euclid in doubles.
  let small = Number(x % y);
  let large = Number(y);
  while (small !== 0) [small, large] = [large % small, small];
  return BigInt(large);
}

const SAFE_BIGINT = 2n ** 53n - 1n;

/** floor(a / b) for non-negative safe integers, exact (the division of doubles can round up to the next integer). */
function floorDivide(a: number, b: number): number {
  let q = Math.floor(a / b);
  if (q * b > a) q -= 1;
  else if ((q + 1) * b <= a) q += 1;
  return q;
}

/** Number of bits of a positive bigint, give or take one (enough to take its leading bits). */
function bitLength(value: bigint): number {
  const approximate = Number(value);
  return Number.isFinite(approximate) ? Math.floor(Math.log2(approximate)) + 1 : value.toString(16).length * 4;
}

/** An exact amount of fen given as a fraction, in lowest terms: `1234 fen` or `4933/4 fen`. */
export function formatFenFraction(numerator: bigint, denominator: bigint): string {
  if (denominator === 0n) return 'undefined';
  const divisor = greatestCommonDivisor(numerator, denominator) || 1n;
  const top = numerator / divisor;
  const bottom = denominator / divisor;
  return bottom === 1n ? `${top} fen` : `${top}/${bottom} fen`;
}

/** An exact fraction of fen as yuan with the given decimal places, half-even. */
export function formatFenFractionAsYuan(numerator: bigint, denominator: bigint, places: number): string {
  if (denominator === 0n) return 'undefined';
  // The text decimal.js gives for (numerator / denominator) / 100 to `places`: the quotient is
  // rounded to 50 significant digits first, and dividing by 100 only moves the point.
  return formatRoundedQuotient(numerator, denominator, 2, places) ?? formatDecimal(decimalFromBigInt(numerator).div(decimalFromBigInt(denominator)).div(decimalFromBigInt(FEN_PER_YUAN)), places);
}

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

/** Whether an amount of fen fits a 64-bit slot (BigInt64Array): flat stores keep wider ones aside. */
export function fitsInt64(amount: Fen): boolean {
  return amount >= INT64_MIN && amount <= INT64_MAX;
}

/**
 * formatQuotient of two safe integers (persons): their double quotient is
 * within half a unit in the last place of the exact one, which settles the
 * text unless it lies near a rounding boundary; then formatQuotient works it
 * out exactly.
 */
export function formatSafeIntegerQuotient(numerator: number, denominator: number, places: number): string {
  const units = safeIntegerQuotientUnits(numerator, denominator, places);
  return units >= 0 ? wholeUnitsText(units, places) : formatQuotient(BigInt(numerator), BigInt(denominator), places);
}

/**
 * The whole number of 10^-places that formatSafeIntegerQuotient writes (its
 * text is wholeUnitsText of it), when doubles tell it; else -1 (then only
 * formatSafeIntegerQuotient's exact way does). For a writer of bytes
 * (allocations.csv's incidence) that writes the digits without a text.
 */
export function safeIntegerQuotientUnits(numerator: number, denominator: number, places: number): number {
  if (!(Number.isSafeInteger(numerator) && Number.isSafeInteger(denominator) && numerator > 0 && denominator > 0)) return -1;
  return approximateUnits(numerator / denominator, places);
}

/** formatDecimal(decimal(numerator).div(decimal(denominator)), places), computed in integers. */
export function formatQuotient(numerator: bigint, denominator: bigint, places: number): string {
  return formatRoundedQuotient(numerator, denominator, 0, places) ?? formatDecimal(decimalFromBigInt(numerator).div(decimalFromBigInt(denominator)), places);
}

/**
 * numerator / denominator rounded to 50 significant digits half-even (what
 * the decimal.js clone's div returns), divided by 10^shift, as fixed-point
 * text with `places` decimals half-even (what toFixed writes): the same text
 * as going through decimal.js, in bigint arithmetic without decimal objects.
 * Undefined for a negative numerator or a non-positive denominator (left to decimal.js).
 */
function formatRoundedQuotient(numerator: bigint, denominator: bigint, shift: number, places: number): string | undefined {
  if (numerator < 0n || denominator <= 0n) return undefined;
  if (numerator === 0n) return formatFraction(0n, 1n, places);
  // Rounding to 50 digits first changes the text only for quotients within 10^-50 of a half: the
  // nearest doubles tell every other case (see formatApproximate).
  const quick = formatApproximate(Number(numerator) / Number(denominator), places - shift, places);
  if (quick !== undefined) return quick;
  // quotient * 10^-scale is numerator / denominator to 50 significant digits.
  let scale = SIGNIFICANT_DIGITS - (bigintDigits(numerator) - bigintDigits(denominator));
  const divide = (at: number): [bigint, bigint, bigint] => {
    const top = at >= 0 ? numerator * powerOfTen(at) : numerator;
    const bottom = at >= 0 ? denominator : denominator * powerOfTen(-at);
    const quotient = top / bottom;
    return [quotient, top - quotient * bottom, bottom];
  };
  let [quotient, remainder, bottom] = divide(scale);
  if (quotient >= powerOfTen(SIGNIFICANT_DIGITS)) {
    scale -= 1;
    [quotient, remainder, bottom] = divide(scale);
  }
  const twiceRemainder = remainder * 2n;
  if (twiceRemainder > bottom || (twiceRemainder === bottom && (quotient & 1n) === 1n)) quotient += 1n;
  if (quotient === powerOfTen(SIGNIFICANT_DIGITS)) {
    quotient = powerOfTen(SIGNIFICANT_DIGITS - 1);
    scale -= 1;
  }
  const exponent = scale + shift;
  // quotient * 10^-exponent, written as toFixed writes it: moving the point is text work.
  return formatScaled({ coefficient: quotient, exponent: -exponent, digits: SIGNIFICANT_DIGITS }, places);
}

/**
 * An exact fraction as fixed-point text with `places` decimals, rounded
 * half-even: `formatFraction(1n, 3n, 4)` is `0.3333`, `formatFraction(-5n, 200n, 2)`
 * is `-0.02`. Integer arithmetic only, so the text is exact to the last place.
 */
export function formatFraction(numerator: bigint, denominator: bigint, places: number): string {
  if (denominator === 0n) throw new RangeError('fraction with a zero denominator');
  const negative = numerator < 0n !== denominator < 0n && numerator !== 0n;
  const top = (numerator < 0n ? -numerator : numerator) * 10n ** BigInt(places);
  const bottom = denominator < 0n ? -denominator : denominator;
  let scaled = top / bottom;
  const twiceRemainder = (top % bottom) * 2n;
  if (twiceRemainder > bottom || (twiceRemainder === bottom && scaled % 2n === 1n)) scaled += 1n;
  const text = places > 0 ? unitsText(scaled.toString(), places) : scaled.toString();
  return negative && scaled !== 0n ? `-${text}` : text;
}

/*
 * Exact integer arithmetic for the hottest loop of a sweep: every county's
 * score is a sum of factor shares times weights, four 50-digit products and
 * three sums per county per run. decimal.js rounds each product and each
 * partial sum to the clone's 50 significant digits, half-even (its times and
 * plus are correctly rounded); `sumOfProducts` computes each of them exactly
 * in bigint and rounds it the same way, so it returns the very same decimal
 * in about half the time. The property tests check it against decimal.js.
 */
const SIGNIFICANT_DIGITS = 50;
const POWERS_OF_TEN: bigint[] = [1n];

const HALF_POWERS_OF_TEN: bigint[] = [];

/** 10^exponent / 2 (exponent >= 1). */
function halfPowerOfTen(exponent: number): bigint {
  while (HALF_POWERS_OF_TEN.length <= exponent) HALF_POWERS_OF_TEN.push(powerOfTen(HALF_POWERS_OF_TEN.length) / 2n);
  return HALF_POWERS_OF_TEN[exponent]!;
}

function powerOfTen(exponent: number): bigint {
  while (POWERS_OF_TEN.length <= exponent) POWERS_OF_TEN.push(POWERS_OF_TEN[POWERS_OF_TEN.length - 1]! * 10n);
  return POWERS_OF_TEN[exponent]!;
}

/**
 * An exact non-negative decimal in integer form: coefficient * 10^exponent,
 * the coefficient positive with `digits` digits (or 0 with 0 digits). Trailing
 * zeros of the coefficient are allowed: 5 x 10^-1 and 50 x 10^-2 are both 0.5.
 */
export interface Scaled {
  readonly coefficient: bigint;
  readonly exponent: number;
  readonly digits: number;
}

export const ZERO_SCALED: Scaled = { coefficient: 0n, exponent: 0, digits: 0 };
const scaledForms = new WeakMap<Dec, Scaled>();

/** Number of decimal digits of a non-negative safe integer. */
function numberDigits(value: number): number {
  let digits = 1;
  while (value >= 10) {
    value = Math.floor(value / 10);
    digits++;
  }
  return digits;
}

/** Number of decimal digits of a non-negative bigint (0 for 0). */
export function bigintDigits(value: bigint): number {
  if (value === 0n) return 0;
  const approximate = Number(value);
  if (!Number.isFinite(approximate)) return value.toString().length;
  // log10 of the nearest double is off by at most one around powers of ten: checked both ways.
  let digits = Math.floor(Math.log10(approximate)) + 1;
  if (digits < 1) digits = 1;
  if (value < powerOfTen(digits - 1)) digits -= 1;
  else if (value >= powerOfTen(digits)) digits += 1;
  return digits;
}

/**
 * The exact integer form of a finite non-negative decimal, read from its limbs
 * (decimal.js keeps a value as base-10^7 limbs `d`, the first without leading
 * zeros, and the decimal exponent `e` of its first digit: documented instance
 * properties). Not remembered: for the figures of many counties, each read once.
 */
export function scaledFromDecimal(value: Dec): Scaled {
  const limbs = value.d;
  if (value.s < 0 || !limbs) throw new RangeError(`decimal ${value.toString()} is not a finite non-negative number`);
  const first = limbs[0]!;
  if (first === 0) return ZERO_SCALED;
  let coefficient: bigint;
  // Two limbs are below 10^14, a safe integer: one conversion instead of a bigint per limb.
  if (limbs.length === 1) coefficient = BigInt(first);
  else if (limbs.length === 2) coefficient = BigInt(first * 10_000_000 + limbs[1]!);
  else {
    coefficient = 0n;
    for (const limb of limbs) coefficient = coefficient * LIMB_BASE + BigInt(limb);
  }
  const digits = numberDigits(first) + 7 * (limbs.length - 1);
  return { coefficient, exponent: value.e - digits + 1, digits };
}

/** The exact integer form of a non-negative decimal, from its limbs (remembered per decimal object). */
export function scaledOf(value: Dec): Scaled {
  let scaled = scaledForms.get(value);
  if (scaled === undefined) {
    scaled = scaledFromDecimal(value);
    scaledForms.set(value, scaled);
  }
  return scaled;
}

/**
 * The integer form of a figure given as a non-negative safe integer of digits
 * and a number of decimal places (`whole` 1234 with 2 places is 12.34): what
 * scaledFromDecimal gives for the same value, without a decimal in between.
 */
export function scaledFromDigits(whole: number, places: number): Scaled {
  if (!Number.isSafeInteger(whole) || whole < 0) throw new RangeError(`not a non-negative safe integer: ${whole}`);
  return whole === 0 ? ZERO_SCALED : { coefficient: BigInt(whole), exponent: -places, digits: numberDigits(whole) };
}

/** A non-negative whole number (fen, persons) in integer form. */
export function scaledFromBigInt(value: bigint): Scaled {
  if (value < 0n) throw new RangeError(`negative value ${value}`);
  return value === 0n ? ZERO_SCALED : { coefficient: value, exponent: 0, digits: bigintDigits(value) };
}

/**
 * The decimal (of the 50-digit clone) with the value of an integer form; the
 * digits are kept as they are (callers pass values already rounded to the
 * precision, as decimal.js would hold them).
 */
export function decimalFromScaled(value: Scaled): Dec {
  if (value.digits === 0) return ZERO;
  const text = value.coefficient.toString();
  // decimal.js aligns limbs on the decimal point: the first limb holds (e mod 7) + 1 digits.
  const e = value.exponent + text.length - 1;
  const firstLength = (((e % 7) + 7) % 7) + 1;
  const limbs: number[] = [];
  const padded = text.length < firstLength ? text.padEnd(firstLength, '0') : text;
  limbs.push(Number(padded.slice(0, firstLength)));
  for (let at = firstLength; at < padded.length; at += 7) {
    const chunk = padded.slice(at, at + 7);
    limbs.push(Number(chunk.length < 7 ? chunk.padEnd(7, '0') : chunk));
  }
  while (limbs.length > 1 && limbs[limbs.length - 1] === 0) limbs.pop();
  // The clone's copy constructor takes any object that says it is a decimal (decimal.js isDecimalInstance).
  return new PrivateDecimal({ s: 1, e, d: limbs, toStringTag: '[object Decimal]' } as unknown as Dec);
}

/** Rounds coefficient * 10^exponent (coefficient >= 0 with `digits` or `digits - 1` digits) to 50 significant digits, half-even. */
function roundSignificant(coefficient: bigint, exponent: number, digits: number): Scaled {
  if (coefficient === 0n) return ZERO_SCALED;
  if (coefficient < powerOfTen(digits - 1)) digits -= 1;
  const excess = digits - SIGNIFICANT_DIGITS;
  if (excess <= 0) return { coefficient, exponent, digits };
  const divisor = powerOfTen(excess);
  let quotient = coefficient / divisor;
  // Half of 10^excess is 5 x 10^(excess-1): the remainder compares with it directly. A product and a difference
  // are quicker than a second division (300,000 roundings of 97 digits to 50: 76-81 ms against 101-108 ms).
  const remainder = coefficient - quotient * divisor;
  const half = halfPowerOfTen(excess);
  if (remainder > half || (remainder === half && (quotient & 1n) === 1n)) quotient += 1n;
  if (quotient === powerOfTen(SIGNIFICANT_DIGITS)) return { coefficient: powerOfTen(SIGNIFICANT_DIGITS - 1), exponent: exponent + excess + 1, digits: SIGNIFICANT_DIGITS };
  return { coefficient: quotient, exponent: exponent + excess, digits: SIGNIFICANT_DIGITS };
}

/** A value rounded to 50 significant digits, half-even: what decimal.js holds after any operation on it (`ZERO.plus(value)`). */
export function roundScaled(value: Scaled): Scaled {
  return value.digits <= SIGNIFICANT_DIGITS ? value : roundSignificant(value.coefficient, value.exponent, value.digits);
}

/** a / b, rounded to 50 significant digits half-even: what the clone's `a.div(b)` gives. b must not be 0. */
export function divideScaled(a: Scaled, b: Scaled): Scaled {
  if (b.digits === 0) throw new RangeError('division by zero');
  if (a.digits === 0) return ZERO_SCALED;
  // a/b lies in (10^(da-db-1), 10^(da-db+1)); times 10^shift it has 50 or 51 digits before the point.
  const shift = SIGNIFICANT_DIGITS - (a.digits - b.digits);
  const top = shift >= 0 ? a.coefficient * powerOfTen(shift) : a.coefficient;
  const bottom = shift >= 0 ? b.coefficient : b.coefficient * powerOfTen(-shift);
  let quotient = top / bottom;
  const remainder = top - quotient * bottom;
  let exponent = a.exponent - b.exponent - shift;
  const limit = powerOfTen(SIGNIFICANT_DIGITS);
  if (quotient >= limit) {
    // 51 digits: the last one and the remainder decide the rounding.
    const kept = quotient / 10n;
    const last = quotient - kept * 10n;
    quotient = kept;
    exponent += 1;
    if (last > 5n || (last === 5n && (remainder !== 0n || (quotient & 1n) === 1n))) quotient += 1n;
  } else {
    const twiceRemainder = remainder * 2n;
    if (twiceRemainder > bottom || (twiceRemainder === bottom && (quotient & 1n) === 1n)) quotient += 1n;
  }
  if (quotient === limit) return { coefficient: powerOfTen(SIGNIFICANT_DIGITS - 1), exponent: exponent + 1, digits: SIGNIFICANT_DIGITS };
  return { coefficient: quotient, exponent, digits: SIGNIFICANT_DIGITS };
}

/** Decimal places of a value written without trailing zeros (decimal.js `decimalPlaces`). */
export function scaledDecimalPlaces(value: Scaled): number {
  if (value.digits === 0 || value.exponent >= 0) return 0;
  let places = -value.exponent;
  let coefficient = value.coefficient;
  // Trailing zeros of the coefficient are not places; most values have none, so this rarely loops.
  while (places > 0 && coefficient % 10n === 0n) {
    coefficient /= 10n;
    places -= 1;
  }
  return places;
}

/** value * 10^scale as a whole number; the scale must be at least the value's decimal places. */
export function scaledToInteger(value: Scaled, scale: number): bigint {
  if (value.digits === 0) return 0n;
  const shift = value.exponent + scale;
  if (shift >= 0) return value.coefficient * powerOfTen(shift);
  const divisor = powerOfTen(-shift);
  const quotient = value.coefficient / divisor;
  if (quotient * divisor !== value.coefficient) throw new RangeError(`value has more than ${scale} places`);
  return quotient;
}

/** Whether a < b. */
export function scaledLessThan(a: Scaled, b: Scaled): boolean {
  if (a.digits === 0) return b.digits !== 0;
  if (b.digits === 0) return false;
  const magnitudeA = a.exponent + a.digits;
  const magnitudeB = b.exponent + b.digits;
  if (magnitudeA !== magnitudeB) return magnitudeA < magnitudeB;
  const exponent = Math.min(a.exponent, b.exponent);
  return a.coefficient * powerOfTen(a.exponent - exponent) < b.coefficient * powerOfTen(b.exponent - exponent);
}

/**
 * Fixed-point text with `places` decimals, half-even: the text the clone's
 * `toFixed(places, ROUND_HALF_EVEN)` writes for the same value.
 */
/**
 * formatScaled of coefficient x 10^exponent from a double within a few units
 * in the last place of the coefficient, when that settles the text (see
 * formatApproximate); undefined when the caller must format it exactly.
 */
export function formatScaledApproximately(coefficient: number, exponent: number, places: number): string | undefined {
  return formatApproximate(coefficient, exponent + places, places);
}

export function formatScaled(value: Scaled, places: number): string {
  if (value.digits === 0) return formatDigits('0', 0, places);
  const quick = formatApproximate(Number(value.coefficient), value.exponent + places, places);
  if (quick !== undefined) return quick;
  const digits = value.coefficient.toString();
  return formatDigits(digits, value.exponent + digits.length - 1, places);
}


/** a * b rounded to 50 significant digits, half-even: the clone's `a.times(b)`. */
export function multiplyScaled(a: Scaled, b: Scaled): Scaled {
  if (a.digits === 0 || b.digits === 0) return ZERO_SCALED;
  return roundSignificant(a.coefficient * b.coefficient, a.exponent + b.exponent, a.digits + b.digits);
}

/** a + b rounded to 50 significant digits, half-even: the clone's `a.plus(b)`. */
export function addScaled(a: Scaled, b: Scaled): Scaled {
  if (a.digits === 0) return roundScaled(b);
  if (b.digits === 0) return roundScaled(a);
  const exponent = Math.min(a.exponent, b.exponent);
  // The one at the smaller exponent is not multiplied (by 1): a bigint less made.
  const sum =
    (a.exponent === exponent ? a.coefficient : a.coefficient * powerOfTen(a.exponent - exponent)) +
    (b.exponent === exponent ? b.coefficient : b.coefficient * powerOfTen(b.exponent - exponent));
  return roundSignificant(sum, exponent, Math.max(a.digits + a.exponent, b.digits + b.exponent) - exponent + 1);
}

/**
 * values[0] * weights[0] + values[1] * weights[1] + ..., every product and
 * every partial sum rounded to 50 significant digits half-even, left to
 * right: the same decimal as `values[0].times(weights[0]).plus(values[1].times(weights[1]))...`.
 * Values and weights must be non-negative (shares and weights are); anything
 * else goes through decimal.js.
 */
export function sumOfProducts(values: readonly Dec[], weights: readonly Dec[]): Dec {
  if (values.length === 0) return ZERO;
  if (values.some((value) => value.isNegative() || !value.isFinite()) || weights.some((weight) => weight.isNegative() || !weight.isFinite())) {
    let total = values[0]!.times(weights[0]!);
    for (let i = 1; i < values.length; i++) total = total.plus(values[i]!.times(weights[i]!));
    return total;
  }
  let total = multiplyScaled(scaledOf(values[0]!), scaledOf(weights[0]!));
  for (let i = 1; i < values.length; i++) total = addScaled(total, multiplyScaled(scaledOf(values[i]!), scaledOf(weights[i]!)));
  return total.digits === 0 ? ZERO : new PrivateDecimal(`${total.coefficient}e${total.exponent}`);
}

/*
 * Sums over a whole county table (a province's population, its
 * population-weighted income) add a million short figures. decimal.js adds
 * them one object at a time; the accumulator below adds their base-10^7 limbs
 * position by position in doubles, which stay exact integers (every cell is
 * kept below 2^53 by carrying before it could get there). The exact total is
 * what decimal.js gives whenever it has at most 50 significant digits at the
 * smallest place any term uses: then no partial sum (each at most the total,
 * on the same places or coarser ones) ever had more than 50 digits, so none
 * was rounded. Otherwise `total()` says so and the caller adds the slow way.
 */
const ACCUMULATOR_CELLS = 40;
/** Cell of the limb position 0 (units to 10^7 - 1): positions -16 (10^-112) to 21 hold terms, the top ones carries. */
const ACCUMULATOR_OFFSET = 16;
const LIMB = 10_000_000;
/** Carry once a cell could exceed this (below 2^53, about 9.007e15). */
const CELL_BOUND = 8e15;

const LIMB_SCRATCH_A = new Float64Array(4);
const LIMB_SCRATCH_B = new Float64Array(4);

/** The cell of the lowest limb of a figure with `places` decimal places. */
function limbBottom(places: number): number {
  return ACCUMULATOR_OFFSET - Math.ceil(places / 7);
}

/**
 * whole x 10^-places as base-10^7 limbs aligned on the decimal point, lowest
 * first, into `into`: how many (the top one non-zero), or -1 when the figure
 * does not fit (then the caller adds it the slow way).
 */
function limbsOfDigits(whole: number, places: number, into: Float64Array): number {
  const below = Math.ceil(places / 7) * 7 - places;
  let rest = whole * 10 ** below;
  if (!Number.isSafeInteger(whole) || whole < 0 || !Number.isSafeInteger(rest)) return -1;
  let count = 0;
  while (rest > 0) {
    if (count === into.length) return -1;
    const limb = rest % LIMB;
    into[count++] = limb;
    rest = (rest - limb) / LIMB;
  }
  return count;
}

/** Exact sums of non-negative decimals, and of products of two, in the order added (see above). */
export class LimbAccumulator {
  private readonly cells = new Float64Array(ACCUMULATOR_CELLS);
  private low = ACCUMULATOR_CELLS;
  private high = -1;
  /** How large a cell can have grown since the last carry. */
  private bound = 0;
  /** A term did not fit the cells: `total()` is undefined. */
  private unfit = false;

  /** Adds a non-negative finite decimal. */
  add(value: Dec): void {
    const limbs = value.d;
    if (value.s < 0 || !limbs) {
      this.unfit = true;
      return;
    }
    if (limbs[0] === 0 || this.unfit) return;
    // Limbs are aligned on the decimal point: limb j sits at position floor(e / 7) - j.
    const top = Math.floor(value.e / 7) + ACCUMULATOR_OFFSET;
    const bottom = top - limbs.length + 1;
    if (bottom < 0 || top >= ACCUMULATOR_CELLS - 3) {
      this.unfit = true;
      return;
    }
    if (this.bound + LIMB > CELL_BOUND) this.carry();
    const cells = this.cells;
    for (let j = 0; j < limbs.length; j++) cells[top - j] = cells[top - j]! + limbs[j]!;
    this.bound += LIMB;
    if (bottom < this.low) this.low = bottom;
    if (top > this.high) this.high = top;
  }

  /** Adds a * b (both non-negative and finite) exactly. */
  addProduct(a: Dec, b: Dec): void {
    const left = a.d;
    const right = b.d;
    if (a.s < 0 || b.s < 0 || !left || !right || left.length > 3 || right.length > 3) {
      this.unfit = true;
      return;
    }
    if (left[0] === 0 || right[0] === 0 || this.unfit) return;
    const top = Math.floor(a.e / 7) + Math.floor(b.e / 7) + ACCUMULATOR_OFFSET;
    const bottom = top - left.length - right.length + 2;
    if (bottom < 0 || top >= ACCUMULATOR_CELLS - 3) {
      this.unfit = true;
      return;
    }
    // Each product of limbs is below 10^14; at most three of them land in one cell.
    const growth = Math.min(left.length, right.length) * LIMB * LIMB;
    if (this.bound + growth > CELL_BOUND) this.carry();
    const cells = this.cells;
    for (let i = 0; i < left.length; i++) {
      const limb = left[i]!;
      for (let j = 0; j < right.length; j++) cells[top - i - j] = cells[top - i - j]! + limb * right[j]!;
    }
    this.bound += growth;
    if (bottom < this.low) this.low = bottom;
    if (top > this.high) this.high = top;
  }

  /**
   * Adds whole x 10^-places (a figure as a table holds it: a non-negative safe
   * integer of digits and its decimal places), exactly as `add` adds the
   * decimal of the same value, without building the decimal.
   */
  addDigits(whole: number, places: number): void {
    if (whole === 0 || this.unfit) return;
    const count = limbsOfDigits(whole, places, LIMB_SCRATCH_A);
    if (count < 0) {
      this.unfit = true;
      return;
    }
    this.addLimbs(LIMB_SCRATCH_A, count, limbBottom(places));
  }

  /** Adds (wholeA x 10^-placesA) x (wholeB x 10^-placesB) exactly, as `addProduct` adds the product of their decimals. */
  addDigitsProduct(wholeA: number, placesA: number, wholeB: number, placesB: number): void {
    if (wholeA === 0 || wholeB === 0 || this.unfit) return;
    const countA = limbsOfDigits(wholeA, placesA, LIMB_SCRATCH_A);
    const countB = limbsOfDigits(wholeB, placesB, LIMB_SCRATCH_B);
    if (countA < 0 || countB < 0) {
      this.unfit = true;
      return;
    }
    // Limb i of a (position bottomA + i) times limb j of b lands at position bottomA + bottomB + i + j.
    const bottom = limbBottom(placesA) + limbBottom(placesB) - ACCUMULATOR_OFFSET;
    const top = bottom + countA + countB - 2;
    if (bottom < 0 || top >= ACCUMULATOR_CELLS - 3) {
      this.unfit = true;
      return;
    }
    const growth = Math.min(countA, countB) * LIMB * LIMB;
    if (this.bound + growth > CELL_BOUND) this.carry();
    const cells = this.cells;
    let low = ACCUMULATOR_CELLS;
    for (let i = 0; i < countA; i++) {
      const limb = LIMB_SCRATCH_A[i]!;
      for (let j = 0; j < countB; j++) {
        const product = limb * LIMB_SCRATCH_B[j]!;
        if (product !== 0 && bottom + i + j < low) low = bottom + i + j;
        cells[bottom + i + j] = cells[bottom + i + j]! + product;
      }
    }
    this.bound += growth;
    if (low < this.low) this.low = low;
    if (top > this.high) this.high = top;
  }

  /** Adds `count` limbs (lowest first) from cell `bottom` up; the lowest non-zero one sets `low`, as a decimal's limbs would. */
  private addLimbs(limbs: Float64Array, count: number, bottom: number): void {
    const top = bottom + count - 1;
    if (bottom < 0 || top >= ACCUMULATOR_CELLS - 3) {
      this.unfit = true;
      return;
    }
    if (this.bound + LIMB > CELL_BOUND) this.carry();
    const cells = this.cells;
    let low = ACCUMULATOR_CELLS;
    for (let i = 0; i < count; i++) {
      const limb = limbs[i]!;
      if (limb !== 0 && bottom + i < low) low = bottom + i;
      cells[bottom + i] = cells[bottom + i]! + limb;
    }
    this.bound += LIMB;
    if (low < this.low) this.low = low;
    if (top > this.high) this.high = top;
  }

  private carry(): void {
    const cells = this.cells;
    for (let k = this.low; k < ACCUMULATOR_CELLS - 1; k++) {
      const value = cells[k]!;
      if (value < LIMB) continue;
      // fmod of doubles is exact, and so is dividing the multiple of 10^7 left.
      const rest = value % LIMB;
      cells[k] = rest;
      cells[k + 1] = cells[k + 1]! + (value - rest) / LIMB;
      if (k + 1 > this.high) this.high = k + 1;
    }
    this.bound = LIMB;
  }

  /**
   * Adds coefficient x 10^-places (a whole number >= 0, of any size), as
   * adding terms that sum to it would add it; the lowest place those terms
   * touched, which `total` writes the sum to, is told by `touched` (see
   * PackedSums).
   */
  addSum(coefficient: bigint, places: number): void {
    if (coefficient === 0n || this.unfit) return;
    const up = Math.ceil(places / 7);
    let rest = coefficient * powerOfTen(up * 7 - places);
    let cell = ACCUMULATOR_OFFSET - up;
    if (cell < 0) {
      this.unfit = true;
      return;
    }
    if (this.bound + LIMB > CELL_BOUND) this.carry();
    const cells = this.cells;
    while (rest > 0n) {
      if (cell >= ACCUMULATOR_CELLS - 3) {
        this.unfit = true;
        return;
      }
      const limb = rest % LIMB_BASE;
      cells[cell] = cells[cell]! + Number(limb);
      rest /= LIMB_BASE;
      cell++;
    }
    this.bound += LIMB;
    if (cell - 1 > this.high) this.high = cell - 1;
  }

  /** Notes that a term added through `addSum` had its lowest non-zero limb in CELL (as addLimbs notes it). */
  touched(cell: number): void {
    if (cell < this.low) this.low = cell;
  }

  /** The total as decimal.js would have added it, or undefined when this accumulator cannot tell (see above). */
  total(): Scaled | undefined {
    if (this.unfit) return undefined;
    if (this.high < 0) return ZERO_SCALED;
    this.carry();
    let coefficient = 0n;
    for (let k = this.high; k >= this.low; k--) coefficient = coefficient * LIMB_BASE + BigInt(this.cells[k]!);
    const digits = bigintDigits(coefficient);
    if (digits > SIGNIFICANT_DIGITS) return undefined;
    return digits === 0 ? ZERO_SCALED : { coefficient, exponent: 7 * (this.low - ACCUMULATOR_OFFSET), digits };
  }
}

/** Partial sums stay below this (2^52), so that every one of them, and each term added to it, is an exact double. */
const PARTIAL_BOUND = 2 ** 52;
/** Terms of more places than this are added to the accumulator one by one. */
const PARTIAL_MAX_PLACES = 28;
/** A packed figure's digits as a whole number are below this (at most nine digits). */
const PACKED_WHOLE_BOUND = 1e9;
/** Products are split at this power of two: a figure below 10^9 (< 2^30) times a part below 2^15 is below 2^45. */
const PRODUCT_SPLIT = 32_768;

/**
 * The limb cell of the lowest non-zero limb of whole x 10^-places (whole > 0
 * and below 10^9, places at most PARTIAL_MAX_PLACES), as limbsOfDigits lays
 * it out from limbBottom(places).
 */
function lowestLimbCell(whole: number, places: number): number {
  let scaled = whole * 10 ** (Math.ceil(places / 7) * 7 - places);
  let cell = limbBottom(places);
  while (scaled % LIMB === 0) {
    scaled /= LIMB;
    cell++;
  }
  return cell;
}

/** Whether PackedSums sums a figure whole x 10^-places itself (else it goes to the accumulator as it is). */
function packable(whole: number, places: number): boolean {
  return whole > 0 && whole < PACKED_WHOLE_BOUND && Number.isInteger(whole) && places >= 0 && places <= PARTIAL_MAX_PLACES;
}

/**
 * Figures packed as digits (whole x 10^-places, whole below 10^9) and
 * products of two, added into a LimbAccumulator many at a time: terms of the
 * same places are summed in a double while that stays exact (below 2^52), a
 * product's in two doubles (the second figure split at 2^15), and each such
 * sum goes into the accumulator once it is full and at `finish`. The
 * accumulator ends with the same total as adding each term with addDigits
 * and addDigitsProduct (property-tested), and the same lowest place touched,
 * which fixes how `total` writes it; a million villages' figures are added in
 * a few milliseconds rather than a few hundred.
 */
export class PackedSums {
  private readonly sums = new Float64Array(PARTIAL_MAX_PLACES + 1);
  private readonly productHighs = new Float64Array(2 * PARTIAL_MAX_PLACES + 1);
  private readonly productLows = new Float64Array(2 * PARTIAL_MAX_PLACES + 1);
  /** The lowest limb cell any term's non-zero limbs reach (ACCUMULATOR_CELLS: none yet). */
  private lowest = ACCUMULATOR_CELLS;

  constructor(private readonly into: LimbAccumulator) {}

  /** Adds whole x 10^-places, as into.addDigits(whole, places) would. */
  add(whole: number, places: number): void {
    if (whole === 0) return;
    if (!packable(whole, places)) {
      this.into.addDigits(whole, places);
      return;
    }
    // A term's lowest limb is at limbBottom(places) or above: worked out only while it could lower the lowest.
    if (this.lowest > limbBottom(places)) {
      const cell = lowestLimbCell(whole, places);
      if (cell < this.lowest) this.lowest = cell;
    }
    const sum = this.sums[places]! + whole;
    if (sum < PARTIAL_BOUND) {
      this.sums[places] = sum;
      return;
    }
    this.into.addSum(BigInt(this.sums[places]!), places);
    this.sums[places] = whole;
  }

  /** Adds (wholeA x 10^-placesA) x (wholeB x 10^-placesB), as into.addDigitsProduct would. */
  addProduct(wholeA: number, placesA: number, wholeB: number, placesB: number): void {
    if (wholeA === 0 || wholeB === 0) return;
    if (!packable(wholeA, placesA) || !packable(wholeB, placesB)) {
      this.into.addDigitsProduct(wholeA, placesA, wholeB, placesB);
      return;
    }
    // The product's lowest non-zero limb is where the two figures' lowest ones meet (see addDigitsProduct).
    if (this.lowest > limbBottom(placesA) + limbBottom(placesB) - ACCUMULATOR_OFFSET) {
      const cell = lowestLimbCell(wholeA, placesA) + lowestLimbCell(wholeB, placesB) - ACCUMULATOR_OFFSET;
      if (cell < this.lowest) this.lowest = cell;
    }
    const places = placesA + placesB;
    const low = wholeB % PRODUCT_SPLIT;
    const high = (wholeB - low) / PRODUCT_SPLIT;
    const highSum = this.productHighs[places]! + wholeA * high;
    const lowSum = this.productLows[places]! + wholeA * low;
    if (highSum < PARTIAL_BOUND && lowSum < PARTIAL_BOUND) {
      this.productHighs[places] = highSum;
      this.productLows[places] = lowSum;
      return;
    }
    this.flushProduct(places);
    this.productHighs[places] = wholeA * high;
    this.productLows[places] = wholeA * low;
  }

  private flushProduct(places: number): void {
    this.into.addSum(BigInt(this.productHighs[places]!) * BigInt(PRODUCT_SPLIT) + BigInt(this.productLows[places]!), places);
  }

  /** Adds what is still summed here into the accumulator: call once, after the last term. */
  finish(): void {
    for (let places = 0; places < this.sums.length; places++) if (this.sums[places] !== 0) this.into.addSum(BigInt(this.sums[places]!), places);
    for (let places = 0; places < this.productHighs.length; places++) {
      if (this.productHighs[places] !== 0 || this.productLows[places] !== 0) this.flushProduct(places);
    }
    this.sums.fill(0);
    this.productHighs.fill(0);
    this.productLows.fill(0);
    if (this.lowest < ACCUMULATOR_CELLS) this.into.touched(this.lowest);
  }
}
