/**
 * The integer shortcuts in money.ts must give exactly what decimal.js gives.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { decimal, decimalFromBigInt, floorFenTimes, floorToFen, formatDecimal, formatFenAsWan, formatSafeIntegerQuotient, formatYuan, isYuanCell, parseYuan, safeIntegerQuotientUnits, sumOfProducts, toScaledInteger, unitsText, wholeUnitsText, yuanToFen, ZERO, type Dec } from '../src/core/money.js';

/** The clone money.ts uses (50 digits, half-even); its constructor keeps every digit given. */
const Decimal = ZERO.constructor as new (text: string) => Dec;

/** A non-negative decimal of 1 to 60 significant digits, anywhere from 10^-70 to 10^12 (or 0). */
const anyDecimal = fc.oneof(
  { weight: 1, arbitrary: fc.constant('0') },
  {
    weight: 9,
    arbitrary: fc.tuple(fc.stringMatching(/^[1-9][0-9]{0,59}$/), fc.integer({ min: -70, max: 12 })).map(([digits, exponent]) => `${digits}e${exponent}`),
  },
);

/** decimal.js, left to right, as scoresFromShares used to compute it. */
function reference(values: readonly Dec[], weights: readonly Dec[]): Dec {
  let total = ZERO;
  values.forEach((value, index) => {
    total = total.plus(value.times(weights[index]!));
  });
  return total;
}

describe('sumOfProducts', () => {
  test('equals decimal.js: every product and partial sum rounded to 50 digits, half-even', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(anyDecimal, anyDecimal), { minLength: 1, maxLength: 6 }), (pairs) => {
        // Up to 60 significant digits, more than the precision: the products must still be exact before rounding.
        const values = pairs.map(([value]) => new Decimal(value));
        const weights = pairs.map(([, weight]) => new Decimal(weight));
        const exact = sumOfProducts(values, weights);
        const expected = reference(values, weights);
        expect(exact.toFixed()).toBe(expected.toFixed());
        expect(exact.equals(expected)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  test('halfway cases round to even, and a carry adds a digit', () => {
    // 0.5 x 10^-50 ulp ties: 1.00...005 (51 digits) rounds to 1.00...00; 1.00...015 to 1.00...02.
    const one = decimal('1');
    const tieDown = decimal(`0.${'0'.repeat(50)}5`);
    expect(sumOfProducts([one, tieDown], [one, one]).toFixed()).toBe(reference([one, tieDown], [one, one]).toFixed());
    const nines = decimal(`0.${'9'.repeat(50)}`);
    const tiny = decimal(`0.${'0'.repeat(50)}5`);
    expect(sumOfProducts([nines, tiny], [one, one]).toFixed()).toBe(reference([nines, tiny], [one, one]).toFixed());
    expect(sumOfProducts([], [])).toBe(ZERO);
  });

  test('renormalised weights (the case sweeps spend their time on)', () => {
    const weights = ['0.45', '0.2', '0.2', '0.15'].map((text) => decimal(text).div(decimal('1.003')));
    for (let i = 1; i < 300; i++) {
      const shares = [7, 11, 13, 17].map((prime) => decimal('1').div(decimal(String(i * prime))));
      expect(sumOfProducts(shares, weights).toFixed()).toBe(reference(shares, weights).toFixed());
    }
  });
});

describe('floorFenTimes', () => {
  // hold_harmless: last year's fen times the policy share, rounded down; in integers when decimal.js would round nothing.
  test('equals floorToFen(decimal(fen) x factor) of decimal.js, inside and beyond 50 digits, negatives too', () => {
    const fen = fc.oneof(fc.bigInt({ min: 0n, max: 10n ** 20n }), fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }), fc.bigInt({ min: 0n, max: 10n ** 45n }));
    const factor = fc.oneof(anyDecimal, anyDecimal.map((text) => `-${text}`), fc.constantFrom('0.9', '0.90', '1', '0', '1e3'));
    fc.assert(
      fc.property(fen, factor, (amount, text) => {
        const share = new Decimal(text);
        expect(floorFenTimes(amount, share)).toBe(floorToFen(decimalFromBigInt(amount).times(share)));
      }),
      { numRuns: 3000 },
    );
    // Exactly 50 digits (exact) and 51 (rounded by decimal.js first): 10^25 - 1 twice, 10^25 + 1 and 10^26 - 1.
    for (const [amount, text] of [[10n ** 25n - 1n, `${'9'.repeat(25)}e-25`], [10n ** 26n - 1n, `${'9'.repeat(25)}e-25`], [10n ** 25n + 1n, `${'9'.repeat(26)}e-26`]] as const) {
      expect(floorFenTimes(amount, new Decimal(text))).toBe(floorToFen(decimalFromBigInt(amount).times(new Decimal(text))));
    }
  });
});

describe('toScaledInteger', () => {
  test('equals the digits of the fixed-point text', () => {
    fc.assert(
      fc.property(anyDecimal, fc.integer({ min: 0, max: 20 }), (text, extra) => {
        const value = new Decimal(text);
        const scale = value.decimalPlaces() + extra;
        expect(toScaledInteger(value, scale)).toBe(BigInt(value.toFixed(scale).replace('.', '')));
      }),
      { numRuns: 1000 },
    );
  });

  test('refuses a scale that would drop digits', () => {
    expect(() => toScaledInteger(decimal('1.25'), 1)).toThrow(/more than 1 places/);
    expect(toScaledInteger(decimal('1.25'), 2)).toBe(125n);
    expect(toScaledInteger(decimal('1200'), 0)).toBe(1200n);
    expect(toScaledInteger(ZERO, 3)).toBe(0n);
  });
});

describe('formatYuan', () => {
  // The fen's digits with the point put in, on both sides of 2^53 (where doubles would stop holding them).
  const reference = (fen: bigint): string => {
    const digits = (fen < 0n ? -fen : fen).toString().padStart(3, '0');
    return `${fen < 0n ? '-' : ''}${digits.slice(0, -2)}.${digits.slice(-2)}`;
  };
  test('writes every amount with two decimals, on both sides of 2^53 fen', () => {
    for (const fen of [0n, 1n, -1n, 5n, -5n, 10n, 99n, 100n, -100n, 123456n, 2n ** 53n - 1n, 2n ** 53n, -(2n ** 53n) + 1n, -(2n ** 53n), 10n ** 30n + 7n]) expect(formatYuan(fen)).toBe(reference(fen));
    const near = fc.bigInt({ min: -(2n ** 53n) - 1000n, max: -(2n ** 53n) + 1000n }).chain((low) => fc.constantFrom(low, -low));
    fc.assert(fc.property(fc.oneof(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), fc.bigInt({ min: -1000n, max: 1000n }), near), (fen) => formatYuan(fen) === reference(fen)), { numRuns: 3000 });
  });
});

describe('unitsText', () => {
  test('puts the point in as padding the digits to places + 1 does', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^(0|[1-9][0-9]{0,30})$/), fc.integer({ min: 1, max: 60 }), (digits, places) => {
        const padded = digits.padStart(places + 1, '0');
        expect(unitsText(digits, places)).toBe(`${padded.slice(0, padded.length - places)}.${padded.slice(padded.length - places)}`);
      }),
      { numRuns: 2000 },
    );
  });

  test('wholeUnitsText writes a whole number below 2^53 as unitsText writes its digits', () => {
    const expected = (units: number, places: number): string => (places === 0 ? String(units) : unitsText(String(units), places));
    // Around each power of ten, 2^31 (where V8's integer path for String ends), 2^53, and where the digits' groups of four meet.
    const edges = [0, 1, 9, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 53 - 1, 2 ** 53 - 2, 10_000_9999, 1_0000_0000_0001, ...Array.from({ length: 16 }, (_, exponent) => 10 ** exponent).flatMap((power) => [power - 1, power, power + 1])];
    for (const units of edges) for (let places = 0; places <= 10; places++) expect(wholeUnitsText(units, places)).toBe(expected(units, places));
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: 0, max: 2 ** 31 }), fc.maxSafeNat(), fc.bigInt({ min: 0n, max: 10n ** 13n }).map(Number)), fc.integer({ min: 0, max: 12 }), (units, places) => {
        expect(wholeUnitsText(units, places)).toBe(expected(units, places));
      }),
      { numRuns: 5000 },
    );
    // Outside its range it writes what String and unitsText write.
    expect(wholeUnitsText(2 ** 53, 2)).toBe(unitsText(String(2 ** 53), 2));
    expect(wholeUnitsText(1.5, 0)).toBe('1.5');
  });

  test('safeIntegerQuotientUnits gives the units whose text is the quotient decimal.js rounds, or -1 where doubles cannot tell', () => {
    const exact = (numerator: number, denominator: number, places: number): string =>
      formatDecimal(decimal(String(numerator)).div(decimal(String(denominator))), places);
    const check = (numerator: number, denominator: number, places: number): number => {
      const units = safeIntegerQuotientUnits(numerator, denominator, places);
      if (units >= 0) expect(wholeUnitsText(units, places)).toBe(exact(numerator, denominator, places));
      expect(formatSafeIntegerQuotient(numerator, denominator, places)).toBe(exact(numerator, denominator, places));
      return units;
    };
    // Halves of the last place (ties, to the even neighbour exactly) are not told by doubles; nor is 0, 2^53 or a negative.
    expect(check(1, 2_000_000, 6)).toBe(-1);
    expect(check(3, 2_000_000, 6)).toBe(-1);
    expect(check(0, 7, 6)).toBe(-1);
    expect(safeIntegerQuotientUnits(2 ** 53, 3, 6)).toBe(-1);
    expect(safeIntegerQuotientUnits(-1, 3, 6)).toBe(-1);
    expect(check(1, 3, 6)).toBe(333_333);
    expect(check(2, 3, 6)).toBe(666_667);
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: 0, max: 100_000 }), fc.maxSafeNat()), fc.oneof(fc.integer({ min: 1, max: 1_000_000 }), fc.maxSafeNat()), fc.integer({ min: 0, max: 9 }), (numerator, denominator, places) => {
        check(numerator, Math.max(1, denominator), places);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('parseYuan', () => {
  /** What parseYuan did before it checked the text character by character: a regular expression and two bigints. */
  const byExpression = (text: string): bigint | null => {
    const match = /^(\d+)(?:\.(\d{1,2}))?$/.exec(text);
    return match ? BigInt(match[1]!) * 100n + BigInt((match[2] ?? '').padEnd(2, '0')) : null;
  };

  test('reads what the regular expression reads, the same fen, and refuses what it refuses', () => {
    // Long and short runs of digits, points, signs, spaces and digits \d does not match.
    const unit = fc.constantFrom('0', '1', '5', '9', '.', '-', '+', ' ', 'e', '１', '٣', '/', ':');
    const digits = (min: number, max: number) => fc.stringMatching(new RegExp(`^[0-9]{${min},${max}}$`));
    const texts = fc.oneof(
      fc.string({ unit, maxLength: 20 }),
      fc.tuple(digits(1, 20), fc.constantFrom('', '.', '.5', '.05', '.50', '.500', '.x', '..5')).map(([whole, rest]) => whole + rest),
      fc.tuple(digits(12, 17), digits(0, 3)).map(([whole, places]) => (places === '' ? whole : `${whole}.${places}`)),
    );
    fc.assert(fc.property(texts, (text) => {
      expect(parseYuan(text)).toBe(byExpression(text));
    }), { numRuns: 5_000 });
    for (const text of ['9999999999999.99', '10000000000000.00', '90071992547409.91', '0000000000000000001.5', '', '.', '1.', '.1', '-1.00'])
      expect(parseYuan(text)).toBe(byExpression(text));
    expect(parseYuan('9999999999999.99')).toBe(999999999999999n);
    expect(parseYuan('12345678901234567890.12')).toBe(1234567890123456789012n);
  });
});

describe('yuan cells', () => {
  test('are what /^-?\\d+\\.\\d{2}$/ matches, read to the fen as before (sign, digits, point, two places)', () => {
    const byExpression = (text: string): bigint | null => {
      if (!/^-?\d+\.\d{2}$/.test(text)) return null;
      const negative = text.startsWith('-');
      const [whole, places] = (negative ? text.slice(1) : text).split('.');
      const fen = BigInt(whole!) * 100n + BigInt(places!);
      return negative ? -fen : fen;
    };
    const unit = fc.constantFrom('0', '3', '9', '.', '-', '+', ' ', 'e', '１', '٣');
    const texts = fc.oneof(
      fc.string({ unit, maxLength: 12 }),
      fc.tuple(fc.constantFrom('', '-', '--', '+'), fc.stringMatching(/^[0-9]{0,22}$/), fc.constantFrom('', '.', '.5', '.05', '.500', '.x5', '..50')).map((parts) => parts.join('')),
    );
    fc.assert(
      fc.property(texts, (text) => {
        expect(isYuanCell(text)).toBe(/^-?\d+\.\d{2}$/.test(text));
        expect(yuanToFen(text)).toBe(byExpression(text));
      }),
      { numRuns: 5_000 },
    );
    expect(yuanToFen('-0.00')).toBe(0n);
    expect(yuanToFen('-1234567890123456789.01')).toBe(-123456789012345678901n);
    for (const text of ['', '-', '.00', '-.00', '1.0', '1.000', '1,00', ' 1.00', '1.00 ']) expect(isYuanCell(text)).toBe(false);
  });
});

describe('formatFenAsWan', () => {
  test('is the text decimal.js writes for fen / 1,000,000 (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.bigInt({ min: -(10n ** 24n), max: 10n ** 24n }), fc.bigInt({ min: -3_000_000n, max: 3_000_000n }), fc.constantFrom(0n, 1n, -1n, 1_000_000n, -1_500_000n, 10n ** 6n * 10n ** 12n)), (fen) => {
        expect(formatFenAsWan(fen)).toBe(decimalFromBigInt(fen).div(decimalFromBigInt(1_000_000n)).toFixed());
      }),
      { numRuns: 5_000 },
    );
    expect([formatFenAsWan(1_234_567n), formatFenAsWan(150_000_000n), formatFenAsWan(-1_500n), formatFenAsWan(0n)]).toEqual(['1.234567', '150', '-0.0015', '0']);
  });
});

