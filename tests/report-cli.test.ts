/**
 * `povalloc report` without a browser: the figures behind the charts, the
 * run identity and its verification, the columns later rules add, the
 * language, and bad usage or a bad folder (exit 2, nothing written).
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsvText, readAuditLogInfo, readAuditLogInfoPieces } from '../src/io/report-folder.js';
import { checkWithVerify, hashedFilesOf, manifestFacts } from '../src/io/run-integrity.js';
import { amountColumnsOf, binAmounts, fundAndLevel } from '../src/render/report-model.js';
import { renderCsv } from '../src/render/csv.js';
import { runCli, SMALL, tempDir } from './helpers.js';

let work: string;
let smallRun: string;
const ENGLISH = { LC_ALL: '', LC_MESSAGES: '', LANG: 'en_US.UTF-8' };

/** A fresh copy of the small fixture's run folder. */
function copyOfSmallRun(name: string): string {
  const dir = join(work, name);
  cpSync(smallRun, dir, { recursive: true });
  return dir;
}

function report(dir: string, extra: string[] = [], env: Record<string, string> = ENGLISH): { code: number; stdout: string; stderr: string; html: string } {
  const file = join(work, `${Math.random().toString(36).slice(2)}.html`);
  const result = runCli(['report', dir, '--html', file, ...extra], { env });
  return { ...result, html: existsSync(file) ? readFileSync(file, 'utf8') : '' };
}

beforeAll(() => {
  work = tempDir('povalloc-report-cli-');
  smallRun = join(work, 'small');
  const result = runCli(['allocate', '--counties', SMALL.counties, '--budget', SMALL.budget, '--policy', SMALL.policy, '--out', smallRun]);
  expect(result.code, result.stderr).toBe(0);
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('figures behind the charts', () => {
  it('bins every county amount exactly once, in round bins of 1, 2 or 5 x 10^k fen', () => {
    fc.assert(
      fc.property(fc.array(fc.bigInt({ min: 0n, max: 10n ** 14n }), { minLength: 1, maxLength: 300 }), (amounts) => {
        const bins = binAmounts(amounts);
        expect(bins.reduce((sum, bin) => sum + bin.count, 0)).toBe(amounts.length);
        const width = bins[0]!.to - bins[0]!.from;
        expect(width.toString()).toMatch(/^[125]0*$/);
        expect(bins.length).toBeLessThanOrEqual(21);
        for (const amount of amounts) {
          const holding = bins.filter((bin) => bin.from <= amount && amount < bin.to);
          expect(holding).toHaveLength(1);
        }
        bins.forEach((bin, index) => {
          expect(bin.to - bin.from).toBe(width);
          expect(bin.count).toBe(amounts.filter((amount) => amount >= bin.from && amount < bin.to).length);
          if (index > 0) expect(bin.from).toBe(bins[index - 1]!.to);
        });
      }),
      { numRuns: 300 },
    );
  });

  it('finds amount columns by their values, including those later rules add, and splits fund and paying level', () => {
    const { csv } = parseCsvText(
      'allocations.csv',
      '\uFEFFcounty_code,poor_population,rural_population,incidence,focus_multiplier,special_poverty_central,relocation,refund_central,refund_prefecture,asset_income_per_poor_person,total\r\n520111,40000,100000.50,0.400000,1.15,8700000.00,120000.00,1.00,0.00,12.50,8820001.00\r\n',
    );
    expect(amountColumnsOf(csv!)).toEqual(['special_poverty_central', 'relocation', 'refund_central', 'refund_prefecture', 'total']);
    expect(fundAndLevel('special_poverty_provincial')).toEqual({ fund: 'special_poverty', level: 'provincial' });
    expect(fundAndLevel('refund_prefecture')).toEqual({ fund: 'refund', level: 'prefecture' });
    expect(fundAndLevel('relocation')).toEqual({ fund: 'relocation', level: '' });
  });

  it('reads CSVs by column name, with BOM and CRLF, and refuses duplicate headers', () => {
    const { csv } = parseCsvText('x.csv', '\uFEFFb,a\r\n2,1\r\n\r\n4,3\r\n');
    expect(csv!.rows).toEqual([
      { b: '2', a: '1' },
      { b: '4', a: '3' },
    ]);
    expect(csv!.lines).toEqual([2, 4]);
    expect(parseCsvText('x.csv', 'a,a\n1,2\n').problems[0]).toMatchObject({ file: 'x.csv', line: 1, column: 'a' });
    expect(parseCsvText('x.csv', 'a,b\n1,2,3\n').problems[0]!.message).toMatch(/cannot be read as CSV/);
  });

  it('reads any cells povalloc writes (renderCsv), a record over several lines at its first line, a __proto__ column too (property)', () => {
    // No cell begins or ends with white space in a file povalloc wrote (its tokenizer trims them, as it trims inputs).
    const cell = fc
      .string({ unit: fc.constantFrom('a', '7', '.', ',', '"', '\n', '\r\n', ' ', '甲', '𠀀'), maxLength: 8 })
      .map((text) => text.trim());
    fc.assert(
      fc.property(fc.array(fc.array(cell, { minLength: 3, maxLength: 3 }), { maxLength: 12 }), (records) => {
        const header = ['code', '__proto__', 'name'];
        const text = renderCsv({ columns: header, rows: records });
        const { csv, problems } = parseCsvText('x.csv', text);
        expect(problems).toEqual([]);
        // Blank records (every cell empty) are skipped, as csv-parse's skip_empty_lines skipped them.
        const kept = records.filter((record) => record.some((value) => value !== ''));
        expect(csv!.rows.map((row) => header.map((name) => row[name]))).toEqual(kept);
        expect(csv!.rows.every((row) => Object.getPrototypeOf(row) === Object.prototype && Object.keys(row).length === 3)).toBe(true);
        // Each record's first line: the header's line plus the lines of the records before it.
        let line = 2;
        const starts: number[] = [];
        for (const record of records) {
          if (record.some((value) => value !== '')) starts.push(line);
          line += renderCsv({ columns: record, rows: [] }).split('\n').length - 1;
        }
        expect(csv!.lines).toEqual(starts);
      }),
      { numRuns: 300 },
    );
    expect(parseCsvText('x.csv', 'a,b\n1,"2\n').problems[0]!.message).toMatch(/^cannot be read as CSV: /);
  });

  it("counts a large log's entries and reads its head from its pieces, split anywhere (property)", () => {
    const entry = fc.record({ hash: fc.string({ unit: fc.constantFrom('a', '0', '甲', '"'), maxLength: 6 }), n: fc.nat() }).map((value) => JSON.stringify(value));
    fc.assert(
      fc.property(fc.array(fc.oneof(entry, fc.constant('')), { maxLength: 8 }), fc.boolean(), fc.array(fc.nat(), { maxLength: 6 }), (lines, ended, cuts) => {
        const text = Buffer.from(lines.join('\n') + (ended ? '\n' : ''), 'utf8');
        const bounds = [0, ...[...new Set(cuts.map((cut) => cut % (text.length + 1)))].sort((a, b) => a - b), text.length];
        const pieces = bounds.slice(1).map((end, index) => text.subarray(bounds[index], end));
        const info = readAuditLogInfoPieces(pieces);
        expect(info).toEqual(readAuditLogInfo(text.toString('utf8')));
        expect(info.entries).toBe(lines.filter((line) => line !== '').length);
      }),
      { numRuns: 300 },
    );
  });

  it('reads every value, those a column repeats (kept once) and more distinct ones than it keeps once alike', () => {
    // 3,000 rows: a column of 3 repeated values, one of 3,000 distinct ones, one repeating 2,000 distinct ones.
    const rows = Array.from({ length: 3_000 }, (_, index) => ({ flag: ['true', 'false', ''][index % 3]!, code: String(520000000000 + index), name: `村${index % 2_000}` }));
    const text = `\uFEFFflag,code,name\r\n${rows.map((row) => `${row.flag},${row.code},${row.name}`).join('\r\n')}\r\n`;
    const { csv } = parseCsvText('x.csv', text);
    expect(csv!.rows).toEqual(rows);
    expect(csv!.lines).toEqual(rows.map((_, index) => index + 2));
  });
});

describe('the report of the hand-checkable fixture', () => {
  it('shows the hand-derived amounts, the totals per fund and level, and the priority province', () => {
    const { code, html, stdout } = report(smallRun);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^wrote .*\.html \(\d+ KB\)\n$/);
    for (const amount of ['10,000,000.00', '3,945,371.78', '6,054,628.22', '4,250,000.00', '2,250,000.00', '2,000,000.00', '23,900,000.00', '1,000,000.00']) expect(html).toContain(amount);
    expect(html).toMatch(/<g class="bar" data-key="52" data-marked="true">/);
    expect(html).toMatch(/<g class="bar" data-key="45">/);
    // 庚县 has no poor people and 己县/辛县 are not eligible: three counties are not drawn.
    expect(html.match(/<circle class="point"/g)).toHaveLength(5);
    expect(html).toContain('5 counties shown; 3 without poor population or not eligible are left out.');
    expect(html).toMatch(/yes: all \d+ files listed in manifest.json match their SHA-256, and the audit chain holds/);
    expect(html).toContain('data-integrity="verified"');
  });

  it('is the same bytes every time (no clock in the page)', () => {
    expect(report(smallRun).html).toBe(report(smallRun).html);
  });

  it('is in Chinese with --lang zh or a Chinese locale, with clause ids unchanged', () => {
    const zh = report(smallRun, ['--lang', 'zh']);
    expect(zh.stdout).toContain('已写入');
    expect(zh.html).toContain('<html lang="zh-CN">');
    expect(zh.html).toContain('各项资金及出资级次合计');
    expect(zh.html).toContain('重点省份认定');
    expect(zh.html).toContain('IV.1');
    expect(zh.html).toContain('1,000,000.00 元未分配');
    const fromLocale = report(smallRun, [], { ...ENGLISH, LANG: 'zh_CN.UTF-8' });
    expect(fromLocale.html).toBe(zh.html);
    expect(report(smallRun).html).toContain('<html lang="en">');
  });

  it('sums the columns later rules add per fund and paying level, and lists them in the county table', () => {
    const dir = copyOfSmallRun('with-refunds');
    const path = join(dir, 'allocations.csv');
    const lines = readFileSync(path, 'utf8').split('\r\n');
    const edited = lines.map((line, index) => {
      // The fixture's run has these columns empty (no relocation or remitted columns in its county table): fill them.
      if (index === 0) {
        expect(line).toMatch(/,relocation,relocation_central,relocation_provincial,refund_central,refund_provincial,refund_prefecture,total$/);
        return line;
      }
      if (line === '') return line;
      return line.replace(/,,,,,,,([\d.]+)$/, ',100.10,,,20.02,3.00,0.40,$1');
    });
    writeFileSync(path, edited.join('\r\n'));
    const { code, html, stderr } = report(dir);
    expect(code, stderr).toBe(0);
    const totals = html.slice(html.indexOf('id="totals"'), html.indexOf('id="provinces-chart"'));
    // Eight counties: 8 x 100.10 = 800.80, 8 x 20.02 = 160.16, 8 x 3.00 = 24.00, 8 x 0.40 = 3.20.
    expect(totals).toMatch(/Ex situ relocation<\/td><td>all levels<\/td><td[^>]*>—<\/td><td class="num">800\.80</);
    expect(totals).toContain('<td>Refund of county revenue</td><td>central</td>');
    expect(totals).toContain('160.16');
    expect(totals).toContain('<td>Refund of county revenue</td><td>prefecture</td>');
    expect(totals).toContain('3.20');
    expect(html).toContain('Refund: provincial (yuan)');
  });
});

describe('run identity and verification (the same check as povalloc verify)', () => {
  it('reads the tolerated manifest shapes', () => {
    expect(hashedFilesOf([{ file: 'a.csv', hash: 'x', rows: 3 }])).toEqual([{ name: 'a.csv', sha256: 'x', details: { rows: '3' } }]);
    expect(hashedFilesOf({ 'a.csv': 'x' })).toEqual([{ name: 'a.csv', sha256: 'x', details: {} }]);
    expect(manifestFacts({ povalloc_version: '1.0.0', audit_head: 'h' })).toMatchObject({ version: '1.0.0', auditHead: 'h', inputs: [], outputs: [] });
    expect(checkWithVerify(smallRun, undefined, false).status).toBe('no_manifest');
    expect(checkWithVerify(smallRun, JSON.parse(readFileSync(join(smallRun, 'manifest.json'), 'utf8')), true).status).toBe('verified');
  });

  it('shows the audit log head from audit.jsonl when there is one', () => {
    const dir = copyOfSmallRun('audit');
    rmSync(join(dir, 'manifest.json'));
    writeFileSync(join(dir, 'audit.jsonl'), `${JSON.stringify({ seq: 0, hash: '1'.repeat(64) })}\n${JSON.stringify({ seq: 1, hash: 'e'.repeat(64) })}\n`);
    const { html } = report(dir);
    expect(html).toContain('e'.repeat(64));
    expect(html).toContain('(2 entries)');
    expect(html).toContain('no manifest: this run cannot be verified');
  });

  it('says NO, naming the place, when a file of the run was changed after the fact', () => {
    const dir = copyOfSmallRun('tampered');
    const path = join(dir, 'allocations.csv');
    writeFileSync(path, readFileSync(path, 'utf8').replace('8700000.00', '8700000.01'));
    const { html } = report(dir);
    expect(html).toContain('data-integrity="differs"');
    expect(html).toContain('allocations.csv');
  });
});

describe('bad usage and bad folders: exit 2, nothing written', () => {
  it('needs --html or --xlsx', () => {
    const result = runCli(['report', smallRun]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('give --html FILE, --xlsx FILE or both');
  });

  it('refuses a folder that is not a run, compare or sweep folder', () => {
    const empty = join(work, 'empty');
    mkdirSync(empty);
    const out = join(work, 'never.html');
    expect(runCli(['report', empty, '--html', out]).stderr).toContain('not a run, compare or sweep folder');
    expect(runCli(['report', join(work, 'absent'), '--html', out]).code).toBe(2);
    expect(existsSync(out)).toBe(false);
  });

  it('names the file, line and column of every problem in the folder', () => {
    const dir = copyOfSmallRun('broken');
    const path = join(dir, 'allocations.csv');
    writeFileSync(path, readFileSync(path, 'utf8').replace('10000000.00\r\n', '1e7\r\n').replace('3432473.45', '3432473.4'));
    writeFileSync(join(dir, 'provinces.csv'), readFileSync(join(dir, 'provinces.csv'), 'utf8').replace(',total', ',sum'));
    const out = join(work, 'broken.html');
    const result = runCli(['report', dir, '--html', out]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('provinces.csv:1: total: required column is missing');
    rmSync(join(dir, 'provinces.csv'));
    cpSync(join(smallRun, 'provinces.csv'), join(dir, 'provinces.csv'));
    const again = runCli(['report', dir, '--html', out]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('allocations.csv:8: special_poverty_central: "3432473.4" is not an amount in yuan with two decimals');
    expect(again.stderr).toContain('allocations.csv:7: total: "1e7" is not an amount in yuan with two decimals');
    expect(existsSync(out)).toBe(false);
  });

  it('refuses to write over a folder', () => {
    const result = runCli(['report', smallRun, '--html', work]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('is a folder');
    const workbook = runCli(['report', smallRun, '--xlsx', work]);
    expect(workbook.code).toBe(2);
    expect(workbook.stderr).toContain('--xlsx');
    expect(workbook.stderr).toContain('is a folder');
  });

  it('writes neither file when the workbook cannot be written, and leaves no temporary file', () => {
    const out = join(work, 'unwritten.html');
    const missing = join(work, 'no-such-folder');
    const result = runCli(['report', smallRun, '--html', out, '--xlsx', join(missing, 'x.xlsx')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('cannot write the file (ENOENT)');
    expect(existsSync(out)).toBe(false);
    expect(existsSync(missing)).toBe(false);
    expect(readdirSync(work).filter((name) => name.includes('povalloc-tmp'))).toEqual([]);
  });

  it('has an example in --help', () => {
    const help = runCli(['report', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('povalloc report runs/2017 --html runs/2017-report.html --xlsx runs/2017.xlsx --lang zh');
  });
});
