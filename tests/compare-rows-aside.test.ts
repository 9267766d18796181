/**
 * A large comparison's counties.csv written on a worker thread from the rows
 * of compare.json as they are made (src/cli/csv-rows-aside.ts,
 * csv-rows-worker.ts, RowsAside in src/render/compare.ts): the same files
 * whichever thread wrote the table, the worker's bytes those csvPieces
 * writes, and the table written here when the worker cannot.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeCsvRowsOnWorker } from '../src/cli/csv-rows-aside.js';
import { compareOutcomes, type Comparison } from '../src/core/compare.js';
import type { FileContent, OutputFile } from '../src/io/run-folder.js';
import { readRunOutcome } from '../src/io/run-outcome.js';
import { compareFiles, type RowsAside } from '../src/render/compare.js';
import { csvHeaderText, csvPieces, csvRowsText } from '../src/render/csv.js';
import { runCli, SAMPLE, tempDir } from './helpers.js';

/** The worker as built (tests run the TypeScript sources, beside which there is no worker module). */
const WORKER = new URL('../dist/cli/csv-rows-worker.js', import.meta.url);

function bytesOf(content: FileContent): Buffer {
  if (typeof content === 'string') return Buffer.from(content, 'utf8');
  if (Buffer.isBuffer(content)) return content;
  if ('spooled' in content) return readFileSync(content.spooled);
  return Buffer.concat(content as readonly Buffer[]);
}

/** Each file's name and bytes, as text to compare (the bytes as hex: equal as text, they are equal). */
function filesAsBytes(files: readonly OutputFile[]): [string, string][] {
  return files.map((file) => [file.name, bytesOf(file.content).toString('hex')]);
}

/** A RowsAside in this thread that keeps each part it is given and writes them as the worker does. */
function keepingAside(columns: readonly string[], finishes = true): RowsAside & { parts: string[][][]; cancelled: boolean } {
  const aside = {
    parts: [] as string[][][],
    cancelled: false,
    add(rows: readonly (readonly string[])[]) {
      aside.parts.push(rows.map((row) => [...row]));
    },
    finish(): FileContent | undefined {
      if (!finishes) return undefined;
      return Buffer.from(`${csvHeaderText(columns)}\r\n${aside.parts.map((part) => csvRowsText({ columns, rows: part })).join('')}`, 'utf8');
    },
    cancel() {
      aside.cancelled = true;
    },
  };
  return aside;
}

/** Cells that CSV must quote, neutralise or pass as they are. */
const AWKWARD_ROWS = [
  ['520111', '花溪区', '=1+1', '12.50', ''],
  ['520112', 'a,b', 'say "hi"', '-0.05', '@sum'],
  ['520113', 'line\nbreak', '+3', '0', ' lead and trail '],
  ['520114', '\ttabbed', '-x', '1,234.00', 'cr\ronly'],
];
const AWKWARD_COLUMNS = ['county_code', 'county_name', 'note', 'amount', 'other'];

describe("compare's counties.csv from compare.json's rows", () => {
  let comparison: Comparison;

  beforeAll(() => {
    const dir = tempDir();
    const base = join(dir, 'base');
    const moved = join(dir, 'moved');
    for (const [out, extra] of [
      [base, []],
      [moved, ['--set', 'special_poverty.county.weights.incidence=0.6', '--set', 'special_poverty.renormalise_weights=true']],
    ] as const) {
      const result = runCli(['allocate', '--counties', SAMPLE.counties, '--budget', SAMPLE.budget, ...extra, '--out', out]);
      expect(result.code, result.stderr).toBe(0);
    }
    const a = readRunOutcome(base);
    const b = readRunOutcome(moved);
    comparison = compareOutcomes({ name: 'base', outcome: a.outcome, policyDocument: a.policyDocument, source: base }, [
      { name: 'moved', outcome: b.outcome, policyDocument: b.policyDocument, source: moved },
    ]);
  }, 60_000);

  it('hands every row over once, in order, 64 at a time, and the files are the same bytes', () => {
    let aside: ReturnType<typeof keepingAside> | undefined;
    const viaAside = compareFiles(comparison, undefined, (columns) => (aside = keepingAside(columns)));
    const inThread = compareFiles(comparison);
    expect(filesAsBytes(viaAside)).toEqual(filesAsBytes(inThread));
    const sizes = aside!.parts.map((part) => part.length);
    expect(sizes.reduce((sum, size) => sum + size, 0)).toBe(comparison.counties.length);
    expect(comparison.counties.length).toBeGreaterThan(64 * 3);
    expect(sizes.slice(0, -1).every((size) => size === 64)).toBe(true);
    expect(aside!.parts.flat().map((row) => row[0])).toEqual(comparison.counties.map((change) => change.county.code));
    expect(aside!.cancelled).toBe(false);
  });

  it('writes the table itself when the aside could not', () => {
    const viaAside = compareFiles(comparison, undefined, (columns) => keepingAside(columns, false));
    expect(filesAsBytes(viaAside)).toEqual(filesAsBytes(compareFiles(comparison)));
  });

  it('cancels the aside when a file cannot be placed', () => {
    let aside: ReturnType<typeof keepingAside> | undefined;
    expect(() =>
      compareFiles(
        comparison,
        () => {
          throw new Error('disk full');
        },
        (columns) => (aside = keepingAside(columns)),
      ),
    ).toThrow('disk full');
    expect(aside!.cancelled).toBe(true);
  });
});

describe('a CSV table written on a worker thread, part by part', () => {
  const dir = tempDir();

  it('writes the bytes csvPieces writes, whatever the parts', () => {
    const rows = Array.from({ length: 1_000 }, (_, index) => AWKWARD_ROWS[index % AWKWARD_ROWS.length]!.map((cell, column) => (column === 0 ? String(100000 + index) : cell)));
    const expected = Buffer.concat([...csvPieces({ columns: AWKWARD_COLUMNS, rows })]);
    for (const partSize of [1, 64, 999, 1_000]) {
      const path = join(dir, `table-${partSize}.csv`);
      const aside = writeCsvRowsOnWorker(path, AWKWARD_COLUMNS, { worker: WORKER });
      expect(aside).toBeDefined();
      for (let at = 0; at < rows.length; at += partSize) aside!.add(rows.slice(at, at + partSize));
      const written = aside!.finish();
      expect(written).toEqual({ spooled: path, bytes: expected.byteLength, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
      expect(readFileSync(path).equals(expected), `parts of ${partSize}`).toBe(true);
    }
  });

  it('writes the header alone for no rows', () => {
    const path = join(dir, 'empty.csv');
    const aside = writeCsvRowsOnWorker(path, AWKWARD_COLUMNS, { worker: WORKER })!;
    expect(aside.finish()).toBeDefined();
    expect(readFileSync(path).equals(Buffer.concat([...csvPieces({ columns: AWKWARD_COLUMNS, rows: [] })]))).toBe(true);
  });

  it('answers undefined, and leaves no file, when the worker cannot write', () => {
    const path = join(dir, 'no-such-folder', 'table.csv');
    const aside = writeCsvRowsOnWorker(path, AWKWARD_COLUMNS, { worker: WORKER })!;
    aside.add(AWKWARD_ROWS);
    expect(aside.finish()).toBeUndefined();
    expect(existsSync(path)).toBe(false);
  });

  it('is stopped by cancel, and declines when its module is not there', () => {
    const aside = writeCsvRowsOnWorker(join(dir, 'cancelled.csv'), AWKWARD_COLUMNS, { worker: WORKER })!;
    aside.add(AWKWARD_ROWS);
    expect(() => aside.cancel()).not.toThrow();
    expect(writeCsvRowsOnWorker(join(dir, 'none.csv'), AWKWARD_COLUMNS, { worker: new URL('./no-such-worker.js', WORKER) })).toBeUndefined();
  });
});
