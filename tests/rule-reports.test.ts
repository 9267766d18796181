// growth_check, provincial_effort and asset_income: rules that report or annotate.
import { describe, expect, it } from 'vitest';
import { allocate } from '../src/core/allocate.js';
import { allocationsTable, provincesTable } from '../src/render/tables.js';
import { readFileSync } from 'node:fs';
import { buildInputs, compile, csv, plainPolicy, policyDocument, yuanOf } from './build-inputs.js';
import { SMALL } from './helpers.js';

const COUNTIES = csv('county_code,county_name,poverty_county,poor_population,rural_population', ['520111,甲县,true,1000,10000']);
const PREVIOUS_HEADER = 'county_code,special_poverty_central,special_poverty_provincial';

describe('growth_check (IV.2)', () => {
  const run = (current: string, previousRows: readonly string[] | null, edit?: Parameters<typeof plainPolicy>[0]) =>
    allocate(
      buildInputs({
        counties: COUNTIES,
        budget: csv('fund,level,province_code,amount', [`special_poverty,central,,${current}`]),
        ...(previousRows === null ? {} : { previous: csv(PREVIOUS_HEADER, previousRows) }),
        policy: plainPolicy(edit),
      }),
    );

  it.each([
    ['an increase is info', '860.95', ['520111,600.00,0.00', '520112,60.95,999.00'], 'info', '200.00', '0.302595'],
    ['no change is a warning', '660.95', ['520111,660.95,0.00'], 'warning', '0.00', '0.000000'],
    ['a decrease is a warning', '600.00', ['520111,660.95,0.00'], 'warning', '-60.95', '-0.092216'],
  ])('%s', (_label, current, rows, severity, change, ratio) => {
    const result = run(current, rows);
    const check = result.checks.find((entry) => entry.check === 'growth')!;
    expect([check.severity, check.clause, check.value]).toEqual([severity, 'IV.2', ratio]);
    expect(yuanOf(result.growth!.change)).toBe(change);
    expect(result.growth!.source).toBe('sum of special_poverty_central in the previous allocations (--previous)');
  });

  it("prefers the policy's previous_central_total and applies the minimum increase", () => {
    const result = run('105.00', ['520111,1.00,0.00'], (document) => {
      document.growth_check.previous_central_total = { value: '100.00', unit: 'yuan', description: 'last year', clause: 'IV.2' };
      document.growth_check.minimum_increase.value = '0.10';
    });
    expect(yuanOf(result.growth!.previousCentralTotal)).toBe('100.00');
    expect(result.growth!.increased).toBe(false);
    expect(result.checks.find((entry) => entry.check === 'growth')!.severity).toBe('warning');
  });

  it('does not run without a previous figure', () => {
    const result = run('100.00', null);
    expect(result.growth).toBeUndefined();
    expect(result.skippedRules.map((entry) => entry.rule)).toContain('growth_check');
  });
});

describe('provincial_effort (IV.2)', () => {
  const run = (own: string) =>
    allocate(
      buildInputs({
        counties: COUNTIES,
        budget: csv('fund,level,province_code,amount', ['special_poverty,central,,1000000000.00', `special_poverty,provincial,52,${own}`]),
      }),
    );

  it.each([
    ['150000000.00', true, 'short by 50000000.00'],
    ['199999999.99', true, 'short by 0.01'],
    ['200000000.00', false, ''],
  ])('own line %s against 1,000,000,000.00 from the centre: warning %s', (own, warned, shortBy) => {
    const checks = run(own).checks.filter((check) => check.check === 'provincial_effort');
    expect(checks.length).toBe(warned ? 1 : 0);
    if (warned) expect(checks[0]!.message).toContain(shortBy);
  });

  it('on the fixture: 贵州 (2,600,000.00 own for 17,400,000.00) is warned, 广西 is not, 河北 (no central money) is not checked', () => {
    const policy = compile(JSON.parse(readFileSync(SMALL.policy, 'utf8')));
    const result = allocate(buildInputs({ counties: readFileSync(SMALL.counties, 'utf8'), budget: readFileSync(SMALL.budget, 'utf8'), policy }));
    const checks = result.checks.filter((check) => check.check === 'provincial_effort');
    expect(checks.map((check) => [check.code, check.value, check.severity])).toEqual([['52', '0.149425', 'warning']]);
    expect(result.steps.filter((step) => step.rule === 'provincial_effort').map((step) => step.subject)).toEqual(['45', '52']);
  });
});

describe('asset_income (II.3)', () => {
  const fixture = (share: string) => {
    const document = policyDocument('small');
    document.asset_income.share_invested.value = share;
    return allocate(buildInputs({ counties: readFileSync(SMALL.counties, 'utf8'), budget: readFileSync(SMALL.budget, 'utf8'), policy: compile(document) }));
  };

  it('is off at share 0: no columns', () => {
    const result = fixture('0');
    expect(allocationsTable(result).columns).not.toContain('asset_income_invested');
    expect(result.amountColumns.some((column) => column.rule === 'asset_income')).toBe(false);
  });

  it.each([
    ['520111', 'a county of 10,000,000.00 with 40,000 poor', '3000000.00', '75.00'],
    ['520112', '3,945,371.78 x 0.3 = 1,183,611.534 rounded down; 10,000 poor', '1183611.53', '118.36'],
    ['450004', 'no poor population: per person empty', '600000.00', ''],
    ['450003', 'not eligible: nothing invested', '0.00', '0.00'],
  ])('at share 0.30, %s (%s)', (code, _label, invested, perPerson) => {
    const amounts = fixture('0.30').countyByCode.get(code)!.amounts;
    expect([yuanOf(amounts.get('asset_income_invested')), yuanOf(amounts.get('asset_income_per_poor_person'))]).toEqual([invested, perPerson]);
  });

  it('is a memo: total is unchanged, the per-person figure is not summed into provinces.csv', () => {
    const on = fixture('0.30');
    const off = fixture('0');
    expect(on.counties.map((countyState) => countyState.amounts.get('total'))).toEqual(off.counties.map((countyState) => countyState.amounts.get('total')));
    expect(allocationsTable(on).columns).toEqual(expect.arrayContaining(['asset_income_invested', 'asset_income_per_poor_person']));
    expect(provincesTable(on).columns).toContain('asset_income_invested');
    expect(provincesTable(on).columns).not.toContain('asset_income_per_poor_person');
  });
});
