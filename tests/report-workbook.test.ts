/**
 * The Excel workbook, read back with exceljs: every amount is a number that
 * equals the CSV's decimal exactly, the 万元 column is the exact amount in
 * 万元, headers are frozen and filtered, and formula-looking county names
 * come back as text.
 */
import ExcelJS from 'exceljs';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decimal } from '../src/core/money.js';
import { columnLabel, valueLabel, valueLabeller } from '../src/render/labels.js';
import { message, messageOr } from '../src/render/messages.js';
import { readCsvRows, ROOT, runCli, SAMPLE, SMALL, tempDir } from './helpers.js';
import { readReportFolder } from '../src/io/report-folder.js';
import { checkWithVerify } from '../src/io/run-integrity.js';
import { loadReference } from '../src/io/load-inputs.js';
import { renderRunWorkbook, zipBacklog } from '../src/render/workbook.js';
import { PassThrough } from 'node:stream';

let work: string;

beforeAll(() => {
  work = tempDir('povalloc-workbook-');
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

async function readWorkbook(path: string): Promise<ExcelJS.Workbook> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.readFile(path);
  return workbook;
}

/** A sheet's rows as objects keyed by header label. */
function sheetRows(sheet: ExcelJS.Worksheet): { headers: string[]; rows: Map<string, ExcelJS.Cell>[] } {
  const headers: string[] = [];
  sheet.getRow(1).eachCell({ includeEmpty: true }, (cell, column) => {
    headers[column - 1] = String(cell.value ?? '');
  });
  const rows: Map<string, ExcelJS.Cell>[] = [];
  for (let number = 2; number <= sheet.rowCount; number++) {
    const row = sheet.getRow(number);
    rows.push(new Map(headers.map((header, index) => [header, row.getCell(index + 1)])));
  }
  return { headers, rows };
}

/** The decimal a number cell holds, written the way the CSV writes amounts. */
function asYuan(cell: ExcelJS.Cell): string {
  expect(typeof cell.value, `cell ${cell.address}`).toBe('number');
  return decimal(String(cell.value)).toFixed(2);
}

const AMOUNT = /^\d+\.\d{2}$/;

describe('the sample run workbook (English)', () => {
  let workbook: ExcelJS.Workbook;
  let allocations: Record<string, string>[];
  let provinces: Record<string, string>[];

  beforeAll(async () => {
    const run = join(work, 'sample');
    expect(runCli(['allocate', '--counties', SAMPLE.counties, '--budget', SAMPLE.budget, '--out', run]).code).toBe(0);
    const reported = runCli(['report', run, '--xlsx', join(work, 'sample.xlsx'), '--lang', 'en']);
    expect(reported.code, reported.stderr).toBe(0);
    // Nothing on standard error: no warning of Node's either (exceljs's libraries are bundled, see scripts/bundle.mjs).
    expect(reported.stderr).toBe('');
    workbook = await readWorkbook(join(work, 'sample.xlsx'));
    allocations = readCsvRows(join(run, 'allocations.csv'));
    provinces = readCsvRows(join(run, 'provinces.csv'));
  });

  it('has the sheets counties, provinces, checks and summary', () => {
    expect(workbook.worksheets.map((sheet) => sheet.name)).toEqual(['counties', 'provinces', 'checks', 'summary']);
  });

  for (const [sheetName, csvName] of [
    ['counties', 'allocations'],
    ['provinces', 'provinces'],
  ] as const) {
    it(`${sheetName}: every amount cell is a number equal to the CSV's decimal, exactly, formatted #,##0.00`, () => {
      const csvRows = csvName === 'allocations' ? allocations : provinces;
      const { rows } = sheetRows(workbook.getWorksheet(sheetName)!);
      expect(rows).toHaveLength(csvRows.length);
      const amountColumns = Object.keys(csvRows[0]!).filter((column) => csvRows.every((row) => AMOUNT.test(row[column] ?? '')) && !['poor_population', 'rural_population'].includes(column));
      expect(amountColumns).toEqual(expect.arrayContaining(['special_poverty_central', 'special_poverty_provincial', 'total']));
      let cells = 0;
      csvRows.forEach((csvRow, index) => {
        for (const column of amountColumns) {
          const cell = rows[index]!.get(columnLabel('en', column))!;
          expect(asYuan(cell)).toBe(csvRow[column]);
          expect(cell.numFmt).toBe('#,##0.00');
          cells++;
        }
        const wan = rows[index]!.get(message('en', 'col.total_wan'))!;
        expect(typeof wan.value).toBe('number');
        expect(decimal(String(wan.value)).equals(decimal(csvRow['total']!).div(decimal('10000')))).toBe(true);
      });
      expect(cells).toBe(csvRows.length * amountColumns.length);
    });
  }

  it('keeps codes as text and writes populations and incidence as exact numbers', () => {
    const { rows } = sheetRows(workbook.getWorksheet('counties')!);
    allocations.forEach((csvRow, index) => {
      const row = rows[index]!;
      expect(row.get(columnLabel('en', 'county_code'))!.value).toBe(csvRow['county_code']);
      expect(row.get(columnLabel('en', 'province_code'))!.value).toBe(csvRow['province_code']);
      expect(decimal(String(row.get(columnLabel('en', 'poor_population'))!.value)).equals(decimal(csvRow['poor_population']!))).toBe(true);
      expect(decimal(String(row.get(columnLabel('en', 'incidence'))!.value)).equals(decimal(csvRow['incidence']!))).toBe(true);
    });
  });

  it('freezes the header row, filters it and fits the columns', () => {
    for (const name of ['counties', 'provinces', 'checks']) {
      const sheet = workbook.getWorksheet(name)!;
      expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
      expect(sheet.autoFilter).toBe(`A1:${sheet.getColumn(sheet.columnCount).letter}${sheet.rowCount}`);
      const { headers } = sheetRows(sheet);
      headers.forEach((header, index) => {
        const width = sheet.getColumn(index + 1).width ?? 9;
        expect(width, `${name} ${header}`).toBeGreaterThanOrEqual(Math.min(60, header.length));
        expect(width).toBeLessThanOrEqual(60);
      });
    }
    // The county name column is as wide as the longest name (CJK characters count double).
    const counties = workbook.getWorksheet('counties')!;
    const longest = Math.max(...allocations.map((row) => [...row['county_name']!].length * 2));
    expect(counties.getColumn(2).width).toBeGreaterThanOrEqual(longest);
  });

  it('summary: the fund totals are numbers equal to summary.json', () => {
    const summary = JSON.parse(readFileSync(join(work, 'sample', 'summary.json'), 'utf8')) as { funds: Record<string, Record<string, { budget: string }>> };
    const sheet = workbook.getWorksheet('summary')!;
    const budgets: string[] = [];
    sheet.eachRow((row) => {
      const value = row.getCell(3).value;
      if (typeof value === 'number') budgets.push(decimal(String(value)).toFixed(2));
    });
    for (const levels of Object.values(summary.funds)) for (const line of Object.values(levels)) expect(budgets).toContain(line.budget);
  });
});

describe('formula injection', () => {
  const EVIL: Record<string, string> = {
    '520112': '=HYPERLINK("http://example.invalid";"click")',
    '520113': '+86 123',
    '450001': '＝SUM(A1)',
    '450002': '@cmd',
    '450004': '-2+3',
  };

  it('county names that look like formulas come back from the workbook as text, prefixed with an apostrophe', async () => {
    const lines = readFileSync(SMALL.counties, 'utf8').split(/\r?\n/);
    const edited = lines.map((line) => {
      const code = line.slice(0, 6);
      const name = EVIL[code];
      if (name === undefined) return line;
      const cells = line.split(',');
      cells[1] = `"${name.replace(/"/g, '""')}"`;
      return cells.join(',');
    });
    const counties = join(work, 'evil-counties.csv');
    writeFileSync(counties, edited.join('\n'));
    const run = join(work, 'evil');
    const allocated = runCli(['allocate', '--counties', counties, '--budget', SMALL.budget, '--policy', SMALL.policy, '--out', run]);
    expect(allocated.code, allocated.stderr).toBe(0);
    expect(runCli(['report', run, '--xlsx', join(work, 'evil.xlsx'), '--lang', 'en']).code).toBe(0);
    const workbook = await readWorkbook(join(work, 'evil.xlsx'));
    const { rows } = sheetRows(workbook.getWorksheet('counties')!);
    const byCode = new Map(rows.map((row) => [String(row.get(columnLabel('en', 'county_code'))!.value), row.get(columnLabel('en', 'county_name'))!]));
    for (const [code, name] of Object.entries(EVIL)) {
      const cell = byCode.get(code)!;
      expect(cell.type).toBe(ExcelJS.ValueType.String);
      expect(cell.formula).toBeUndefined();
      expect(cell.value).toBe(`'${name}`);
    }
    expect(byCode.get('520111')!.value).toBe('甲县');
    // The amounts of the hand-checkable fixture, as numbers.
    const total = (code: string): string => {
      const row = rows.find((candidate) => candidate.get(columnLabel('en', 'county_code'))!.value === code)!;
      return asYuan(row.get(columnLabel('en', 'total'))!);
    };
    expect(total('520111')).toBe('10000000.00');
    expect(total('520112')).toBe('3945371.78');
    expect(total('450004')).toBe('2000000.00');
  });
});

describe('workbook in Chinese, with projects and the columns later rules add', () => {
  it('translates sheet names, headers, values and check messages, and adds the projects sheet', async () => {
    const run = join(work, 'zh-run');
    expect(runCli(['allocate', '--counties', SMALL.counties, '--budget', SMALL.budget, '--policy', SMALL.policy, '--out', run]).code).toBe(0);
    // projects.csv as the rules issue will write it (columns by name; extra columns kept).
    writeFileSync(
      join(run, 'projects.csv'),
      '\uFEFFproject_id,county_code,name,total_cost,share_central_amount,waived_county,final_central,rule\r\nP1,520111,=cmd|calc,1000000.00,600000.00,100000.00,600000.00,matching_waiver\r\n',
    );
    const reported = runCli(['report', run, '--xlsx', join(work, 'zh.xlsx'), '--lang', 'zh']);
    expect(reported.code, reported.stderr).toBe(0);
    expect(reported.stderr).toBe('');
    expect(reported.stdout).toContain('已写入');
    const workbook = await readWorkbook(join(work, 'zh.xlsx'));
    expect(workbook.worksheets.map((sheet) => sheet.name)).toEqual(['县级分配', '分省汇总', '项目', '合规检查', '汇总']);
    const counties = sheetRows(workbook.getWorksheet('县级分配')!);
    expect(counties.headers).toContain('县代码');
    expect(counties.headers).toContain('合计（万元）');
    expect(counties.rows[0]!.get('符合条件')!.value).toMatch(/^[是否]$/);
    const projects = sheetRows(workbook.getWorksheet('项目')!);
    const project = projects.rows[0]!;
    expect(project.get('名称')!.value).toBe("'=cmd|calc");
    expect(asYuan(project.get('总投资（元）')!)).toBe('1000000.00');
    expect(asYuan(project.get('减免县级配套（元）')!)).toBe('100000.00');
    expect(asYuan(project.get('最终分担：中央（元）')!)).toBe('600000.00');
    const checks = sheetRows(workbook.getWorksheet('合规检查')!);
    const unallocated = checks.rows.find((row) => row.get('检查项')!.value === '未分配资金')!;
    expect(String(unallocated.get('说明')!.value)).toBe('1,000,000.00 元未分配');
    expect(String(unallocated.get('原文（英文）')!.value)).toContain('left unallocated');
    expect(unallocated.get('条款')!.value).toBe('IV.2');
  });

  it('compare and sweep folders become workbooks too, numbers exact', async () => {
    const compare = join(ROOT, 'tests', 'fixtures', 'compare');
    const reported = runCli(['report', compare, '--xlsx', join(work, 'compare.xlsx'), '--lang', 'en']);
    expect(reported.code).toBe(0);
    expect(reported.stderr).toBe('');
    const workbook = await readWorkbook(join(work, 'compare.xlsx'));
    expect(workbook.worksheets.map((sheet) => sheet.name)).toEqual(['counties', 'provinces', 'bands', 'metrics', 'policy_diff', 'summary']);
    const counties = sheetRows(workbook.getWorksheet('counties')!);
    const csv = readCsvRows(join(compare, 'counties.csv'));
    csv.forEach((row, index) => {
      expect(asYuan(counties.rows[index]!.get('change')!)).toBe(decimal(row['change']!).toFixed(2));
      expect(decimal(String(counties.rows[index]!.get('change')!.value)).equals(decimal(row['change']!))).toBe(true);
    });
    const bands = sheetRows(workbook.getWorksheet('bands')!);
    expect(bands.rows[0]!.get(columnLabel('en', 'band'))!.value).toBe('lose more than 5%');
    const sweepDir = join(work, 'sweep-copy');
    mkdirSync(sweepDir);
    for (const file of ['sweep.csv', 'sweep.json']) copyFileSync(join(ROOT, 'tests', 'fixtures', 'sweep', file), join(sweepDir, file));
    expect(runCli(['report', sweepDir, '--xlsx', join(work, 'sweep.xlsx')], { env: { LC_ALL: '', LC_MESSAGES: '', LANG: 'C.UTF-8' } }).code).toBe(0);
    const sweep = await readWorkbook(join(work, 'sweep.xlsx'));
    expect(sweep.worksheets.map((sheet) => sheet.name)).toEqual(['sweep', 'summary']);
  });
});

describe('a table of more rows than a sheet holds', () => {
  it('goes on several sheets, each with its header and filter, the rows in order and none lost', async () => {
    const run = join(work, 'split-run');
    expect(runCli(['allocate', '--counties', SAMPLE.counties, '--budget', SAMPLE.budget, '--out', run]).code).toBe(0);
    const folder = readReportFolder(run);
    if (folder.kind !== 'run') throw new Error('not a run folder');
    const content = await renderRunWorkbook({ folder, integrity: checkWithVerify(run, folder.manifest, folder.manifestPresent), reference: loadReference(), lang: 'en', createdAt: new Date(0), maxRowsPerSheet: 5 });
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(content);
    const name = message('en', 'sheet.counties');
    const parts = workbook.worksheets.filter((sheet) => sheet.name === name || sheet.name.startsWith(`${name} (`));
    const expected = readCsvRows(join(run, 'allocations.csv'));
    expect(parts.map((sheet) => sheet.name)).toEqual([name, ...Array.from({ length: parts.length - 1 }, (_, index) => `${name} (${index + 2})`)]);
    expect(parts.length).toBe(Math.ceil(expected.length / 4));
    const codes: string[] = [];
    for (const sheet of parts) {
      const { headers, rows } = sheetRows(sheet);
      expect(headers[0]).toBe(columnLabel('en', 'county_code'));
      expect(rows.length).toBeLessThanOrEqual(4);
      expect(sheet.autoFilter).toBe(`A1:${sheet.getColumn(headers.length).letter}${rows.length + 1}`);
      expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
      codes.push(...rows.map((row) => String(row.get(columnLabel('en', 'county_code'))!.value)));
    }
    expect(codes).toEqual(expected.map((row) => row['county_code']));
    // The other tables are smaller than a sheet: one each.
    expect(workbook.worksheets.filter((sheet) => sheet.name.startsWith(message('en', 'sheet.provinces'))).length).toBe(Math.ceil(readCsvRows(join(run, 'provinces.csv')).length / 4));
  });
});

describe('value labels', () => {
  it('label coded values by their column, in both languages; anything else is shown as it is', () => {
    const reference = loadReference();
    const cases: [column: string, value: string, key: string | undefined][] = [
      ['eligible', 'true', 'value.true'],
      ['border_area', 'false', 'value.false'],
      ['priority_province', 'maybe', undefined],
      ['region', 'west', 'region.west'],
      ['binding', 'floor_reduced', 'binding.floor_reduced'],
      ['severity', 'warning', 'severity.warning'],
      ['scope', 'province', 'scope.province'],
      ['rule', 'matching_waiver', 'rule.matching_waiver'],
      ['check', 'floor_reduced', 'check.floor_reduced.title'],
      ['band', 'gain_over_5', 'band.gain_over_5'],
      ['dimension', 'region', 'dimension.region'],
      ['metric', 'per_poor_gini', 'metric.per_poor_gini'],
      ['region', 'nowhere', 'region.nowhere'],
      ['county_name', 'true', undefined],
      ['total', 'west', undefined],
    ];
    for (const lang of ['zh', 'en'] as const) {
      for (const [column, value, key] of cases) {
        const expected = key === undefined ? value : messageOr(lang, key, value);
        expect(valueLabel(lang, column, value, reference), `${lang} ${column} ${value}`).toBe(expected);
        expect(valueLabel(lang, column, '', reference)).toBe('');
      }
      expect(valueLabel(lang, 'eligible', 'true')).not.toBe('true');
      expect(valueLabeller(lang, 'county_name', reference)).toBeUndefined();
      expect(valueLabeller(lang, 'contiguous_area')).toBeUndefined();
    }
    // Areas by the reference's spelling: the Chinese name in Chinese.
    expect(valueLabel('zh', 'contiguous_area', '乌蒙山区', reference)).toBe('乌蒙山区');
    expect(valueLabel('en', 'contiguous_area', '乌蒙山区', reference)).not.toBe('乌蒙山区');
  });
});

describe("a sheet's rows and the zip", () => {
  it('shows what a sheet wrote and the zip has not taken, which the zip takes once the event loop turns', async () => {
    const stream = new PassThrough();
    let zipped = 0;
    stream.on('data', (piece: Buffer) => (zipped += piece.length));
    const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream, useStyles: true, useSharedStrings: false });
    const sheet = workbook.addWorksheet('rows');
    for (let index = 1; index <= 3_000; index++) {
      const row = sheet.getRow(index);
      for (let column = 1; column <= 10; column++) row.getCell(column).value = `village ${index} ${column}`;
      row.commit();
    }
    // Written in one go: all of it waits (about 300 kB of XML), none is zipped yet.
    expect(zipBacklog(sheet)).toBeGreaterThan(200_000);
    let turns = 0;
    while (zipBacklog(sheet) > 70_000 && turns < 100_000) {
      await new Promise((resolve) => setImmediate(resolve));
      turns++;
    }
    expect(zipBacklog(sheet)).toBeLessThanOrEqual(70_000);
    sheet.commit();
    await workbook.commit();
    expect(zipped).toBeGreaterThan(0);
  });
});

