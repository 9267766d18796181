/**
 * AmountStore keeps every county's amounts column by column; CountyAmounts
 * reads one county's as a map. Pinned here: it behaves as the Map it
 * replaced (get/has/set/delete/size/iteration), amounts beyond 64 bits
 * included.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { County } from '../src/core/counties.js';
import { AmountStore, anyCountyHas, countiesColumnSum, CountyAmounts, CountyRecord, everyCountyHas, sharedAmountStore } from '../src/core/state.js';

/** One county's amount in one column set (to an amount within ±largest) or deleted (amount undefined). */
const setOrDelete = (counties: number, columns: readonly string[], largest: bigint) =>
  fc.record({
    county: fc.integer({ min: 0, max: counties - 1 }),
    column: fc.constantFrom(...columns),
    amount: fc.option(fc.bigInt({ min: -largest, max: largest }), { nil: undefined }),
  });

describe('AmountStore', () => {
  it("a column's setter sets as set does, amounts beyond 64 bits too, and makes its column when asked for (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.record({ county: fc.integer({ min: 0, max: 4 }), column: fc.constantFrom('a', 'b', 'c'), amount: fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }) }), { maxLength: 30 }), (writes) => {
        const bySet = new AmountStore(5);
        const bySetter = new AmountStore(5);
        const setters = new Map<string, (index: number, amount: bigint) => void>();
        for (const { county, column, amount } of writes) {
          bySet.set(column, county, amount);
          let setter = setters.get(column);
          if (setter === undefined) setters.set(column, (setter = bySetter.setterOf(column)));
          setter(county, amount);
        }
        expect(bySetter.names).toEqual(bySet.names);
        for (let county = 0; county < 5; county++) expect([...new CountyAmounts(bySetter, county)]).toEqual([...new CountyAmounts(bySet, county)]);
      }),
      { numRuns: 300 },
    );
  });

  it('sets a whole column as setting each county would: every county has its value, a wide one before is gone, columns keep the order made', () => {
    const store = new AmountStore(3);
    store.set('refund_total', 1, 2n ** 70n);
    store.setColumn('relocation', BigInt64Array.from([1n, -2n, 3n]));
    store.setColumn('refund_total', BigInt64Array.from([0n, 5n, 0n]));
    const byCounty = [0, 1, 2].map((index) => [...new CountyAmounts(store, index)]);
    expect(byCounty).toEqual([
      [['refund_total', 0n], ['relocation', 1n]],
      [['refund_total', 5n], ['relocation', -2n]],
      [['refund_total', 0n], ['relocation', 3n]],
    ]);
    expect(() => store.setColumn('relocation', new BigInt64Array(2))).toThrow(/3 counties/);
  });

  it('reads back what was set, per county and column, and nothing else', () => {
    const store = new AmountStore(3);
    const first = new CountyAmounts(store, 0);
    const second = new CountyAmounts(store, 1);
    first.set('special_poverty_central', 123_45n).set('total', 0n);
    second.set('total', -5n);
    expect(first.get('special_poverty_central')).toBe(12345n);
    expect(first.get('total')).toBe(0n);
    expect(first.has('total')).toBe(true);
    expect(second.has('special_poverty_central')).toBe(false);
    expect(second.get('special_poverty_central')).toBeUndefined();
    expect(second.get('total')).toBe(-5n);
    expect(new CountyAmounts(store, 2).size).toBe(0);
    expect([...first]).toEqual([
      ['special_poverty_central', 12345n],
      ['total', 0n],
    ]);
    expect(first.delete('total')).toBe(true);
    expect(first.delete('total')).toBe(false);
    expect(first.has('total')).toBe(false);
    expect(first.size).toBe(1);
  });

  it('keeps amounts beyond 64 bits exactly', () => {
    const store = new AmountStore(2);
    const amounts = new CountyAmounts(store, 1);
    const huge = 10n ** 30n + 7n;
    amounts.set('total', huge);
    expect(amounts.get('total')).toBe(huge);
    amounts.set('total', -(2n ** 63n));
    expect(amounts.get('total')).toBe(-(2n ** 63n));
    amounts.set('total', 2n ** 63n);
    expect(amounts.get('total')).toBe(2n ** 63n);
    amounts.set('total', 1n);
    expect(amounts.get('total')).toBe(1n);
  });

  it('behaves as a Map under any sequence of sets and deletes (entries in the order columns were first set)', () => {
    const columns = ['a', 'b', 'c', 'total'];
    const operation = setOrDelete(3, columns, 10n ** 25n);
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 40 }), (operations) => {
        const store = new AmountStore(3);
        const views = [0, 1, 2].map((index) => new CountyAmounts(store, index));
        const maps = [0, 1, 2].map(() => new Map<string, bigint>());
        const firstSet: string[] = [];
        for (const { county, column, amount } of operations) {
          if (amount === undefined) {
            expect(views[county]!.delete(column)).toBe(maps[county]!.delete(column));
          } else {
            views[county]!.set(column, amount);
            maps[county]!.set(column, amount);
            if (!firstSet.includes(column)) firstSet.push(column);
          }
        }
        views.forEach((view, county) => {
          const map = maps[county]!;
          expect(view.size).toBe(map.size);
          for (const column of columns) {
            expect(view.get(column)).toBe(map.get(column));
            expect(view.has(column)).toBe(map.has(column));
          }
          const expected = firstSet.filter((column) => map.has(column)).map((column) => [column, map.get(column)]);
          expect([...view.entries()]).toEqual(expected);
          const seen: [string, bigint][] = [];
          view.forEach((amount, column) => seen.push([column, amount]));
          expect(seen).toEqual(expected);
        });
      }),
    );
  });

  it('is read whole for the counties of a run, with the same answers as county by county (property)', () => {
    const columns = ['a', 'b', 'total'];
    const operation = setOrDelete(4, columns, 2n ** 70n);
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 30 }), (operations) => {
        const counties = [0, 1, 2, 3].map((index) => ({ code: `52011${index}` }) as County);
        const store = new AmountStore(counties.length);
        const inStore = counties.map((county, index) => CountyRecord.inStore(county, store, index));
        const ownMaps = counties.map((county) => CountyRecord.alone(county));
        for (const { county, column, amount } of operations) {
          for (const list of [inStore, ownMaps]) {
            if (amount === undefined) list[county]!.amounts.delete(column);
            else list[county]!.amounts.set(column, amount);
          }
        }
        expect(sharedAmountStore(inStore)).toBe(store);
        expect(sharedAmountStore(ownMaps)).toBeUndefined();
        // A part of the run, or the run in another order, is read county by county.
        const part = inStore.slice(1);
        const reversed = [...inStore].reverse();
        expect(sharedAmountStore(part)).toBeUndefined();
        expect(sharedAmountStore(reversed)).toBeUndefined();
        for (const column of [...columns, 'never']) {
          const expected = {
            any: ownMaps.some((countyState) => countyState.amounts.has(column)),
            every: ownMaps.every((countyState) => countyState.amounts.has(column)),
            sum: ownMaps.reduce((sum, countyState) => sum + (countyState.amounts.get(column) ?? 0n), 0n),
          };
          for (const list of [inStore, ownMaps, reversed]) {
            expect({ any: anyCountyHas(list, column), every: everyCountyHas(list, column), sum: countiesColumnSum(list, column) }).toEqual(expected);
          }
          expect(countiesColumnSum(part, column)).toBe(part.reduce((sum, countyState) => sum + (countyState.amounts.get(column) ?? 0n), 0n));
        }
      }),
    );
  });
});

describe('AmountStore.deleteColumn', () => {
  it('drops the column and its values; the other columns keep their order and values', () => {
    const store = new AmountStore(3);
    store.set('a', 0, 1n);
    store.set('b', 0, 2n);
    store.set('b', 2, 2n ** 70n);
    store.set('c', 1, 3n);
    store.deleteColumn('b');
    store.deleteColumn('missing');
    expect(store.names).toEqual(['a', 'c']);
    expect(store.get('b', 0)).toBeUndefined();
    expect(store.get('b', 2)).toBeUndefined();
    expect([...new CountyAmounts(store, 0)]).toEqual([['a', 1n]]);
    expect([...new CountyAmounts(store, 1)]).toEqual([['c', 3n]]);
    expect([...new CountyAmounts(store, 2)]).toEqual([]);
    store.set('b', 1, 4n);
    expect(store.names).toEqual(['a', 'c', 'b']);
    expect([...new CountyAmounts(store, 1)]).toEqual([['c', 3n], ['b', 4n]]);
  });
});
