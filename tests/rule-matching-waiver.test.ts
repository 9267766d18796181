import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocate } from '../src/core/allocate.js';
import { formatProblem } from '../src/core/problems.js';
import { readProjects } from '../src/core/projects.js';
import { parseCsvTable } from '../src/core/table.js';
import { buildInputs, csv, plainPolicy, yuanOf } from './build-inputs.js';

const COUNTIES = csv('county_code,county_name,poverty_county,key_county,contiguous_area,poor_population,rural_population', [
  '520111,西部连片县,true,true,乌蒙山区,1000,10000', // west, contiguous area
  '130001,东部重点县,false,true,,1000,10000', // east, key county outside the areas
  '360001,中部连片县,true,false,罗霄山区,1000,10000', // central region, contiguous area
  '130003,东部非贫困县,false,false,,1000,10000', // not a poverty county
]);
const BUDGET = csv('fund,level,province_code,amount', ['special_poverty,central,,0.00']);
const PROJECT_HEADER = 'project_id,county_code,name,public_welfare,state_arranged,total_cost,share_central,share_provincial,share_prefecture,share_county';

function run(projectRows: readonly string[], edit?: Parameters<typeof plainPolicy>[0]) {
  return allocate(buildInputs({ counties: COUNTIES, budget: BUDGET, projects: csv(PROJECT_HEADER, projectRows), policy: plainPolicy(edit) }));
}

type Row = { standard: string[]; waived: string[]; absorbed: string[]; final: string[]; rule: string };
function rowOf(result: ReturnType<typeof run>, id: string): Row {
  const project = result.projects.find((entry) => entry.projectId === id)!;
  const levels = ['central', 'provincial', 'prefecture', 'county'] as const;
  return {
    standard: levels.map((level) => yuanOf(project.standard.get(level))),
    waived: [yuanOf(project.waivedCounty), yuanOf(project.waivedPrefecture)],
    absorbed: [yuanOf(project.absorbed.get('central')), yuanOf(project.absorbed.get('provincial'))],
    final: levels.map((level) => yuanOf(project.final.get(level))),
    rule: project.waiver,
  };
}

describe('matching_waiver (IV.2)', () => {
  // Default shares 0.60 / 0.20 / 0.10 / 0.10; cost 1,000,000.01 (the odd fen goes to central's larger remainder).
  const result = run([
    'P1,520111,西部连片公路,true,true,1000000.01,,,,',
    'P2,130001,东部重点县公路,true,true,1000000.01,,,,',
    'P3,360001,中部连片公路,true,true,1000000.01,,,,',
    'P4,130003,非贫困县公路,true,true,1000000.01,,,,',
    'P5,520111,非国家安排,true,false,1000000.01,,,,',
    'P6,520111,非公益项目,false,true,1000000.01,,,,',
    'P7,520111,自带比例,true,true,1000000.00,0.50,0.30,0.10,0.10',
  ]);
  const standard = ['600000.01', '200000.00', '100000.00', '100000.00'];

  it.each<[string, string, Row]>([
    ['P1', 'western contiguous county: county and prefecture waived, absorbed by the province', { standard, waived: ['100000.00', '100000.00'], absorbed: ['0.00', '200000.00'], final: ['600000.01', '400000.00', '0.00', '0.00'], rule: 'county_prefecture_waived' }],
    ['P2', 'eastern key county outside the areas: county share only', { standard, waived: ['100000.00', '0.00'], absorbed: ['0.00', '100000.00'], final: ['600000.01', '300000.00', '100000.00', '0.00'], rule: 'county_waived' }],
    ['P3', 'contiguous county of the central region: county share only', { standard, waived: ['100000.00', '0.00'], absorbed: ['0.00', '100000.00'], final: ['600000.01', '300000.00', '100000.00', '0.00'], rule: 'county_waived' }],
    ['P4', 'project in a county that is not a poverty county: no waiver', { standard, waived: ['0.00', '0.00'], absorbed: ['0.00', '0.00'], final: standard, rule: 'none' }],
    ['P5', 'project not arranged by the state: no waiver', { standard, waived: ['0.00', '0.00'], absorbed: ['0.00', '0.00'], final: standard, rule: 'none' }],
    ['P6', 'project that is not public-welfare: no waiver', { standard, waived: ['0.00', '0.00'], absorbed: ['0.00', '0.00'], final: standard, rule: 'none' }],
    ['P7', "the row's own shares replace the policy's", { standard: ['500000.00', '300000.00', '100000.00', '100000.00'], waived: ['100000.00', '100000.00'], absorbed: ['0.00', '200000.00'], final: ['500000.00', '500000.00', '0.00', '0.00'], rule: 'county_prefecture_waived' }],
  ])('%s: %s', (id, _label, expected) => {
    expect(rowOf(result, id)).toEqual(expected);
  });

  it('says why in the reason and records a step per project under its county', () => {
    expect(result.projects.find((project) => project.projectId === 'P4')!.reason).toContain('130003 is not an eligible (poverty) county');
    expect(result.projects.find((project) => project.projectId === 'P5')!.reason).toContain('not arranged by the state');
    const step = result.steps.find((entry) => entry.rule === 'matching_waiver' && entry.values['project_id'] === 'P1')!;
    expect(step).toMatchObject({ clause: 'IV.2', subject: '520111' });
    expect(step.values['final_county']).toBe('0.00');
  });

  it('splits the absorbed money by the policy: central 0.5 / provincial 0.5, the odd fen by largest remainder', () => {
    const split = run(['P1,520111,公路,true,true,0.30,,,,'], (document) => {
      document.matching_waiver.absorbed_by.central.value = '0.5';
      document.matching_waiver.absorbed_by.provincial.value = '0.5';
    });
    // 0.30 -> standard 0.18 / 0.06 / 0.03 / 0.03; waived 0.06, absorbed 0.03 / 0.03.
    expect(rowOf(split, 'P1')).toEqual({
      standard: ['0.18', '0.06', '0.03', '0.03'],
      waived: ['0.03', '0.03'],
      absorbed: ['0.03', '0.03'],
      final: ['0.21', '0.09', '0.00', '0.00'],
      rule: 'county_prefecture_waived',
    });
    const odd = run(['P1,130001,公路,true,true,0.30,,,,'], (document) => {
      document.matching_waiver.absorbed_by.central.value = '0.5';
      document.matching_waiver.absorbed_by.provincial.value = '0.5';
    });
    // waived 0.03: 1.5 fen each, the tie goes to the first id (central).
    expect(rowOf(odd, 'P1').absorbed).toEqual(['0.02', '0.01']);
    expect(rowOf(odd, 'P1').final).toEqual(['0.20', '0.07', '0.03', '0.00']);
  });

  it('waives the prefecture share in the regions the policy lists', () => {
    const widened = run(['P3,360001,中部连片公路,true,true,1000000.01,,,,'], (document) => {
      document.matching_waiver.waive_prefecture_share_in.central.value = true;
    });
    expect(rowOf(widened, 'P3').rule).toBe('county_prefecture_waived');
    const off = run(['P1,520111,公路,true,true,1000000.01,,,,'], (document) => {
      document.matching_waiver.waive_county_share.value = false;
    });
    expect(rowOf(off, 'P1').rule).toBe('none');
  });

  it('adds the projects up per province and per level', () => {
    const province52 = result.provinceByCode.get('52')!;
    // P1, P5, P6 (1,000,000.01 each) and P7 (1,000,000.00) are in 52.
    expect(yuanOf(province52.amounts.get('project_cost'))).toBe('4000000.03');
    expect(yuanOf(province52.amounts.get('project_county'))).toBe('200000.00');
    expect(yuanOf(province52.amounts.get('project_waived'))).toBe('400000.00');
  });

  it('does not run without --projects', () => {
    const none = allocate(buildInputs({ counties: COUNTIES, budget: BUDGET }));
    expect(none.projects).toEqual([]);
    expect(none.skippedRules).toContainEqual({ rule: 'matching_waiver', clause: 'IV.2', reason: 'no --projects file was given' });
    expect(none.amountColumns.some((column) => column.rule === 'matching_waiver')).toBe(false);
  });

  it('property: every project adds up exactly to its cost, whatever the shares and absorption', () => {
    const share = fc.integer({ min: 0, max: 100 });
    fc.assert(
      fc.property(
        fc.array(fc.record({ fen: fc.bigInt({ min: 1n, max: 10n ** 13n }), county: fc.constantFrom('520111', '130001', '360001', '130003'), publicWelfare: fc.boolean(), stateArranged: fc.boolean(), own: fc.option(fc.tuple(share, share, share), { nil: undefined }) }), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 0, max: 100 }),
        (projects, absorbedCentralPercent) => {
          const rows = projects.map((project, index) => {
            const cost = `${project.fen / 100n}.${(project.fen % 100n).toString().padStart(2, '0')}`;
            let shares = ',,,';
            if (project.own) {
              // Three shares in hundredths and the fourth makes them add up to exactly 1.
              const [a, b, c] = project.own.map((value) => Math.floor(value / 3));
              shares = [a!, b!, c!, 100 - a! - b! - c!].map((value) => (value / 100).toFixed(2)).join(',');
            }
            return `P${index},${project.county},项目,${project.publicWelfare},${project.stateArranged},${cost},${shares}`;
          });
          const outcome = run(rows, (document) => {
            document.matching_waiver.absorbed_by.central.value = (absorbedCentralPercent / 100).toFixed(2);
            document.matching_waiver.absorbed_by.provincial.value = ((100 - absorbedCentralPercent) / 100).toFixed(2);
          });
          for (const project of outcome.projects) {
            const finalTotal = [...project.final.values()].reduce((sum, value) => sum + value, 0n);
            const standardTotal = [...project.standard.values()].reduce((sum, value) => sum + value, 0n);
            const absorbedTotal = [...project.absorbed.values()].reduce((sum, value) => sum + value, 0n);
            expect(finalTotal).toBe(project.totalCost);
            expect(standardTotal).toBe(project.totalCost);
            expect(absorbedTotal).toBe(project.waivedCounty + project.waivedPrefecture);
            for (const value of project.final.values()) expect(value >= 0n).toBe(true);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('projects.csv reader', () => {
  const read = (text: string, codes: readonly string[] = ['520111', '130001']) => {
    const { table } = parseCsvTable('projects.csv', text);
    return readProjects(table!, new Set(codes));
  };

  it('collects every problem of the file at once', () => {
    const { result, problems } = read(
      csv(PROJECT_HEADER, [
        'P1,520111,甲,true,true,100.00,,,,',
        'P1,520111,甲,true,true,100.00,,,,', // duplicate id
        'P2,999999,乙,true,true,100.00,,,,', // unknown county
        'P3,52011,丙,true,true,100.00,,,,', // not 6 digits
        'P4,520111,丁,maybe,true,0,,,,', // bad yes/no, cost 0
        'P5,520111,戊,true,true,100.00,0.60,0.20,0.10,0.09', // shares add up to 0.99
        'P6,520111,己,true,true,100.00,0.60,0.20,0.20,', // three shares only
        'P7,520111,庚,true,true,100.00,1.20,0,0,0', // share above 1
        ',520111,辛,true,true,12.345,,,,', // empty id, three decimals
      ]),
    );
    expect(result).toBeUndefined();
    expect(problems.map(formatProblem)).toEqual([
      'projects.csv:3: project_id: "P1" appears twice (also on line 2)',
      'projects.csv:4: county_code: "999999" is not a county of the county table',
      'projects.csv:5: county_code: "52011" is not a 6-digit administrative code or a 12-digit village code (digits only, e.g. 522701)',
      'projects.csv:6: public_welfare: "maybe" is not yes or no (1/0, true/false, yes/no, y/n, 是/否; empty means no)',
      'projects.csv:6: total_cost: "0" is not an amount greater than 0',
      'projects.csv:7: share_central: the shares add up to 0.99, not exactly 1 (0.60 + 0.20 + 0.10 + 0.09)',
      "projects.csv:8: share_county: is empty: give all four shares or none (then the policy's standard shares apply)",
      'projects.csv:9: share_central: "1.20" is not a share between 0 and 1',
      'projects.csv:10: project_id: is empty but required',
      'projects.csv:10: total_cost: "12.345" is not an amount in yuan (digits with at most 2 decimals, e.g. 1234567.89): more than 2 decimal places: amounts are in yuan to the fen',
    ]);
  });

  it('refuses a header without the required columns or with an incomplete set of share columns', () => {
    const { problems } = read(csv('project_id,county_code,total_cost,share_central', ['P1,520111,1.00,1']));
    expect(problems.map((problem) => problem.column)).toEqual(['public_welfare', 'state_arranged', 'share_provincial, share_prefecture, share_county']);
  });

  it('accepts Chinese headers, sorts by id and keeps own shares', () => {
    const { result, problems } = read(csv('项目编号,县代码,项目名称,公益性,国家安排,总投资', ['P2,130001,乙,是,否,5.00', 'P10,520111,甲,1,1,7.5']));
    expect(problems).toEqual([]);
    expect(result!.projects.map((project) => [project.id, project.publicWelfare, project.stateArranged, yuanOf(project.totalCost), project.shares])).toEqual([
      ['P10', true, true, '7.50', undefined],
      ['P2', true, false, '5.00', undefined],
    ]);
  });
});
