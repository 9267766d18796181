import { describe, expect, it } from 'vitest';
import { allocate } from '../src/core/allocate.js';
import { buildInputs, csv, yuanOf } from './build-inputs.js';

const HEADER = 'county_code,county_name,poverty_county,poor_population,rural_population,relocation_population';

function run(countyRows: readonly string[], budgetRows: readonly string[]) {
  return allocate(buildInputs({ counties: csv(HEADER, countyRows), budget: csv('fund,level,province_code,amount', budgetRows) }));
}

function relocationOf(result: ReturnType<typeof run>, code: string): string[] {
  const amounts = result.countyByCode.get(code)!.amounts;
  return [yuanOf(amounts.get('relocation')), yuanOf(amounts.get('relocation_central')), yuanOf(amounts.get('relocation_provincial'))];
}

describe('relocation (I.3)', () => {
  it('a pool short by one fen is shared in proportion to need, with a shortfall warning of 0.01', () => {
    // West (贵州): 50 and 40 people x 12,000 = 600,000.00 and 480,000.00; pool 1,000,000.00 + 79,999.99.
    const result = run(['520111,甲县,true,100,1000,50', '520112,乙县,true,100,1000,40'], ['relocation,central,,1000000.00', 'relocation,provincial,52,79999.99']);
    // Exactly 599,999.9944... and 479,999.9955...: the fen goes to the larger remainder (乙).
    expect(relocationOf(result, '520111')).toEqual(['599999.99', '555555.55', '44444.44']);
    expect(relocationOf(result, '520112')).toEqual(['480000.00', '444444.45', '35555.55']);
    const shortfall = result.checks.find((check) => check.check === 'relocation_shortfall')!;
    expect(shortfall).toMatchObject({ severity: 'warning', rule: 'relocation', clause: 'I.3', scope: 'province', code: '52', value: '1079999.99', threshold: '1080000.00' });
    expect(shortfall.message).toContain('by 0.01');
    expect(result.pots.filter((pot) => pot.fund === 'relocation').map((pot) => [pot.id, yuanOf(pot.amount), yuanOf(pot.unallocated)])).toEqual([
      ['relocation.central', '1000000.00', '0.00'],
      ['relocation.pool.52', '1079999.99', '0.00'],
    ]);
    expect(result.fundAccounts.filter((account) => account.fund === 'relocation').map((account) => [account.level, yuanOf(account.allocated), yuanOf(account.unallocated)])).toEqual([
      ['central', '1000000.00', '0.00'],
      ['provincial', '79999.99', '0.00'],
    ]);
  });

  it('a pool equal to the need pays the need exactly, without a warning', () => {
    const result = run(['520111,甲县,true,100,1000,50', '520112,乙县,true,100,1000,40'], ['relocation,central,,1000000.00', 'relocation,provincial,52,80000.00']);
    expect(relocationOf(result, '520111')[0]).toBe('600000.00');
    expect(relocationOf(result, '520112')[0]).toBe('480000.00');
    expect(result.checks.some((check) => check.rule === 'relocation')).toBe(false);
  });

  it('a pool larger than the need pays the need and reports the surplus unallocated, from both lines', () => {
    const result = run(['520111,甲县,true,100,1000,50'], ['relocation,central,,800000.00', 'relocation,provincial,52,200000.00']);
    expect(relocationOf(result, '520111')).toEqual(['600000.00', '480000.00', '120000.00']);
    const pool = result.pots.find((pot) => pot.id === 'relocation.pool.52')!;
    expect([yuanOf(pool.allocated), yuanOf(pool.unallocated)]).toEqual(['600000.00', '400000.00']);
    expect(pool.unallocatedReason).toBe('the pool exceeds the relocation need of 600000.00 yuan');
    expect(result.checks.find((check) => check.check === 'unallocated' && check.rule === 'relocation')!.value).toBe('400000.00');
    expect(result.fundAccounts.filter((account) => account.fund === 'relocation').map((account) => yuanOf(account.unallocated))).toEqual(['320000.00', '80000.00']);
  });

  it('uses the standard of each region and shares the central line among provinces by need', () => {
    // 10 people each: east (河北) 80,000.00, central (江西) 100,000.00, west (贵州) 120,000.00; central line 150,000.00.
    const result = run(
      ['130001,东县,true,100,1000,10', '360001,中县,true,100,1000,10', '520111,西县,true,100,1000,10', '520112,无搬迁县,true,100,1000,0'],
      ['relocation,central,,150000.00'],
    );
    expect(['130001', '360001', '520111', '520112'].map((code) => relocationOf(result, code)[0])).toEqual(['40000.00', '50000.00', '60000.00', '0.00']);
    const step = result.steps.find((entry) => entry.rule === 'relocation' && entry.subject === '360001')!;
    expect(step.values).toMatchObject({ relocation_population: '10', region: 'central', standard_per_person: '10000.00', need: '100000.00', pool: '50000.00' });
    expect(result.checks.filter((check) => check.check === 'relocation_shortfall').map((check) => check.code)).toEqual(['13', '36', '52']);
  });

  it('funds counties that are not eligible for the special fund too', () => {
    const result = run(['520111,甲县,false,100,1000,1'], ['relocation,central,,12000.00']);
    expect(result.countyByCode.get('520111')!.eligible).toBe(false);
    expect(relocationOf(result, '520111')[0]).toBe('12000.00');
  });

  it('reports a provincial line with no need as unallocated, and adds relocation to total', () => {
    const result = run(['520111,甲县,true,100,1000,1', '450001,丁县,true,100,1000,0'], ['relocation,central,,12000.00', 'relocation,provincial,45,5000.00', 'special_poverty,central,,100.00']);
    expect(result.pots.find((pot) => pot.id === 'relocation.pool.45')!.unallocatedReason).toBe('no county of the province has people to relocate');
    const county = result.countyByCode.get('520111')!.amounts;
    expect(yuanOf(county.get('total'))).toBe(yuanOf((county.get('special_poverty_central') ?? 0n) + (county.get('special_poverty_provincial') ?? 0n) + 1200000n));
  });

  it('does not run without the relocation_population column and leaves its lines unallocated', () => {
    const result = allocate(
      buildInputs({ counties: csv('county_code,county_name,poverty_county,poor_population,rural_population', ['520111,甲县,true,100,1000']), budget: csv('fund,level,province_code,amount', ['relocation,central,,500.00']) }),
    );
    expect(result.countyByCode.get('520111')!.amounts.has('relocation')).toBe(false);
    expect(result.skippedRules).toContainEqual(expect.objectContaining({ rule: 'relocation', clause: 'I.3' }));
    expect(result.checks.find((check) => check.check === 'rule_skipped' && check.rule === 'relocation')!.severity).toBe('warning');
    expect(yuanOf(result.fundAccounts.find((account) => account.fund === 'relocation' && account.level === 'central')!.unallocated)).toBe('500.00');
  });
});
