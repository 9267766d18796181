import { describe, expect, it } from 'vitest';
import { allocate } from '../src/core/allocate.js';
import { buildInputs, csv, plainPolicy, yuanOf } from './build-inputs.js';

const HEADER = 'county_code,county_name,poverty_county,poor_population,rural_population,assessment';
const special = (result: ReturnType<typeof allocate>, code: string): string => {
  const amounts = result.countyByCode.get(code)!.amounts;
  return yuanOf((amounts.get('special_poverty_central') ?? 0n) + (amounts.get('special_poverty_provincial') ?? 0n));
};

describe('assessment (IV.1)', () => {
  it('multiplies the stage-2 score: excellent x1.10 against failed x0.80 splits 9,500,000.00 as 5,500,000.00 / 4,000,000.00', () => {
    const result = allocate(
      buildInputs({
        counties: csv(HEADER, ['520111,甲县,true,1000,10000,excellent', '520112,乙县,true,1000,10000,failed']),
        budget: csv('fund,level,province_code,amount', ['special_poverty,central,,9500000.00']),
      }),
    );
    expect([special(result, '520111'), special(result, '520112')]).toEqual(['5500000.00', '4000000.00']);
    expect(result.countyByCode.get('520112')!.score!.toFixed()).toBe('0.4');
  });

  it('lists a failed county in checks.csv: leading cadres to be interviewed, clause IV.1, eligible or not', () => {
    const result = allocate(
      buildInputs({
        counties: csv(HEADER, ['520111,甲县,true,1000,10000,未完成', '520112,乙县,false,1000,10000,failed', '520113,丙县,true,1000,10000,poor']),
        budget: csv('fund,level,province_code,amount', ['special_poverty,central,,100.00']),
      }),
    );
    const interviews = result.checks.filter((check) => check.check === 'leading_cadres_interview');
    expect(interviews.map((check) => [check.code, check.severity, check.clause, check.scope])).toEqual([
      ['520111', 'warning', 'IV.1', 'county'],
      ['520112', 'warning', 'IV.1', 'county'],
    ]);
    expect(interviews[0]!.message).toContain('leading cadres to be interviewed');
  });

  it.each([
    ['excellent', '1.1'],
    ['good', '1.05'],
    ['fair', undefined],
    ['poor', '0.9'],
    ['failed', '0.8'],
    ['', undefined],
  ])('grade %j pushes the multiplier %s (none when it is 1)', (grade, multiplier) => {
    const result = allocate(
      buildInputs({ counties: csv(HEADER, [`520111,甲县,true,1000,10000,${grade}`]), budget: csv('fund,level,province_code,amount', ['special_poverty,central,,100.00']) }),
    );
    const pushed = result.countyByCode.get('520111')!.scoreMultipliers.filter((entry) => entry.rule === 'assessment');
    expect(pushed.map((entry) => entry.value.toFixed())).toEqual(multiplier === undefined ? [] : [multiplier]);
  });

  it('uses the policy multipliers, including the one for a missing assessment', () => {
    const policy = plainPolicy((document) => {
      document.assessment.multipliers.missing.value = '0.5';
    });
    const result = allocate(
      buildInputs({
        counties: csv(HEADER, ['520111,甲县,true,1000,10000,', '520112,乙县,true,1000,10000,fair']),
        budget: csv('fund,level,province_code,amount', ['special_poverty,central,,300.00']),
        policy,
      }),
    );
    expect([special(result, '520111'), special(result, '520112')]).toEqual(['100.00', '200.00']);
  });
});
