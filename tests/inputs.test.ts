import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readBudget } from '../src/core/budget.js';
import { readCounties } from '../src/core/counties.js';
import { parseDecimal, parseMoney, parseRatioOrPercent, parseWholeNumber, parseYesNo } from '../src/core/grammar.js';
import { formatYuan, groupThousands, parseYuan } from '../src/core/money.js';
import { formatProblem, sortProblems, type Problem } from '../src/core/problems.js';
import { parseReference } from '../src/core/reference.js';
import { parseCsvTable } from '../src/core/table.js';
import { ROOT } from './helpers.js';

const reference = parseReference(
  readFileSync(join(ROOT, 'data', 'provinces.csv'), 'utf8'),
  readFileSync(join(ROOT, 'data', 'contiguous_areas.csv'), 'utf8'),
);
const FACTOR_COLUMNS = ['poor_population', 'rural_income_per_capita', 'rural_population'];

function counties(text: string, factorColumns = FACTOR_COLUMNS): { problems: string[]; codes: string[]; result: ReturnType<typeof readCounties>['result'] } {
  const { table, problems } = parseCsvTable('counties.csv', text);
  if (!table) return { problems: problems.map(formatProblem), codes: [], result: undefined };
  const read = readCounties(table, reference, factorColumns);
  return { problems: sortProblems([...problems, ...read.problems]).map(formatProblem), codes: read.result?.counties.map((c) => c.code) ?? [], result: read.result };
}

const HEADER = 'county_code,county_name,poor_population,rural_population,rural_income_per_capita,poverty_county';

describe('value grammar', () => {
  it.each([
    ['12345', true],
    ['0', true],
    ['1,234', false],
    ['1e3', false],
    ['-5', false],
    ['12.0', false],
    ['１２', false],
    ['NaN', false],
    ['', false],
  ])('whole number %j -> %s', (text, ok) => {
    expect(parseWholeNumber(text).ok).toBe(ok);
  });
  it.each([
    ['8123.45', true],
    ['0.5', true],
    ['.5', false],
    ['5.', false],
    ['+3', false],
    ['1,234.5', false],
    ['Infinity', false],
  ])('decimal %j -> %s', (text, ok) => {
    expect(parseDecimal(text).ok).toBe(ok);
  });
  it.each([
    ['1234.56', 123456n],
    ['1234.5', 123450n],
    ['7', 700n],
  ])('money %j -> %s fen', (text, fen) => {
    const parsed = parseMoney(text);
    expect(parsed.ok && parsed.value).toBe(fen);
  });
  it.each(['12.345', '1 000', '-1.00', '1e2'])('money %j refused', (text) => {
    expect(parseMoney(text).ok).toBe(false);
  });
  it('ratios and percentages', () => {
    const ratio = parseRatioOrPercent('0.153');
    const percent = parseRatioOrPercent('15.3%');
    expect(ratio.ok && ratio.value.value.toFixed()).toBe('0.153');
    expect(percent.ok && percent.value.value.toFixed()).toBe('0.153');
    expect(ratio.ok && ratio.value.halfUnit.toFixed()).toBe('0.0005');
    expect(percent.ok && percent.value.halfUnit.toFixed()).toBe('0.0005');
    expect(parseRatioOrPercent('1.5').ok).toBe(false);
    expect(parseRatioOrPercent('150%').ok).toBe(false);
    expect(parseRatioOrPercent('15 %').ok).toBe(false);
  });
  it.each([
    ['是', true],
    ['否', false],
    ['TRUE', true],
    ['y', true],
    ['0', false],
    ['', false],
  ])('yes/no %j -> %s', (text, value) => {
    const parsed = parseYesNo(text);
    expect(parsed.ok && parsed.value).toBe(value);
  });
  it('yes/no refuses other words', () => {
    expect(parseYesNo('maybe').ok).toBe(false);
  });
  it('money formats with exactly two decimals and round-trips', () => {
    expect(formatYuan(123456n)).toBe('1234.56');
    expect(formatYuan(5n)).toBe('0.05');
    expect(formatYuan(-5n)).toBe('-0.05');
    expect(parseYuan('86095000000.00')).toBe(8609500000000n);
    expect(groupThousands('86095000000.00')).toBe('86,095,000,000.00');
  });
});

describe('counties.csv', () => {
  it('reads a valid table, sorted by code, codes as strings', () => {
    const { problems, codes } = counties(`${HEADER}\n522701,甲,100,1000,5000.5,是\n012345,x,1,2,3,否\n`.replace('012345', '450001'));
    expect(problems).toEqual([]);
    expect(codes).toEqual(['450001', '522701']);
  });

  it('accepts Chinese headers', () => {
    const { problems, result } = counties('县代码,县名,贫困人口,农村人口,农民人均收入,连片特困地区\n522701,甲,100,1000,5000,乌蒙山区\n');
    expect(problems).toEqual([]);
    expect(result?.counties[0]?.contiguousArea).toBe('乌蒙山区');
  });

  it('reports every problem with file, line, column, value and what was expected', () => {
    const text = [
      HEADER,
      '522701,甲,12a,1000,5000,yes',
      '522702,乙,1,234,1000,5000,yes',
      '522703,丙,100,1e3,5000,yes',
      '522704,丁,NaN,1000,5000,yes',
      '522705,戊,,1000,5000,yes',
      '992706,己,100,1000,5000,yes',
      '522701,庚,100,1000,5000,yes',
      '522708,辛,2000,1000,5000,yes',
      '52270,壬,100,1000,5000,yes',
    ].join('\n');
    const { problems } = counties(text);
    expect(problems).toEqual([
      'counties.csv:2: poor_population: "12a" is not a whole number (digits only, e.g. 12345)',
      'counties.csv:3: the row has 7 cells but the header has 6',
      'counties.csv:4: rural_population: "1e3" is not a whole number (digits only, e.g. 12345): exponents are not allowed (write 1000, not 1e3)',
      'counties.csv:5: poor_population: "NaN" is not a whole number (digits only, e.g. 12345): NaN is not a number',
      'counties.csv:6: poor_population: is empty but required',
      'counties.csv:7: county_code: "992706" starts with 99, which is not a province code',
      'counties.csv:8: county_code: "522701" appears twice (also on line 2)',
      'counties.csv:9: poor_population: poor_population 2000 is greater than rural_population 1000',
      'counties.csv:10: county_code: "52270" is not a 6-digit administrative code or a 12-digit village code (digits only, e.g. 522701)',
    ]);
  });

  it('derives rural population from incidence exactly, ratio or percentage', () => {
    const { problems, result } = counties('county_code,county_name,poor_population,incidence\n522701,甲,153,0.153\n522702,乙,100,12.5%\n', ['poor_population', 'rural_population']);
    expect(problems).toEqual([]);
    expect(result?.counties[0]?.ruralPopulation.toFixed()).toBe('1000');
    expect(result?.counties[1]?.ruralPopulation.toFixed()).toBe('800');
    expect(result?.counties[0]?.ruralPopulationDerived).toBe(true);
  });

  it('keeps a derived rural population unrounded', () => {
    const { result } = counties('county_code,county_name,poor_population,incidence\n522701,甲,100,0.3\n', ['poor_population', 'rural_population']);
    expect(result?.counties[0]?.ruralPopulation.toFixed(10)).toBe('333.3333333333');
  });

  it('checks incidence against rural population to the precision given', () => {
    const header = 'county_code,county_name,poor_population,rural_population,incidence';
    expect(counties(`${header}\n522701,甲,153,1000,0.153\n`, []).problems).toEqual([]);
    expect(counties(`${header}\n522701,甲,1534,10000,15.3%\n`, []).problems).toEqual([]);
    expect(counties(`${header}\n522701,甲,1536,10000,15.3%\n`, []).problems).toEqual([
      'counties.csv:2: incidence: "15.3%" does not agree with poor_population / rural_population = 1536 / 10000 = 0.153600',
    ]);
  });

  it('needs rural_population or incidence, and the factor columns', () => {
    expect(counties('county_code,county_name,poor_population\n522701,甲,1\n').problems).toEqual([
      'counties.csv:1: rural_income_per_capita: column rural_income_per_capita is missing: the policy\'s factors use it',
      'counties.csv:1: rural_population: either rural_population or incidence is required',
      'counties.csv:1: rural_population: column rural_population is missing: the policy\'s factors use it',
    ]);
  });

  it('refuses unknown contiguous areas and assessment grades, accepts aliases', () => {
    const header = 'county_code,county_name,poor_population,rural_population,contiguous_area,assessment';
    const good = counties(`${header}\n522701,甲,1,10,Wumeng Mountains,较好\n522702,乙,1,10,wumengshan,failed\n`, []);
    expect(good.problems).toEqual([]);
    expect(good.result?.counties.map((c) => [c.contiguousArea, c.assessment])).toEqual([
      ['乌蒙山区', 'good'],
      ['乌蒙山区', 'failed'],
    ]);
    const bad = counties(`${header}\n522701,甲,1,10,火星,best\n`, []);
    expect(bad.problems).toHaveLength(2);
    expect(bad.problems[0]).toContain('assessment: "best" is not one of excellent, good, fair, poor, failed');
    expect(bad.problems[1]).toContain('contiguous_area: "火星" is not one of the 14 contiguous areas');
  });

  it('reads each spelling of an area the same wherever it comes, and refuses an unknown one each time it comes', () => {
    // The reader keeps what each spelling names (the reference's from the start, others as met): a spelling met again reads as it did.
    const header = 'county_code,county_name,poor_population,rural_population,contiguous_area';
    const rows = ['522701,甲,1,10,', '522702,乙,1,10,火星', '522703,丙,1,10,乌蒙山区', '522704,丁,1,10,wumeng_mountains', '522705,戊,1,10,Wumeng Mountains', '522706,己,1,10,火星', '522707,庚,1,10,WUMENGSHAN', '522708,辛,1,10,'];
    const read = counties(`${header}\n${rows.join('\n')}\n`, []);
    expect(read.problems.map((problem) => problem.replace(/ \(.*$/, ''))).toEqual([
      'counties.csv:3: contiguous_area: "火星" is not one of the 14 contiguous areas',
      'counties.csv:7: contiguous_area: "火星" is not one of the 14 contiguous areas',
    ]);
    const good = counties(`${header}\n${rows.filter((row) => !row.endsWith('火星')).join('\n')}\n`, []);
    expect(good.result?.counties.map((county) => county.contiguousArea)).toEqual(['', '乌蒙山区', '乌蒙山区', '乌蒙山区', '乌蒙山区', '']);
  });

  it('warns about unknown columns, skips blank and all-empty rows', () => {
    const { problems, result } = counties(`${HEADER},note\n522701,甲,100,1000,5000,是,hello\n\n,,,,,,\n`);
    expect(problems).toEqual([]);
    expect(result?.warnings.map(formatProblem)).toEqual(['counties.csv:1: note: unknown column ignored']);
    // One blank line and one all-empty row.
    expect(result?.skippedBlankRows).toBe(2);
  });

  it('translates parser errors into file and line', () => {
    const { problems } = counties(`${HEADER}\n522701,"甲,100,1000,5000,是\n`);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^counties\.csv:2: a quoted cell in the row starting on this line is never closed/);
  });

  it('refuses a duplicated header', () => {
    const { problems } = counties('county_code,county_name,poor_population,县代码,rural_population\n522701,甲,1,522701,10\n', []);
    expect(problems).toEqual(['counties.csv:1: 县代码: column county_code appears twice in the header (columns 1 and 4)']);
  });
});

describe('budget.csv', () => {
  const read = (text: string): { problems: string[]; lines: number } => {
    const { table } = parseCsvTable('budget.csv', text);
    const result = readBudget(table!, reference, ['relocation', 'special_poverty']);
    return { problems: result.problems.map((problem: Problem) => formatProblem(problem)), lines: result.result?.lines.length ?? 0 };
  };
  it('reads central and provincial lines', () => {
    expect(read('fund,level,province_code,amount\nspecial_poverty,central,,100.00\nspecial_poverty,provincial,52,5\n')).toEqual({ problems: [], lines: 2 });
  });
  it('reports every bad line', () => {
    const text = [
      'fund,level,province_code,amount',
      'special_poverty,provincial,,100.00',
      'special_poverty,central,,1.00',
      'special_poverty,central,,2.00',
      'bogus,central,,1.00',
      'special_poverty,provincial,99,1.00',
      'special_poverty,regional,52,1.00',
      'special_poverty,provincial,52,1.005',
      'special_poverty,central,52,1.00',
    ].join('\n');
    expect(read(text).problems).toEqual([
      'budget.csv:2: province_code: is empty: a provincial line needs a 2-digit province code',
      'budget.csv:4: duplicate budget line special_poverty central (also on line 3)',
      'budget.csv:5: fund: "bogus" is not a fund the policy defines (relocation, special_poverty)',
      'budget.csv:6: province_code: "99" is not a province code',
      'budget.csv:7: level: "regional" is not central or provincial',
      'budget.csv:8: amount: "1.005" is not an amount in yuan (digits with at most 2 decimals, e.g. 1234567.89): more than 2 decimal places: amounts are in yuan to the fen',
      'budget.csv:9: province_code: "52" given on a central line: leave it empty',
    ]);
  });
});

describe('village tables (12-digit codes)', () => {
  it('accepts 12-digit village codes; the province is the first two digits', () => {
    const { problems, result } = counties(`${HEADER}\n522701101201,村甲,10,100,5000,是\n522701101202,村乙,10,100,5000,是\n`);
    expect(problems).toEqual([]);
    expect(result?.counties.map((c) => [c.code, c.province.code])).toEqual([
      ['522701101201', '52'],
      ['522701101202', '52'],
    ]);
  });
  it('refuses mixed code lengths and duplicate village codes', () => {
    const { problems } = counties(`${HEADER}\n522701101201,村甲,10,100,5000,是\n522701,县,10,100,5000,是\n522701101201,村丙,10,100,5000,是\n`);
    expect(problems).toEqual([
      'counties.csv:3: county_code: "522701" has 6 digits but line 2 has 12: a table uses one code length (6-digit counties or 12-digit villages)',
      'counties.csv:4: county_code: "522701101201" appears twice (also on line 2)',
    ]);
  });
});
