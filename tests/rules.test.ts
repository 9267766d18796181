/**
 * Per-rule tables of cases, computed by hand, on small in-memory inputs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocate } from '../src/core/allocate.js';
import { formatYuan } from '../src/core/money.js';
import { InputError } from '../src/core/problems.js';
import { buildInputs as buildFromTexts, compile, policyDocument, type PolicyJson } from './build-inputs.js';

const smallPolicyDocument = (): PolicyJson => policyDocument('small');
const defaultPolicyDocument = (): PolicyJson => policyDocument('default');
const buildInputs = (counties: string, budget: string, document: PolicyJson = smallPolicyDocument()) =>
  buildFromTexts({ counties, budget, policy: compile(document) });

const HEADER = 'county_code,county_name,poverty_county,key_county,contiguous_area,old_revolutionary_base,ethnic_minority_area,border_area,poor_population,rural_population';
const amount = (result: ReturnType<typeof allocate>, code: string): string => formatYuan(result.countyByCode.get(code)!.amounts.get('total')!);

describe('eligibility (I)', () => {
  const cases: [string, string, boolean, string[]][] = [
    ['poverty county', '520101,a,1,0,,0,0,0,10,100', true, ['poverty_county']],
    ['key county', '520101,a,0,1,,0,0,0,10,100', true, ['key_county']],
    ['contiguous area', '520101,a,0,0,乌蒙山区,0,0,0,10,100', true, ['contiguous_area 乌蒙山区']],
    ['all three', '520101,a,1,1,乌蒙山区,0,0,0,10,100', true, ['poverty_county', 'key_county', 'contiguous_area 乌蒙山区']],
    ['none (focus areas alone do not qualify)', '520101,a,0,0,,1,1,1,10,100', false, []],
  ];
  for (const [name, row, eligible, reasons] of cases) {
    it(name, () => {
      const result = allocate(buildInputs(`${HEADER}\n${row}\n`, 'fund,level,province_code,amount\nspecial_poverty,central,,100.00\n'));
      const county = result.countyByCode.get('520101')!;
      expect(county.eligible).toBe(eligible);
      expect(county.eligibilityReasons).toEqual(reasons);
    });
  }
  it('the policy can narrow eligibility to key counties', () => {
    const policy = smallPolicyDocument();
    policy.eligibility.any_of = ['key_county'];
    const result = allocate(buildInputs(`${HEADER}\n520101,a,1,0,,0,0,0,10,100\n520102,b,0,1,,0,0,0,10,100\n`, 'fund,level,province_code,amount\nspecial_poverty,central,,100.00\n', policy));
    expect(result.counties.map((c) => c.eligible)).toEqual([false, true]);
  });
});

describe('eligibility (I) over many counties', () => {
  it('gives each county the reasons of its own flags, in the order the policy lists them, whatever the mix of areas and flags', () => {
    const areas = ['', '乌蒙山区', '六盘山区', '大别山区'];
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.boolean(), fc.constantFrom(...areas)), { minLength: 1, maxLength: 40 }),
        fc.shuffledSubarray(['poverty_county', 'key_county', 'contiguous_area'] as const, { minLength: 1 }),
        (rows, anyOf) => {
          const policy = smallPolicyDocument();
          policy.eligibility.any_of = [...anyOf];
          const lines = rows.map(([poverty, key, area], index) => `${520101 + index},c${index},${poverty ? 1 : 0},${key ? 1 : 0},${area},0,0,0,10,100`);
          const result = allocate(buildInputs(`${HEADER}\n${lines.join('\n')}\n`, 'fund,level,province_code,amount\nspecial_poverty,central,,100.00\n', policy));
          rows.forEach(([poverty, key, area], index) => {
            const expected = anyOf.flatMap((flag) =>
              flag === 'poverty_county' ? (poverty ? [flag] : []) : flag === 'key_county' ? (key ? [flag] : []) : area !== '' ? [`contiguous_area ${area}`] : [],
            );
            const county = result.countyByCode.get(String(520101 + index))!;
            expect(county.eligibilityReasons).toEqual(expected);
            expect(county.eligible).toBe(expected.length > 0);
          });
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('priority_province (IV.1): strictly greater', () => {
  const cases: [string, string, boolean][] = [
    ['poor exactly 5,000,000 and incidence exactly 0.15', '520101,a,1,0,,0,0,0,5000000,33333334\n520102,b,1,0,,0,0,0,0,0', false],
    ['poor 5,000,001', '520101,a,1,0,,0,0,0,5000001,40000000', true],
    ['incidence exactly 0.15', '520101,a,1,0,,0,0,0,15,100', false],
    ['incidence 0.150001', '520101,a,1,0,,0,0,0,150001,1000000', true],
    ['over all counties, eligible or not', '520101,a,1,0,,0,0,0,10,100\n520102,b,0,0,,0,0,0,90,100', true],
  ];
  for (const [name, rows, priority] of cases) {
    it(name, () => {
      const fixed = rows.replace('520102,b,1,0,,0,0,0,0,0', '520102,b,1,0,,0,0,0,0,1');
      const result = allocate(buildInputs(`${HEADER}\n${fixed}\n`, 'fund,level,province_code,amount\nspecial_poverty,central,,100.00\n'));
      expect(result.provinceByCode.get('52')!.priority).toBe(priority);
    });
  }
});

describe('special_poverty_counties (IV.2, IV.3)', () => {
  it('focus multipliers multiply and are capped at 1.50', () => {
    // Default multipliers: 1.15 * 1.10 * 1.05^3 = 1.464395625, under the cap.
    const uncapped = allocate(buildInputs(`${HEADER}\n520101,a,1,1,乌蒙山区,1,1,1,10,100\n`, 'fund,level,province_code,amount\nspecial_poverty,central,,100.00\n'));
    expect(uncapped.countyByCode.get('520101')!.focusMultiplier!.toFixed()).toBe('1.464395625');
    // With key county at 1.30: 1.15 * 1.30 * 1.05^3 = 1.73065... -> capped at 1.50.
    const policy = smallPolicyDocument();
    policy.special_poverty.county.focus_multipliers.key_county.value = '1.30';
    const result = allocate(
      buildInputs(`${HEADER}\n520101,a,1,1,乌蒙山区,1,1,1,10,100\n520102,b,1,0,,1,0,0,10,100\n`, 'fund,level,province_code,amount\nspecial_poverty,central,,100000000.00\n', policy),
    );
    expect(result.countyByCode.get('520101')!.focusMultiplier!.toFixed()).toBe('1.5');
    expect(result.countyByCode.get('520102')!.focusMultiplier!.toFixed()).toBe('1.05');
    // Equal factor shares, so the pool of 100M splits 1.5 : 1.05 (cap 0.5 is dropped: only 2 counties... 2 * 0.5 = 1, feasible).
    // 1.5/2.55 * 100M = 58,823,529.41 > cap 50,000,000 -> a = 50M, b = 50M.
    expect(amount(result, '520101')).toBe('50000000.00');
    expect(amount(result, '520102')).toBe('50000000.00');
  });

  it('floors reduced ratably when the pool cannot pay them, with a check', () => {
    const result = allocate(
      buildInputs(`${HEADER}\n520101,a,1,0,,0,0,0,10,100\n520102,b,1,0,,0,0,0,30,100\n520103,c,1,0,,0,0,0,60,100\n`, 'fund,level,province_code,amount\nspecial_poverty,central,,5000000.00\n'),
    );
    // 3 floors of 2,000,000.00 = 6M > 5M: each gets 5M/3 = 1,666,666.666..., the leftover fen to the lowest code.
    expect(['520101', '520102', '520103'].map((code) => amount(result, code))).toEqual(['1666666.67', '1666666.67', '1666666.66']);
    const check = result.checks.find((c) => c.check === 'floor_reduced')!;
    expect(check.message).toContain('short by 1000000.00');
    expect(result.countyByCode.get('520101')!.binding).toBe('floor_reduced');
  });

  it('a cap that cannot be met is not applied, with a check', () => {
    const policy = smallPolicyDocument();
    policy.special_poverty.county.cap_share.value = '0.3';
    policy.special_poverty.county.floor.value = '0.00';
    const result = allocate(
      buildInputs(`${HEADER}\n520101,a,1,0,,0,0,0,10,100\n520102,b,1,0,,0,0,0,30,100\n`, 'fund,level,province_code,amount\nspecial_poverty,central,,100.00\n', policy),
    );
    // Two counties cannot each stay under 30%: the cap is dropped, the shares stand.
    // Scores: a = 0.5*0.25 + 0.5*0.25 = 0.25, b = 0.75.
    expect(amount(result, '520101')).toBe('25.00');
    expect(amount(result, '520102')).toBe('75.00');
    expect(result.checks.map((c) => c.check)).toContain('cap_not_applied');
  });

  it('a policy with other factors (any numeric column, divided by another) needs no code change', () => {
    const policy = smallPolicyDocument();
    policy.special_poverty.factors = {
      road_need: { numerator: 'villages_without_road', denominator: 'road_km', description: 'villages without a road per km of road' },
    };
    const weight = { value: '1', unit: 'share', description: 'only factor', clause: 'IV.2' };
    policy.special_poverty.province.weights = { road_need: weight };
    policy.special_poverty.county.weights = { road_need: weight };
    policy.special_poverty.county.floor.value = '0.00';
    policy.special_poverty.county.cap_share.value = '1';
    const result = allocate(
      buildInputs(
        `${HEADER},villages_without_road,road_km\n520101,a,1,0,,0,0,0,10,100,30,10\n520102,b,1,0,,0,0,0,10,100,10,10\n`,
        'fund,level,province_code,amount\nspecial_poverty,central,,100.00\n',
        policy,
      ),
    );
    expect(amount(result, '520101')).toBe('75.00');
    expect(amount(result, '520102')).toBe('25.00');
  });

  it('a zero denominator is an input error naming the county line and column', () => {
    const policy = smallPolicyDocument();
    policy.special_poverty.factors = { road_need: { numerator: 'villages_without_road', denominator: 'road_km', description: 'x' } };
    const weight = { value: '1', unit: 'share', description: 'only factor', clause: 'IV.2' };
    policy.special_poverty.province.weights = { road_need: weight };
    policy.special_poverty.county.weights = { road_need: weight };
    const inputs = buildInputs(`${HEADER},villages_without_road,road_km\n520101,a,1,0,,0,0,0,10,100,30,0\n`, 'fund,level,province_code,amount\nspecial_poverty,central,,100.00\n', policy);
    expect(() => allocate(inputs)).toThrow(InputError);
    // Untraced too (validate allocates so, recording no steps): the same problem.
    for (const run of [inputs, { ...inputs, trace: false }]) {
      let thrown: unknown;
      try {
        allocate(run);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(InputError);
      expect((thrown as InputError).problems).toEqual([{ file: 'counties.csv', line: 2, column: 'road_km', message: 'is 0, but factor road_need divides by it' }]);
    }
  });

  it('the default policy on incidence-only input derives rural population exactly', () => {
    const policy = defaultPolicyDocument();
    const result = allocate(
      buildInputs(
        'county_code,county_name,poverty_county,poor_population,incidence,rural_income_per_capita,fiscal_revenue_per_capita\n520101,a,1,100,0.3,5000,500\n520102,b,1,200,20%,6000,600\n',
        'fund,level,province_code,amount\nspecial_poverty,central,,10000000.00\n',
        policy,
      ),
    );
    // Province rural population = 100/0.3 + 200/0.2 = 1333.33...; incidence = 300/1333.33 = 0.225.
    expect(result.provinceByCode.get('52')!.incidence.toFixed(6)).toBe('0.225000');
    const total = result.counties.reduce((sum, c) => sum + c.amounts.get('total')!, 0n);
    expect(total).toBe(1_000_000_000n);
  });
});

describe('stage 1 (IV.2)', () => {
  it('the central line goes only to provinces with an eligible county; no recipient leaves it unallocated', () => {
    const result = allocate(buildInputs(`${HEADER}\n520101,a,0,0,,0,0,0,10,100\n`, 'fund,level,province_code,amount\nspecial_poverty,central,,100.00\n'));
    expect(result.fundAccounts.find((a) => a.fund === 'special_poverty' && a.level === 'central')!.unallocated).toBe(10000n);
    expect(result.checks.filter((c) => c.check === 'unallocated').map((c) => [c.check, c.code, c.value])).toEqual([['unallocated', '', '100.00']]);
  });

  it('provincial lines of provinces absent from the county table are reported unallocated', () => {
    const result = allocate(
      buildInputs(`${HEADER}\n520101,a,1,0,,0,0,0,10,100\n`, 'fund,level,province_code,amount\nspecial_poverty,central,,100.00\nspecial_poverty,provincial,11,5.00\nrelocation,central,,7.00\n'),
    );
    const unallocated = result.pots.filter((pot) => pot.unallocated > 0n).map((pot) => [pot.id, pot.unallocated, pot.unallocatedReason]);
    expect(unallocated).toEqual([
      ['relocation.central', 700n, 'no rule allocates the relocation fund'],
      ['special_poverty.provincial.11', 500n, 'no county of province 11 is in the county table'],
    ]);
  });
});
