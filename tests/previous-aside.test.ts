/**
 * Last year's allocations.csv (--previous) read on a worker thread while the
 * main thread reads the county table (src/cli/previous-aside.ts): the same
 * file, rows and problems as reading it on this thread, for good files and
 * bad; what it declines is read here; and the binary's run is the same
 * whichever thread read the file.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MIN_ASIDE_BYTES, readPreviousOnWorker } from '../src/cli/previous-aside.js';
import type { PreviousAllocations } from '../src/core/previous.js';
import { InputError } from '../src/core/problems.js';
import { loadInputs, type PreviousAside } from '../src/io/load-inputs.js';
import type { EncodingChoice } from '../src/io/read-inputs.js';
import { readPreviousFile, type PreviousRead } from '../src/io/read-previous.js';
import { ROOT, runCli, SAMPLE, tempDir } from './helpers.js';
import { encodeGb18030 } from './support/inputs.js';

/** The worker as built (tests run the TypeScript sources, beside which there is no worker module). */
const WORKER = new URL('../dist/cli/previous-worker.js', import.meta.url);
const SAMPLE_PREVIOUS = join(ROOT, 'data', 'sample', 'previous-allocations.csv');
const noStdin = (): Buffer => {
  throw new Error('no standard input here');
};

/** What a read holds, comparable: last year's amounts looked up for every code the file has (and one it has not). */
function described(read: PreviousRead, codes: readonly string[]): unknown {
  const previous: PreviousAllocations | undefined = read.previous;
  return {
    problems: read.problems,
    skippedBlankRows: read.skippedBlankRows,
    file: read.file && { path: read.file.path, displayName: read.file.displayName, encoding: read.file.encoding, bytes: read.file.bytes.toString('base64') },
    previous: previous && {
      size: previous.byCounty.size,
      centralTotal: previous.centralTotal,
      skippedBlankRows: previous.skippedBlankRows,
      codeLength: previous.codeLength,
      rows: [...codes, '999999', '999999999999'].map((code) => previous.byCounty.get(code) ?? null),
    },
  };
}

function codesIn(path: string): string[] {
  return [...readFileSync(path, 'utf8').matchAll(/^\uFEFF?(\d+),/gm)].map((match) => match[1]!);
}

function onWorker(path: string, encoding: EncodingChoice = 'auto'): PreviousRead | undefined {
  const aside = readPreviousOnWorker(path, encoding, { minBytes: 0, worker: WORKER });
  expect(aside).toBeDefined();
  return aside!.finish();
}

describe('reading --previous on a worker thread', () => {
  const dir = tempDir();
  const sampleText = readFileSync(SAMPLE_PREVIOUS, 'utf8');
  const lines = sampleText.split('\r\n');
  const files: Record<string, { bytes: Buffer; encoding?: EncodingChoice }> = {
    sample: { bytes: readFileSync(SAMPLE_PREVIOUS) },
    'out of order, blank rows': { bytes: Buffer.from([lines[0], lines[5], '', lines[2], ',,,', lines[1], ...lines.slice(6, 40)].join('\n')) },
    'bad cells, a code twice, mixed lengths': {
      bytes: Buffer.from(
        [lines[0], lines[1], lines[1], lines[2]!.replace(/,36059548\.40,|,\d+\.\d\d,/, ',12.345,'), '1301250000001' + lines[3]!.slice(6), 'abc' + lines[4]!.slice(6), lines[5]!.split(',').slice(0, 3).join(',')].join('\n'),
      ),
    },
    'a column missing': { bytes: Buffer.from(lines.slice(0, 10).map((line) => line.split(',').slice(0, 17).join(',')).join('\n')) },
    empty: { bytes: Buffer.alloc(0) },
    'header only': { bytes: Buffer.from(lines[0]!) },
    'not CSV': { bytes: Buffer.from(`${lines[0]}\n"130125,unclosed\n`) },
    'GB18030 (auto)': { bytes: encodeGb18030(sampleText.replace(/^\uFEFF/, '')) },
    'GB18030 (as UTF-8)': { bytes: encodeGb18030(sampleText.replace(/^\uFEFF/, '')), encoding: 'utf8' },
    'not text': { bytes: Buffer.concat([Buffer.from(lines[0]!), Buffer.from([0x0a, 0xff, 0xfe, 0x81, 0x30, 0x0a])]) },
  };

  for (const [name, { bytes, encoding = 'auto' }] of Object.entries(files)) {
    it(`gives what this thread reads: ${name}`, () => {
      const path = join(dir, `${name.replace(/\W+/g, '-')}.csv`);
      writeFileSync(path, bytes);
      const here = readPreviousFile(path, encoding, noStdin);
      const there = onWorker(path, encoding);
      expect(there).toBeDefined();
      const codes = codesIn(path);
      expect(described(there!, codes)).toEqual(described(here, codes));
    });
  }

  it('reads a file of a few megabytes, as this thread does', () => {
    const path = join(dir, 'wide.csv');
    writeFileSync(path, lines.map((line, index) => (line === '' ? line : `${line},${index === 0 ? 'notes' : 'x'.repeat(6_000)}`)).join('\r\n'));
    const here = readPreviousFile(path, 'auto', noStdin);
    expect(here.file!.bytes.length).toBeGreaterThan(MIN_ASIDE_BYTES);
    const codes = codesIn(path);
    expect(described(onWorker(path)!, codes)).toEqual(described(here, codes));
    expect(here.previous!.byCounty.size).toBe(832);
  });

  it('declines a file smaller than the threshold, one not there, a folder, and where its module is missing', () => {
    expect(readPreviousOnWorker(SAMPLE_PREVIOUS, 'auto', { worker: WORKER })).toBeUndefined();
    expect(readPreviousOnWorker(join(dir, 'no-such.csv'), 'auto', { minBytes: 0, worker: WORKER })).toBeUndefined();
    const folder = join(dir, 'a-folder');
    mkdirSync(folder, { recursive: true });
    expect(readPreviousOnWorker(folder, 'auto', { minBytes: 0, worker: WORKER })).toBeUndefined();
    expect(readPreviousOnWorker(SAMPLE_PREVIOUS, 'auto', { minBytes: 0, worker: new URL('../dist/cli/no-such-worker.js', import.meta.url) })).toBeUndefined();
    // Run from the sources, nothing is beside this module.
    expect(readPreviousOnWorker(SAMPLE_PREVIOUS, 'auto', { minBytes: 0 })).toBeUndefined();
  });

  it('gives nothing (read here then) when the worker fails, and can be stopped unread', () => {
    const broken = join(dir, 'broken-worker.mjs');
    writeFileSync(broken, "throw new Error('broken');\n");
    const failed = readPreviousOnWorker(SAMPLE_PREVIOUS, 'auto', { minBytes: 0, worker: new URL(`file://${broken}`) })!;
    expect(failed.finish()).toBeUndefined();
    const answering = join(dir, 'error-worker.mjs');
    writeFileSync(
      answering,
      "import { workerData } from 'node:worker_threads';\nworkerData.port.postMessage({ error: 'no' });\nconst flag = new Int32Array(workerData.done);\nAtomics.store(flag, 0, 1);\nAtomics.notify(flag, 0);\nworkerData.port.close();\n",
    );
    expect(readPreviousOnWorker(SAMPLE_PREVIOUS, 'auto', { minBytes: 0, worker: new URL(`file://${answering}`) })!.finish()).toBeUndefined();
    const stopped = readPreviousOnWorker(SAMPLE_PREVIOUS, 'auto', { minBytes: 0, worker: WORKER })!;
    expect(() => stopped.cancel()).not.toThrow();
  });
});

describe('loadInputs with last year read aside', () => {
  const base = { counties: SAMPLE.counties, budget: SAMPLE.budget, projects: SAMPLE.projects, encoding: 'auto' as const };

  it('takes what the aside read, reads the file here when it gives nothing, and never asks for standard input', () => {
    const here = loadInputs({ ...base, previous: SAMPLE_PREVIOUS });
    const asked: string[] = [];
    const aside = (result: () => PreviousRead | undefined) => (path: string): PreviousAside => {
      asked.push(path);
      return { finish: result, cancel: () => undefined };
    };
    const codes = codesIn(SAMPLE_PREVIOUS);
    const lookups = (previous: PreviousAllocations | undefined) => codes.map((code) => previous?.byCounty.get(code));
    const viaWorker = loadInputs({ ...base, previous: SAMPLE_PREVIOUS, readPreviousAside: (path, encoding) => readPreviousOnWorker(path, encoding, { minBytes: 0, worker: WORKER }) });
    expect(lookups(viaWorker.run.previous)).toEqual(lookups(here.run.previous));
    expect(viaWorker.run.previous!.centralTotal).toBe(here.run.previous!.centralTotal);
    expect(viaWorker.files.map((file) => [file.role, file.file.displayName])).toEqual(here.files.map((file) => [file.role, file.file.displayName]));
    expect(viaWorker.skippedBlankRows).toEqual(here.skippedBlankRows);
    const fallback = loadInputs({ ...base, previous: SAMPLE_PREVIOUS, readPreviousAside: aside(() => undefined) });
    expect(lookups(fallback.run.previous)).toEqual(lookups(here.run.previous));
    const fromStdin = loadInputs({ ...base, previous: '-', stdin: () => readFileSync(SAMPLE_PREVIOUS), readPreviousAside: aside(() => undefined) });
    expect(lookups(fromStdin.run.previous)).toEqual(lookups(here.run.previous));
    expect(asked).toEqual([SAMPLE_PREVIOUS]);
  });

  it("checks the aside's file against this year's table, and stops it when loading fails", () => {
    const lines = readFileSync(SAMPLE.counties, 'utf8').split(/\r?\n/);
    const villages = join(tempDir(), 'previous-villages.csv');
    writeFileSync(villages, readFileSync(SAMPLE_PREVIOUS, 'utf8').replace(/^(\uFEFF?)(\d{6}),/gm, '$1$2000001,'));
    let cancelled = 0;
    const aside = (path: string, encoding: EncodingChoice): PreviousAside => {
      const read = readPreviousFile(path, encoding, noStdin);
      return { finish: () => read, cancel: () => cancelled++ };
    };
    expect(messagesOf(() => loadInputs({ ...base, previous: villages, readPreviousAside: aside }))).toEqual([
      "previous-villages.csv:2: has 12-digit codes but the county table has 6-digit ones: give last year's allocations.csv of the same kind of table (counties)",
    ]);
    expect(cancelled).toBe(0);
    expect(messagesOf(() => loadInputs({ ...base, counties: join(tempDir(), 'none.csv'), previous: SAMPLE_PREVIOUS, readPreviousAside: aside }))).toEqual([expect.stringMatching(/none\.csv:0: cannot read: no such file/)]);
    expect(cancelled).toBe(0);
    // Standard input given twice is a problem of the second input that asks (it was "cannot read: InputError: ...").
    expect(messagesOf(() => loadInputs({ ...base, counties: '-', budget: '-', previous: SAMPLE_PREVIOUS, stdin: () => Buffer.from(lines.join('\n')), readPreviousAside: aside }))).toEqual([
      '-:0: standard input can be read by only one input',
    ]);
    expect(cancelled).toBe(0);
    // Anything thrown before last year's file is taken stops its reading.
    const throwing = {
      ...base,
      previous: SAMPLE_PREVIOUS,
      readPreviousAside: aside,
      get budget(): string {
        throw new Error('no budget');
      },
    };
    expect(() => loadInputs(throwing)).toThrow('no budget');
    expect(cancelled).toBe(1);
  });
});

/** The problems loadInputs throws, as `file:line: message`. */
function messagesOf(load: () => unknown): string[] {
  try {
    load();
  } catch (error) {
    if (error instanceof InputError) return error.problems.map((problem) => `${problem.file}:${problem.line}: ${problem.message}`);
    throw error;
  }
  return [];
}

describe('allocate --previous, last year read on a worker', () => {
  it('writes the run it writes when last year comes from standard input (read on the main thread)', () => {
    const dir = tempDir();
    const wide = join(dir, 'previous-wide.csv');
    const text = readFileSync(SAMPLE_PREVIOUS, 'utf8');
    // Over MIN_ASIDE_BYTES with a column povalloc ignores: read on the worker.
    writeFileSync(wide, text.split('\r\n').map((line, index) => (line === '' ? line : `${line},${index === 0 ? 'notes' : '备注'.repeat(2_600)}`)).join('\r\n'));
    expect(readFileSync(wide).length).toBeGreaterThan(MIN_ASIDE_BYTES);
    const args = ['allocate', '--counties', SAMPLE.counties, '--budget', SAMPLE.budget, '--projects', SAMPLE.projects];
    const onWorker = runCli([...args, '--previous', wide, '--out', join(dir, 'worker')]);
    const onMain = runCli([...args, '--previous', '-', '--out', join(dir, 'main')], { input: readFileSync(wide) });
    expect(onWorker.code).toBe(0);
    expect(onMain.code).toBe(0);
    for (const name of ['allocations.csv', 'checks.csv', 'provinces.csv']) {
      expect(readFileSync(join(dir, 'worker', name)).equals(readFileSync(join(dir, 'main', name)))).toBe(true);
    }
    const summary = (run: string) => JSON.parse(readFileSync(join(dir, run, 'summary.json'), 'utf8')) as { inputs: Record<string, unknown> };
    expect(summary('worker').inputs['previous']).toMatchObject({ rows: 832 });
    expect(readdirSync(join(dir, 'worker', 'inputs')).sort()).toEqual(readdirSync(join(dir, 'main', 'inputs')).sort().map((name) => name.replace('stdin', 'previous-wide.csv')));
  });
});
