/**
 * Spreadsheet-safe output (issue 6, part 3): text cells that a spreadsheet
 * would run as a formula are prefixed with ', in every CSV table, whatever
 * its columns; declared number columns are written as plain numbers.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'csv-stringify/sync';
import { neutraliseText, numberCell, renderCsv, safeCells, type CsvTable } from '../src/render/csv.js';
import { runCli, SMALL, tempDir } from './helpers.js';

const TRIGGERS = ['=', '+', '-', '@', '\t', '\r', '\n', '＝', '＋', '－', '＠'];

/** What a spreadsheet would run: after leading white space, one of = + - @ (or full-width); or a leading tab, CR, LF. */
function wouldRun(cell: string): boolean {
  if (/^[\t\r\n]/.test(cell)) return true;
  return /^\s*[=+\-@＝＋－＠]/u.test(cell);
}

describe('neutraliseText', () => {
  it.each([
    ['=1+1', "'=1+1"],
    ['+86 10 1234', "'+86 10 1234"],
    ['-x', "'-x"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\t=1', "'\t=1"],
    ['\rx', "'\rx"],
    ['\nx', "'\nx"],
    ['＝1', "'＝1"],
    ['＋1', "'＋1"],
    ['－1', "'－1"],
    ['＠x', "'＠x"],
    ['  =1', "'  =1"],
    ['\u3000=1', "'\u3000=1"],
    ['=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'],
    ['甲县', '甲县'],
    ['燕山-太行山区', '燕山-太行山区'],
    ['a=b', 'a=b'],
    ['', ''],
    ["'=1", "'=1"],
  ])('%j -> %j', (cell, written) => {
    expect(neutraliseText(cell)).toBe(written);
  });

  it('property: the written cell never runs, and is the original with at most a leading \' (2,000 cases)', () => {
    const cellArbitrary = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 20 }),
      fc.tuple(fc.constantFrom('', ' ', '  ', '\u3000', '\u00a0'), fc.constantFrom(...TRIGGERS), fc.string({ maxLength: 10 })).map(([space, trigger, rest]) => space + trigger + rest),
    );
    fc.assert(
      fc.property(cellArbitrary, (cell) => {
        const written = neutraliseText(cell);
        expect(wouldRun(written)).toBe(false);
        expect(written === cell || written === `'${cell}`).toBe(true);
        // Deterministic, and only what would run is changed.
        expect(neutraliseText(cell)).toBe(written);
        expect(written !== cell).toBe(wouldRun(cell));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('tables', () => {
  it('number columns keep plain decimals, negative ones included; text columns are neutralised', () => {
    const table: CsvTable = {
      columns: ['name', 'amount', 'note'],
      numberColumns: ['amount'],
      rows: [
        ['=cmd', '-12.50', '-12.50'],
        ['甲县', '1234.00', '@x'],
        ['乙县', '', ''],
        ['丙县', '=1+1', 'ok'],
      ],
    };
    expect(safeCells(table)).toEqual([
      ['name', 'amount', 'note'],
      ["'=cmd", '-12.50', "'-12.50"],
      ['甲县', '1234.00', "'@x"],
      ['乙县', '', ''],
      // A number column holding something that is not a plain number is text, and neutralised.
      ['丙县', "'=1+1", 'ok'],
    ]);
    expect(numberCell('0.000001')).toBe('0.000001');
  });

  it('a table that declares nothing is all text: every cell is safe (property, 500 cases)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.string({ unit: fc.constantFrom('a', '甲', ',', '"', '\n', '\r', ' ', '=', '-', '＠', '\t'), maxLength: 8 }), { minLength: 2, maxLength: 2 }), { maxLength: 6 }),
        fc.array(fc.string({ maxLength: 8 }), { minLength: 2, maxLength: 2 }),
        (rows, columns) => {
          const cells = safeCells({ columns, rows });
          for (const row of cells) for (const cell of row) expect(wouldRun(cell)).toBe(false);
          const text = renderCsv({ columns, rows });
          expect(text).toBe(renderCsv({ columns, rows }));
          const parsed = parse(text, { bom: true, relax_column_count: true, record_delimiter: ['\r\n', '\n', '\r'] }) as string[][];
          expect(parsed).toEqual(cells);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('renderCsv writes what csv-stringify writes with the options it replaced (property, 500 cases)', () => {
    const cell = fc.string({ unit: fc.constantFrom('a', '甲', ',', '"', '\n', '\r', ' ', '=', '-', '1', '.', '＠', '\t', ';'), maxLength: 8 });
    fc.assert(
      fc.property(fc.array(fc.array(cell, { minLength: 3, maxLength: 3 }), { maxLength: 6 }), fc.array(cell, { minLength: 3, maxLength: 3 }), fc.subarray([0, 1, 2]), (rows, columns, numberIndexes) => {
        const table: CsvTable = { columns, rows, numberColumns: numberIndexes.map((index) => columns[index]!) };
        expect(renderCsv(table)).toBe(stringify(safeCells(table), { bom: true, record_delimiter: 'windows', quoted_match: /[\r\n]/ }));
      }),
      { numRuns: 500 },
    );
  });

  it('renderCsv writes a long table as csv-stringify does (lines are joined in chunks)', () => {
    const rows = Array.from({ length: 9_000 }, (_, index) => [String(index), index % 7 === 0 ? `a,"${index}"` : `甲${index}`, index % 11 === 0 ? '=1' : '2.50']);
    const table: CsvTable = { columns: ['n', 'name', 'amount'], rows, numberColumns: ['amount'] };
    expect(renderCsv(table)).toBe(stringify(safeCells(table), { bom: true, record_delimiter: 'windows', quoted_match: /[\r\n]/ }));
  });

  it('renderCsv writes a BOM and CRLF, and quotes cells with commas or line breaks', () => {
    const text = renderCsv({ columns: ['a', 'b'], rows: [['x,y', '-1'], ['line\nbreak', '=2']], numberColumns: ['b'] });
    expect(text).toBe('\uFEFFa,b\r\n"x,y",-1\r\n"line\nbreak",\'=2\r\n');
  });
});

describe('the run folder (end to end)', () => {
  it('neutralises formula-like county and prefecture names in allocations.csv and checks.csv; amounts stay numbers', () => {
    const dir = tempDir();
    const counties = join(dir, 'counties.csv');
    const names = ['=HYPERLINK("http://evil","甲县")', '+乙县', '-丙县', '@丁县', '＝戊县', '＋己县', '－庚县', '＠辛县'];
    const lines = readFileSync(SMALL.counties, 'utf8').trimEnd().split('\n');
    const rows = lines.slice(1).map((line, index) => {
      const cells = line.split(',');
      cells[1] = `"${names[index]!.replace(/"/g, '""')}"`;
      cells[2] = index === 0 ? '"=1+1"' : cells[2]!;
      return cells.join(',');
    });
    writeFileSync(counties, [lines[0], ...rows].join('\n') + '\n');
    const out = join(dir, 'run');
    const result = runCli(['allocate', '--counties', counties, '--budget', SMALL.budget, '--policy', SMALL.policy, '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    const allocations = parse(readFileSync(join(out, 'allocations.csv'), 'utf8'), { bom: true, columns: true }) as Record<string, string>[];
    const byCode = new Map(allocations.map((row) => [row['county_code'], row]));
    expect(byCode.get('520111')!['county_name']).toBe('\'=HYPERLINK("http://evil","甲县")');
    expect(byCode.get('520111')!['prefecture']).toBe("'=1+1");
    expect(byCode.get('520112')!['county_name']).toBe("'+乙县");
    expect(byCode.get('520113')!['county_name']).toBe("'-丙县");
    expect(byCode.get('450001')!['county_name']).toBe("'@丁县");
    expect(byCode.get('450002')!['county_name']).toBe("'＝戊县");
    expect(byCode.get('450004')!['county_name']).toBe("'－庚县");
    // The hand-checked amounts are untouched and written as plain numbers.
    expect(byCode.get('520111')!['special_poverty_central']).toBe('8700000.00');
    expect(byCode.get('520112')!['total']).toBe('3945371.78');
    for (const row of allocations) {
      for (const [column, cell] of Object.entries(row)) expect(wouldRun(cell), `${column}: ${cell}`).toBe(false);
    }
    for (const name of ['provinces.csv', 'checks.csv']) {
      const cells = parse(readFileSync(join(out, name), 'utf8'), { bom: true }) as string[][];
      for (const row of cells) for (const cell of row) expect(wouldRun(cell), `${name}: ${cell}`).toBe(false);
    }
  });
});
