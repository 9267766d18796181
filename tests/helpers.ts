/**
 * Test helpers: spawn the built binary (end-to-end tests), temporary folders,
 * and paths to the fixtures and sample data.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureTables } from '../scripts/bench/generate-tables.mjs';

export const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
export const BIN = join(ROOT, 'bin', 'povalloc.js');
export const SAMPLE = {
  counties: join(ROOT, 'data', 'sample', 'counties.csv'),
  budget: join(ROOT, 'data', 'sample', 'budget.csv'),
  projects: join(ROOT, 'data', 'sample', 'projects.csv'),
};
export const SMALL = {
  counties: join(ROOT, 'tests', 'fixtures', 'small', 'counties.csv'),
  budget: join(ROOT, 'tests', 'fixtures', 'small', 'budget.csv'),
  policy: join(ROOT, 'tests', 'fixtures', 'small', 'policy.json'),
};

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `povalloc ARGS` as a child process (the built binary). */
export function runCli(args: readonly string[], options: { cwd?: string; input?: string | Buffer; env?: Record<string, string> } = {}): CliResult {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? ROOT,
    input: options.input,
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** Folders made by tempDir in this test file, removed after its tests (tests/support/cleanup.ts). */
export const madeTempDirs: string[] = [];

export function tempDir(prefix = 'povalloc-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  madeTempDirs.push(dir);
  return dir;
}

/** Reads a CSV written by povalloc (BOM, CRLF) into objects keyed by header. Simple: no quoted newlines. */
export function readCsvRows(path: string): Record<string, string>[] {
  const text = readFileSync(path, 'utf8').replace(/^\uFEFF/, '');
  const lines = text.split('\r\n').filter((line) => line !== '');
  const split = (line: string): string[] => {
    const cells: string[] = [];
    let cell = '';
    let quoted = false;
    for (let i = 0; i < line.length; i++) {
      const char = line[i]!;
      if (quoted) {
        if (char === '"' && line[i + 1] === '"') {
          cell += '"';
          i++;
        } else if (char === '"') quoted = false;
        else cell += char;
      } else if (char === '"') quoted = true;
      else if (char === ',') {
        cells.push(cell);
        cell = '';
      } else cell += char;
    }
    cells.push(cell);
    return cells;
  };
  const header = split(lines[0] ?? '');
  return lines.slice(1).map((line) => {
    const cells = split(line);
    return Object.fromEntries(header.map((name, index) => [name, cells[index] ?? '']));
  });
}

/** Sum of a money column (yuan with two decimals) in fen, exactly. */
export function sumFen(rows: readonly Record<string, string>[], column: string): bigint {
  return rows.reduce((total, row) => {
    const text = row[column] ?? '0.00';
    const [whole = '0', fraction = '00'] = text.split('.');
    const sign = whole.startsWith('-') ? -1n : 1n;
    return total + sign * (BigInt(whole.replace('-', '')) * 100n + BigInt(fraction.padEnd(2, '0')));
  }, 0n);
}

/**
 * A run of more than 20,000 villages (a large run: audit.jsonl.gz, unit
 * blocks): the benchmark's village table of SIZE rows made with SEED in DIR,
 * allocated into DIR/run with the default policy without its county floor and
 * cap (a floor cannot be paid to so many villages). The table, the policy
 * file, the run folder and what allocate wrote on stderr; the run must succeed.
 */
export function allocateLargeRun(dir: string, seed: number, size = 20_001): { tables: { file: string; budget: string }; policy: string; run: string; stderr: string } {
  const tables = ensureTables({ root: ROOT, dir, size, seed });
  const document = JSON.parse(readFileSync(join(ROOT, 'data', 'policies', 'default.json'), 'utf8'));
  document.special_poverty.county.floor.value = '0.00';
  document.special_poverty.county.cap_share.value = '1';
  const policy = join(dir, 'policy.json');
  writeFileSync(policy, JSON.stringify(document));
  const run = join(dir, 'run');
  const result = runCli(['allocate', '--counties', tables.file, '--budget', tables.budget, '--policy', policy, '--out', run]);
  if (result.code !== 0) throw new Error(`allocate of ${size} villages failed (exit ${result.code}): ${result.stderr}`);
  return { tables, policy, run, stderr: result.stderr };
}
