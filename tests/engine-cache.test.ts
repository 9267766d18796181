/**
 * The engine's caches (factor values and shares, province aggregates) and
 * untraced runs must not change a single fen, and must not let one scenario
 * reach into another.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { allocate, type AllocationResult } from '../src/core/allocate.js';
import { withSharesKeptUpTo } from '../src/core/factors.js';
import { compilePolicy } from '../src/core/policy.js';
import { eachStep } from '../src/core/state.js';
import { loadInputs, type LoadedInputs } from '../src/io/load-inputs.js';
import { renderCsv } from '../src/render/csv.js';
import { allocationsTable, checksTable, provincesTable } from '../src/render/tables.js';
import { SAMPLE, SMALL } from './helpers.js';

function loadSmall(): LoadedInputs {
  return loadInputs({ counties: SMALL.counties, budget: SMALL.budget, policy: SMALL.policy, encoding: 'auto' });
}

function tables(result: AllocationResult): string {
  const pots = JSON.stringify(result.pots, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));
  return [renderCsv(allocationsTable(result)), renderCsv(provincesTable(result)), renderCsv(checksTable(result)), pots].join('\n');
}

describe('untraced runs', () => {
  test.each([
    ['small fixture', loadSmall],
    ['832-county sample', () => loadInputs({ counties: SAMPLE.counties, budget: SAMPLE.budget, encoding: 'auto' })],
  ])('%s: the same tables, pots and checks with and without steps', (_name, load) => {
    const loaded = load();
    const traced = allocate(loaded.run);
    const untraced = allocate({ ...loaded.run, trace: false });
    expect(tables(untraced)).toBe(tables(traced));
    expect([...eachStep(traced.steps)].some((step) => step.rule === 'special_poverty_counties')).toBe(true);
    expect([...eachStep(untraced.steps)].some((step) => step.rule === 'special_poverty_counties' || step.rule === 'special_poverty_provinces')).toBe(false);
  });
});

/** Every step's rule, subject, label and values, as text. */
function stepsText(result: AllocationResult): string {
  return [...eachStep(result.steps)].map((step) => JSON.stringify([step.rule, step.subject, step.label, step.values])).join('\n');
}

describe('shares not kept', () => {
  // A group of more than SHARES_KEPT_UP_TO counties (a province of many villages) keeps no shares and no pot-weight
  // integers: it divides them again when read. Here every group does so.
  test.each([
    ['small fixture', loadSmall],
    ['832-county sample', () => loadInputs({ counties: SAMPLE.counties, budget: SAMPLE.budget, encoding: 'auto' })],
  ])('%s: the same tables, pots, checks and steps as when every group keeps them', (_name, load) => {
    const kept = allocate(load().run);
    const divided = withSharesKeptUpTo(0, () => allocate(load().run));
    expect(tables(divided)).toBe(tables(kept));
    expect(stepsText(divided)).toBe(stepsText(kept));
    expect(stepsText(kept)).toContain('incidence.share');
  });
});

describe('cached factor values and shares', () => {
  test('the hand-checked amounts of the small fixture hold on a warm cache too', () => {
    const loaded = loadSmall();
    for (let run = 0; run < 3; run++) {
      const result = allocate(loaded.run);
      const total = (code: string): bigint => result.countyByCode.get(code)!.amounts.get('total')!;
      expect([total('520111'), total('520112'), total('520113'), total('450001'), total('450002'), total('450004')]).toEqual([
        1_000_000_000n,
        394_537_178n,
        605_462_822n,
        425_000_000n,
        225_000_000n,
        200_000_000n,
      ]);
    }
  });

  test('policies run one after another on the same inputs give what each gives on freshly loaded inputs', () => {
    const shared = loadSmall();
    // Hundredths written as text: no binary floating point on the way to a decimal.
    const hundredths = (value: number): string => `${Math.floor(value / 100)}.${String(value % 100).padStart(2, '0')}`;
    const weight = fc.integer({ min: 0, max: 100 }).map(hundredths);
    fc.assert(
      fc.property(weight, weight, weight, weight, fc.integer({ min: 0, max: 4_000_000 }), fc.integer({ min: 20, max: 100 }), (countyA, countyB, provinceA, provinceB, floor, capShare) => {
        fc.pre(countyA !== '0.00' || countyB !== '0.00');
        fc.pre(provinceA !== '0.00' || provinceB !== '0.00');
        const document = structuredClone(shared.run.policy.document);
        document.special_poverty.renormalise_weights.value = true;
        document.special_poverty.county.weights['poverty_scale']!.value = countyA;
        document.special_poverty.county.weights['incidence']!.value = countyB;
        document.special_poverty.province.weights['poverty_scale']!.value = provinceA;
        document.special_poverty.province.weights['incidence']!.value = provinceB;
        document.special_poverty.county.floor.value = `${floor}.00`;
        document.special_poverty.county.cap_share.value = hundredths(capShare);
        const { policy } = compilePolicy('policy.json', document);
        expect(policy).toBeDefined();
        const fresh = loadSmall();
        const onShared = allocate({ ...shared.run, policy: policy!, trace: false });
        const onFresh = allocate({ ...fresh.run, policy: policy! });
        expect(tables(onShared)).toBe(tables(onFresh));
      }),
      { numRuns: 30 },
    );
  });

  test('cached maps cannot be changed by a run: a rule that tried would fail loudly, not leak', () => {
    const loaded = loadSmall();
    const result = allocate(loaded.run);
    const county = result.countyByCode.get('520111')!;
    expect(() => county.factorShares.set('incidence', county.factorShares.get('poverty_scale')!)).toThrow(/cannot be changed/);
    expect(() => county.factorValues.delete('incidence')).toThrow(/cannot be changed/);
    expect(() => county.factorValues.clear()).toThrow(/cannot be changed/);
    expect(tables(allocate(loaded.run))).toBe(tables(result));
  });
});

describe("relocation's and refund's remembered outcomes", () => {
  test('untraced runs one after another (a sweep) give what each policy gives on freshly loaded inputs, whether relocation and refund are varied or not', () => {
    const sample = () => loadInputs({ counties: SAMPLE.counties, budget: SAMPLE.budget, encoding: 'auto' });
    const shared = sample();
    // A few standards, so that later runs meet the relocation inputs of earlier ones; some short of the need (warnings).
    const standard = fc.constantFrom('12000.00', '30000.00', '400000.00');
    const multiplier = fc.integer({ min: 100, max: 199 }).map((value) => `${Math.floor(value / 100)}.${String(value % 100).padStart(2, '0')}`);
    let shortfalls = 0;
    fc.assert(
      fc.property(standard, multiplier, fc.boolean(), (west, priority, provincialRefund) => {
        const document = structuredClone(shared.run.policy.document);
        document.relocation.standard_per_person['west']!.value = west;
        document.refund.key_county_outside_areas['provincial']!.value = provincialRefund;
        document.special_poverty.province.priority_multiplier.value = priority;
        const { policy } = compilePolicy('policy.json', document);
        expect(policy).toBeDefined();
        const onShared = allocate({ ...shared.run, policy: policy!, trace: false });
        const onFresh = allocate({ ...sample().run, policy: policy! });
        expect(tables(onShared)).toBe(tables(onFresh));
        if (onShared.checks.some((check) => check.check === 'relocation_shortfall')) shortfalls++;
      }),
      { numRuns: 16 },
    );
    expect(shortfalls).toBeGreaterThan(0);
  });

  test('a table of other counties, or another budget, is never given an outcome remembered for another', () => {
    const first = loadSmall();
    const second = loadInputs({ counties: SAMPLE.counties, budget: SAMPLE.budget, encoding: 'auto' });
    for (const loaded of [first, second, first, second]) {
      expect(tables(allocate({ ...loaded.run, trace: false }))).toBe(tables(allocate(loaded.run)));
    }
    const otherBudget = loadInputs({ counties: SAMPLE.counties, budget: SAMPLE.budget, encoding: 'auto' });
    expect(tables(allocate({ ...second.run, budget: otherBudget.run.budget, trace: false }))).toBe(tables(allocate({ ...second.run, budget: otherBudget.run.budget })));
  });
});
