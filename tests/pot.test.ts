import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decimal } from '../src/core/money.js';
import { allocatePot, kthSmallest, type PotRecipient } from '../src/core/pot.js';

const r = (id: string, weight: string, floor?: bigint, cap?: bigint): PotRecipient => ({ id, weight: decimal(weight), floor, cap });
const amounts = (result: ReturnType<typeof allocatePot>): Record<string, bigint> =>
  Object.fromEntries(result.parts.map((part) => [part.id, part.amount]));

describe('allocatePot: table of cases', () => {
  const cases: { name: string; amount: bigint; recipients: PotRecipient[]; expected: Record<string, bigint>; unallocated?: bigint; floorsReduced?: boolean; capsDropped?: boolean }[] = [
    { name: 'equal weights, leftover fen to the lowest id', amount: 1000n, recipients: [r('c', '1'), r('a', '1'), r('b', '1')], expected: { a: 334n, b: 333n, c: 333n } },
    { name: 'proportional, exact', amount: 1150_00n, recipients: [r('52', '0.9'), r('45', '0.25')], expected: { '52': 900_00n, '45': 250_00n } },
    { name: 'largest remainder wins over id', amount: 10n, recipients: [r('a', '1'), r('b', '2')], expected: { a: 3n, b: 7n } },
    { name: 'zero weight gets nothing without a floor', amount: 100n, recipients: [r('a', '0'), r('b', '1')], expected: { a: 0n, b: 100n } },
    { name: 'floor binds, the rest shared by weight', amount: 10_000n, recipients: [r('a', '0.9', 2_000n), r('b', '0.1', 2_000n)], expected: { a: 8_000n, b: 2_000n } },
    { name: 'cap binds, excess goes to the others', amount: 10_000n, recipients: [r('a', '8', 0n, 5_000n), r('b', '1', 0n, 5_000n), r('c', '1', 0n, 5_000n)], expected: { a: 5_000n, b: 2_500n, c: 2_500n } },
    { name: 'floor and cap bind together', amount: 100n, recipients: [r('a', '100', 10n, 50n), r('b', '1', 10n, 50n), r('c', '10', 10n, 50n)], expected: { a: 50n, b: 10n, c: 40n } },
    { name: 'floors infeasible: reduced ratably', amount: 90n, recipients: [r('a', '1', 50n), r('b', '5', 50n)], expected: { a: 45n, b: 45n }, floorsReduced: true },
    { name: 'floors exactly use the pot', amount: 100n, recipients: [r('a', '1', 50n), r('b', '5', 50n)], expected: { a: 50n, b: 50n } },
    { name: 'caps cannot absorb the pot: dropped', amount: 100n, recipients: [r('a', '3', 0n, 30n), r('b', '1', 0n, 30n)], expected: { a: 75n, b: 25n }, capsDropped: true },
    { name: 'caps exactly absorb the pot', amount: 60n, recipients: [r('a', '3', 0n, 30n), r('b', '1', 0n, 30n)], expected: { a: 30n, b: 30n } },
    { name: 'all weights zero: floors paid, rest unallocated', amount: 100n, recipients: [r('a', '0', 20n), r('b', '0', 30n)], expected: { a: 20n, b: 30n }, unallocated: 50n },
    { name: 'no recipients: everything unallocated', amount: 77n, recipients: [], expected: {}, unallocated: 77n },
    { name: 'zero pot', amount: 0n, recipients: [r('a', '1'), r('b', '2')], expected: { a: 0n, b: 0n } },
    { name: 'one fen over three', amount: 1n, recipients: [r('b', '1'), r('c', '1'), r('a', '1')], expected: { a: 1n, b: 0n, c: 0n } },
  ];
  for (const testCase of cases) {
    it(testCase.name, () => {
      const result = allocatePot(testCase.amount, testCase.recipients);
      expect(amounts(result)).toEqual(testCase.expected);
      expect(result.unallocated).toBe(testCase.unallocated ?? 0n);
      expect(result.floorsReduced).toBe(testCase.floorsReduced ?? false);
      expect(result.capsDropped).toBe(testCase.capsDropped ?? false);
      expect(result.allocated + result.unallocated).toBe(testCase.amount);
    });
  }

  it('reports the binding of each part', () => {
    const result = allocatePot(100n, [r('a', '100', 10n, 50n), r('b', '1', 10n, 50n), r('c', '10', 10n, 50n)]);
    expect(result.parts.map((part) => part.binding)).toEqual(['cap', 'floor', 'share']);
  });

  it('rejects negative amounts and duplicate ids (caller bugs)', () => {
    expect(() => allocatePot(-1n, [r('a', '1')])).toThrow();
    expect(() => allocatePot(1n, [r('a', '1'), r('a', '2')])).toThrow();
  });
});

const recipientsArbitrary = fc
  .uniqueArray(fc.integer({ min: 100000, max: 999999 }).map(String), { minLength: 1, maxLength: 30 })
  .chain((ids) =>
    fc.tuple(
      fc.constant(ids),
      fc.array(fc.tuple(fc.nat(1_000_000), fc.nat(6)), { minLength: ids.length, maxLength: ids.length }),
    ),
  )
  .map(([ids, weights]) => ids.map((id, index) => ({ id, weight: decimal(`${weights[index]![0]}.${String(weights[index]![1]).padStart(1, '0')}`) })));

describe('allocatePot: properties', () => {
  it('parts add up to the pot exactly, none negative, independent of order', () => {
    fc.assert(
      fc.property(recipientsArbitrary, fc.bigInt({ min: 0n, max: 10n ** 14n }), fc.bigInt({ min: 0n, max: 10n ** 8n }), fc.integer({ min: 1, max: 100 }), (recipients, amount, floor, capPercent) => {
        const cap = (amount * BigInt(capPercent)) / 100n;
        const withBounds = recipients.map((recipient) => ({ ...recipient, floor, cap }));
        const result = allocatePot(amount, withBounds);
        expect(result.allocated + result.unallocated).toBe(amount);
        const sum = result.parts.reduce((total, part) => total + part.amount, 0n);
        expect(sum).toBe(result.allocated);
        for (const part of result.parts) expect(part.amount >= 0n).toBe(true);
        const reversed = allocatePot(amount, [...withBounds].reverse());
        const byId = new Map(reversed.parts.map((part) => [part.id, part.amount]));
        for (const part of result.parts) expect(byId.get(part.id)).toBe(part.amount);
      }),
      { numRuns: 300 },
    );
  });

  it('floors and caps are respected when feasible', () => {
    fc.assert(
      fc.property(recipientsArbitrary, fc.bigInt({ min: 1n, max: 10n ** 12n }), (recipients, amount) => {
        const count = BigInt(recipients.length);
        const floor = amount / (count * 2n);
        const cap = (amount * 3n) / count;
        const result = allocatePot(amount, recipients.map((recipient) => ({ ...recipient, floor, cap })));
        expect(result.floorsReduced).toBe(false);
        const anyWeight = recipients.some((recipient) => !recipient.weight.isZero());
        for (const part of result.parts) {
          expect(part.amount >= floor).toBe(true);
          if (anyWeight && !result.capsDropped) expect(part.amount <= cap).toBe(true);
        }
        if (anyWeight) expect(result.unallocated).toBe(0n);
      }),
      { numRuns: 300 },
    );
  });

  it('without floors or caps each part is within one fen of its exact share', () => {
    fc.assert(
      fc.property(recipientsArbitrary, fc.bigInt({ min: 0n, max: 10n ** 12n }), (recipients, amount) => {
        const result = allocatePot(amount, recipients);
        const total = recipients.reduce((sum, recipient) => sum.plus(recipient.weight), decimal('0'));
        if (total.isZero()) return;
        for (const [index, part] of result.parts.entries()) {
          const exact = recipients[index]!.weight.div(total).times(decimal(amount.toString()));
          expect(exact.minus(decimal(part.amount.toString())).abs().lessThan(decimal('1'))).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('kthSmallest: the largest remainders threshold', () => {
  it('gives what sorting ascending puts at k, for any values and k (many equal values too), and keeps the same values', () => {
    const value = fc.oneof(fc.double({ noNaN: true, min: 0, max: 1e30 }), fc.integer({ min: 0, max: 5 }), fc.constant(1e15));
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 400 }), fc.nat(), (values, pick) => {
        const k = pick % values.length;
        const sorted = Float64Array.from(values).sort();
        const work = Float64Array.from(values);
        expect(kthSmallest(work, k)).toBe(sorted[k]);
        expect(Float64Array.from(work).sort()).toEqual(sorted);
      }),
      { numRuns: 2000 },
    );
  });

  it('selects in long runs of sorted, reversed and equal values (where a poor pivot would partition often)', () => {
    const n = 100_000;
    const ascending = Float64Array.from({ length: n }, (_, index) => index);
    for (const values of [ascending, ascending.slice().reverse(), new Float64Array(n).fill(7), Float64Array.from({ length: n }, (_, index) => index % 3)]) {
      const sorted = values.slice().sort();
      for (const k of [0, 1, n >> 1, n - 2, n - 1]) expect(kthSmallest(values.slice(), k)).toBe(sorted[k]);
    }
    expect(() => kthSmallest(new Float64Array(3), 3)).toThrow(RangeError);
  });
});
