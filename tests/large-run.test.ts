/**
 * Large runs stay usable: above AUDIT_GZIP_THRESHOLD counties or villages
 * the audit log is written as audit.jsonl.gz (deterministic bytes), and
 * verify, replay and explain read it; the progress bar appears only on a
 * terminal, after a second, and only on stderr.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIT_GZIP_THRESHOLD, chainAuditRecords, checkAuditChain, checkStoredAuditLog, inThreadCompressor, serializeAuditLog, writeAuditLog, type AuditRecord } from '../src/core/audit.js';
import { entriesToExplain, explainCounty, explainProvince, rowsHolding, withTableRows } from '../src/core/explain.js';
import { workerCompressor } from '../src/io/worker-compressor.js';
import { COMPARE_STAGES, progressBar, REPLAY_STAGES, REPORT_STAGES } from '../src/cli/progress.js';
import { main } from '../src/cli/main.js';
import { readReportFolder } from '../src/io/report-folder.js';
import { checkWithVerify } from '../src/io/run-integrity.js';
import { loadReference } from '../src/io/load-inputs.js';
import { renderRunWorkbook } from '../src/render/workbook.js';
import type { Io } from '../src/cli/io.js';
import { allocate } from '../src/core/allocate.js';
import { loadInputs } from '../src/io/load-inputs.js';
import { csvPieces, renderCsvBytes } from '../src/render/csv.js';
import { allocationsTable } from '../src/render/tables.js';
import { allocateLargeRun, BIN, runCli } from './helpers.js';
import ExcelJS from 'exceljs';
import { message } from '../src/render/messages.js';
import { SCATTER_POINTS_DRAWN, TABLE_ROWS_SHOWN } from '../src/render/report-html.js';
import { AHEAD_TABLE_BYTES, assembleRunFolder, spoolInputCopies } from '../src/cli/run-files.js';
import { RunFolderWriter } from '../src/io/run-folder.js';
import { MIN_CHECKED_ASIDE_BYTES } from '../src/cli/integrity-aside.js';
import { MIN_CHAIN_ASIDE_BYTES } from '../src/cli/chain-aside.js';

describe('writeAuditLog', () => {
  const records: AuditRecord[] = [
    { type: 'rule_applied', rule: 'eligibility', clause: 'I', subject: '520111', label: 'eligible', values: { eligible: 'true', because: 'key_county', 甲: '乙 "quoted"\n' } },
    { type: 'check', rule: 'cap', clause: 'IV.2', subject: 'national', label: 'cap', values: { b: '1', a: '2', '10': 'x', '2': 'y' } },
    { type: 'output_written', rule: 'output', clause: '', subject: 'national', label: 'x written', values: {} },
  ];

  it('writes the same bytes and hashes as chaining entry objects', () => {
    const written = writeAuditLog(records, false);
    const entries = chainAuditRecords(records);
    expect(written.content.toString()).toBe(serializeAuditLog(entries));
    expect(written.headHash).toBe(entries.at(-1)!.hash);
    expect(written.entries).toBe(3);
    expect(checkAuditChain(Buffer.from(written.content as string)).headHash).toBe(written.headHash);
  });

  it('writes an entry of over 64K characters (a block) with the line and hash of its canonical JSON', () => {
    const rows = Array.from({ length: 5_000 }, (_, index) => `52011100${String(index).padStart(4, '0')}\t甲乙 "${index}"\t0.${index}`).join('\n');
    const big: AuditRecord[] = [
      { type: 'pot_allocated', rule: 'special_poverty_counties', clause: 'IV.2', subject: '52', label: 'block of 5000 units', values: { 'block.units': '5000', 'block.rows': rows, 'a.weight': '0.5', z: '1' } },
      { type: 'output_written', rule: 'output', clause: '', subject: '52', label: 'big', values: { b: 'x'.repeat(70_000), a: 'y' } },
    ];
    const written = writeAuditLog(big, false);
    expect(written.content.toString()).toBe(serializeAuditLog(chainAuditRecords(big)));
    expect(written.headHash).toBe(chainAuditRecords(big).at(-1)!.hash);
  });

  it('compressed, holds the same text, in the same bytes every time', () => {
    const plain = writeAuditLog(records, false);
    const first = writeAuditLog(records, true);
    const second = writeAuditLog(records, true);
    expect(Buffer.isBuffer(first.content)).toBe(true);
    expect(Buffer.compare(first.content as Buffer, second.content as Buffer)).toBe(0);
    expect(gunzipSync(first.content as Buffer).toString('utf8')).toBe(plain.content.toString());
    // No file name, mtime 0, OS byte 255: nothing of the machine or the moment.
    expect([...(first.content as Buffer).subarray(3, 10)]).toEqual([0, 0, 0, 0, 0, expect.any(Number), 255]);
  });

  it('compressed on a worker thread, gives the same bytes as on this thread', () => {
    const chunks = ['', 'a', '甲乙丙 "quoted"\n'.repeat(10_000), 'x'.repeat(5 << 20)];
    const here = inThreadCompressor();
    const there = workerCompressor();
    const expected: Buffer[] = [];
    const members: Buffer[] = [];
    for (const chunk of chunks) {
      expected.push(...here.add(Buffer.from(chunk, 'utf8')));
      // Small chunks may lie in Node's pool and are copied; a large one of its own is handed over.
      const bytes = Buffer.from(chunk, 'utf8');
      const own = Buffer.allocUnsafeSlow(bytes.length);
      bytes.copy(own);
      members.push(...there.add(own));
    }
    expect(expected.map((member) => gunzipSync(member).toString('utf8'))).toEqual(chunks);
    expected.push(...here.finish());
    members.push(...there.finish());
    expect(expected).toHaveLength(chunks.length);
    expect(members).toHaveLength(chunks.length);
    members.forEach((member, index) => expect(Buffer.compare(member, expected[index]!)).toBe(0));
    const many = Array.from({ length: 40_000 }, (_, index) => ({ ...records[0]!, subject: String(520000 + (index % 1000)), values: { n: String(index) } }));
    const viaWorker = writeAuditLog(many, true, () => {}, workerCompressor());
    const inThread = writeAuditLog(many, true);
    expect(Buffer.compare(viaWorker.content as Buffer, inThread.content as Buffer)).toBe(0);
    expect(viaWorker.sha256).toBe(inThread.sha256);
    expect(viaWorker.bytes).toBe(inThread.bytes);
    // Handed to a sink as they are made, the same bytes, none kept.
    const sunk: Buffer[] = [];
    const toSink = writeAuditLog(many, true, () => {}, workerCompressor(), (piece) => sunk.push(piece));
    expect(toSink.pieces).toHaveLength(0);
    expect(Buffer.compare(Buffer.concat(sunk), inThread.content as Buffer)).toBe(0);
    expect(toSink.sha256).toBe(inThread.sha256);
    expect(toSink.bytes).toBe(inThread.bytes);
  });

  it('keeps at most four chunks waiting for the worker thread: this thread waits for it beyond that', () => {
    const compressor = workerCompressor();
    const chunk = Buffer.from('{"seq":1,"values":{"n":"甲乙丙"}}\n'.repeat(40_000), 'utf8');
    let members = 0;
    for (let added = 1; added <= 12; added++) {
      const own = Buffer.allocUnsafeSlow(chunk.length);
      chunk.copy(own);
      members += compressor.add(own).length;
      // However slow the worker, no more than four chunks are compressed after `add` returns.
      expect(added - members).toBeLessThanOrEqual(4);
    }
    const rest = compressor.finish();
    expect(members + rest.length).toBe(12);
    expect(gunzipSync(rest[rest.length - 1]!).equals(chunk)).toBe(true);
  });

  it('reports a changed entry in bytes as in text', () => {
    const text = writeAuditLog(records, false).content.toString().replace('"eligible":"true"', '"eligible":"false"');
    expect(checkAuditChain(Buffer.from(text)).problem).toEqual(checkAuditChain(text).problem);
    expect(checkAuditChain(text).problem?.seq).toBe(1);
  });
});

describe('progress bar', () => {
  const fakeIo = (tty: boolean) => {
    const out: string[] = [];
    const err: string[] = [];
    const io: Io = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), stdoutIsTty: tty, stderrIsTty: tty, env: {}, readStdin: () => Buffer.alloc(0) };
    return { io, out, err };
  };

  it('draws nothing when stderr is not a terminal', () => {
    const { io, out, err } = fakeIo(false);
    let time = 0;
    const progress = progressBar(io, () => time);
    time = 5000;
    progress.stage('allocating');
    progress.detail('x');
    progress.done();
    expect(out).toEqual([]);
    expect(err).toEqual([]);
  });

  it('on a terminal draws on stderr only after a second, and wipes itself', () => {
    const { io, out, err } = fakeIo(true);
    let time = 0;
    const progress = progressBar(io, () => time);
    progress.stage('reading');
    time = 500;
    progress.stage('allocating');
    expect(err).toEqual([]);
    time = 1500;
    progress.stage('writing');
    expect(err.join('')).toMatch(/3\/3 writing 1\.5 s/);
    progress.done();
    expect(err.at(-1)).toBe('\r\x1b[2K');
    expect(out).toEqual([]);
  });

  it("draws compare's and report's own stages", () => {
    const { io, err } = fakeIo(true);
    let time = 0;
    const compare = progressBar(io, () => time, COMPARE_STAGES);
    compare.stage('reading');
    time = 2000;
    compare.stage('comparing');
    expect(err.join('')).toMatch(/2\/3 comparing 2\.0 s/);
    compare.done();
    const report = progressBar(io, () => time, REPORT_STAGES);
    time = 4000;
    report.stage('checking');
    expect(err.join('')).toMatch(/2\/3 checking 2\.0 s/);
    report.stage('writing');
    expect(err.at(-1)).toMatch(/\[#{16}-{8}\] 3\/3 writing/);
    report.done();
    expect(err.at(-1)).toBe('\r\x1b[2K');
  });
});

describe(`a run of more than ${AUDIT_GZIP_THRESHOLD.toLocaleString('en-US')} villages`, () => {
  let dir: string;
  let run: string;
  let policy: string;
  let tables: { file: string; budget: string };
  let allocateStderr = '';

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'povalloc-large-'));
    ({ tables, policy, run, stderr: allocateStderr } = allocateLargeRun(dir, 7, AUDIT_GZIP_THRESHOLD + 1));
  }, 120_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes audit.jsonl.gz, listed in the manifest, and no progress bar into a pipe', () => {
    expect(readdirSync(run)).toContain('audit.jsonl.gz');
    expect(readdirSync(run)).not.toContain('audit.jsonl');
    expect(allocateStderr).not.toMatch(/\r|\[#*-*\]/);
    const manifest = JSON.parse(readFileSync(join(run, 'manifest.json'), 'utf8'));
    const listed = manifest.outputs.find((output: { path: string }) => output.path === 'audit.jsonl.gz');
    expect(listed.rows).toBe(manifest.audit.entries);
    expect(checkAuditChain(gunzipSync(readFileSync(join(run, 'audit.jsonl.gz')))).headHash).toBe(manifest.audit.head_hash);
  });

  it('writes the same bytes again', () => {
    const again = join(dir, 'again');
    expect(runCli(['allocate', '--counties', tables.file, '--budget', tables.budget, '--policy', policy, '--out', again]).code).toBe(0);
    expect(Buffer.compare(readFileSync(join(run, 'audit.jsonl.gz')), readFileSync(join(again, 'audit.jsonl.gz')))).toBe(0);
  }, 120_000);

  it('on a terminal, allocate, validate and replay draw their stages on stderr (the rows read, each rule and stage 2\'s provinces, the audit entries written), wiped before the same report as in a pipe', async () => {
    // A clock that moves a second at each reading: every stage and detail is drawn.
    const terminal = (tty: boolean) => {
      const out: string[] = [];
      const err: string[] = [];
      let time = 0;
      const io: Io = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), stdoutIsTty: false, stderrIsTty: tty, env: {}, readStdin: () => Buffer.alloc(0), now: () => (time += 1000) };
      return { io, out, err };
    };
    const drawn = (err: readonly string[]) => err.filter((text) => text !== '\r\x1b[2K').map((text) => /\] (\d)\/(\d) (\w+)/.exec(text)![3]);
    const allocated = terminal(true);
    const again = join(dir, 'on-a-terminal');
    expect(await main(['allocate', '--counties', tables.file, '--budget', tables.budget, '--policy', policy, '--out', again], allocated.io)).toBe(0);
    expect([...new Set(drawn(allocated.err))]).toEqual(['reading', 'allocating', 'writing']);
    // While reading, the rows read (after each part of the text: this table is one); while allocating, each rule and stage 2's provinces.
    const told = allocated.err.join('');
    expect(told).toContain(`1/3 reading: ${(AUDIT_GZIP_THRESHOLD + 1).toLocaleString('en-US')} rows`);
    expect(told).toContain('2/3 allocating: eligibility (rule 1 of ');
    const provinces = [...told.matchAll(/2\/3 allocating: special_poverty_counties \(rule \d+ of \d+\), (\d+) of (\d+) provinces/g)];
    expect(provinces.map((match) => Number(match[1]))).toEqual(Array.from({ length: Number(provinces[0]![2]) }, (_, index) => index + 1));
    expect(allocated.err.some((text) => /3\/3 writing: [\d,]+ audit entries/.test(text))).toBe(true);
    expect(allocated.err.at(-1)).toBe('\r\x1b[2K');
    expect(Buffer.compare(readFileSync(join(run, 'audit.jsonl.gz')), readFileSync(join(again, 'audit.jsonl.gz')))).toBe(0);

    const replayed = terminal(true);
    expect(await main(['replay', run], replayed.io)).toBe(0);
    expect([...new Set(drawn(replayed.err))]).toEqual([...REPLAY_STAGES]);
    const joined = replayed.err.join('');
    expect(joined).toMatch(/\[#{6}-{18}\] 2\/4 allocating/);
    expect(joined).toMatch(/1\/4 reading: [\d,]+ rows/);
    expect(joined).toMatch(/2\/4 allocating: special_poverty_counties \(rule \d+ of \d+\), 1 of \d+ provinces/);
    expect(joined).toMatch(/3\/4 writing: [\d,]+ audit entries/);
    expect(joined).toMatch(/4\/4 comparing: allocations\.csv/);
    expect(joined).toMatch(/4\/4 comparing: audit\.jsonl\.gz/);
    expect(replayed.err.at(-1)).toBe('\r\x1b[2K');
    // validate: reading and allocating (both cores, no steps traced), then the same line as in a pipe.
    const validated = terminal(true);
    const validateArgs = ['validate', '--counties', tables.file, '--budget', tables.budget, '--policy', policy];
    expect(await main(validateArgs, validated.io)).toBe(0);
    expect([...new Set(drawn(validated.err))]).toEqual(['reading', 'allocating']);
    expect(validated.err.join('')).toMatch(/2\/2 allocating: special_poverty_counties \(rule \d+ of \d+\), 1 of \d+ provinces/);
    const validatedInPipe = terminal(false);
    expect(await main(validateArgs, validatedInPipe.io)).toBe(0);
    expect(validatedInPipe.err).toEqual([]);
    expect(validated.out.join('')).toBe(validatedInPipe.out.join(''));
    const eligible = readFileSync(join(run, 'allocations.csv'), 'utf8').split('\r\n').filter((line) => line.split(',')[6] === 'true').length;
    expect(validated.out.join('')).toContain(`valid: ${AUDIT_GZIP_THRESHOLD + 1} villages (${eligible} eligible)`);

    const piped = terminal(false);
    expect(await main(['replay', run], piped.io)).toBe(0);
    expect(piped.err).toEqual([]);
    expect(replayed.out.join('')).toBe(piped.out.join(''));
    expect(piped.out.join('')).toMatch(/identical: every file of the replay matches the run byte for byte/);
  }, 120_000);

  it('report on a terminal draws its stages and the workbook rows written; the workbook tells them every thousand rows and at each sheet\'s end', async () => {
    let time = 0;
    const err: string[] = [];
    const out: string[] = [];
    const io: Io = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), stdoutIsTty: false, stderrIsTty: true, env: {}, readStdin: () => Buffer.alloc(0), now: () => (time += 1000) };
    expect(await main(['report', run, '--xlsx', join(dir, 'on-a-terminal.xlsx'), '--lang', 'en'], io)).toBe(0);
    const joined = err.join('');
    expect(joined).toMatch(/1\/3 reading/);
    expect(joined).toMatch(/2\/3 checking/);
    expect(joined).toMatch(/3\/3 writing: 1,000 workbook rows/);
    expect(joined).toMatch(/3\/3 writing: 20,001 workbook rows/);
    expect(err.at(-1)).toBe('\r\x1b[2K');
    expect(out.join('')).toMatch(/on-a-terminal\.xlsx/);

    const folder = readReportFolder(run);
    if (folder.kind !== 'run') throw new Error('not a run folder');
    const told: number[] = [];
    await renderRunWorkbook({ folder, integrity: checkWithVerify(run, folder.manifest, folder.manifestPresent), reference: loadReference(), lang: 'en', createdAt: new Date(0), onRows: (rows) => told.push(rows) });
    const villages = AUDIT_GZIP_THRESHOLD + 1;
    expect(told.slice(0, 21)).toEqual([...Array.from({ length: 20 }, (_, index) => (index + 1) * 1000), villages]);
    expect(told.at(-1)).toBe(villages + folder.provinces.rows.length + folder.checks.rows.length);
    expect(told.every((rows, index) => index === 0 || rows > told[index - 1]!)).toBe(true);
  }, 120_000);

  it('compare on a terminal draws the run being read and compare.json\'s megabytes as it is written, and with --scenario each side\'s allocation', async () => {
    let time = 0;
    const err: string[] = [];
    const io: Io = { stdout: () => {}, stderr: (t) => err.push(t), stdoutIsTty: false, stderrIsTty: true, env: {}, readStdin: () => Buffer.alloc(0), now: () => (time += 1000) };
    const out = join(dir, 'compare-on-a-terminal');
    expect(await main(['compare', run, run, '--out', out], io)).toBe(0);
    const joined = err.join('');
    expect(joined).toContain(`1/3 reading: ${run} (1 of 2)`);
    expect(joined).toContain(`1/3 reading: ${run} (2 of 2)`);
    expect(joined).toContain('2/3 comparing');
    const megabytes = [...joined.matchAll(/3\/3 writing: compare\.json: (\d+) MB/g)].map((match) => Number(match[1]));
    // Told every 8 MB as the file grows, from its start to within 8 MB of its size.
    const size = statSync(join(out, 'compare.json')).size / 1e6;
    expect(megabytes[0]).toBe(0);
    expect(megabytes.length).toBeGreaterThan(1);
    expect(megabytes.every((value, index) => index === 0 || (value > megabytes[index - 1]! && value - megabytes[index - 1]! < 9))).toBe(true);
    expect(size - megabytes.at(-1)!).toBeLessThan(9);
    expect(err.at(-1)).toBe('\r\x1b[2K');

    // With --scenario: each side's allocation, by rule and stage 2's provinces.
    err.length = 0;
    const scenario = 'up:special_poverty.county.weights.incidence=0.30,special_poverty.county.weights.poverty_scale=0.35';
    expect(await main(['compare', '--counties', tables.file, '--budget', tables.budget, '--policy', policy, '--scenario', scenario], io)).toBe(0);
    const scenarioBar = err.join('');
    expect(scenarioBar).toMatch(/1\/3 reading: base: special_poverty_counties \(rule \d+ of \d+\), 1 of \d+ provinces/);
    expect(scenarioBar).toMatch(/1\/3 reading: up: special_poverty_counties \(rule \d+ of \d+\), (\d+) of \1 provinces/);
    expect(err.at(-1)).toBe('\r\x1b[2K');
  }, 120_000);

  it('verify, explain and replay read it', () => {
    expect(runCli(['verify', run]).code).toBe(0);
    const code = readFileSync(tables.file, 'utf8').split('\n')[1]!.split(',')[0]!;
    const explained = runCli(['explain', run, '--county', code]);
    expect(explained.code, explained.stderr).toBe(0);
    expect(explained.stdout).toContain(code);
    const replayed = runCli(['replay', run]);
    expect(replayed.code, replayed.stdout + replayed.stderr).toBe(0);
  }, 120_000);

  it('gathers the entries of its villages in blocks, which explain reads back', () => {
    const lines = gunzipSync(readFileSync(join(run, 'audit.jsonl.gz'))).toString('utf8').trimEnd().split('\n');
    const entries = lines.map((line) => JSON.parse(line) as { subject: string; label: string; values: Record<string, string> });
    // Fewer entries than villages: per-village steps and rows are blocks, one per kind and province.
    expect(entries.length).toBeLessThan(AUDIT_GZIP_THRESHOLD);
    const shares = entries.filter((entry) => entry.label.endsWith('units: stage 2: share of the province pool'));
    expect(shares.length).toBeGreaterThan(0);
    expect(shares.every((entry) => /^\d{2}$/.test(entry.subject) && entry.values['block.rows'] !== undefined)).toBe(true);
    // An eligible village's stage-2 step, expanded by explain, agrees with its row of allocations.csv.
    const csv = readFileSync(join(run, 'allocations.csv'), 'utf8').replace(/^\uFEFF/, '').trimEnd().split('\r\n');
    const header = csv[0]!.split(',');
    const row = csv.slice(1).map((line) => line.split(',')).find((cells) => cells[header.indexOf('eligible')] === 'true')!;
    const code = row[header.indexOf('county_code')]!;
    const explained = runCli(['explain', run, '--county', code, '--json']);
    expect(explained.code, explained.stderr).toBe(0);
    const document = JSON.parse(explained.stdout) as { steps: { rule: string; subject: string; label: string; values: Record<string, string> }[] };
    const stage2 = document.steps.find((step) => step.subject === code && step.label === 'stage 2: share of the province pool')!;
    const centralPart = stage2.values['central_part']!;
    expect(centralPart).toBe(row[header.indexOf('special_poverty_central')]);
    expect(stage2.values['exact_yuan']).toMatch(/^\d+\.\d{6}$/);
    expect(stage2.values['exact_amount']).toBeUndefined();
    expect(document.steps.find((step) => step.subject === code && step.label === 'row of allocations.csv')?.values['total']).toBe(row[header.indexOf('total')]);
  }, 120_000);

  it('explains a village or a province from its province\'s blocks alone, as from every entry, and explain reads no more', () => {
    const stored = readFileSync(join(run, 'audit.jsonl.gz'));
    const all = checkAuditChain(gunzipSync(stored));
    const tableBytes = readFileSync(join(run, 'allocations.csv'));
    const table = tableBytes.toString('utf8').replace(/^\uFEFF/, '');
    const lines = table.trimEnd().split('\r\n');
    const header = lines[0]!.split(',');
    // The first village of each province, and each province.
    const firsts = new Map<string, string>();
    for (const line of lines.slice(1)) {
      const cells = line.split(',');
      const province = cells[header.indexOf('province_code')]!;
      if (!firsts.has(province)) firsts.set(province, cells[0]!);
    }
    expect(firsts.size).toBeGreaterThan(5);
    for (const [province, village] of firsts) {
      const forVillage = checkStoredAuditLog(stored, entriesToExplain(village))!;
      expect(forVillage.count).toBe(all.entries.length);
      expect(forVillage.headHash).toBe(all.headHash);
      // Blocks of the other provinces are left out: most of the log.
      expect(forVillage.entries.length).toBeLessThan(all.entries.length);
      const picked = (code: string) => (subject: string) => subject === code;
      const fromAll = explainCounty(withTableRows(all.entries, 'allocations.csv', table, 'county_code', picked(village)), village);
      const fromKept = explainCounty(withTableRows(forVillage.entries, 'allocations.csv', rowsHolding(tableBytes, 'county_code', village)!, 'county_code', picked(village)), village);
      expect(fromKept).toEqual(fromAll);
      expect(fromAll!.steps.some((step) => step.rule === 'eligibility' && step.subject === village)).toBe(true);
      const inProvince = (_: string, code: string): boolean => code === province;
      const forProvince = checkStoredAuditLog(stored, entriesToExplain(province))!;
      expect(explainProvince(withTableRows(forProvince.entries, 'allocations.csv', table, 'county_code', inProvince), province)).toEqual(
        explainProvince(withTableRows(all.entries, 'allocations.csv', table, 'county_code', inProvince), province),
      );
    }
  }, 120_000);

  it('report: the HTML page shows the first 20,000 rows and draws at most 5,000 points, saying so; the workbook has every row', async () => {
    const html = join(dir, 'report.html');
    const xlsx = join(dir, 'report.xlsx');
    const reported = runCli(['report', run, '--html', html, '--xlsx', xlsx, '--lang', 'en']);
    expect(reported.code, reported.stderr).toBe(0);
    const page = readFileSync(html, 'utf8');
    // Checked on a worker thread (allocations.csv is above MIN_CHECKED_ASIDE_BYTES): verified, as verify finds it.
    expect(statSync(join(run, 'allocations.csv')).size).toBeGreaterThan(MIN_CHECKED_ASIDE_BYTES);
    expect(page).toContain('data-integrity="verified"');
    // The audit log's entries and head, read on that worker thread too: those the manifest records.
    const manifest = JSON.parse(readFileSync(join(run, 'manifest.json'), 'utf8')) as { audit: { entries: number; head_hash: string } };
    expect(page).toContain(message('en', 'identity.audit_entries', { count: manifest.audit.entries }));
    expect(page).toContain(manifest.audit.head_hash);
    const rows = readFileSync(join(run, 'allocations.csv'), 'utf8').replace(/^\uFEFF/, '').trimEnd().split('\r\n').slice(1);
    expect(rows.length).toBe(TABLE_ROWS_SHOWN + 1);
    const table = page.slice(page.indexOf('<section id="counties">'));
    // Every row shown, in code order, up to the cap; the last one not.
    const firstCode = rows[0]!.split(',')[0]!;
    const lastShown = rows[TABLE_ROWS_SHOWN - 1]!.split(',')[0]!;
    const left = rows[TABLE_ROWS_SHOWN]!.split(',')[0]!;
    expect(table).toContain(`data-key="${firstCode}"`);
    expect(table).toContain(`data-key="${lastShown}"`);
    expect(table).not.toContain(`data-key="${left}"`);
    expect(table.match(/<tr[ >]/g)!.length).toBe(TABLE_ROWS_SHOWN + 1);
    expect(table).toContain(message('en', 'table.rows_capped', { shown: '20,000', total: '20,001' }));
    const scatter = page.slice(page.indexOf('<section id="scatter">'), page.indexOf('<section id="histogram">'));
    const points = scatter.match(/<circle class="point"/g)!.length;
    expect(points).toBeLessThanOrEqual(SCATTER_POINTS_DRAWN);
    expect(points).toBeGreaterThan(SCATTER_POINTS_DRAWN / 2);
    expect(scatter).toMatch(/one in every \d+ in code order/);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(xlsx);
    const sheet = workbook.getWorksheet(message('en', 'sheet.counties'))!;
    expect(sheet.rowCount).toBe(rows.length + 1);
    expect(String(sheet.getRow(rows.length + 1).getCell(1).value)).toBe(left);
  }, 120_000);

  it('compare of the run with itself: compare.json and counties.csv written as they are made, the same document on stdout', () => {
    const out = join(dir, 'compare-itself');
    const compared = runCli(['compare', run, run, '--out', out, '--json']);
    expect(compared.code, compared.stderr).toBe(0);
    const file = readFileSync(join(out, 'compare.json'), 'utf8');
    expect(compared.stdout).toBe(file);
    const document = JSON.parse(file) as { counties: { county_code: string; band: string; change: string }[] };
    const codes = readFileSync(join(run, 'allocations.csv'), 'utf8').replace(/^\uFEFF/, '').trimEnd().split('\r\n').slice(1).map((line) => line.split(',')[0]);
    expect(document.counties.map((row) => row.county_code)).toEqual(codes);
    expect(document.counties.every((row) => row.band === 'no_change' && row.change === '0.00')).toBe(true);
    expect(readFileSync(join(out, 'counties.csv'), 'utf8').trimEnd().split('\r\n').length).toBe(codes.length + 1);
    // A comparison this large has its counties.csv written on a worker thread from the document's rows: the table of those rows.
    const columns = Object.keys(document.counties[0]!);
    const rows = document.counties.map((row) => columns.map((column) => String((row as Record<string, string>)[column])));
    expect(readFileSync(join(out, 'counties.csv')).equals(Buffer.concat([...csvPieces({ columns, rows })]))).toBe(true);
  }, 120_000);

  it("--previous: last year's village allocations.csv holds each village (hold_harmless), a county-level one is refused", () => {
    const again = join(dir, 'with-previous');
    const held = runCli(['allocate', '--counties', tables.file, '--budget', tables.budget, '--policy', policy, '--previous', join(run, 'allocations.csv'), '--out', again]);
    expect(held.code, held.stderr).toBe(0);
    // The same inputs as last year: every guarantee is 0.9 of what the village gets anyway, and nothing moves.
    expect(readFileSync(join(again, 'allocations.csv')).equals(readFileSync(join(run, 'allocations.csv')))).toBe(true);
    const summary = JSON.parse(readFileSync(join(again, 'summary.json'), 'utf8')) as { inputs: Record<string, { rows: number }>; skipped_rules?: { rule: string }[] };
    expect(summary.inputs['previous']!.rows).toBe(AUDIT_GZIP_THRESHOLD + 1);
    const log = gunzipSync(readFileSync(join(again, 'audit.jsonl.gz'))).toString('utf8');
    expect(log).toContain("guarantee: 0.9 of last year's special fund");
    const counties = join(dir, 'previous-counties.csv');
    writeFileSync(counties, '\uFEFFcounty_code,special_poverty_central,special_poverty_provincial\r\n520111,1.00,0.00\r\n');
    // Villages are counted as villages.
    const valid = runCli(['validate', '--counties', tables.file, '--budget', tables.budget, '--policy', policy]);
    expect(valid.stdout).toMatch(new RegExp(`^valid: ${AUDIT_GZIP_THRESHOLD + 1} villages \\(\\d+ eligible\\)`));
    expect(held.stdout.split('\n').find((line) => line.startsWith('code'))).toMatch(/^code\s+province\s+villages\s+eligible/);
    const refused = runCli(['validate', '--counties', tables.file, '--budget', tables.budget, '--policy', policy, '--previous', counties]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("previous-counties.csv:2: county_code: has 6-digit codes but the county table has 12-digit ones: give last year's allocations.csv of the same kind of table (villages)");
  }, 120_000);

  it('--projects: a village table\'s projects name their village; a county code is refused', () => {
    const rows = readFileSync(join(run, 'allocations.csv'), 'utf8').replace(/^\uFEFF/, '').trimEnd().split('\r\n');
    const header = rows[0]!.split(',');
    const eligible = rows.slice(1).map((line) => line.split(',')).find((cells) => cells[header.indexOf('eligible')] === 'true')!;
    const village = eligible[header.indexOf('county_code')]!;
    const projects = join(dir, 'village-projects.csv');
    writeFileSync(projects, `\uFEFFproject_id,county_code,name,public_welfare,state_arranged,total_cost\r\nP1,${village},村道,true,true,1000000.00\r\n`);
    const out = join(dir, 'with-projects');
    const allocated = runCli(['allocate', '--counties', tables.file, '--budget', tables.budget, '--policy', policy, '--projects', projects, '--out', out]);
    expect(allocated.code, allocated.stderr).toBe(0);
    const written = readFileSync(join(out, 'projects.csv'), 'utf8').replace(/^\uFEFF/, '').trimEnd().split('\r\n');
    const columns = written[0]!.split(',');
    const project = written[1]!.split(',');
    expect(project[columns.indexOf('county_code')]).toBe(village);
    expect(project[columns.indexOf('eligible_county')]).toBe('true');
    // An eligible village's public-welfare project arranged by the state: its county (and prefecture) share waived.
    expect(project[columns.indexOf('waived_county')]).not.toBe('0.00');
    writeFileSync(projects, `\uFEFFproject_id,county_code,name,public_welfare,state_arranged,total_cost\r\nP1,${village.slice(0, 6)},县道,true,true,1000000.00\r\n`);
    const refused = runCli(['validate', '--counties', tables.file, '--budget', tables.budget, '--policy', policy, '--projects', projects]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`village-projects.csv:2: county_code: "${village.slice(0, 6)}" has 6 digits, but the county table's codes have 12: give each project's village (12 digits)`);
  }, 120_000);

  it('writes allocations.csv on a worker thread with the bytes this thread writes for the same inputs', () => {
    // The table is large enough for its workers to be begun before it is read (run-files.ts, workersAhead).
    expect(statSync(tables.file).size).toBeGreaterThanOrEqual(AHEAD_TABLE_BYTES);
    const loaded = loadInputs({ counties: tables.file, budget: tables.budget, policy, encoding: 'auto' });
    const expected = renderCsvBytes(allocationsTable(allocate(loaded.run)));
    expect(Buffer.compare(readFileSync(join(run, 'allocations.csv')), expected)).toBe(0);
  }, 120_000);

  it('a table of over a megabyte but no more than 20,000 rows (workers begun ahead, not used) runs as a small run, as from standard input; with a bad cell, exits 2 leaving nothing', () => {
    // The first 15,000 villages, their names ten times as long: a file past the size that begins the workers ahead.
    const [header, ...rows] = readFileSync(tables.file, 'utf8').split('\n').filter((line) => line !== '');
    const padded = [header, ...rows.slice(0, 15_000).map((row) => row.split(',').map((cell, index) => (index === 1 ? cell.repeat(10) : cell)).join(','))].join('\n') + '\n';
    expect(Buffer.byteLength(padded)).toBeGreaterThanOrEqual(AHEAD_TABLE_BYTES);
    const file = join(dir, 'padded.csv');
    writeFileSync(file, padded);
    const fromFile = join(dir, 'padded-run');
    const fromStdin = join(dir, 'padded-stdin');
    expect(runCli(['allocate', '--counties', file, '--budget', tables.budget, '--policy', policy, '--out', fromFile]).code).toBe(0);
    expect(runCli(['allocate', '--counties', '-', '--budget', tables.budget, '--policy', policy, '--out', fromStdin], { input: padded }).code).toBe(0);
    expect(readdirSync(fromFile)).toContain('audit.jsonl');
    expect(Buffer.compare(readFileSync(join(fromFile, 'allocations.csv')), readFileSync(join(fromStdin, 'allocations.csv')))).toBe(0);
    // A bad cell in the last row: every problem reported, exit 2, no run folder, and the process ends (the workers
    // begun ahead keep nothing alive).
    const bad = join(dir, 'padded-bad.csv');
    writeFileSync(bad, padded.replace(/,(\d+)\n$/, ',x\n'));
    const failed = join(dir, 'padded-bad-run');
    const result = runCli(['allocate', '--counties', bad, '--budget', tables.budget, '--policy', policy, '--out', failed]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/padded-bad\.csv:15001: border_area: "x"/);
    expect(existsSync(failed)).toBe(false);
  }, 120_000);

  it('input copies, table and log written into the folder as they are made (the table on this thread where no worker can be started) are the same bytes', () => {
    // Run from the TypeScript sources, run-files.ts finds no csv-worker.js beside it: the table is written on this thread.
    const target = join(dir, 'spooled-here');
    const writer = RunFolderWriter.open(target, false);
    const spooled: string[] = [];
    const spool = (name: string): string => {
      spooled.push(name);
      return writer.spoolPath(name);
    };
    // The input copies first, as allocate writes them before it allocates: their bytes are not held from then on.
    const loaded = spoolInputCopies(loadInputs({ counties: tables.file, budget: tables.budget, policy, encoding: 'auto' }), spool);
    expect(loaded.files.map(({ file }) => file.bytes)).toEqual([
      {
        spooled: join(dir, `.spooled-here.povalloc-tmp-${process.pid}`, 'inputs', 'counties', basename(tables.file)),
        bytes: statSync(tables.file).size,
        sha256: createHash('sha256').update(readFileSync(tables.file)).digest('hex'),
      },
      expect.objectContaining({ bytes: statSync(tables.budget).size }),
    ]);
    const folder = assembleRunFolder(allocate(loaded.run), loaded, { povallocVersion: '0', nodeVersion: 'v0', commandLine: [], createdAt: '', options: {}, spool });
    expect(spooled).toEqual([`inputs/counties/${basename(tables.file)}`, `inputs/budget/${basename(tables.budget)}`, 'allocations.csv', 'audit.jsonl.gz']);
    // None of these files is held: each is known by where it was written, its size and its hash.
    for (const name of spooled) expect(folder.files.find((file) => file.name === name)?.content).toMatchObject({ spooled: expect.any(String), bytes: expect.any(Number) });
    writer.finish(folder.files);
    for (const name of [...spooled, 'provinces.csv', 'checks.csv']) expect(Buffer.compare(readFileSync(join(target, name)), readFileSync(join(run, name))), name).toBe(0);
    // The copies are recorded as when they were held (the log, compared above, records them too).
    const manifest = (folderAt: string): unknown => JSON.parse(readFileSync(join(folderAt, 'manifest.json'), 'utf8')).inputs;
    expect(manifest(target)).toEqual(manifest(run));
  }, 120_000);

  it('records allocations.csv by its hash, not row by row; explain reads the rows from the file once its hash matches', () => {
    const entries = gunzipSync(readFileSync(join(run, 'audit.jsonl.gz')))
      .toString('utf8')
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { seq: number; subject: string; label: string; values: Record<string, string> });
    expect(entries.some((entry) => entry.label.includes('row of allocations.csv'))).toBe(false);
    expect(entries.some((entry) => entry.label === 'row of provinces.csv')).toBe(true);
    const written = entries.find((entry) => entry.label === 'allocations.csv written')!;
    expect(written.values['sha256']).toBe(createHash('sha256').update(readFileSync(join(run, 'allocations.csv'))).digest('hex'));

    const csv = readFileSync(join(run, 'allocations.csv'), 'utf8').replace(/^\uFEFF/, '').trimEnd().split('\r\n');
    const header = csv[0]!.split(',');
    const province = csv[1]!.split(',')[header.indexOf('province_code')]!;
    const villages = csv.slice(1).filter((line) => line.split(',')[header.indexOf('province_code')] === province).length;
    // The log is large enough to be checked on a worker thread while the province's rows are read here.
    expect(statSync(join(run, 'audit.jsonl.gz')).size).toBeGreaterThan(MIN_CHAIN_ASIDE_BYTES);
    const explained = runCli(['explain', run, '--province', province, '--json']);
    expect(explained.code, explained.stderr).toBe(0);
    const document = JSON.parse(explained.stdout) as { counties: unknown[] };
    expect(document.counties).toHaveLength(villages);

    // A changed allocations.csv is refused: nothing is explained from it.
    const copy = join(dir, 'table-changed');
    cpSync(run, copy, { recursive: true });
    writeFileSync(join(copy, 'allocations.csv'), readFileSync(join(run, 'allocations.csv'), 'utf8').replace(/,0\.00\r\n/, ',0.01\r\n'));
    const code = csv[1]!.split(',')[header.indexOf('county_code')]!;
    const refused = runCli(['explain', copy, '--county', code]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`allocations.csv is not the file the audit log records (seq ${written.seq})`);
    expect(refused.stdout).toBe('');
    const refusedProvince = runCli(['explain', copy, '--province', province]);
    expect(refusedProvince.code).toBe(1);
    expect(refusedProvince.stderr).toContain(`allocations.csv is not the file the audit log records (seq ${written.seq})`);
    expect(refusedProvince.stdout).toBe('');
  }, 120_000);

  it('killed while its table and log are being written into the folder, leaves no run folder; the next run cleans up and writes the same bytes', async () => {
    const parent = join(dir, 'killed');
    mkdirSync(parent);
    const target = join(parent, 'run');
    const child = spawn(process.execPath, [BIN, 'allocate', '--counties', tables.file, '--budget', tables.budget, '--policy', policy, '--out', target], { stdio: 'ignore' });
    const temporary = join(parent, `.run.povalloc-tmp-${child.pid}`);
    // Killed once allocations.csv or audit.jsonl.gz has begun in the temporary folder, before the manifest is there.
    const begun = (): boolean => existsSync(join(temporary, 'allocations.csv')) || existsSync(join(temporary, 'audit.jsonl.gz'));
    const deadline = Date.now() + 60_000;
    while (!begun() && Date.now() < deadline && child.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 2));
    const spooling = begun() && !existsSync(join(temporary, 'manifest.json'));
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    expect(spooling).toBe(true);
    expect(existsSync(target)).toBe(false);
    expect(readdirSync(parent)).toEqual([`.run.povalloc-tmp-${child.pid}`]);
    const again = runCli(['allocate', '--counties', tables.file, '--budget', tables.budget, '--policy', policy, '--out', target]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain(`removed ${temporary}, left by an interrupted run (process ${child.pid})`);
    expect(readdirSync(parent)).toEqual(['run']);
    for (const name of ['allocations.csv', 'audit.jsonl.gz']) expect(Buffer.compare(readFileSync(join(target, name)), readFileSync(join(run, name))), name).toBe(0);
  }, 120_000);

  it('verify finds a compressed log that was changed', () => {
    const copy = join(dir, 'changed');
    cpSync(run, copy, { recursive: true });
    const path = join(copy, 'audit.jsonl.gz');
    const bytes = readFileSync(path);
    bytes[bytes.length - 20] = bytes[bytes.length - 20]! ^ 0xff;
    writeFileSync(path, bytes);
    const result = runCli(['verify', copy]);
    expect(result.code).toBe(1);
    expect(result.stdout + result.stderr).toMatch(/audit\.jsonl\.gz/);
  }, 120_000);
});
