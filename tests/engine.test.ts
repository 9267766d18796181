/**
 * The engine on the hand-checkable fixture (tests/fixtures/small): every
 * expected amount below is derived by hand in the comments.
 */
import { describe, expect, it } from 'vitest';
import { allocate } from '../src/core/allocate.js';
import { RULES } from '../src/core/rules/index.js';
import { eachStep } from '../src/core/state.js';
import { formatYuan } from '../src/core/money.js';
import { loadInputs } from '../src/io/load-inputs.js';
import { SMALL } from './helpers.js';

const result = allocate(loadInputs({ counties: SMALL.counties, budget: SMALL.budget, policy: SMALL.policy, encoding: 'auto' }).run);
const county = (code: string) => {
  const found = result.countyByCode.get(code);
  if (!found) throw new Error(`no county ${code}`);
  return {
    central: formatYuan(found.amounts.get('special_poverty_central') ?? 0n),
    provincial: formatYuan(found.amounts.get('special_poverty_provincial') ?? 0n),
    total: formatYuan(found.amounts.get('total') ?? 0n),
    binding: found.binding,
    eligible: found.eligible,
  };
};

describe('hand-checkable fixture', () => {
  it('priority provinces: 52 by incidence 70000/400000 = 0.175 > 0.15; 45 (35000/500000) and 13 are not', () => {
    expect(result.provinces.map((p) => [p.province.code, p.priority])).toEqual([
      ['13', false],
      ['45', false],
      ['52', true],
    ]);
  });

  it('stage 1: scores 52 = 0.5*2/3 + 0.5*5/7 = 29/42 (x1.2), 45 = 13/42; 23.9M splits 174:65', () => {
    // Shares: 34.8/47.8 = 174/239 and 13/47.8 = 65/239 of 23,900,000.00.
    expect(formatYuan(result.provinceByCode.get('52')!.amounts.get('special_poverty_central')!)).toBe('17400000.00');
    expect(formatYuan(result.provinceByCode.get('45')!.amounts.get('special_poverty_central')!)).toBe('6500000.00');
    expect(result.provinceByCode.get('13')!.amounts.get('special_poverty_central')).toBe(0n);
  });

  it('stage 2 in 52: pool 20,000,000.00; cap 10,000,000.00 binds for 甲; 乙 and 丙 share the rest 1300:1995', () => {
    // Base scores: 甲 13/21, 乙 13/84, 丙 19/84; multipliers 甲 1.10*1.15 = 1.265, 丙 1.05.
    // 甲's share (65.78/98.73 of 20M = 13.3M) exceeds the cap 0.5*20M, so 甲 = 10M.
    // The other 10M: 乙 = 10M*13/32.95 = 3,945,371.7754 and 丙 = 6,054,628.2246;
    // in fen the remainders are .54 and .46, so the leftover fen goes to 乙.
    expect(county('520111')).toEqual({ central: '8700000.00', provincial: '1300000.00', total: '10000000.00', binding: 'cap', eligible: true });
    // Central parts: 87% (17.4M of 20M): 乙 3,432,473.4486 -> .45 (remainder .86 wins the leftover fen), 丙 5,267,526.5514 -> .55.
    expect(county('520112')).toEqual({ central: '3432473.45', provincial: '512898.33', total: '3945371.78', binding: 'share', eligible: true });
    expect(county('520113')).toEqual({ central: '5267526.55', provincial: '787101.67', total: '6054628.22', binding: 'share', eligible: true });
  });

  it('stage 2 in 45: pool 8,500,000.00; 庚 (poor 0) at the floor, 丁 at the cap 4,250,000.00, 戊 the rest', () => {
    // Scores: 丁 0.5*2/3 + 0.5*0.8 = 11/15, 戊 (1/6 + 0.1) * 1.05 = 0.28, 庚 0 -> floor 2M.
    // 6.5M left: 丁 would get 4.70M > cap 4.25M, so 丁 = 4.25M and 戊 = 2.25M (>= floor).
    // Central parts: 13/17 (6.5M of 8.5M): 丁 3,250,000.00; 戊 1,720,588.2353 (+1 fen, remainder .53); 庚 1,529,411.7647 -> .76.
    expect(county('450001')).toEqual({ central: '3250000.00', provincial: '1000000.00', total: '4250000.00', binding: 'cap', eligible: true });
    expect(county('450002')).toEqual({ central: '1720588.24', provincial: '529411.76', total: '2250000.00', binding: 'share', eligible: true });
    expect(county('450004')).toEqual({ central: '1529411.76', provincial: '470588.24', total: '2000000.00', binding: 'floor', eligible: true });
    expect(county('450003')).toEqual({ central: '0.00', provincial: '0.00', total: '0.00', binding: undefined, eligible: false });
  });

  it('province 13 has a provincial line but no eligible county: unallocated, with checks', () => {
    expect(result.checks.filter((check) => check.code === '13').map((check) => check.check)).toEqual(['no_eligible_county', 'unallocated']);
    expect(result.fundAccounts.find((a) => a.fund === 'special_poverty' && a.level === 'provincial')).toEqual({
      fund: 'special_poverty',
      level: 'provincial',
      budget: 560000000n,
      allocated: 460000000n,
      unallocated: 100000000n,
    });
  });

  it('every central and provincial column adds up exactly to its line', () => {
    const sum = (column: string, province?: string) =>
      result.counties.filter((c) => !province || c.county.province.code === province).reduce((total, c) => total + (c.amounts.get(column) ?? 0n), 0n);
    expect(sum('special_poverty_central')).toBe(2_390_000_000n);
    expect(sum('special_poverty_provincial', '52')).toBe(260_000_000n);
    expect(sum('special_poverty_provincial', '45')).toBe(200_000_000n);
  });

  it('records the derivation steps with clause ids', () => {
    const steps = [...eachStep(result.steps)].filter((step) => step.subject === '520111');
    expect(steps.map((step) => [step.rule, step.clause])).toEqual([
      ['eligibility', 'I'],
      ['assessment', 'IV.1'],
      ['special_poverty_counties', 'IV.2'],
    ]);
    expect(steps[2]!.values['binding']).toBe('cap');
    expect(steps[2]!.values['focus_multiplier']).toBe('1.265');
  });
});

describe('an allocation observed (a progress bar)', () => {
  it('is told each rule in order and stage 2\'s provinces one by one, and allocates the same', () => {
    const inputs = loadInputs({ counties: SMALL.counties, budget: SMALL.budget, policy: SMALL.policy, encoding: 'auto' }).run;
    const told: string[] = [];
    const observed = allocate(inputs, RULES, {
      rule: (id, number, count) => told.push(`${number}/${count} ${id}`),
      provinces: (done, count) => told.push(`${done} of ${count}`),
    });
    const stageTwo = RULES.findIndex((rule) => rule.id === 'special_poverty_counties');
    const provinces = observed.provinces.length;
    expect(told).toEqual([
      ...RULES.slice(0, stageTwo + 1).map((rule, index) => `${index + 1}/${RULES.length} ${rule.id}`),
      ...Array.from({ length: provinces }, (_, index) => `${index + 1} of ${provinces}`),
      ...RULES.slice(stageTwo + 1).map((rule, index) => `${stageTwo + index + 2}/${RULES.length} ${rule.id}`),
    ]);
    // The result keeps no observer, and is what an unobserved run gives.
    expect(observed.observer).toBeUndefined();
    const plain = allocate(inputs);
    expect(observed.counties.map((countyState) => [...countyState.amounts])).toEqual(plain.counties.map((countyState) => [...countyState.amounts]));
    expect([...eachStep(observed.steps)]).toEqual([...eachStep(plain.steps)]);
    expect(observed.checks).toEqual(plain.checks);
  });
});
