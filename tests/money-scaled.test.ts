/**
 * The exact integer forms in money.ts (Scaled: coefficient x 10^exponent) must
 * give, operation by operation, what the 50-digit decimal.js clone gives: the
 * engine computes factor values, shares and scores with them and hands the
 * results on as if decimal.js had computed them.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  addScaled,
  bigintDigits,
  decimalFromScaled,
  decimalPlaces,
  divideScaled,
  formatDecimal,
  formatScaled,
  formatQuotient,
  formatFenFractionAsYuan,
  greatestCommonDivisor,
  multiplyScaled,
  roundScaled,
  scaledDecimalPlaces,
  scaledFromBigInt,
  scaledFromDecimal,
  scaledLessThan,
  scaledToInteger,
  toScaledInteger,
  ZERO,
  type Dec,
  type Scaled,
  ZERO_SCALED,
} from '../src/core/money.js';
import { ScaledColumn } from '../src/core/factors.js';
import { commonScaleIntegersOfScaled } from '../src/core/pot.js';

/** The clone money.ts uses (50 digits, half-even); its constructor keeps every digit given. */
const Decimal = ZERO.constructor as unknown as new (text: string) => Dec;

/** A positive decimal of 1 to 60 significant digits, from 10^-70 to 10^20. */
const positiveText = fc
  .tuple(fc.stringMatching(/^[1-9][0-9]{0,59}$/), fc.integer({ min: -70, max: 20 }))
  .map(([digits, exponent]) => `${digits}e${exponent}`);
/** The same, or 0 now and then. */
const anyText = fc.oneof({ weight: 1, arbitrary: fc.constant('0') }, { weight: 9, arbitrary: positiveText });
/** Figures as a county table has them: whole numbers and numbers with two places. */
const figureText = fc.oneof(
  fc.bigInt({ min: 0n, max: 10n ** 9n }).map(String),
  fc.tuple(fc.bigInt({ min: 0n, max: 10n ** 9n }), fc.integer({ min: 0, max: 99 })).map(([whole, cents]) => `${whole}.${String(cents).padStart(2, '0')}`),
);
const someText = fc.oneof(anyText, figureText);

const scaled = (text: string): Scaled => scaledFromDecimal(new Decimal(text));
/** Same value, same digits, same internal form: decimal.js would not tell them apart. */
function expectSameDecimal(actual: Dec, expected: Dec): void {
  expect(actual.toFixed()).toBe(expected.toFixed());
  expect(actual.equals(expected)).toBe(true);
  expect(actual.e).toBe(expected.e);
  expect([...actual.d]).toEqual([...expected.d]);
}

describe('Scaled arithmetic equals the decimal.js clone', () => {
  test('divideScaled is div: 50 significant digits, half-even', () => {
    fc.assert(
      fc.property(someText, fc.oneof(positiveText, figureText.filter((text) => !/^0(\.00)?$/.test(text))), (a, b) => {
        const expected = new Decimal(a).div(new Decimal(b));
        expectSameDecimal(decimalFromScaled(divideScaled(scaled(a), scaled(b))), expected);
      }),
      { numRuns: 3000 },
    );
  });

  test('divideScaled on exact halves rounds to even, and a carry adds a digit', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 10n ** 49n, max: 10n ** 50n - 1n }), fc.bigInt({ min: 1n, max: 10n ** 30n }), (q, half) => {
        // a / b = q + 1/2 exactly, q of 50 digits: the tie goes to the even neighbour.
        const b = half * 2n;
        const a = q * b + half;
        const expected = new Decimal(a.toString()).div(new Decimal(b.toString()));
        expectSameDecimal(decimalFromScaled(divideScaled(scaledFromBigInt(a), scaledFromBigInt(b))), expected);
      }),
      { numRuns: 500 },
    );
    const nines = `${'9'.repeat(51)}`;
    expectSameDecimal(decimalFromScaled(divideScaled(scaled(nines), scaled('10'))), new Decimal(nines).div(new Decimal('10')));
    expect(() => divideScaled(scaled('1'), scaled('0'))).toThrow(/division by zero/);
  });

  test('multiplyScaled is times, addScaled is plus, roundScaled is ZERO.plus', () => {
    fc.assert(
      fc.property(someText, someText, (a, b) => {
        const x = new Decimal(a);
        const y = new Decimal(b);
        expectSameDecimal(decimalFromScaled(multiplyScaled(scaled(a), scaled(b))), x.times(y));
        expectSameDecimal(decimalFromScaled(addScaled(scaled(a), scaled(b))), x.plus(y));
        expectSameDecimal(decimalFromScaled(roundScaled(scaled(a))), ZERO.plus(x));
      }),
      { numRuns: 3000 },
    );
  });

  test('running sums equal sums of decimals added left to right', () => {
    fc.assert(
      fc.property(fc.array(someText, { minLength: 1, maxLength: 30 }), (texts) => {
        let expected = ZERO;
        let total = scaled('0');
        for (const text of texts) {
          expected = expected.plus(new Decimal(text));
          total = addScaled(total, scaled(text));
        }
        expectSameDecimal(decimalFromScaled(total), expected);
      }),
      { numRuns: 500 },
    );
  });
});

describe('conversions and text', () => {
  test('decimalFromScaled gives the decimal decimal.js builds from the same digits', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 60n }), fc.integer({ min: -80, max: 30 }), (coefficient, exponent) => {
        const value: Scaled = coefficient === 0n ? scaledFromBigInt(0n) : { coefficient, exponent, digits: coefficient.toString().length };
        const expected = new Decimal(`${coefficient}e${exponent}`);
        expectSameDecimal(decimalFromScaled(value), expected);
        // And back: the form read from the limbs has the same value.
        expectSameDecimal(decimalFromScaled(scaledFromDecimal(expected)), expected);
      }),
      { numRuns: 2000 },
    );
  });

  test('formatScaled and formatDecimal write what toFixed writes', () => {
    fc.assert(
      fc.property(someText, fc.integer({ min: 0, max: 14 }), (text, places) => {
        const value = new Decimal(text);
        const expected = value.toFixed(places, 6); // 6: ROUND_HALF_EVEN
        expect(formatScaled(scaled(text), places)).toBe(expected);
        expect(formatDecimal(value, places)).toBe(expected);
      }),
      { numRuns: 3000 },
    );
    // Halves at the last place go to the even neighbour.
    for (const [text, places, expected] of [
      ['0.125', 2, '0.12'],
      ['0.135', 2, '0.14'],
      ['2.5', 0, '2'],
      ['0.0000004', 6, '0.000000'],
      ['0.0000005', 6, '0.000000'],
      ['0.0000015', 6, '0.000002'],
      ['0.00000051', 6, '0.000001'],
      ['123', 3, '123.000'],
    ] as const) {
      expect(formatScaled(scaled(text), places)).toBe(expected);
      expect(new Decimal(text).toFixed(places, 6)).toBe(expected);
    }
  });

  test('decimal places, integers over a scale, comparison and digit counts', () => {
    fc.assert(
      fc.property(someText, someText, fc.integer({ min: 0, max: 5 }), (a, b, extra) => {
        const x = new Decimal(a);
        const places = decimalPlaces(x);
        // Trailing zeros in the coefficient are not places.
        const padded: Scaled = x.isZero() ? scaled(a) : { coefficient: scaled(a).coefficient * 1000n, exponent: scaled(a).exponent - 3, digits: scaled(a).digits + 3 };
        expect(scaledDecimalPlaces(scaled(a))).toBe(places);
        expect(scaledDecimalPlaces(padded)).toBe(places);
        expect(scaledToInteger(padded, places + extra)).toBe(toScaledInteger(x, places + extra));
        expect(scaledLessThan(scaled(a), scaled(b))).toBe(x.lessThan(new Decimal(b)));
        expect(scaledLessThan(padded, scaled(b))).toBe(x.lessThan(new Decimal(b)));
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 400n }), (value) => {
        expect(bigintDigits(value)).toBe(value === 0n ? 0 : value.toString().length);
      }),
      { numRuns: 2000 },
    );
    for (let digits = 1; digits < 120; digits++) {
      const power = 10n ** BigInt(digits - 1);
      expect(bigintDigits(power)).toBe(digits);
      expect(bigintDigits(power * 10n - 1n)).toBe(digits);
    }
  });
});

describe('formatDecimal', () => {
  test('writes what toFixed writes, negative values and carries included', () => {
    const signed = fc.tuple(fc.boolean(), fc.oneof(anyText, figureText, fc.stringMatching(/^9{1,20}(\.9{1,20})?$/), fc.stringMatching(/^0\.0{0,12}[45]0{0,3}[0-9]?$/)));
    fc.assert(
      fc.property(signed, fc.integer({ min: 0, max: 16 }), ([negative, text], places) => {
        const value = new Decimal(negative ? `-${text}` : text);
        expect(formatDecimal(value, places)).toBe(value.toFixed(places, 6));
      }),
      { numRuns: 5000 },
    );
    for (const [text, places] of [
      ['0.5', 0],
      ['1.5', 0],
      ['-0.5', 0],
      ['-0.0000001', 2],
      ['0.995', 2],
      ['9.995', 2],
      ['0.05', 1],
      ['0.15', 1],
      ['0', 3],
      ['-0', 3],
      ['123456789012345678901234567890.123456789', 4],
    ] as const) {
      const value = new Decimal(text);
      expect(formatDecimal(value, places)).toBe(value.toFixed(places, 6));
    }
  });
});

describe('greatestCommonDivisor', () => {
  const euclid = (a: bigint, b: bigint): bigint => {
    let x = a < 0n ? -a : a;
    let y = b < 0n ? -b : b;
    while (y !== 0n) [x, y] = [y, x % y];
    return x;
  };
  test('equals plain Euclid, on numbers with large common factors too', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 80n), max: 10n ** 80n }), fc.bigInt({ min: 0n, max: 10n ** 80n }), fc.bigInt({ min: 1n, max: 10n ** 40n }), (a, b, common) => {
        expect(greatestCommonDivisor(a, b)).toBe(euclid(a, b));
        expect(greatestCommonDivisor(a * common, b * common)).toBe(euclid(a * common, b * common));
      }),
      { numRuns: 3000 },
    );
    // Consecutive Fibonacci numbers: the longest Euclid runs.
    let [f0, f1] = [0n, 1n];
    for (let i = 0; i < 400; i++) [f0, f1] = [f1, f0 + f1];
    expect(greatestCommonDivisor(f1, f0)).toBe(1n);
    expect(greatestCommonDivisor(f1 * 12n, f0 * 18n)).toBe(6n);
    expect(greatestCommonDivisor(0n, 0n)).toBe(0n);
    expect(greatestCommonDivisor(2n ** 300n, 2n ** 200n * 3n)).toBe(2n ** 200n);
  });
});

describe('text from doubles near a half', () => {
  test('formatQuotient, formatFenFractionAsYuan and formatScaled fall back to exact work at and near halves', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 14n }), fc.integer({ min: 0, max: 10 }), fc.bigInt({ min: -3n, max: 3n }), fc.integer({ min: 20, max: 60 }), (m, places, nudge, depth) => {
        // (2m + 1) / 2 units of 10^-places, then nudged by a few units of 10^-depth below that.
        const scale = 10n ** BigInt(depth);
        const numerator = (2n * m + 1n) * scale + nudge;
        const denominator = 2n * 10n ** BigInt(places) * scale;
        if (numerator < 0n) return;
        const exact = new Decimal(numerator.toString()).div(new Decimal(denominator.toString()));
        expect(formatQuotient(numerator, denominator, places)).toBe(exact.toFixed(places, 6));
        expect(formatFenFractionAsYuan(numerator, denominator, places)).toBe(exact.div(new Decimal('100')).toFixed(places, 6));
        const value = scaledFromDecimal(exact);
        expect(formatScaled(value, places)).toBe(exact.toFixed(places, 6));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('ScaledColumn', () => {
  test('gives back every value set, whatever the size of its coefficient (limbs, or aside beyond 57 digits)', () => {
    const coefficient = fc.oneof(
      fc.bigInt({ min: 1n, max: 2n ** 64n }),
      fc.bigInt({ min: 1n, max: 10n ** 50n }),
      fc.bigInt({ min: 1n, max: 10n ** 70n }),
      fc.constantFrom(2n ** 64n - 1n, 2n ** 64n, 2n ** 128n - 1n, 2n ** 128n, 10n ** 57n - 1n, 10n ** 57n),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.option(coefficient, { nil: undefined }), fc.integer({ min: -80, max: 20 })), { minLength: 1, maxLength: 30 }), (entries) => {
        const column = new ScaledColumn(entries.length);
        const expected = entries.map(([value, exponent]) => (value === undefined ? ZERO_SCALED : { coefficient: value, exponent, digits: value.toString().length }));
        // Set twice, in two orders: a later set replaces an earlier one, limbs or aside.
        expected.forEach((scaled, index) => column.set(index, expected[expected.length - 1 - index]!));
        expected.forEach((scaled, index) => column.set(index, scaled));
        expected.forEach((scaled, index) => expect(column.get(index)).toEqual(scaled));
      }),
    );
  });
});

describe('ScaledColumn.format', () => {
  test('writes what formatScaled writes for the value it holds, halves and long coefficients included', () => {
    const coefficient = fc.oneof(
      fc.bigInt({ min: 1n, max: 10n ** 50n }),
      fc.bigInt({ min: 1n, max: 10n ** 70n }),
      // Exactly on a half at some place, and next to it.
      fc.tuple(fc.bigInt({ min: 1n, max: 10n ** 20n }), fc.integer({ min: 1, max: 30 }), fc.constantFrom(-1n, 0n, 1n)).map(([units, zeros, nudge]) => (units * 10n + 5n) * 10n ** BigInt(zeros) + nudge),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(coefficient, fc.integer({ min: -60, max: 5 })), { minLength: 1, maxLength: 20 }), fc.integer({ min: 0, max: 12 }), (entries, places) => {
        const column = new ScaledColumn(entries.length + 1);
        entries.forEach(([value, exponent], index) => column.set(index, { coefficient: value, exponent, digits: value.toString().length }));
        entries.forEach((_, index) => expect(column.format(index, places)).toBe(formatScaled(column.get(index), places)));
        expect(column.format(entries.length, places)).toBe(formatScaled(ZERO_SCALED, places));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('ScaledColumn.commonScaleIntegers', () => {
  test('gives the integers commonScaleIntegersOfScaled gives: trailing zeros, zeros, limbs of every size and coefficients kept aside', () => {
    const coefficient = fc.oneof(
      fc.bigInt({ min: 1n, max: 10n ** 19n }),
      fc.bigInt({ min: 1n, max: 10n ** 57n - 1n }),
      // Ending in zeros (their places are fewer than the exponent says), and limb edges.
      fc.tuple(fc.bigInt({ min: 1n, max: 10n ** 20n }), fc.integer({ min: 1, max: 30 })).map(([units, zeros]) => units * 10n ** BigInt(zeros)),
      fc.constantFrom(2n ** 32n, 2n ** 64n - 1n, 2n ** 64n, 2n ** 96n, 2n ** 128n - 1n, 2n ** 128n, 2n ** 160n, 10n ** 57n - 1n, 10n ** 57n, 10n ** 60n + 7n),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.option(coefficient, { freq: 8, nil: undefined }), fc.integer({ min: -40, max: 5 })), { minLength: 1, maxLength: 25 }), (entries) => {
        const column = new ScaledColumn(entries.length);
        entries.forEach(([value, exponent], index) => column.set(index, value === undefined ? ZERO_SCALED : { coefficient: value, exponent, digits: value.toString().length }));
        expect(column.commonScaleIntegers()).toEqual(commonScaleIntegersOfScaled(column));
      }),
      { numRuns: 2000 },
    );
  });

  test('reads the last digit of a coefficient from its words: one entry of many places ending in 0 does not set the scale', () => {
    const column = new ScaledColumn(3);
    // 1.5 (15 x 10^-1), 2.50 (250 x 10^-2: one place), 0.25 (25 x 10^-2).
    column.set(0, { coefficient: 15n, exponent: -1, digits: 2 });
    column.set(1, { coefficient: 250n, exponent: -2, digits: 3 });
    column.set(2, { coefficient: 25n, exponent: -2, digits: 2 });
    expect(column.commonScaleIntegers()).toEqual([150n, 250n, 25n]);
    column.set(2, { coefficient: 2n ** 64n * 10n, exponent: -2, digits: 21 });
    // Now no entry needs two places: scale 1.
    expect(column.commonScaleIntegers()).toEqual([15n, 25n, 2n ** 64n]);
  });
});
