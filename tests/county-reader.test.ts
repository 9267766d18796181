/**
 * Reading counties.csv row by row (readCountiesCsv, what `allocate` uses)
 * against reading a parsed table (parseCsvTable, then readCounties): the same
 * problems in the same order, the same counties. Figures are kept as checked
 * text until used; they must still read as the decimals they always were.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { figureScaled, packedWholeFigure, readCounties, readCountiesCsv, TABLE_KEY_COUNTY, TABLE_POVERTY_COUNTY, tableColumnsOf, type County, type CountyTable } from '../src/core/counties.js';
import { decimal, decimalFromScaled } from '../src/core/money.js';
import { formatProblem, type Problem } from '../src/core/problems.js';
import { parseReference } from '../src/core/reference.js';
import { parseCsvTable } from '../src/core/table.js';
import { ROOT } from './helpers.js';

const reference = parseReference(readFileSync(join(ROOT, 'data', 'provinces.csv'), 'utf8'), readFileSync(join(ROOT, 'data', 'contiguous_areas.csv'), 'utf8'));

/** Per column: a good value first (picked most often), then others, good and bad. */
const VALUES: Record<string, readonly string[]> = {
  county_code: ['(unique)', '520111', '450001', '990001', '52011', '520111000001', '', '52011A'],
  county_name: ['甲', '', '"x, y"'],
  province_code: ['52', '45', ''],
  poor_population: ['100', '0', '', '007', '-5', '1.0', '9999999999999999'],
  rural_population: ['1000', '0', '', '100', '0100', 'x', '000', '99'],
  incidence: ['0.1', '10%', '', '0', '150%', '15 %'],
  prefecture: ['', '遵义'],
  poverty_county: ['1', '0', '', 'yes', '是', 'x'],
  key_county: ['0', '1', 'maybe'],
  contiguous_area: ['', '乌蒙山区', 'Wumengshan', '不存在'],
  rural_income_per_capita: ['100.5', '100', '0.0', '', '.5', '"1,000"'],
  fiscal_revenue_per_capita: ['5', '', '0', '1.'],
  border_area: ['0', '1', 'false'],
  assessment: ['', 'GOOD', '好', '优'],
  exit_year: ['', '2018', '18'],
  relocation_population: ['', '12', '0', 'x'],
  remitted_central: ['', '1.00', '12.345'],
  extra_factor: ['2.5', '', '1', 'bad'],
  notes: ['', 'zzz'],
};
const COLUMNS = Object.keys(VALUES);
const REQUIRED = ['county_code', 'county_name', 'poor_population', 'rural_population'];

const countyTable = fc
  .tuple(
    fc.oneof(fc.shuffledSubarray(COLUMNS, { minLength: 1 }), fc.shuffledSubarray(COLUMNS.slice(4), { minLength: 1 }).map((rest) => [...REQUIRED, ...rest])),
    fc.subarray(['poor_population', 'rural_population', 'rural_income_per_capita', 'extra_factor', 'incidence', 'relocation_population']),
    fc.array(fc.array(fc.oneof({ weight: 40, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.nat() }), { minLength: COLUMNS.length, maxLength: COLUMNS.length }), { maxLength: 8 }),
    fc.boolean(),
    fc.boolean(),
  )
  .map(([columns, factorColumns, picks, blankRows, reversed]) => {
    const rows = picks.map((pick, row) =>
      columns
        .map((column, index) => {
          const values = VALUES[column]!;
          const value = values[pick[index]! % values.length]!;
          return value === '(unique)' ? `52${String(1000 + row)}` : value;
        })
        .join(','),
    );
    if (reversed) rows.reverse();
    return { text: `${[columns.join(','), ...rows.flatMap((row) => (blankRows ? [row, ',,'] : [row]))].join('\n')}\n`, factorColumns };
  });

function plainCounty(county: County): unknown {
  return {
    code: county.code,
    name: county.name,
    province: county.province.code,
    prefecture: county.prefecture,
    poor: county.poorPopulation.toFixed(),
    rural: county.ruralPopulation.toFixed(),
    derived: county.ruralPopulationDerived,
    flags: [county.povertyCounty, county.keyCounty, county.oldRevolutionaryBase, county.ethnicMinorityArea, county.borderArea],
    area: county.contiguousArea,
    assessment: county.assessment,
    exitYear: county.exitYear,
    relocation: county.relocationPopulation?.toFixed(),
    remitted: Object.entries(county.remitted).map(([column, fen]) => [column, String(fen)]),
    figures: [...county.figures].map(([column, value]) => [column, value.toFixed()]),
    line: county.line,
  };
}

function plainResult(result: CountyTable | undefined): unknown {
  return result && { counties: result.counties.map(plainCounty), columns: [...result.columns], skipped: result.skippedBlankRows, warnings: result.warnings.map(formatProblem) };
}

describe('reading counties row by row', () => {
  it('gives the problems (in order) and counties of parseCsvTable then readCounties (random tables, good and bad cells)', () => {
    let read = 0;
    fc.assert(
      fc.property(countyTable, ({ text, factorColumns }) => {
        const parsed = parseCsvTable('counties.csv', text);
        const viaTable = parsed.table ? readCounties(parsed.table, reference, factorColumns) : { problems: [] as Problem[], result: undefined };
        const direct = readCountiesCsv('counties.csv', text, reference, factorColumns);
        expect(direct.tableProblems.map(formatProblem)).toEqual(parsed.problems.map(formatProblem));
        expect(direct.problems.map(formatProblem)).toEqual(viaTable.problems.map(formatProblem));
        expect(plainResult(direct.result)).toEqual(plainResult(viaTable.result));
        expect(direct.skippedBlankRows).toBe(parsed.table?.skippedBlankRows);
        if (direct.result) read++;
      }),
      { numRuns: 1500 },
    );
    expect(read).toBeGreaterThan(50);
  });

  it('gives each figure in integer form with the value of its decimal (figureScaled, what stage 2 reads ratio factors with)', () => {
    let checked = 0;
    fc.assert(
      fc.property(countyTable, ({ text, factorColumns }) => {
        const direct = readCountiesCsv('counties.csv', text, reference, factorColumns);
        for (const county of direct.result?.counties ?? []) {
          for (const column of ['poor_population', 'rural_population', 'relocation_population', 'no_such_column', ...factorColumns]) {
            const scaled = figureScaled(county, column);
            expect(decimalFromScaled(scaled).equals(county.figures.get(column) ?? decimal('0'))).toBe(true);
            expect(scaled.digits).toBe(scaled.coefficient === 0n ? 0 : scaled.coefficient.toString().length);
            checked++;
          }
        }
      }),
      { numRuns: 500 },
    );
    expect(checked).toBeGreaterThan(100);
  });

  it('reports every repeated code on its line, naming the first line, in file order, wherever the rows are', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 6 }), { maxLength: 30 }), (picks) => {
        const codes = picks.map((pick) => `52${String(1000 + pick)}`);
        const text = `county_code,county_name,poor_population,rural_population\n${codes.map((code) => `${code},x,1,2`).join('\n')}\n`;
        const expected: string[] = [];
        const firstLine = new Map<string, number>();
        codes.forEach((code, index) => {
          const line = index + 2;
          const earlier = firstLine.get(code);
          if (earlier === undefined) firstLine.set(code, line);
          else expected.push(`counties.csv:${line}: county_code: "${code}" appears twice (also on line ${earlier})`);
        });
        const read = readCountiesCsv('counties.csv', text, reference, []);
        const problems = read.problems.map(formatProblem);
        if (codes.length === 0) expect(problems).toEqual(['counties.csv: the table has a header but no counties']);
        else expect(problems).toEqual(expected);
        expect(read.result === undefined).toBe(problems.length > 0);
      }),
      { numRuns: 500 },
    );
  });

  it('lists every problem of a table whose 200,000 rows are all ragged or refused (no stack overflow)', () => {
    const rows = Array.from({ length: 200_000 }, (_, index) => (index % 4 === 0 ? `520111${String(index).padStart(6, '0')},x,-1,2` : '520111,x'));
    const text = `county_code,county_name,poor_population,rural_population\n${rows.join('\n')}\n`;
    const read = readCountiesCsv('counties.csv', text, reference, []);
    expect(read.tableProblems).toHaveLength(150_000);
    expect(read.problems).toHaveLength(50_000);
    expect(formatProblem(read.tableProblems[149_999]!)).toBe('counties.csv:200001: the row has 2 cells but the header has 4');
    expect(formatProblem(read.problems[49_999]!)).toBe('counties.csv:199998: poor_population: "-1" is not a whole number (digits only, e.g. 12345): a sign (+ or -) is not allowed');
  });

  it('puts a repeated code\'s problem right after the row\'s other county_code problem and before its other columns\' ones', () => {
    const text = 'county_code,county_name,poor_population,rural_population\n990001,x,1,2\n990001,,5,2\n';
    expect(readCountiesCsv('counties.csv', text, reference, []).problems.map(formatProblem)).toEqual([
      'counties.csv:2: county_code: "990001" starts with 99, which is not a province code',
      'counties.csv:3: county_code: "990001" starts with 99, which is not a province code',
      'counties.csv:3: county_code: "990001" appears twice (also on line 2)',
      'counties.csv:3: county_name: is empty but required',
      'counties.csv:3: poor_population: poor_population 5 is greater than rural_population 2',
    ]);
  });

  it('keeps figures as checked text until used, then gives the decimals a Map of them would hold', () => {
    const text = 'county_code,county_name,poor_population,rural_population,rural_income_per_capita,relocation_population,notes\n520111,甲,0100,1000,6300.170,,x\n';
    const read = readCountiesCsv('counties.csv', text, reference, ['poor_population', 'rural_population', 'rural_income_per_capita']);
    expect(read.problems).toEqual([]);
    const county = read.result!.counties[0]!;
    const figures = county.figures as ReadonlyMap<string, unknown> & { textOf(column: string): string | undefined };
    // The value of the cell, exactly; not always its characters.
    expect(figures.textOf('rural_income_per_capita')).toBe('6300.170');
    expect(figures.textOf('poor_population')).toBe('100');
    expect([...county.figures.keys()]).toEqual(['poor_population', 'rural_population', 'relocation_population', 'rural_income_per_capita']);
    expect(county.figures.size).toBe(4);
    expect(county.figures.has('notes')).toBe(false);
    expect(county.figures.get('notes')).toBeUndefined();
    expect(county.figures.get('rural_income_per_capita')!.equals(decimal('6300.17'))).toBe(true);
    expect(county.poorPopulation.toFixed()).toBe('100');
    // The same decimal whichever way it is reached (built from the text on each reading, not kept).
    expect(county.poorPopulation.equals(county.figures.get('poor_population')!)).toBe(true);
    expect(county.relocationPopulation!.isZero()).toBe(true);
    expect(Object.fromEntries([...county.figures].map(([column, value]) => [column, value.toFixed()]))).toEqual({
      poor_population: '100',
      rural_population: '1000',
      relocation_population: '0',
      rural_income_per_capita: '6300.17',
    });
    expect(figures.textOf('poor_population')).toBe('100');
  });

  it.each(['0.05', '0.0', '7', '123456789', '1234567890', '0.000000000123', '98765432109876543210.1234', '000123.4500'])('gives back figure %j exactly, short or long', (figure) => {
    const text = `county_code,county_name,poor_population,rural_population,rural_income_per_capita\n520111,甲,1,2,${figure === '0.0' ? '0.5' : figure}\n`;
    const county = readCountiesCsv('counties.csv', text, reference, ['rural_income_per_capita']).result!.counties[0]!;
    const expected = decimal(figure === '0.0' ? '0.5' : figure);
    expect(county.figures.get('rural_income_per_capita')!.equals(expected)).toBe(true);
    const figures = county.figures as ReadonlyMap<string, unknown> & { textOf(column: string): string | undefined };
    expect(decimal(figures.textOf('rural_income_per_capita')!).equals(expected)).toBe(true);
  });
});

describe('tableColumnsOf', () => {
  const table = (rows: string): readonly County[] =>
    readCountiesCsv('c.csv', `county_code,county_name,poor_population,rural_population,prefecture,contiguous_area,poverty_county,key_county\n${rows}`, reference, []).result!.counties;
  /** What the columns say of each county, read as a reader of every county reads them. */
  const seen = (counties: readonly County[]) => {
    const columns = tableColumnsOf(counties);
    const poor = columns.figureColumn('poor_population');
    return counties.map((_, at) => {
      const number = columns.numbers[at]!;
      const flags = columns.flags[number]!;
      return {
        name: columns.texts[columns.nameIds[number]!],
        prefecture: columns.texts[columns.prefectureIds[number]!],
        area: columns.texts[columns.areaIds[number]!],
        province: columns.provinces[columns.provinceIds[number]!],
        poverty: (flags & TABLE_POVERTY_COUNTY) !== 0,
        key: (flags & TABLE_KEY_COUNTY) !== 0,
        poor: poor === undefined || poor.places[number] !== 0 ? undefined : poor.digits[number],
      };
    });
  };
  const expected = (counties: readonly County[], packed: boolean) =>
    counties.map((county) => ({
      name: county.name,
      prefecture: county.prefecture,
      area: county.contiguousArea,
      province: county.province,
      poverty: county.povertyCounty,
      key: county.keyCounty,
      poor: packed ? packedWholeFigure(county, 'poor_population') : undefined,
    }));

  it("reads each county's texts, province, flags and packed figures from the table's columns, in the list's order", () => {
    const counties = table('520111,甲,3,10,遵义,乌蒙山区,yes,no\n520112,乙,1234567890,99999999999,,,yes,yes\n130113,甲,7,10,遵义,,no,no\n');
    const reordered = [counties[2]!, counties[0]!, counties[1]!];
    expect(seen(reordered)).toEqual(expected(reordered, true));
    expect(seen(reordered).map((county) => county.poor)).toEqual([undefined, 7, 3]);
    const columns = tableColumnsOf(reordered);
    expect(columns.nameIds[columns.numbers[1]!]).toBe(columns.nameIds[columns.numbers[2]!]);
  });

  it('gathers the columns from the getters of counties of two tables, with no figure column', () => {
    const mixed = [...table('520111,甲,1,10,遵义,,yes,yes\n'), ...table('520112,乙,1,10,,乌蒙山区,no,no\n')];
    expect(seen(mixed)).toEqual(expected(mixed, false));
    expect(tableColumnsOf(mixed).figureColumn('poor_population')).toBeUndefined();
    expect(tableColumnsOf([]).numbers.length).toBe(0);
  });
});

describe('packedWholeFigure', () => {
  it("is the figure's whole number where the table packed it so, and undefined where its decimal must be read", () => {
    const texts = ['0', '7', '007', '123456789', '1234567890', '999999999999999', '', '12'];
    const rows = texts.map((text, index) => `5201${String(11 + index)},甲,1,10,${text}`).join('\n');
    const counties = readCountiesCsv('c.csv', `county_code,county_name,poor_population,rural_population,relocation_population\n${rows}\n`, reference, []).result!.counties;
    const wholes = counties.map((county) => packedWholeFigure(county, 'relocation_population'));
    expect(wholes).toEqual([0, 7, 7, 123456789, undefined, undefined, undefined, 12]);
    counties.forEach((county, index) => {
      if (wholes[index] !== undefined) expect(String(wholes[index])).toBe(county.relocationPopulation!.toFixed(0));
    });
    expect(packedWholeFigure(counties[0]!, 'no_such_column')).toBeUndefined();
  });
});

describe('readCountiesCsv told of each province run', () => {
  const header = 'county_code,county_name,poor_population,rural_population\n';
  /** The runs told of, as the codes in each, and the table's counties. */
  const runs = (rows: string) => {
    const told: string[][] = [];
    const read = readCountiesCsv('c.csv', header + rows, reference, [], undefined, (counties, start, end) => told.push(counties.slice(start, end).map((county) => county.code)));
    return { told, counties: read.result?.counties };
  };

  it('tells of each province once its rows end, in file order, with the very counties the table then lists', () => {
    const { told, counties } = runs('110101,甲,1,10\n110102,乙,1,10\n130101,丙,1,10\n520111,丁,1,10\n520112,戊,1,10\n');
    expect(told).toEqual([['110101', '110102'], ['130101'], ['520111', '520112']]);
    expect(counties!.map((county) => county.code)).toEqual(told.flat());
  });

  it('tells of a province twice when its rows are not together, and of nothing more once a row has a problem', () => {
    expect(runs('520111,丁,1,10\n110101,甲,1,10\n520112,戊,1,10\n').told).toEqual([['520111'], ['110101'], ['520112']]);
    // The last run is told of at the end only when the table has no problems (it is then not run).
    const withProblem = runs('110101,甲,1,10\n520111,丁,x,10\n520112,戊,1,10\n');
    expect(withProblem.told).toEqual([['110101']]);
    expect(withProblem.counties).toBeUndefined();
  });
});

describe('readCountiesCsv told of the rows read', () => {
  const header = 'county_code,county_name,poor_population,rural_population\n';

  it('tells the rows read so far after each part of a text given in parts, and once after a text given whole', () => {
    const told: number[] = [];
    const parts = [`${header}110101,甲,1,10\n110102,乙,1,10\n`, '\n130101,丙,1,10\n', '520111,丁,1,10\n520112,戊,x,10\n'];
    const read = readCountiesCsv('c.csv', () => parts, reference, [], (rows) => told.push(rows));
    // Every row of the table counts, one with a problem too; the header and a blank line do not.
    expect(told).toEqual([2, 3, 5]);
    expect(read.problems).toHaveLength(1);
    const whole: number[] = [];
    readCountiesCsv('c.csv', parts.join(''), reference, [], (rows) => whole.push(rows));
    expect(whole).toEqual([5]);
  });
});
