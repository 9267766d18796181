/**
 * The strict input grammar and table structure (issue 6, part 2): every value
 * type's accepted form, every refused form naming the cell, header
 * normalisation, duplicates, missing columns, blank rows, trimming, quoting
 * errors, ragged rows, and the field and file size caps.
 */
import { closeSync, openSync, ftruncateSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUDGET_COLUMNS } from '../src/core/budget.js';
import { headerKey, mapHeader } from '../src/core/columns.js';
import { COUNTY_COLUMNS } from '../src/core/counties.js';
import { parseDecimal, parseMoney, parseRatioOrPercent, parseWholeNumber, parseYear, parseYesNo } from '../src/core/grammar.js';
import { formatProblem } from '../src/core/problems.js';
import { MAX_FIELD_CHARS, parseCsvTable } from '../src/core/table.js';
import { MAX_INPUT_BYTES, MAX_WRITTEN_TABLE_BYTES } from '../src/io/read-inputs.js';
import { ROOT, runCli, SMALL, tempDir } from './helpers.js';

const BAD = {
  counties: join(ROOT, 'tests', 'fixtures', 'bad-values', 'counties.csv'),
  budget: join(ROOT, 'tests', 'fixtures', 'bad-values', 'budget.csv'),
};

describe('value grammar: accepted forms', () => {
  it.each(['0', '7', '12345', '000123', '999999999999999'])('whole number %j', (text) => {
    expect(parseWholeNumber(text).ok).toBe(true);
  });
  it.each(['0', '0.5', '8123.45', '123456789012.123456789012', '000.100'])('decimal %j', (text) => {
    expect(parseDecimal(text).ok).toBe(true);
  });
  it.each([
    ['0', 0n],
    ['7', 700n],
    ['1234.5', 123450n],
    ['1234.56', 123456n],
    ['999999999999999.99', 99999999999999999n],
  ])('money %j is %s fen', (text, fen) => {
    const parsed = parseMoney(text);
    expect(parsed.ok && parsed.value).toBe(fen);
  });
  it.each([
    ['0.153', '0.153'],
    ['15.3%', '0.153'],
    ['0', '0'],
    ['1', '1'],
    ['100%', '1'],
    ['0%', '0'],
  ])('ratio or percentage %j is %s', (text, value) => {
    const parsed = parseRatioOrPercent(text);
    expect(parsed.ok && parsed.value.value.toFixed()).toBe(value);
  });
  it.each([
    ['1', true],
    ['true', true],
    ['TRUE', true],
    ['Yes', true],
    ['y', true],
    ['是', true],
    ['0', false],
    ['false', false],
    ['no', false],
    ['N', false],
    ['否', false],
    ['', false],
  ])('yes/no %j is %s', (text, value) => {
    const parsed = parseYesNo(text);
    expect(parsed.ok && parsed.value).toBe(value);
  });
  it('year: four digits', () => {
    expect(parseYear('2018').ok).toBe(true);
    expect(parseYear('18').ok).toBe(false);
    expect(parseYear('２０１８').ok).toBe(false);
  });
});

describe('value grammar: refused forms say why', () => {
  it.each([
    ['whole', '１２３', 'full-width characters'],
    ['whole', '1,234', 'thousands separators are not allowed'],
    ['whole', '1 234', 'thousands separators are not allowed'],
    ['whole', '1e3', 'exponents are not allowed'],
    ['whole', 'NaN', 'NaN is not a number'],
    ['whole', '-5', 'a sign (+ or -) is not allowed'],
    ['whole', '+5', 'a sign (+ or -) is not allowed'],
    ['whole', '12.0', 'a whole number has no decimal places'],
    ['whole', '1234567890123456', 'more than 15 digits'],
    ['whole', '', ''],
    ['decimal', '1,234.5', 'thousands separators are not allowed'],
    ['decimal', '.5', 'write digits on both sides of the point'],
    ['decimal', '5.', 'write digits on both sides of the point'],
    ['decimal', 'Infinity', 'Infinity is not a number'],
    ['decimal', '-Infinity', '-Infinity is not a number'],
    ['decimal', '1.5E+3', 'exponents are not allowed'],
    ['decimal', '1234567890123.456789012345', 'more than 24 digits'],
    ['decimal', '15%', 'a percentage is not accepted here'],
    ['decimal', '８１２３．４５', 'full-width characters'],
    ['money', '12.345', 'more than 2 decimal places'],
    ['money', '1 000 000.00', 'thousands separators are not allowed'],
    ['money', '-0.01', 'a sign (+ or -) is not allowed'],
    ['money', '1234567890123456', 'more than 15 digits of yuan'],
    ['money', '¥100', ''],
    ['ratio', '1.5', '1.5 is more than 1'],
    ['ratio', '150%', '150% is more than 100%'],
    ['ratio', '15 %', 'no space before %'],
    ['ratio', '１５％', 'full-width characters'],
    ['ratio', '-0.1', 'a sign (+ or -) is not allowed'],
  ] as const)('%s %j: %s', (kind, text, reason) => {
    const parser = { whole: parseWholeNumber, decimal: parseDecimal, money: parseMoney, ratio: parseRatioOrPercent }[kind];
    const parsed = parser(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      if (reason === '') expect(parsed.expected).not.toContain(': ');
      else expect(parsed.expected).toContain(reason);
    }
  });

  it('every refused cell of a file is reported together, each naming file, line and column (end to end)', () => {
    const result = runCli(['validate', '--counties', BAD.counties, '--budget', BAD.budget, '--policy', SMALL.policy]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    const expected = [
      'budget.csv:2: amount: "23,900,000.00" is not an amount in yuan (digits with at most 2 decimals, e.g. 1234567.89): thousands separators are not allowed (1234567, not 1,234,567)',
      'budget.csv:3: amount: "+2600000.00" is not an amount in yuan (digits with at most 2 decimals, e.g. 1234567.89): a sign (+ or -) is not allowed',
      'budget.csv:4: amount: "2000000.001" is not an amount in yuan (digits with at most 2 decimals, e.g. 1234567.89): more than 2 decimal places: amounts are in yuan to the fen',
      'budget.csv:5: amount: "1e6" is not an amount in yuan (digits with at most 2 decimals, e.g. 1234567.89): exponents are not allowed (write 1000, not 1e3)',
      'counties.csv:2: poor_population: "１２３" is not a whole number (digits only, e.g. 12345): full-width characters (such as １２ or ．) are not allowed: type ASCII digits',
      'counties.csv:3: poor_population: "1,234" is not a whole number (digits only, e.g. 12345): thousands separators are not allowed (1234567, not 1,234,567)',
      'counties.csv:4: rural_population: "1e5" is not a whole number (digits only, e.g. 12345): exponents are not allowed (write 1000, not 1e3)',
      'counties.csv:5: rural_income_per_capita: "NaN" is not a decimal number (digits with an optional . and fraction, at most 24 digits, e.g. 8123.45): NaN is not a number',
      'counties.csv:6: poor_population: "-5" is not a whole number (digits only, e.g. 12345): a sign (+ or -) is not allowed',
      'counties.csv:7: remitted_central: "12.345" is not an amount in yuan (digits with at most 2 decimals, e.g. 1234567.89): more than 2 decimal places: amounts are in yuan to the fen',
      'counties.csv:8: rural_income_per_capita: "1234567890123456789012345" is not a decimal number (digits with an optional . and fraction, at most 24 digits, e.g. 8123.45): more than 24 digits',
      'counties.csv:9: incidence: "15 %" is not a ratio between 0 and 1 (e.g. 0.153) or a percentage (e.g. 15.3%): no space before %',
      'counties.csv:10: poverty_county: "x" is not yes or no (1/0, true/false, yes/no, y/n, 是/否; empty means no)',
      'counties.csv:11: county_code: "13000A" is not a 6-digit administrative code or a 12-digit village code (digits only, e.g. 522701)',
      'counties.csv:12: poor_population: "+1000" is not a whole number (digits only, e.g. 12345): a sign (+ or -) is not allowed',
      'counties.csv:13: remitted_central: "１０" is not an amount in yuan (digits with at most 2 decimals, e.g. 1234567.89): full-width characters (such as １２ or ．) are not allowed: type ASCII digits',
      'counties.csv:13: rural_income_per_capita: "Infinity" is not a decimal number (digits with an optional . and fraction, at most 24 digits, e.g. 8123.45): Infinity is not a number',
      'counties.csv:14: exit_year: "18" is not a four-digit year (e.g. 2018)',
      'counties.csv:14: rural_income_per_capita: ".5" is not a decimal number (digits with an optional . and fraction, at most 24 digits, e.g. 8123.45): write digits on both sides of the point (0.5, not .5)',
      'counties.csv:15: assessment: "优" is not one of excellent, good, fair, poor, failed (好, 较好, 一般, 较差, 未完成) or empty',
      'counties.csv:15: incidence: "150%" is not a ratio between 0 and 1 (e.g. 0.153) or a percentage (e.g. 15.3%): 150% is more than 100%',
      'counties.csv:15: poor_population: "1000.0" is not a whole number (digits only, e.g. 12345): a whole number has no decimal places',
      'counties.csv:16: rural_population: "1000000000000000000" is not a whole number (digits only, e.g. 12345): more than 15 digits',
    ];
    const lines = result.stderr.split('\n');
    for (const line of expected) expect(lines).toContain(line);
    expect(result.stderr).toMatch(/povalloc: \d+ problem\(s\) found; nothing was written\.\n$/);
  });
});

function table(text: string): { problems: string[]; header: readonly string[]; rows: readonly { line: number; cells: readonly string[] }[]; skipped: number } {
  const parsed = parseCsvTable('t.csv', text);
  return {
    problems: parsed.problems.map(formatProblem),
    header: parsed.table?.header ?? [],
    rows: parsed.table?.rows ?? [],
    skipped: parsed.table?.skippedBlankRows ?? -1,
  };
}

describe('table structure', () => {
  it('skips and counts blank lines and Excel all-empty rows, keeping line numbers', () => {
    const parsed = table('a,b\r\n\r\n1,2\r\n,\r\n  ,\u3000\r\n3,4\r\n,,,,\r\n,,,,\r\n');
    expect(parsed.problems).toEqual([]);
    expect(parsed.rows).toEqual([
      { line: 3, cells: ['1', '2'] },
      { line: 6, cells: ['3', '4'] },
    ]);
    // One blank line and four all-empty rows; the line end at the end of the file is no row.
    expect(parsed.skipped).toBe(5);
  });

  it('trims leading and trailing white space of every cell, quoted or not, full-width space included', () => {
    const parsed = table(' a , b \n\u3000 1\u3000," 2 "\n"\t3",4\u00a0\n');
    expect(parsed.header).toEqual(['a', 'b']);
    expect(parsed.rows.map((row) => row.cells)).toEqual([
      ['1', '2'],
      ['3', '4'],
    ]);
  });

  it('reports a quote that is never closed on the line the row starts', () => {
    expect(table('a,b\n1,2\n\n"3,4\n5,6\n7,8\n').problems).toEqual([
      't.csv:4: a quoted cell in the row starting on this line is never closed: a " is missing, so the rest of the file would be read as one cell',
    ]);
  });

  it('reports text after a closing quote, and a quote inside an unquoted cell, with line and cell', () => {
    expect(table('a,b\n1,2\n3,"4"x\n').problems).toEqual([
      't.csv:3: a quoted cell (cell 2) has more text after its closing quote: a " inside a quoted cell must be doubled ("")',
    ]);
    expect(table('a,b\n1,2\n3,4 "inch"\n').problems).toEqual([
      't.csv:3: a " in the middle of an unquoted cell (cell 2) after "4 ": put the whole cell in quotes and double the " inside it',
    ]);
  });

  it('reads quoted cells with commas, doubled quotes and line breaks, with the line the row starts on', () => {
    const parsed = table('a,b\n"x, ""y""","multi\nline"\n3,4\n');
    expect(parsed.problems).toEqual([]);
    expect(parsed.rows).toEqual([
      { line: 2, cells: ['x, "y"', 'multi\nline'] },
      { line: 4, cells: ['3', '4'] },
    ]);
  });

  it('numbers the lines of a long file right, with LF, CRLF or CR line ends (linear: 150,000 rows each)', () => {
    for (const end of ['\n', '\r\n', '\r']) {
      const text = `a,b${end}${'1,2'.concat(end).repeat(150_000)}`;
      const parsed = parseCsvTable('t.csv', text);
      expect(parsed.problems).toEqual([]);
      expect(parsed.table!.rows.length).toBe(150_000);
      expect(parsed.table!.rows[149_999]!.line).toBe(150_001);
    }
  });

  it('reports ragged rows with their line and cell counts; ignores trailing empty cells', () => {
    const parsed = table('a,b,c\n1,2\n1,2,3,4\n1,2,3,,\n');
    expect(parsed.problems).toEqual(['t.csv:2: the row has 2 cells but the header has 3', 't.csv:3: the row has 4 cells but the header has 3']);
  });

  it('refuses a cell longer than the field cap, naming line and cell', () => {
    const long = 'x'.repeat(MAX_FIELD_CHARS + 1);
    expect(MAX_FIELD_CHARS).toBe(65_536);
    expect(table(`a,b\n1,2\n3,${long}\n`).problems).toEqual([`t.csv:3: cell 2 is ${MAX_FIELD_CHARS + 1} characters long, more than the ${MAX_FIELD_CHARS} accepted (is a " missing?)`]);
    expect(table(`a,b\n3,${'x'.repeat(MAX_FIELD_CHARS)}\n`).problems).toEqual([]);
  });

  it('says when a file is separated by semicolons or tabs instead of commas', () => {
    expect(table('county_code;county_name\n520111;甲县\n').problems).toEqual([
      't.csv:1: the header is one single column: the cells seem separated by ";", but povalloc reads comma-separated CSV; save the file as CSV (comma delimited)',
    ]);
    expect(table('county_code\tcounty_name\n520111\t甲县\n').problems[0]).toContain('separated by tabs');
  });
});

describe('headers', () => {
  const header = (cells: string): { index: Record<string, number>; unknown: string[]; problems: string[] } => {
    const parsed = parseCsvTable('t.csv', `${cells}\n`);
    const mapped = mapHeader(parsed.table!, COUNTY_COLUMNS);
    return { index: Object.fromEntries(mapped.header.index), unknown: mapped.header.unknown.map((entry) => entry.name), problems: mapped.problems.map(formatProblem) };
  };

  it('matches headers after NFKC, lower case and removing spaces, _ and - (documented normalisation)', () => {
    const mapped = header('County Code,COUNTY_NAME,ｐｏｏｒ＿ｐｏｐｕｌａｔｉｏｎ,rural-population,贫困 发生率,Key　County');
    expect(mapped.problems).toEqual([]);
    expect(mapped.unknown).toEqual([]);
    expect(mapped.index).toEqual({ county_code: 0, county_name: 1, poor_population: 2, rural_population: 3, incidence: 4, key_county: 5 });
  });

  it('keys of all known columns and aliases are distinct, so normalisation cannot confuse two columns', () => {
    for (const specs of [COUNTY_COLUMNS, BUDGET_COLUMNS]) {
      const owner = new Map<string, string>();
      for (const spec of specs) {
        for (const name of [spec.name, ...spec.aliases]) {
          const key = headerKey(name);
          expect(owner.get(key) ?? spec.name, `${name} collides`).toBe(spec.name);
          owner.set(key, spec.name);
        }
      }
    }
  });

  it('reports a column given twice, also under its alias or in another spelling', () => {
    expect(header('county_code,县代码,county_name').problems).toEqual(['t.csv:1: 县代码: column county_code appears twice in the header (columns 1 and 2)']);
    expect(header('county_code,County Code').problems).toEqual(['t.csv:1: County Code: column county_code appears twice in the header (columns 1 and 2)']);
    expect(header('notes,notes').problems).toEqual(['t.csv:1: notes: column notes appears twice in the header (columns 1 and 2)']);
  });

  it('ignores columns without a header instead of calling them duplicates', () => {
    const mapped = header('county_code,,county_name,');
    expect(mapped.problems).toEqual([]);
    expect(mapped.unknown).toEqual(['(column 2, no header)']);
  });

  it('reports a missing required column and a duplicate header (end to end)', () => {
    const dir = tempDir();
    const counties = join(dir, 'counties.csv');
    writeFileSync(counties, 'county_code,County Name,county_name,rural_population\n520111,甲县,甲县,100000\n');
    const result = runCli(['validate', '--counties', counties, '--budget', SMALL.budget, '--policy', SMALL.policy]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('counties.csv:1: county_name: column county_name appears twice in the header (columns 2 and 3)');
    expect(result.stderr).toContain('counties.csv:1: poor_population: required column poor_population is missing');
  });
});

describe('size caps (end to end)', () => {
  it(`refuses an input file over ${MAX_INPUT_BYTES} bytes before reading it`, () => {
    const dir = tempDir();
    const huge = join(dir, 'counties.csv');
    // A sparse file: its size is over the cap but it takes no disk space, and povalloc must not read it.
    const descriptor = openSync(huge, 'w');
    ftruncateSync(descriptor, MAX_INPUT_BYTES + 1);
    closeSync(descriptor);
    const result = runCli(['validate', '--counties', huge, '--budget', SMALL.budget, '--policy', SMALL.policy]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`counties.csv: the file is ${MAX_INPUT_BYTES + 1} bytes, more than the 128 MiB povalloc reads (${MAX_INPUT_BYTES} bytes); split it, e.g. one file per province`);
  });

  it(`reads last year's allocations.csv (--previous, povalloc's own wider table) up to ${MAX_WRITTEN_TABLE_BYTES} bytes, not ${MAX_INPUT_BYTES}`, () => {
    const dir = tempDir();
    const sparse = (name: string, size: number): string => {
      const path = join(dir, name);
      const descriptor = openSync(path, 'w');
      ftruncateSync(descriptor, size);
      closeSync(descriptor);
      return path;
    };
    const over = runCli(['validate', '--counties', SMALL.counties, '--budget', SMALL.budget, '--policy', SMALL.policy, '--previous', sparse('previous.csv', MAX_WRITTEN_TABLE_BYTES + 1)]);
    expect(over.code).toBe(2);
    expect(over.stderr).toContain(`previous.csv: the file is ${MAX_WRITTEN_TABLE_BYTES + 1} bytes, more than the 384 MiB povalloc reads (${MAX_WRITTEN_TABLE_BYTES} bytes)`);
    // Over the input limit but within this one: read (and refused for what it holds, not for its size).
    const within = runCli(['validate', '--counties', SMALL.counties, '--budget', SMALL.budget, '--policy', SMALL.policy, '--previous', sparse('within.csv', MAX_INPUT_BYTES + 1)]);
    expect(within.code).toBe(2);
    expect(within.stderr).toContain('within.csv');
    expect(within.stderr).not.toContain('more than the');
  }, 60_000);

  it('refuses an oversized field in a real file with file, line and cell', () => {
    const dir = tempDir();
    const counties = join(dir, 'counties.csv');
    const text = readFileSync(SMALL.counties, 'utf8').replace('甲县', 'x'.repeat(100_000));
    writeFileSync(counties, text);
    const result = runCli(['validate', '--counties', counties, '--budget', SMALL.budget, '--policy', SMALL.policy]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('counties.csv:2: cell 2 is 100000 characters long, more than the 65536 accepted (is a " missing?)');
  });
});
