/**
 * Bands, percent changes and outcome metrics: exact, with the boundaries
 * where the documentation says they are.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { bandOf, compareOutcomes, percentChange, type CompareSide } from '../src/core/compare.js';
import { computeMetrics, integerSquareRoot } from '../src/core/metrics.js';
import { formatFraction } from '../src/core/money.js';
import type { CountyOutcome, Outcome } from '../src/core/outcome.js';
import { InputError } from '../src/core/problems.js';

describe('bands of percent change', () => {
  // Base 1,000,000.00 yuan = 100,000,000 fen; 0.1% of it is 100,000 fen, 5% is 5,000,000 fen.
  const base = 100_000_000n;
  test.each([
    [base, 'no_change'],
    [base + 100_000n, 'no_change'], // +0.1% exactly: still no change
    [base - 100_000n, 'no_change'], // -0.1% exactly
    [base + 100_001n, 'gain_up_to_5'],
    [base - 100_001n, 'lose_up_to_5'],
    [base + 5_000_000n, 'gain_up_to_5'], // +5% exactly
    [base - 5_000_000n, 'lose_up_to_5'], // -5% exactly: [-5%, -0.1%)
    [base + 5_000_001n, 'gain_over_5'],
    [base - 5_000_001n, 'lose_over_5'],
    [0n, 'lose_over_5'],
  ])('base 1,000,000.00 -> %s fen is %s', (scenario, band) => {
    expect(bandOf(base, scenario)).toBe(band);
  });

  test('a county with nothing in the base: no change if it still gets nothing, gain over 5% otherwise', () => {
    expect(bandOf(0n, 0n)).toBe('no_change');
    expect(bandOf(0n, 1n)).toBe('gain_over_5');
  });

  test('percent change: 4 decimals, exact, half-even; empty when the base is 0 and the scenario is not', () => {
    expect(percentChange(394537178n, 411214953n)).toBe('4.2272');
    expect(percentChange(100n, 99n)).toBe('-1.0000');
    expect(percentChange(3n, 4n)).toBe('33.3333');
    expect(percentChange(0n, 0n)).toBe('0.0000');
    expect(percentChange(0n, 5n)).toBe('');
  });

  test('band and percent agree for any amounts', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 10n ** 12n }), fc.bigInt({ min: 0n, max: 10n ** 12n }), (base, scenario) => {
        const band = bandOf(base, scenario);
        // Exact percent as a fraction: 100 (s - b) / b.
        const num = 100n * (scenario - base);
        const above = (limitTimesTen: bigint): boolean => num * 10n > limitTimesTen * base; // percent > limit/10
        const below = (limitTimesTen: bigint): boolean => num * 10n < limitTimesTen * base;
        const expected = below(-50n) ? 'lose_over_5' : below(-1n) ? 'lose_up_to_5' : !above(1n) ? 'no_change' : !above(50n) ? 'gain_up_to_5' : 'gain_over_5';
        expect(band).toBe(expected);
      }),
    );
  });
});

describe('exact fractions', () => {
  test.each([
    [1n, 3n, 4, '0.3333'],
    [2n, 3n, 4, '0.6667'],
    [1n, 8n, 2, '0.12'], // 0.125 -> half-even -> 0.12
    [3n, 8n, 2, '0.38'], // 0.375 -> 0.38
    [-5n, 200n, 2, '-0.02'], // -0.025 -> -0.02
    [-1n, 1000n, 2, '0.00'], // no negative zero
    [7n, 1n, 0, '7'],
  ])('%s/%s with %i places is %s', (numerator, denominator, places, text) => {
    expect(formatFraction(numerator, denominator, places)).toBe(text);
  });

  test('integer square root is the floor of the root', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 60n }), (value) => {
        const root = integerSquareRoot(value);
        expect(root * root <= value).toBe(true);
        expect((root + 1n) * (root + 1n) > value).toBe(true);
      }),
    );
  });
});

function county(code: string, poor: bigint, special: bigint, extra: Partial<CountyOutcome> = {}): CountyOutcome {
  return {
    code,
    name: code,
    provinceCode: code.slice(0, 2),
    provinceName: code.slice(0, 2),
    region: 'west',
    contiguousArea: '',
    priorityProvince: false,
    eligible: true,
    poorPopulation: poor,
    binding: 'share',
    amounts: new Map([
      ['special_poverty_central', special],
      ['special_poverty_provincial', 0n],
      ['total', special],
    ]),
    ...extra,
  };
}

function outcome(counties: CountyOutcome[], budget: bigint, unallocated = 0n): Outcome {
  const allocated = counties.reduce((sum, entry) => sum + (entry.amounts.get('special_poverty_central') ?? 0n), 0n);
  return {
    counties,
    amountColumns: ['special_poverty_central', 'special_poverty_provincial'],
    funds: [
      { fund: 'special_poverty', level: 'central', budget, allocated, unallocated: budget - allocated },
      { fund: 'special_poverty', level: 'provincial', budget: 0n, allocated: 0n, unallocated: 0n },
    ],
    unallocated,
  };
}

describe('outcome metrics', () => {
  test('a hand-checked example', () => {
    // Per poor person: 100.00, 200.00, 300.00, 400.00 yuan (fen / poor / 100).
    const counties = [
      county('520001', 10n, 100_000n, { priorityProvince: true, contiguousArea: '乌蒙山区', binding: 'floor' }),
      county('520002', 10n, 200_000n, { priorityProvince: true }),
      county('450001', 10n, 300_000n, { binding: 'cap' }),
      county('130001', 10n, 400_000n, { region: 'east', binding: 'floor_reduced' }),
      county('130002', 0n, 0n, { region: 'east', eligible: false, binding: '' }),
    ];
    const metrics = computeMetrics(outcome(counties, 2_000_000n, 123n));
    expect(metrics).toEqual({
      share_priority_provinces: '0.150000', // 300,000 of a budget of 2,000,000 fen
      share_contiguous_area: '0.050000',
      share_west: '0.300000',
      per_poor_min: '100.00',
      per_poor_median: '250.00', // mean of 200 and 300
      per_poor_max: '400.00',
      // mean 250, population sd sqrt(12500) = 111.803398..., cv 0.447213595...
      per_poor_cv: '0.447214',
      // sum |xi - xj| over ordered pairs = 2 * (100+200+300+100+200+100) = 2000; / (2 * 16 * 250) = 0.25
      per_poor_gini: '0.250000',
      counties_at_floor: '2',
      counties_at_cap: '1',
      unallocated: '1.23',
    });
  });

  test('equal amounts per person: cv and gini are 0', () => {
    const metrics = computeMetrics(outcome([county('520001', 3n, 30_000n), county('520002', 1n, 10_000n)], 40_000n));
    expect([metrics.per_poor_min, metrics.per_poor_median, metrics.per_poor_max, metrics.per_poor_cv, metrics.per_poor_gini]).toEqual(['100.00', '100.00', '100.00', '0.000000', '0.000000']);
  });

  test('per-person figures are exact fractions: the median of an odd count, rounding half-even', () => {
    // 1/3 yuan... 100 fen for 3 people = 0.333.. yuan; 1000 fen for 8 = 1.25 yuan; 50 fen for 8 = 0.0625 -> 0.06.
    const metrics = computeMetrics(outcome([county('520001', 3n, 100n), county('520002', 8n, 1_000n), county('520003', 8n, 50n)], 1_150n));
    expect([metrics.per_poor_min, metrics.per_poor_median, metrics.per_poor_max]).toEqual(['0.06', '0.33', '1.25']);
  });

  test('per-person figures whose doubles are equal are still ordered exactly', () => {
    // 0.005 yuan a person (to 0.00, half-even) and 0.00500000000000000005 (to 0.01): as doubles, the same number.
    const above = county('520001', 200_000_000_000_000_000n, 100_000_000_000_000_001n);
    const half = county('520002', 2n, 1n);
    for (const counties of [
      [above, half],
      [half, above],
    ]) {
      const metrics = computeMetrics(outcome(counties, 100_000_000_000_000_002n));
      expect([metrics.per_poor_min, metrics.per_poor_median, metrics.per_poor_max]).toEqual(['0.00', '0.01', '0.01']);
    }
  });

  test('the metrics do not depend on the order of the counties (property)', () => {
    const near = fc.tuple(fc.bigInt({ min: 1n, max: 10n ** 18n }), fc.bigInt({ min: 0n, max: 3n })).map(([poor, extra]) => [poor, poor / 200n + extra] as const);
    const any = fc.tuple(fc.bigInt({ min: 1n, max: 1_000n }), fc.bigInt({ min: 0n, max: 100_000n }));
    fc.assert(
      fc.property(fc.array(fc.oneof(near, any), { minLength: 1, maxLength: 12 }), fc.integer(), (figures, seed) => {
        const counties = figures.map(([poor, fen], index) => county(String(520001 + index), poor, fen));
        const shuffled = [...counties].sort((a, b) => ((Number(a.code) * 7919 + seed) % 101) - ((Number(b.code) * 7919 + seed) % 101));
        const budget = counties.reduce((sum, entry) => sum + entry.amounts.get('special_poverty_central')!, 0n);
        expect(computeMetrics(outcome(shuffled, budget))).toEqual(computeMetrics(outcome(counties, budget)));
      }),
      { numRuns: 300 },
    );
  });

  test('no eligible county with poor people: the per-person metrics are null', () => {
    const metrics = computeMetrics(outcome([county('520001', 0n, 0n)], 0n));
    expect(metrics.per_poor_median).toBeNull();
    expect(metrics.per_poor_gini).toBeNull();
    expect(metrics.share_west).toBe('0.000000');
  });
});

describe('compare: the changes add up per pot', () => {
  const side = (name: string, value: Outcome): CompareSide => ({ name, outcome: value, source: name });

  test('money moved between counties under the same budget balances to 0', () => {
    const base = outcome([county('520001', 10n, 600n), county('520002', 10n, 400n)], 1_000n);
    const moved = outcome([county('520001', 10n, 550n), county('520002', 10n, 450n)], 1_000n);
    const comparison = compareOutcomes(side('base', base), [side('moved', moved)]);
    const central = comparison.pots.find((pot) => pot.level === 'central')!;
    expect(central.balanced).toBe(true);
    expect(central.countyChange).toBe(0n);
    expect(comparison.counties.map((change) => change.change)).toEqual([-50n, 50n]);
  });

  test("a county's amounts: each column, each fund's sum (a fund named like a column is the sum), then the total, 0 where missing", () => {
    const columns = ['special_poverty_central', 'special_poverty_provincial', 'relocation', 'relocation_central', 'relocation_provincial'];
    const withRelocation = (amounts: [string, bigint][]): Outcome => ({
      ...outcome([{ ...county('520001', 10n, 600n), amounts: new Map(amounts) }], 1_000n),
      amountColumns: columns,
    });
    const base = withRelocation([['special_poverty_central', 600n], ['relocation', 999n], ['relocation_central', 70n], ['relocation_provincial', 30n], ['total', 700n]]);
    const moved = withRelocation([['special_poverty_central', 600n], ['relocation_central', 40n], ['total', 640n]]);
    const comparison = compareOutcomes(side('base', base), [side('moved', moved)]);
    const change = comparison.counties[0]!;
    expect([...change.base.entries()]).toEqual([
      ['special_poverty_central', 600n],
      ['special_poverty_provincial', 0n],
      ['relocation', 100n],
      ['relocation_central', 70n],
      ['relocation_provincial', 30n],
      ['special_poverty', 600n],
      ['total', 700n],
    ]);
    expect(new Map(change.scenario)).toEqual(new Map([['special_poverty_central', 600n], ['special_poverty_provincial', 0n], ['relocation', 40n], ['relocation_central', 40n], ['relocation_provincial', 0n], ['special_poverty', 600n], ['total', 640n]]));
    expect(change.base.size).toBe(7);
    expect(change.base.get('no such column')).toBeUndefined();
    expect(change.base.has('special_poverty')).toBe(true);
    expect(change.change).toBe(-60n);
    // Made when read: the same each time, and the percent change of the totals.
    expect([...change.base.entries()]).toEqual([...change.base.entries()]);
    expect(change.changePercent).toBe(percentChange(700n, 640n));
    expect(change.changePercent).toBe('-8.5714');
    expect(change.band).toBe(bandOf(700n, 640n));
  });

  test('money that became unallocated is part of the balance', () => {
    const base = outcome([county('520001', 10n, 600n), county('520002', 10n, 400n)], 1_000n);
    const lost = outcome([county('520001', 10n, 600n), county('520002', 10n, 0n, { eligible: false })], 1_000n, 400n);
    const central = compareOutcomes(side('base', base), [side('lost', lost)]).pots.find((pot) => pot.level === 'central')!;
    expect(central.countyChange).toBe(-400n);
    expect(central.scenarioUnallocated - central.baseUnallocated).toBe(400n);
  });

  test('a scenario whose county amounts do not add up to its fund account is an internal error', () => {
    const base = outcome([county('520001', 10n, 600n)], 1_000n);
    const broken: Outcome = { ...outcome([county('520001', 10n, 700n)], 1_000n), funds: base.funds };
    expect(() => compareOutcomes(side('base', base), [side('broken', broken)])).toThrow(/internal error: broken: the county changes of special_poverty central/);
  });

  test('different county tables cannot be compared', () => {
    const base = outcome([county('520001', 10n, 600n)], 1_000n);
    const other = outcome([county('520002', 10n, 600n)], 1_000n);
    let thrown: unknown;
    try {
      compareOutcomes(side('base', base), [side('other', other)]);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InputError);
    expect((thrown as InputError).problems[0]!.message).toMatch(/^covers different counties from base \(only in base: 520001; only in other: 520002\)/);
  });

  test('the same counties in another order compare; one code changed in the same order does not', () => {
    const base = outcome([county('520001', 10n, 300n), county('520002', 10n, 300n)], 1_000n);
    const reordered = outcome([county('520002', 10n, 300n), county('520001', 10n, 300n)], 1_000n);
    expect(() => compareOutcomes(side('base', base), [side('reordered', reordered)])).not.toThrow();
    const changed = outcome([county('520001', 10n, 300n), county('520003', 10n, 300n)], 1_000n);
    let thrown: unknown;
    try {
      compareOutcomes(side('base', base), [side('changed', changed)]);
    } catch (error) {
      thrown = error;
    }
    expect((thrown as InputError).problems[0]!.message).toMatch(/only in base: 520002; only in changed: 520003/);
  });
});
