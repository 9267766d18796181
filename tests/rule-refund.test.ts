import { describe, expect, it } from 'vitest';
import { allocate } from '../src/core/allocate.js';
import { buildInputs, csv, plainPolicy, yuanOf } from './build-inputs.js';

const HEADER = 'county_code,county_name,poverty_county,key_county,contiguous_area,poor_population,rural_population,remitted_central,remitted_provincial,remitted_prefecture';
const BUDGET = csv('fund,level,province_code,amount', ['special_poverty,central,,0.00']);

// Each county remitted 1,000,000.00 to the centre, 400,000.00 to the province, 100,000.00 to the prefecture.
const COUNTIES = csv(HEADER, [
  '520111,西部连片县,true,true,乌蒙山区,1000,10000,1000000.00,400000.00,100000.00', // west, contiguous area (and key)
  '130001,东部重点县,true,true,,1000,10000,1000000.00,400000.00,100000.00', // east, key county outside the areas
  '130002,东部贫困县,true,false,,1000,10000,1000000.00,400000.00,100000.00', // poverty county, neither
  '130003,东部非贫困县,false,false,,1000,10000,1000000.00,400000.00,100000.00', // not eligible
  '360001,中部连片县,true,false,罗霄山区,1000,10000,0.00,,0.01', // central, contiguous: an empty cell is 0
]);

describe('refund (I.1)', () => {
  const result = allocate(buildInputs({ counties: COUNTIES, budget: BUDGET }));
  const refund = (code: string) => {
    const amounts = result.countyByCode.get(code)!.amounts;
    return [yuanOf(amounts.get('refund_central')), yuanOf(amounts.get('refund_provincial')), yuanOf(amounts.get('refund_prefecture'))];
  };

  it.each([
    ['520111', 'western contiguous-area county: all three levels', ['1000000.00', '400000.00', '100000.00']],
    ['130001', 'eastern key county outside the areas: the central part only', ['1000000.00', '0.00', '0.00']],
    ['130002', 'poverty county neither in an area nor key: nothing', ['0.00', '0.00', '0.00']],
    ['130003', 'county that is not eligible: nothing', ['0.00', '0.00', '0.00']],
    ['360001', 'contiguous-area county with an empty remitted cell: that level is 0', ['0.00', '0.00', '0.01']],
  ])('%s, %s', (code, _label, expected) => {
    expect(refund(code)).toEqual(expected);
  });

  it('adds the refunds to total and keeps the totals per paying level', () => {
    expect(yuanOf(result.countyByCode.get('520111')!.amounts.get('total'))).toBe('1500000.00');
    expect(yuanOf(result.countyByCode.get('130001')!.amounts.get('total'))).toBe('1000000.00');
    const total = (column: string) => yuanOf(result.counties.reduce((sum, countyState) => sum + (countyState.amounts.get(column) ?? 0n), 0n));
    expect([total('refund_central'), total('refund_provincial'), total('refund_prefecture'), total('refund_total')]).toEqual([
      '2000000.00',
      '400000.00',
      '100000.01',
      '2500000.01',
    ]);
    expect(result.skippedRules).not.toContainEqual(expect.objectContaining({ rule: 'refund' }));
  });

  it('refunds what the policy says: key counties outside the areas may also get the provincial part', () => {
    const policy = plainPolicy((document) => {
      document.refund.key_county_outside_areas.provincial.value = true;
    });
    const edited = allocate(buildInputs({ counties: COUNTIES, budget: BUDGET, policy }));
    expect(yuanOf(edited.countyByCode.get('130001')!.amounts.get('refund_provincial'))).toBe('400000.00');
    expect(yuanOf(edited.countyByCode.get('130002')!.amounts.get('refund_provincial'))).toBe('0.00');
  });

  it('reports that it did not run when the remitted columns are absent: no silent zeros', () => {
    const counties = csv('county_code,county_name,poverty_county,poor_population,rural_population', ['520111,甲县,true,1000,10000']);
    const skipped = allocate(buildInputs({ counties, budget: BUDGET }));
    const county = skipped.countyByCode.get('520111')!;
    expect(county.amounts.has('refund_central')).toBe(false);
    expect(county.amounts.has('refund_total')).toBe(false);
    expect(skipped.skippedRules).toContainEqual(expect.objectContaining({ rule: 'refund', clause: 'I.1' }));
    const check = skipped.checks.find((entry) => entry.check === 'rule_skipped' && entry.rule === 'refund');
    expect(check).toMatchObject({ severity: 'warning', clause: 'I.1' });
    expect(check!.message).toContain('remitted_central, remitted_provincial, remitted_prefecture');
  });

  it('computes the levels whose column is present and reports each absent one', () => {
    const counties = csv('county_code,county_name,contiguous_area,poor_population,rural_population,remitted_central', ['520111,甲县,乌蒙山区,1000,10000,123.45']);
    const partial = allocate(buildInputs({ counties, budget: BUDGET }));
    const amounts = partial.countyByCode.get('520111')!.amounts;
    expect(yuanOf(amounts.get('refund_central'))).toBe('123.45');
    expect(amounts.has('refund_provincial')).toBe(false);
    expect(yuanOf(amounts.get('total'))).toBe('123.45');
    expect(partial.skippedRules.filter((entry) => entry.rule === 'refund').map((entry) => entry.reason)).toEqual([
      'counties.csv has no remitted_provincial column: refund_provincial not computed',
      'counties.csv has no remitted_prefecture column: refund_prefecture not computed',
    ]);
  });
});
