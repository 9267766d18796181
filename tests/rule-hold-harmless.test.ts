import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocate } from '../src/core/allocate.js';
import { readPreviousAllocations } from '../src/core/previous.js';
import { RULES, type Rule } from '../src/core/rules/index.js';
import { AmountStore, CountyRecord, eachStep, type CountyFloor } from '../src/core/state.js';
import { buildInputs, csv, plainPolicy, table, yuanOf } from './build-inputs.js';

const COUNTIES = csv('county_code,county_name,poverty_county,poor_population,rural_population', [
  '520111,甲县,true,1000,10000',
  '520112,乙县,true,1000,10000',
  '520113,丙县,false,1000,10000',
]);
const PREVIOUS_HEADER = 'county_code,county_name,special_poverty_central,special_poverty_provincial,total';
// Last year: 甲 10,000,000.00 in all, 乙 1,000,000.00, 丙 (not eligible this year) 5,000,000.00.
const PREVIOUS = csv(PREVIOUS_HEADER, ['520111,甲县,8000000.00,2000000.00,10000000.00', '520112,乙县,1000000.00,0.00,1000000.00', '520113,丙县,5000000.00,0.00,5000000.00']);

function run(pool: string, previous: string | null = PREVIOUS, edit?: Parameters<typeof plainPolicy>[0]) {
  return allocate(
    buildInputs({ counties: COUNTIES, budget: csv('fund,level,province_code,amount', [`special_poverty,central,,${pool}`]), ...(previous === null ? {} : { previous }), policy: plainPolicy(edit) }),
  );
}
const special = (result: ReturnType<typeof run>, code: string): string => {
  const amounts = result.countyByCode.get(code)!.amounts;
  return yuanOf((amounts.get('special_poverty_central') ?? 0n) + (amounts.get('special_poverty_provincial') ?? 0n));
};

describe('hold_harmless', () => {
  it.each([
    ['guarantee binds: 甲 held at 9,000,000.00, 乙 gets the rest', '10000000.00', ['9000000.00', '1000000.00', '0.00'], ['floor', 'share']],
    ['guarantees infeasible: reduced ratably', '9000000.00', ['8181818.18', '818181.82', '0.00'], ['floor_reduced', 'floor_reduced']],
    ['pool large enough: no guarantee binds', '30000000.00', ['15000000.00', '15000000.00', '0.00'], ['share', 'share']],
  ])('%s (pool %s)', (_label, pool, amounts, bindings) => {
    const result = run(pool);
    expect(['520111', '520112', '520113'].map((code) => special(result, code))).toEqual(amounts);
    expect(['520111', '520112'].map((code) => result.countyByCode.get(code)!.binding)).toEqual(bindings);
  });

  it('reports a guarantee that bound (info) and guarantees reduced ratably (warning)', () => {
    const bound = run('10000000.00').checks.filter((check) => check.rule === 'hold_harmless');
    expect(bound.map((check) => [check.check, check.severity, check.code, check.value, check.threshold])).toEqual([['hold_harmless_bound', 'info', '520111', '9000000.00', '9000000.00']]);
    const reduced = run('9000000.00').checks.filter((check) => check.rule === 'hold_harmless');
    expect(reduced.map((check) => [check.check, check.severity, check.scope, check.code, check.value, check.threshold])).toEqual([
      ['hold_harmless_reduced', 'warning', 'province', '52', '9000000.00', '9900000.00'],
    ]);
    expect(reduced[0]!.message).toContain('short by 900000.00');
  });

  it('gives no guarantee to a county absent last year', () => {
    const result = run('10000000.00', csv(PREVIOUS_HEADER, ['520112,乙县,1000000.00,0.00,1000000.00']));
    expect(['520111', '520112'].map((code) => special(result, code))).toEqual(['5000000.00', '5000000.00']);
    expect(result.countyByCode.get('520111')!.floors).toEqual([]);
    expect([...eachStep(result.steps)].find((step) => step.rule === 'hold_harmless' && step.subject === '520111')!.label).toContain('absent');
  });

  it("records each eligible county's step, in order, with every value named and formatted", () => {
    // Made when the audit log reads them (a series, not an object per village): the entries are what they were as objects.
    const result = run('10000000.00', csv(PREVIOUS_HEADER, ['520113,丙县,5.00,0.00,5.00', '520112,乙县,1000000.00,0.05,1000000.05']));
    const steps = [...eachStep(result.steps)].filter((step) => step.rule === 'hold_harmless');
    // 520113 is not eligible: no step.
    expect(steps.map((step) => [step.type, step.clause, step.subject, step.label, Object.entries(step.values)])).toEqual([
      ['rule_applied', 'IV.2', '520111', "no guarantee: absent from last year's allocations", [['previous_total', ''], ['guarantee', '']]],
      ['rule_applied', 'IV.2', '520112', "guarantee: 0.9 of last year's special fund", [['previous_special_poverty_central', '1000000.00'], ['previous_special_poverty_provincial', '0.05'], ['previous_total', '1000000.05'], ['share', '0.9'], ['guarantee', '900000.04']]],
    ]);
    expect(result.countyByCode.get('520112')!.floors.map((floor) => [floor.rule, floor.label, yuanOf(floor.amount)])).toEqual([['hold_harmless', 'hold-harmless guarantee 0.9 x last year', '900000.04']]);
  });

  it('rounds the guarantee down to the fen and uses the policy share', () => {
    const result = run('10000000.00', csv(PREVIOUS_HEADER, ['520111,甲县,0.03,0.00,0.03']), (document) => {
      document.hold_harmless.share_of_previous.value = '0.5';
    });
    expect(result.countyByCode.get('520111')!.floors.map((floor) => yuanOf(floor.amount))).toEqual(['0.01']);
  });

  it('does not report a guarantee at or below the policy floor: the floor binds on its own', () => {
    // 甲 has a twentieth of the poor and of the incidence: its share of 10,000,000.00 (500,000.00) is below the floor.
    const result = allocate(
      buildInputs({
        counties: csv('county_code,county_name,poverty_county,poor_population,rural_population', ['520111,甲县,true,100,10000', '520112,乙县,true,1900,10000']),
        budget: csv('fund,level,province_code,amount', ['special_poverty,central,,10000000.00']),
        previous: csv(PREVIOUS_HEADER, ['520111,甲县,2000000.00,0.00,2000000.00']),
        policy: plainPolicy((document) => {
          document.special_poverty.county.floor.value = '2000000.00';
        }),
      }),
    );
    expect([special(result, '520111'), special(result, '520112')]).toEqual(['2000000.00', '8000000.00']);
    expect(result.countyByCode.get('520111')!.floors.map((floor) => yuanOf(floor.amount))).toEqual(['1800000.00']);
    expect(result.checks.some((check) => check.rule === 'hold_harmless')).toBe(false);
  });

  it('holds a county at its guarantee above the cap', () => {
    const result = run('10000000.00', PREVIOUS, (document) => {
      document.special_poverty.county.cap_share.value = '0.5';
    });
    expect(special(result, '520111')).toBe('9000000.00');
  });

  it('does not run without --previous', () => {
    const result = run('10000000.00', null);
    expect(result.skippedRules).toContainEqual({ rule: 'hold_harmless', clause: 'IV.2', reason: 'no --previous allocations.csv was given' });
    expect(['520111', '520112'].map((code) => special(result, code))).toEqual(['5000000.00', '5000000.00']);
  });
});

describe('hold_harmless on a village table (12-digit codes)', () => {
  const VILLAGES = csv('county_code,county_name,poverty_county,poor_population,rural_population', [
    '520111000001,甲村,true,1000,10000',
    '520111000002,乙村,true,1000,10000',
    '520111000003,丙村,false,1000,10000',
  ]);
  const VILLAGE_PREVIOUS = csv(PREVIOUS_HEADER, [
    '520111000001,甲村,8000000.00,2000000.00,10000000.00',
    '520111000002,乙村,1000000.00,0.00,1000000.00',
    '520111000003,丙村,5000000.00,0.00,5000000.00',
  ]);
  const villages = (previous: string) =>
    allocate(buildInputs({ counties: VILLAGES, budget: csv('fund,level,province_code,amount', ['special_poverty,central,,10000000.00']), previous, policy: plainPolicy() }));

  it('reads last year by village code and holds each village as a county is held', () => {
    const result = villages(VILLAGE_PREVIOUS);
    const amount = (code: string): string => yuanOf(result.countyByCode.get(code)!.amounts.get('special_poverty_central') ?? 0n);
    // As the county table above with the same figures: 甲 held at 9,000,000.00, 乙 gets the rest.
    expect([amount('520111000001'), amount('520111000002'), amount('520111000003')]).toEqual(['9000000.00', '1000000.00', '0.00']);
    expect(result.countyByCode.get('520111000001')!.binding).toBe('floor');
  });

  it('keeps every row of a long file with its amounts and line, the largest amount a table holds too', () => {
    // More rows than the store first makes room for (1,024): it grows without losing any.
    const rows = Array.from({ length: 1500 }, (_, index) => `${520111000001 + index},村${index},${index}.${String(index % 100).padStart(2, '0')},${index === 1499 ? '999999999999999.99' : '0.01'},0`);
    const read = readPreviousAllocations(table('allocations.csv', csv(PREVIOUS_HEADER, rows)));
    expect(read.problems).toEqual([]);
    const byCounty = read.result!.byCounty;
    expect(byCounty.size).toBe(1500);
    for (const index of [0, 1, 1023, 1024, 1025, 1499]) {
      const row = byCounty.get(String(520111000001 + index))!;
      expect([row.specialPovertyCentral, row.line]).toEqual([BigInt(index * 100 + (index % 100)), index + 2]);
      expect(row.specialPovertyProvincial).toBe(index === 1499 ? 99999999999999999n : 1n);
    }
    expect(byCounty.get('520111001501')).toBeUndefined();
    expect(read.result!.centralTotal).toBe(Array.from({ length: 1500 }, (_, index) => BigInt(index * 100 + (index % 100))).reduce((sum, fen) => sum + fen, 0n));
  });

  it('finds every code, in any order asked, and every repeated code with its first line, whatever the order of the rows', () => {
    // The rows are kept in code order and searched from where the last search ended: checked against a map.
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 60 }), { minLength: 1, maxLength: 80 }),
        fc.array(fc.integer({ min: -5, max: 65 }), { maxLength: 100 }),
        fc.constantFrom(6, 12),
        (codeNumbers, asked, length) => {
          const codeOf = (n: number): string => (length === 6 ? String(520100 + n) : String(520111000000 + n * 7));
          const rows = codeNumbers.map((n, index) => `${codeOf(n)},村,${index}.00,0.01,0`);
          const read = readPreviousAllocations(table('allocations.csv', csv(PREVIOUS_HEADER, rows)));
          const model = new Map<string, { fen: bigint; line: number }>();
          const repeated: string[] = [];
          codeNumbers.forEach((n, index) => {
            const first = model.get(codeOf(n));
            if (first) repeated.push(`${index + 2}: "${codeOf(n)}" appears twice (also on line ${first.line})`);
            else model.set(codeOf(n), { fen: BigInt(index * 100), line: index + 2 });
          });
          if (repeated.length > 0) {
            expect(read.result).toBeUndefined();
            expect(read.problems.map((problem) => `${problem.line}: ${problem.message}`)).toEqual(repeated);
            return;
          }
          const byCounty = read.result!.byCounty;
          expect(byCounty.size).toBe(model.size);
          for (const n of [...asked, ...codeNumbers]) {
            const expected = model.get(codeOf(n));
            const found = byCounty.get(codeOf(n));
            expect(found === undefined ? undefined : { fen: found.specialPovertyCentral, line: found.line }).toEqual(expected);
          }
          // A code of the other length, or not a code, is never found.
          expect(byCounty.get(length === 6 ? `000000${codeOf(codeNumbers[0]!)}` : codeOf(codeNumbers[0]!).slice(6))).toBeUndefined();
          expect(byCounty.get('52011x')).toBeUndefined();
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses mixed code lengths, and codes of neither length, each with its line', () => {
    const read = readPreviousAllocations(table('allocations.csv', csv(PREVIOUS_HEADER, ['520111000001,甲村,1.00,0.00,1.00', '520112,乙县,1.00,0.00,1.00', '5201110000,丙,1.00,0.00,1.00', '520111000001,甲村,1.00,0.00,1.00'])));
    expect(read.result).toBeUndefined();
    expect(read.problems.map((problem) => `${problem.line}: ${problem.message}`)).toEqual([
      '3: "520112" has 6 digits but line 2 has 12: a table uses one code length (6-digit counties or 12-digit villages)',
      '4: "5201110000" is not a 6-digit administrative code or a 12-digit village code',
      '5: "520111000001" appears twice (also on line 2)',
    ]);
  });
});

describe('floors as a county keeps them', () => {
  const county = () => buildInputs({ counties: COUNTIES, budget: csv('fund,level,province_code,amount', ['special_poverty,central,,1.00']) }).counties.counties[0]!;
  const floor = (amount: bigint, rule = 'hold_harmless'): CountyFloor => ({ rule, clause: 'IV.2', label: `${rule} floor`, amount });

  // A county of a run keeps its amounts in the run's store, where a lone floor goes to a column of its kind; one made alone keeps a map.
  const records = (count: number, inStore: boolean): CountyRecord[] => {
    const store = new AmountStore(count);
    return Array.from({ length: count }, (_, index) => (inStore ? CountyRecord.inStore(county(), store, index) : CountyRecord.alone(county())));
  };
  const multiplier = { rule: 'assessment', clause: 'IV.3', label: 'grade', value: plainPolicy().countyCapShare };

  it.each([true, false])('gives back every floor added, in order, with or without multipliers, whichever came first (in a store: %s)', (inStore) => {
    const [one, multiplierFirst, wide] = records(3, inStore) as [CountyRecord, CountyRecord, CountyRecord];
    one.addFloor(floor(5n));
    expect(one.floors).toEqual([floor(5n)]);
    expect(one.scoreMultipliers).toEqual([]);
    one.addScoreMultiplier(multiplier);
    one.addFloor(floor(7n, 'other'));
    expect(one.floors).toEqual([floor(5n), floor(7n, 'other')]);
    expect(one.scoreMultipliers.map((each) => each.rule)).toEqual(['assessment']);
    multiplierFirst.addScoreMultiplier(multiplier);
    multiplierFirst.addFloor(floor(5n));
    expect(multiplierFirst.floors).toEqual([floor(5n)]);
    expect(multiplierFirst.scoreMultipliers).toHaveLength(1);
    // An amount wider than a 64-bit slot is kept as it is.
    wide.addFloor(floor(1n << 70n));
    expect(wide.floors).toEqual([floor(1n << 70n)]);
  });

  it.each([true, false])('keeps each county its own floors when their kinds are alike or not (in a store: %s)', (inStore) => {
    const given = [floor(1n), floor(2n, 'other'), floor(3n), floor(-4n)];
    const counties = records(given.length + 1, inStore);
    given.forEach((each, index) => counties[index]!.addFloor(each));
    expect(counties.map((countyState) => countyState.floors)).toEqual([...given.map((each) => [each]), []]);
    counties[0]!.addFloor(floor(9n));
    expect(counties.map((countyState) => countyState.floors)).toEqual([[floor(1n), floor(9n)], ...given.slice(1).map((each) => [each]), []]);
  });

  it("shows in stage 2's step the floors a county had then, not one a later rule adds", () => {
    const late: Rule = {
      id: 'late_floor',
      clause: 'test',
      title: 'adds a floor after stage 2',
      seed: '',
      apply(state) {
        for (const countyState of state.counties) if (countyState.eligible) countyState.addFloor(floor(1n, 'late_floor'));
      },
    };
    const at = RULES.findIndex((rule) => rule.id === 'special_poverty_counties');
    const inputs = buildInputs({ counties: COUNTIES, budget: csv('fund,level,province_code,amount', ['special_poverty,central,,10000000.00']), previous: PREVIOUS, policy: plainPolicy() });
    const stageTwo = (rules: readonly Rule[]) =>
      [...eachStep(allocate(inputs, rules).steps)].filter((step) => step.rule === 'special_poverty_counties' && step.subject.length === 6).map((step) => step.values);
    const withLate = stageTwo([...RULES.slice(0, at + 1), late, ...RULES.slice(at + 1)]);
    expect(withLate).toEqual(stageTwo(RULES));
    expect(withLate.map((values) => values['hold_harmless.floor'])).toEqual(['9000000.00', '900000.00']);
    expect(withLate.some((values) => 'late_floor.floor' in values)).toBe(false);
  });
});
