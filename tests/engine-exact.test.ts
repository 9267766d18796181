/**
 * The engine computes province aggregates, county factor values, shares,
 * scores and the stage-2 cap in exact integer arithmetic. Each must give
 * exactly the decimals that decimal.js (the 50-digit clone) gives step by
 * step, which is what the functions kept as references compute.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCountiesCsv, type County } from '../src/core/counties.js';
import { parseReference } from '../src/core/reference.js';
import { ROOT } from './helpers.js';
import { aggregateColumn, aggregateColumnByDecimals, aggregateColumns, countyFactorValues, countyGroupScores, factorShares, scoresFromShares, SHARES_KEPT_UP_TO, withSharesKeptUpTo } from '../src/core/factors.js';
import { decimal, formatDecimal, formatScaled, LimbAccumulator, PackedSums, ZERO, type Dec } from '../src/core/money.js';
import type { FactorSpec, Policy } from '../src/core/policy.js';
import { countyCapByDecimals, countyCapByIntegers } from '../src/core/rules/special-poverty-counties.js';

const reference = parseReference(readFileSync(join(ROOT, 'data', 'provinces.csv'), 'utf8'), readFileSync(join(ROOT, 'data', 'contiguous_areas.csv'), 'utf8'));

const Decimal = ZERO.constructor as unknown as new (text: string) => Dec;

/** A figure as county tables have them (whole numbers, two places), now and then a long or extreme one. */
const figureText = fc.oneof(
  { weight: 6, arbitrary: fc.bigInt({ min: 1n, max: 10n ** 8n }).map(String) },
  { weight: 6, arbitrary: fc.tuple(fc.bigInt({ min: 0n, max: 10n ** 6n }), fc.integer({ min: 1, max: 99 })).map(([whole, cents]) => `${whole}.${String(cents).padStart(2, '0')}`) },
  { weight: 1, arbitrary: fc.constant('0') },
  { weight: 1, arbitrary: fc.tuple(fc.stringMatching(/^[1-9][0-9]{0,59}$/), fc.integer({ min: -40, max: 30 })).map(([digits, exponent]) => `${digits}e${exponent}`) },
);

const COLUMNS = ['poor_population', 'rural_population', 'rural_income_per_capita'] as const;
const figuresArbitrary = fc.tuple(figureText, figureText, figureText);

function county(index: number, [poor, rural, income]: readonly [string, string, string]): County {
  const figures = new Map<string, Dec>([
    ['poor_population', new Decimal(poor)],
    ['rural_population', new Decimal(rural)],
    ['rural_income_per_capita', new Decimal(income)],
  ]);
  return { code: String(100000 + index), line: index + 2, figures } as unknown as County;
}

const FACTORS: FactorSpec[] = [
  { id: 'poverty_scale', numerator: 'poor_population' },
  { id: 'incidence', numerator: 'poor_population', denominator: 'rural_population' },
  { id: 'depth', numerator: 'poor_population', denominator: 'rural_income_per_capita' },
] as FactorSpec[];

function policyWith(weights: readonly string[]): Policy {
  return { factors: FACTORS, countyWeights: new Map(FACTORS.map((factor, index) => [factor.id, new Decimal(weights[index]!)])) } as unknown as Policy;
}

describe('province aggregates', () => {
  test('sums and weighted means equal decimal.js, added county by county', () => {
    fc.assert(
      fc.property(fc.array(figuresArbitrary, { minLength: 0, maxLength: 40 }), (rows) => {
        const counties = rows.map((figures, index) => county(index, figures));
        for (const column of COLUMNS) {
          expect(aggregateColumn(counties, column, undefined).toFixed()).toBe(aggregateColumnByDecimals(counties, column, undefined).toFixed());
        }
        const mean = { method: 'weighted_mean', weight: 'rural_population' } as const;
        const fast = aggregateColumn(counties, 'rural_income_per_capita', mean);
        const reference = aggregateColumnByDecimals(counties, 'rural_income_per_capita', mean);
        expect(fast.toFixed()).toBe(reference.toFixed());
        expect([...fast.d]).toEqual([...reference.d]);
        // Several columns in one pass: the same decimals.
        const wanted = [
          { column: 'poor_population', aggregation: undefined },
          { column: 'rural_income_per_capita', aggregation: mean },
          { column: 'rural_population', aggregation: { method: 'sum' } as const },
          { column: 'poor_population', aggregation: { method: 'weighted_mean', weight: 'rural_income_per_capita' } as const },
        ];
        aggregateColumns(counties, wanted).forEach((value, index) => {
          expect(value.toFixed()).toBe(aggregateColumnByDecimals(counties, wanted[index]!.column, wanted[index]!.aggregation).toFixed());
        });
      }),
      { numRuns: 400 },
    );
  });

  test('adding figures by their digits and places gives what adding their decimals gives', () => {
    // A figure as a table's store packs it: up to 9 digits, up to a dozen places.
    const packed = fc.tuple(fc.integer({ min: 0, max: 999_999_999 }), fc.integer({ min: 0, max: 12 }));
    const asDecimal = ([whole, places]: readonly [number, number]): Dec => new Decimal(`${whole}e-${places}`);
    fc.assert(
      fc.property(fc.array(fc.tuple(packed, packed), { maxLength: 60 }), (pairs) => {
        const byDigits = new LimbAccumulator();
        const byDecimals = new LimbAccumulator();
        const productsByDigits = new LimbAccumulator();
        const productsByDecimals = new LimbAccumulator();
        for (const [a, b] of pairs) {
          byDigits.addDigits(a[0], a[1]);
          byDecimals.add(asDecimal(a));
          productsByDigits.addDigitsProduct(a[0], a[1], b[0], b[1]);
          productsByDecimals.addProduct(asDecimal(a), asDecimal(b));
        }
        expect(byDigits.total()).toEqual(byDecimals.total());
        expect(productsByDigits.total()).toEqual(productsByDecimals.total());
      }),
      { numRuns: 500 },
    );
  });

  test('figures summed many at a time (PackedSums) give the accumulator the total, written the same, that adding each gives', () => {
    // Wholes of up to nine digits, places up to 30 (beyond 28 they are added one by one); runs of one figure repeated,
    // so that the partial sums of products fill up and are added part way.
    const whole = fc.oneof(fc.integer({ min: 0, max: 999_999_999 }), fc.constantFrom(0, 1, 10, 10_000_000, 999_999_999, 100_000_000));
    const packed = fc.tuple(whole, fc.integer({ min: 0, max: 30 }));
    const run = fc.tuple(packed, packed, fc.integer({ min: 1, max: 300 }));
    fc.assert(
      fc.property(fc.array(run, { maxLength: 25 }), (runs) => {
        const oneByOne = new LimbAccumulator();
        const productsOneByOne = new LimbAccumulator();
        const many = new LimbAccumulator();
        const productsMany = new LimbAccumulator();
        const sums = new PackedSums(many);
        const products = new PackedSums(productsMany);
        for (const [a, b, times] of runs) {
          for (let time = 0; time < times; time++) {
            oneByOne.addDigits(a[0], a[1]);
            productsOneByOne.addDigitsProduct(a[0], a[1], b[0], b[1]);
            sums.add(a[0], a[1]);
            products.addProduct(a[0], a[1], b[0], b[1]);
          }
        }
        sums.finish();
        products.finish();
        expect(many.total()).toEqual(oneByOne.total());
        expect(productsMany.total()).toEqual(productsOneByOne.total());
      }),
      { numRuns: 300 },
    );
  });

  test('a partial sum that would pass 2^52 is added to the accumulator first: exact over millions of large figures', () => {
    const oneByOne = new LimbAccumulator();
    const many = new LimbAccumulator();
    const sums = new PackedSums(many);
    // 5,000,000 x 999,999,999 is about 5 x 10^15, past 2^52 (4.5 x 10^15): the partial sum of places 3 is added part way.
    for (let time = 0; time < 5_000_000; time++) {
      oneByOne.addDigits(999_999_999, 3);
      sums.add(999_999_999, 3);
    }
    sums.finish();
    expect(many.total()).toEqual(oneByOne.total());
    expect(formatScaled(many.total()!, 3)).toBe('4999999995000.000');
  });

  test('aggregates of a table read from CSV (figures packed in its store) equal decimal.js', () => {
    fc.assert(
      fc.property(fc.array(figuresArbitrary.filter((figures) => figures.every((text) => !text.includes('e')) && !/^0(\.0+)?$/.test(figures[2])), { minLength: 1, maxLength: 30 }), (rows) => {
        const text = `county_code,county_name,poor_population,rural_population,rural_income_per_capita\n${rows
          .map(([poor, rural, income], index) => `52${String(1000 + index)},x,${poor.split('.')[0]},${BigInt(poor.split('.')[0]!) + BigInt(rural.split('.')[0]!) + 1n},${income}`)
          .join('\n')}\n`;
        const read = readCountiesCsv('counties.csv', text, reference, ['rural_income_per_capita']);
        expect(read.problems).toEqual([]);
        const counties = read.result!.counties;
        const wanted = [
          { column: 'poor_population', aggregation: undefined },
          { column: 'rural_income_per_capita', aggregation: { method: 'weighted_mean', weight: 'rural_population' } as const },
          { column: 'poor_population', aggregation: { method: 'weighted_mean', weight: 'rural_income_per_capita' } as const },
          // Columns the table does not have, as a figure and as a weight: 0.
          { column: 'relocation_population', aggregation: undefined },
          { column: 'poor_population', aggregation: { method: 'weighted_mean', weight: 'no_such_column' } as const },
          { column: 'no_such_column', aggregation: { method: 'weighted_mean', weight: 'rural_population' } as const },
        ];
        // Read from the table's store; and with a county not read from it among them, county by county.
        for (const group of [counties, [...counties, county(99, ['7', '70', '1.5'])]]) {
          aggregateColumns(group, wanted).forEach((value, index) => {
            expect(value.toFixed()).toBe(aggregateColumnByDecimals(group, wanted[index]!.column, wanted[index]!.aggregation).toFixed());
          });
        }
      }),
      { numRuns: 200 },
    );
  });

  test('the accumulator carries exactly over many large products', () => {
    // Three-limb figures whose products come close to 10^14 per limb: the cells must carry often.
    const big = new Decimal('99999999999999.99');
    const accumulator = new LimbAccumulator();
    let expected = ZERO;
    for (let i = 0; i < 1000; i++) {
      accumulator.addProduct(big, big);
      expected = expected.plus(big.times(big));
    }
    const total = accumulator.total();
    expect(total).toBeDefined();
    expect(formatScaled(total!, 4)).toBe(expected.toFixed(4));
    // More digits than the precision: the accumulator cannot tell, and says so.
    const wide = new LimbAccumulator();
    wide.add(new Decimal('1e40'));
    wide.add(new Decimal('1e-20'));
    expect(wide.total()).toBeUndefined();
  });
});

describe('county factor values, shares and scores', () => {
  const weight = fc.oneof(
    fc.constantFrom('0.45', '0.2', '0.35', '0', '1'),
    // Renormalised weights have 50 digits.
    fc.integer({ min: 1, max: 999 }).map((n) => new Decimal(String(n)).div(new Decimal('1003')).toFixed()),
  );

  // A group keeps its shares, or (more than SHARES_KEPT_UP_TO counties: here any) divides them again when read.
  test.each([
    ['kept', SHARES_KEPT_UP_TO],
    ['divided again when read', 0],
  ])('equal countyFactorValues, factorShares and scoresFromShares in decimal.js, shares %s', (_, limit) => {
    fc.assert(
      fc.property(
        fc.array(
          figuresArbitrary.filter(([, rural, income]) => !/^0(\.00)?$/.test(rural) && !/^0(\.00)?$/.test(income)),
          { minLength: 1, maxLength: 25 },
        ),
        fc.tuple(weight, weight, weight),
        (rows, weights) => {
          const counties = rows.map((figures, index) => county(index, figures));
          const policy = policyWith(weights);
          const group = withSharesKeptUpTo(limit, () => countyGroupScores(counties, policy, 'counties.csv'));
          const values = counties.map((item) => countyFactorValues(item, policy, 'counties.csv'));
          const shares = factorShares(values, FACTORS);
          const scores = scoresFromShares(shares, FACTORS, policy.countyWeights);
          counties.forEach((_, index) => {
            FACTORS.forEach((factor, f) => {
              expect(formatScaled(group.value(index, f), 60)).toBe(formatDecimal(values[index]!.get(factor.id)!, 60));
              expect(formatScaled(group.share(index, f), 70)).toBe(formatDecimal(shares[index]!.get(factor.id)!, 70));
              expect(group.shareText(index, f, 10)).toBe(formatDecimal(shares[index]!.get(factor.id)!, 10));
              expect(group.valuesMap(index).get(factor.id)!.equals(values[index]!.get(factor.id)!)).toBe(true);
              expect(group.sharesMap(index).get(factor.id)!.equals(shares[index]!.get(factor.id)!)).toBe(true);
            });
            expect(formatScaled(group.score(index), 70)).toBe(formatDecimal(scores[index]!, 70));
          });
        },
      ),
      { numRuns: 200 },
    );
  });

  test('a zero denominator is reported for the first county that has one, as before', () => {
    const counties = [county(0, ['10', '100', '5']), county(1, ['10', '0', '0']), county(2, ['10', '0', '5'])];
    expect(() => countyGroupScores(counties, policyWith(['0.5', '0.25', '0.25']), 'counties.csv')).toThrow(
      expect.objectContaining({
        problems: [
          { file: 'counties.csv', line: 3, column: 'rural_population', message: 'is 0, but factor incidence divides by it' },
          { file: 'counties.csv', line: 3, column: 'rural_income_per_capita', message: 'is 0, but factor depth divides by it' },
        ],
      }),
    );
  });
});

describe('stage-2 cap', () => {
  test('countyCapByIntegers equals the decimal.js computation', () => {
    const share = fc.oneof(
      fc.integer({ min: 1, max: 100 }).map((n) => `${Math.floor(n / 100)}.${String(n % 100).padStart(2, '0')}`),
      fc.integer({ min: 1, max: 99 }).map((n) => new Decimal('1').div(new Decimal(String(n))).toFixed()),
    );
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 12n }),
        share,
        fc.array(fc.tuple(fc.boolean(), fc.bigInt({ min: 0n, max: 10n ** 10n })), { minLength: 1, maxLength: 12 }),
        (pool, capShare, recipients) => {
          const weights = recipients.map(([weighted]) => (weighted ? 1n : 0n));
          const floors = recipients.map(([, floor]) => floor);
          expect(countyCapByIntegers(pool, decimal(capShare), weights, floors)).toBe(countyCapByDecimals(pool, decimal(capShare), weights, floors));
        },
      ),
      { numRuns: 2000 },
    );
    // Where rounding down would drop the caps (see property-counterexamples.test.ts).
    expect(countyCapByIntegers(1001n, decimal('0.5'), [1n, 1n], [0n, 0n])).toBe(501n);
    expect(countyCapByDecimals(1001n, decimal('0.5'), [1n, 1n], [0n, 0n])).toBe(501n);
  });
});
