/**
 * The allocation invariants (issue 6, part 5; CONTRACT 7), as property tests
 * over generated county tables, budgets and policies. Defined once, run with
 * few cases in the fast suite and many in the fuzz suite.
 */
import { parse } from 'csv-parse/sync';
import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { layoutArbitrary, runScenario, scenarioArbitrary, type Scenario, type ScenarioRun } from './scenarios.js';

const AMOUNT = /^\d+\.\d{2}$/;

function rows(run: ScenarioRun, name: string): Record<string, string>[] {
  return parse(run.outputs.get(name)!, { bom: true, columns: true }) as Record<string, string>[];
}

function fen(text: string): bigint {
  expect(text, `amount ${text}`).toMatch(AMOUNT);
  const [whole, fraction] = text.split('.');
  return BigInt(whole!) * 100n + BigInt(fraction!);
}

const AMOUNT_COLUMNS = ['special_poverty_central', 'special_poverty_provincial', 'total'];

function amountsByCounty(run: ScenarioRun): Map<string, string> {
  return new Map(rows(run, 'allocations.csv').map((row) => [row['county_code']!, AMOUNT_COLUMNS.map((column) => row[column]).join('|')]));
}

function budgetFen(scenario: Scenario, fund: string, level: string, province?: string): bigint {
  return scenario.budget
    .filter((line) => line[0] === fund && line[1] === level && (province === undefined || line[2] === province))
    .reduce((sum, line) => sum + fen(line[3]!), 0n);
}

export function defineAllocationProperties(runs: number): void {
  it(`every pot adds up to the fen and no amount is negative (${runs} cases)`, () => {
    fc.assert(
      fc.property(scenarioArbitrary, (scenario) => {
        const run = runScenario(scenario);
        const allocations = rows(run, 'allocations.csv');
        const provinces = rows(run, 'provinces.csv');
        // No amount negative, every amount a plain yuan figure.
        for (const row of [...allocations, ...provinces]) for (const column of AMOUNT_COLUMNS) expect(fen(row[column]!) >= 0n).toBe(true);
        // Each column adds up, with what is reported unallocated, to the budget lines as written in budget.csv.
        for (const [level, column] of [
          ['central', 'special_poverty_central'],
          ['provincial', 'special_poverty_provincial'],
        ] as const) {
          const allocated = allocations.reduce((sum, row) => sum + fen(row[column]!), 0n);
          const account = run.result.fundAccounts.find((entry) => entry.fund === 'special_poverty' && entry.level === level)!;
          expect(account.allocated).toBe(allocated);
          expect(allocated + account.unallocated).toBe(budgetFen(scenario, 'special_poverty', level));
          expect(account.unallocated >= 0n).toBe(true);
        }
        // Per province: its counties' totals and its pool's unallocated money make up its pool,
        // which is its stage-1 share plus its provincial line; provinces.csv agrees with the counties.
        const centralPot = run.result.pots.find((pot) => pot.id === 'special_poverty.central')!;
        let stageOne = 0n;
        for (const province of provinces) {
          const code = province['province_code']!;
          const members = allocations.filter((row) => row['province_code'] === code);
          const countyTotal = members.reduce((sum, row) => sum + fen(row['total']!), 0n);
          expect(fen(province['total']!)).toBe(countyTotal);
          for (const row of members) expect(fen(row['total']!)).toBe(fen(row['special_poverty_central']!) + fen(row['special_poverty_provincial']!));
          const pool = run.result.pots.find((pot) => pot.id === `special_poverty.pool.${code}`)!;
          const share = pool.amount - budgetFen(scenario, 'special_poverty', 'provincial', code);
          expect(share >= 0n).toBe(true);
          stageOne += share;
          expect(countyTotal + pool.unallocated).toBe(pool.amount);
        }
        expect(stageOne + centralPot.unallocated).toBe(budgetFen(scenario, 'special_poverty', 'central'));
      }),
      { numRuns: runs },
    );
  });

  it(`row order, column order and white space do not change a byte of the tables (${runs} cases)`, () => {
    fc.assert(
      fc.property(
        scenarioArbitrary.chain((scenario) => fc.tuple(fc.constant(scenario), layoutArbitrary(scenario))),
        ([scenario, layout]) => {
          const plain = runScenario(scenario);
          const shuffled = runScenario(scenario, layout);
          for (const name of ['allocations.csv', 'provinces.csv', 'checks.csv']) expect(shuffled.outputs.get(name), name).toBe(plain.outputs.get(name));
        },
      ),
      { numRuns: runs },
    );
  });

  it(`multiplying every county's rural_income_per_capita by one factor changes no amount (${runs} cases)`, () => {
    fc.assert(
      fc.property(scenarioArbitrary, fc.constantFrom('2', '10', '0.5', '3', '1.25', '0.1', '7.3', '1000'), (scenario, factor) => {
        const scaled: Scenario = {
          ...scenario,
          counties: scenario.counties.map((county) => ({
            ...county,
            rural_income_per_capita: new Decimal(county.rural_income_per_capita).times(factor).toFixed(),
          })),
        };
        expect(amountsByCounty(runScenario(scaled))).toEqual(amountsByCounty(runScenario(scenario)));
      }),
      { numRuns: runs },
    );
  });

  it(`a county whose poor population grows never gets less special fund, beyond one fen (${runs} cases)`, () => {
    fc.assert(
      fc.property(scenarioArbitrary, fc.nat(), fc.integer({ min: 1, max: 1_000_000 }), (scenario, pick, growth) => {
        const index = pick % scenario.counties.length;
        const county = scenario.counties[index]!;
        const rural = BigInt(county.rural_population);
        const poor = BigInt(county.poor_population);
        const grown = poor + BigInt(growth) > rural ? rural : poor + BigInt(growth);
        const counties = scenario.counties.map((row, position) => (position === index ? { ...row, poor_population: grown.toString() } : row));
        const before = rows(runScenario(scenario), 'allocations.csv').find((row) => row['county_code'] === county.county_code)!;
        const after = rows(runScenario({ ...scenario, counties }), 'allocations.csv').find((row) => row['county_code'] === county.county_code)!;
        expect(fen(after['total']!) + 1n >= fen(before['total']!), `${before['total']} -> ${after['total']}`).toBe(true);
      }),
      { numRuns: runs },
    );
  });
}
