/**
 * allocatePot, allocatePotByIntegers and allocatePotColumns take shortcuts on
 * large pools (every recipient strictly between its bounds: no search;
 * largest remainders chosen by threshold instead of a full sort). They must
 * give exactly what the plain algorithm gives (tests/support/pot-reference.ts),
 * bindings and exact fractions included.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { decimal } from '../src/core/money.js';
import { allocatePot, allocatePotAsColumns, allocatePotByIntegers, allocatePotColumns, type PotResult } from '../src/core/pot.js';
import { allocatePot as referencePot, allocatePotByIntegers as referenceByIntegers } from './support/pot-reference.js';

const same = (actual: PotResult, expected: unknown): void => {
  expect(JSON.parse(JSON.stringify(actual, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value)))).toEqual(
    JSON.parse(JSON.stringify(expected, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value))),
  );
};

/** Recipients with few distinct weights (so remainders tie), floors and caps often shared, sometimes bound. */
const recipients = fc
  .tuple(
    fc.array(fc.bigInt({ min: 0n, max: 50n }), { minLength: 1, maxLength: 4 }),
    fc.array(fc.tuple(fc.nat(3), fc.oneof(fc.constant(0n), fc.bigInt({ min: 0n, max: 3000n })), fc.option(fc.bigInt({ min: 0n, max: 9000n }), { nil: undefined }), fc.boolean()), {
      minLength: 1,
      maxLength: 30,
    }),
    fc.oneof(fc.constant(1n), fc.constant(10n ** 40n), fc.bigInt({ min: 1n, max: 10n ** 12n })),
    fc.boolean(),
  )
  .map(([weights, rows, scale, uniform]) =>
    rows.map(([which, floor, cap, zero], index) => ({
      // Codes in scrambled order, so that ties by id are not ties by position.
      id: String(100000 + ((index * 7919) % 100003)),
      weight: zero ? 0n : weights[which % weights.length]! * scale,
      floor: uniform ? rows[0]![1] : floor,
      cap: uniform ? rows[0]![2] : cap,
    })),
  );

describe('pot shortcuts give what the plain algorithm gives', () => {
  test('allocatePotByIntegers and allocatePotColumns', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 200_000n }), recipients, (amount, given) => {
        const expected = referenceByIntegers(amount, given);
        same(allocatePotByIntegers(amount, given), expected);
        same(
          allocatePotColumns(amount, {
            ids: given.map((recipient) => recipient.id),
            idsUnique: true,
            weights: given.map((recipient) => recipient.weight),
            floors: given.map((recipient) => recipient.floor),
            caps: given.map((recipient) => recipient.cap),
          }),
          expected,
        );
      }),
      { numRuns: 3000 },
    );
  });

  test('allocatePot with decimal weights', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 200_000n }), recipients, fc.nat(6), (amount, given, places) => {
        const withDecimals = given.map((recipient) => ({ ...recipient, weight: decimal(`${recipient.weight}`).div(decimal(`1${'0'.repeat(places)}`)) }));
        same(allocatePot(amount, withDecimals), referencePot(amount, withDecimals));
      }),
      { numRuns: 1000 },
    );
  });

  test('many recipients tied on the remainder: the fen go by ascending id', () => {
    const ids = Array.from({ length: 2000 }, (_, index) => String(500000 - index * 3));
    const given = ids.map((id, index) => ({ id, weight: index % 3 === 0 ? 7n : 3n }));
    for (const amount of [0n, 1n, 999n, 12_345n, 10_000_001n]) same(allocatePotByIntegers(amount, given), referenceByIntegers(amount, given));
  });
});

describe('allocatePotAsColumns', () => {
  test('without floors and caps (a split in proportion to the amounts) gives what the plain algorithm gives, and what explicit floors of 0 and no caps give (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 15n }), recipients, fc.boolean(), (amount, given, allZero) => {
        const ids = given.map((recipient) => recipient.id);
        const weights = allZero ? given.map(() => 0n) : given.map((recipient) => recipient.weight);
        const plain = allocatePotAsColumns(amount, { ids, idsUnique: true, weights });
        const explicit = allocatePotAsColumns(amount, { ids, idsUnique: true, weights, floors: weights.map(() => 0n), caps: weights.map(() => undefined) });
        same(plain.toPotResult(), explicit.toPotResult());
        same(plain.toPotResult(), referenceByIntegers(amount, ids.map((id, index) => ({ id, weight: weights[index]! }))));
        expect(plain.exactDenominator).toBe(explicit.exactDenominator);
        expect(plain.amounts().reduce((sum, value) => sum + value, 0n)).toBe(plain.allocated);
        if (weights.every((weight) => weight === 0n)) expect(plain.unallocated).toBe(amount);
        else expect(plain.allocated).toBe(amount);
      }),
      { numRuns: 2000 },
    );
  });

  test('without floors and caps still refuses duplicate ids it is not told are distinct', () => {
    expect(() => allocatePotAsColumns(10n, { ids: ['520111', '520111'], weights: [1n, 2n] })).toThrow(/duplicate ids/);
    expect(allocatePotAsColumns(10n, { ids: [], weights: [] }).allocated).toBe(0n);
  });

  test('gives each part by accessor as allocatePotColumns gives it, amounts beyond 64 bits included', () => {
    for (const amount of [0n, 7n, 10n ** 12n + 3n, 2n ** 70n + 1n]) {
      const columns = { ids: ['520111', '520112', '520113'], idsUnique: true, weights: [3n, 0n, 5n], floors: [1n, 2n, 0n] };
      const asColumns = allocatePotAsColumns(amount, columns);
      const parts = allocatePotColumns(amount, columns).parts;
      expect(asColumns.length).toBe(parts.length);
      expect(asColumns.amounts()).toEqual(parts.map((part) => part.amount));
      parts.forEach((part, index) => {
        expect(asColumns.amount(index)).toBe(part.amount);
        expect(asColumns.binding(index)).toBe(part.binding);
        expect(asColumns.exactNumerator(index)).toBe(part.exactNumerator);
        expect(asColumns.exactDenominator).toBe(part.exactDenominator);
        expect(asColumns.roundingFenOf(index)).toBe(part.roundingFen);
      });
      expect(asColumns.amounts().reduce((sum, value) => sum + value, 0n)).toBe(asColumns.allocated);
    }
  });
});
