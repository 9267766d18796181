// Property tests over all rules at once: every pot still conserves to the fen, the fund
// accounts reconcile, total is special fund + relocation + refunds, every project adds up
// to its cost, and the result does not depend on the row order of the inputs.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocate, countyColumnTotal } from '../src/core/allocate.js';
import { summaryDocument } from '../src/render/summary.js';
import { allocationsTable, projectsTable, provincesTable } from '../src/render/tables.js';
import { renderCsv } from '../src/render/csv.js';
import { buildInputs, csv, plainPolicy } from './build-inputs.js';

const PROVINCES = ['13', '36', '45', '52'];
const AREAS = ['', '', '乌蒙山区', '罗霄山区', '燕山-太行山区'];
const GRADES = ['', 'excellent', 'good', 'fair', 'poor', 'failed'];
const yuan = (fen: bigint): string => `${fen / 100n}.${(fen % 100n).toString().padStart(2, '0')}`;
const money = fc.bigInt({ min: 0n, max: 5_000_000_000n }).map(yuan);

const county = fc.record({
  province: fc.constantFrom(...PROVINCES),
  poor: fc.integer({ min: 0, max: 5000 }),
  extraRural: fc.integer({ min: 1, max: 20000 }),
  poverty: fc.boolean(),
  key: fc.boolean(),
  area: fc.constantFrom(...AREAS),
  grade: fc.constantFrom(...GRADES),
  relocation: fc.integer({ min: 0, max: 300 }),
  remitted: fc.tuple(money, money, money),
  previous: fc.option(fc.tuple(money, money), { nil: undefined }),
});
const scenario = fc.record({
  counties: fc.array(county, { minLength: 1, maxLength: 9 }),
  specialCentral: money,
  specialProvincial: fc.array(fc.tuple(fc.constantFrom(...PROVINCES, '11'), money), { maxLength: 4 }),
  relocationCentral: money,
  relocationProvincial: fc.array(fc.tuple(fc.constantFrom(...PROVINCES, '11'), money), { maxLength: 4 }),
  projects: fc.array(fc.record({ county: fc.nat(), cost: fc.bigInt({ min: 1n, max: 10n ** 12n }).map(yuan), publicWelfare: fc.boolean(), stateArranged: fc.boolean() }), { maxLength: 6 }),
  floor: fc.constantFrom('0.00', '1000.00', '2000000.00'),
  holdShare: fc.constantFrom('0.5', '0.9', '1'),
  absorbedCentral: fc.constantFrom('0', '0.5', '1'),
  order: fc.nat(),
});

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

/** The scenario as input texts, every list rotated by `rotate` rows. */
function texts(input: Scenario, rotate: number) {
  const rows = input.counties.map((entry, index) => {
    const code = `${entry.province}${(1001 + index).toString()}`;
    const cells = [code, `县${index}`, entry.poverty, entry.key, entry.area, entry.poor, entry.poor + entry.extraRural, entry.grade, entry.relocation, ...entry.remitted];
    return { code, line: cells.join(','), previous: entry.previous ? `${code},${entry.previous[0]},${entry.previous[1]}` : undefined };
  });
  const rotated = (list: string[]): string[] => (list.length === 0 ? list : [...list.slice(rotate % list.length), ...list.slice(0, rotate % list.length)]);
  const dedupe = (lines: [string, string][]): [string, string][] => [...new Map(lines).entries()];
  const budget = [
    `special_poverty,central,,${input.specialCentral}`,
    ...dedupe(input.specialProvincial).map(([province, amount]) => `special_poverty,provincial,${province},${amount}`),
    `relocation,central,,${input.relocationCentral}`,
    ...dedupe(input.relocationProvincial).map(([province, amount]) => `relocation,provincial,${province},${amount}`),
  ];
  const projects = input.projects.map((project, index) => `P${index},${rows[project.county % rows.length]!.code},项目${index},${project.publicWelfare},${project.stateArranged},${project.cost}`);
  return {
    counties: csv(
      'county_code,county_name,poverty_county,key_county,contiguous_area,poor_population,rural_population,assessment,relocation_population,remitted_central,remitted_provincial,remitted_prefecture',
      rotated(rows.map((row) => row.line)),
    ),
    budget: csv('fund,level,province_code,amount', rotated(budget)),
    projects: csv('project_id,county_code,name,public_welfare,state_arranged,total_cost', rotated(projects)),
    previous: csv('county_code,special_poverty_central,special_poverty_provincial', rotated(rows.flatMap((row) => (row.previous ? [row.previous] : [])))),
  };
}

function runScenario(input: Scenario, rotate: number) {
  const policy = plainPolicy((document) => {
    document.special_poverty.county.floor.value = input.floor;
    document.special_poverty.county.cap_share.value = '0.5';
    document.hold_harmless.share_of_previous.value = input.holdShare;
    document.matching_waiver.absorbed_by.central.value = input.absorbedCentral;
    document.matching_waiver.absorbed_by.provincial.value = { '0': '1', '0.5': '0.5', '1': '0' }[input.absorbedCentral];
  });
  return allocate(buildInputs({ ...texts(input, rotate), policy }));
}

describe('all rules together', () => {
  it('conserve every pot, reconcile the funds, total = transfers, projects add up, per-level totals reconcile', () => {
    fc.assert(
      fc.property(scenario, (input) => {
        const result = runScenario(input, 0);
        for (const pot of result.pots) expect(pot.allocated + pot.unallocated).toBe(pot.amount);
        for (const account of result.fundAccounts) {
          const budget = result.inputs.budget.lines.filter((line) => line.fund === account.fund && line.level === account.level).reduce((sum, line) => sum + line.amount, 0n);
          expect(account.budget).toBe(budget);
          expect(account.allocated + account.unallocated).toBe(budget);
        }
        const unallocated = result.pots.reduce((sum, pot) => sum + pot.unallocated, 0n);
        expect(result.fundAccounts.reduce((sum, account) => sum + account.unallocated, 0n)).toBe(unallocated);
        for (const countyState of result.counties) {
          const amount = (column: string): bigint => countyState.amounts.get(column) ?? 0n;
          expect(amount('relocation')).toBe(amount('relocation_central') + amount('relocation_provincial'));
          expect(amount('total')).toBe(amount('special_poverty_central') + amount('special_poverty_provincial') + amount('relocation') + amount('refund_central') + amount('refund_provincial') + amount('refund_prefecture'));
        }
        for (const project of result.projects) {
          expect([...project.final.values()].reduce((sum, value) => sum + value, 0n)).toBe(project.totalCost);
        }
        const summary = summaryDocument(result, { command: 'allocate', warnings: [], skippedBlankRows: {} }) as { by_paying_level: Record<string, { total: string }> };
        const levelTotal = Object.values(summary.by_paying_level).reduce((sum, level) => sum + BigInt(level.total.replace('.', '')), 0n);
        expect(levelTotal).toBe(countyColumnTotal(result, 'total'));
      }),
      { numRuns: 120 },
    );
  });

  it('give the same tables whatever the row order of every input', () => {
    fc.assert(
      fc.property(scenario, (input) => {
        const render = (result: ReturnType<typeof runScenario>): string[] => [allocationsTable(result), provincesTable(result), projectsTable(result)].map(renderCsv);
        expect(render(runScenario(input, input.order))).toEqual(render(runScenario(input, 0)));
      }),
      { numRuns: 60 },
    );
  });
});
