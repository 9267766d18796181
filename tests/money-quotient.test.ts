/**
 * The integer formatting of quotients (audit values such as exact_yuan and
 * share_of_pool) writes the very text decimal.js writes: the quotient rounded
 * to 50 significant digits half-even, then to the places half-even.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decimalFromBigInt, FEN_PER_YUAN, formatDecimal, formatFenFractionAsYuan, formatQuotient } from '../src/core/money.js';

const viaDecimal = (numerator: bigint, denominator: bigint, shift: boolean, places: number): string => {
  let value = decimalFromBigInt(numerator).div(decimalFromBigInt(denominator));
  if (shift) value = value.div(decimalFromBigInt(FEN_PER_YUAN));
  return formatDecimal(value, places);
};

describe('formatQuotient and formatFenFractionAsYuan', () => {
  it('agree with decimal.js on random big fractions', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 70n }), fc.bigInt({ min: 1n, max: 10n ** 70n }), fc.integer({ min: 0, max: 12 }), (numerator, denominator, places) => {
        expect(formatQuotient(numerator, denominator, places)).toBe(viaDecimal(numerator, denominator, false, places));
        expect(formatFenFractionAsYuan(numerator, denominator, places)).toBe(viaDecimal(numerator, denominator, true, places));
      }),
      { numRuns: 2000 },
    );
  });

  it('agree on ties and near-ties (small denominators, and quotients just at 50 digits)', () => {
    const cases: [bigint, bigint][] = [[1n, 2n], [5n, 8n], [25n, 1000n], [125n, 10000000n], [15n, 16n], [10n ** 50n - 1n, 1n], [10n ** 51n - 5n, 10n], [2n * 10n ** 50n + 1n, 2n], [7n, 1n], [0n, 3n], [1n, 3n], [2n, 3n], [999999995n, 1000n]];
    for (const [numerator, denominator] of cases) {
      for (let places = 0; places <= 10; places++) {
        expect(formatQuotient(numerator, denominator, places)).toBe(viaDecimal(numerator, denominator, false, places));
        expect(formatFenFractionAsYuan(numerator, denominator, places)).toBe(viaDecimal(numerator, denominator, true, places));
      }
    }
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 12n }), fc.constantFrom(1n, 2n, 4n, 8n, 16n, 20n, 40n, 125n, 200n, 3n, 7n), fc.integer({ min: 0, max: 8 }), (numerator, denominator, places) => {
        expect(formatQuotient(numerator, denominator, places)).toBe(viaDecimal(numerator, denominator, false, places));
        expect(formatFenFractionAsYuan(numerator, denominator, places)).toBe(viaDecimal(numerator, denominator, true, places));
      }),
      { numRuns: 2000 },
    );
  });
});
