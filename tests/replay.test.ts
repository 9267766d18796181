/**
 * replay: recomputes a run from the inputs recorded in it and compares every
 * file byte for byte; works from a copy at another path; says where a
 * difference is (file, line, county code, column).
 */
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli, SMALL, tempDir } from './helpers.js';
import { allocateSmall, readJson } from './run-record-helpers.js';

const RUN = allocateSmall();

/** A copy of the small run at a new path, the original out of reach. */
function copyOfRun(): string {
  const copy = join(tempDir('povalloc-replay-copy-'), 'handed-over');
  cpSync(RUN, copy, { recursive: true });
  return copy;
}

function editFile(path: string, from: string, to: string): void {
  const text = readFileSync(path, 'utf8');
  expect(text).toContain(from);
  writeFileSync(path, text.replace(from, to));
}

describe('replay of an untouched run', () => {
  it('exits 0 from a copy of the folder at another path, with the original gone', () => {
    const original = allocateSmall();
    const copy = join(tempDir(), 'elsewhere', 'run');
    cpSync(original, copy, { recursive: true });
    rmSync(original, { recursive: true });
    const result = runCli(['replay', copy], { cwd: tempDir() });
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('allocations.csv');
    expect(result.stdout).toContain('identical: every file of the replay matches the run byte for byte.');
    expect(result.code).toBe(0);
  });

  it('--json lists every file compared and reports no difference', () => {
    const result = runCli(['replay', copyOfRun(), '--json']);
    expect(result.code).toBe(0);
    const document = JSON.parse(result.stdout) as { identical: boolean; compared: string[]; differences: unknown[]; version_differs: boolean };
    expect(document.identical).toBe(true);
    expect(document.differences).toEqual([]);
    expect(document.version_differs).toBe(false);
    expect([...document.compared].sort()).toEqual(
      ['allocations.csv', 'audit.jsonl', 'checks.csv', 'inputs/budget/budget.csv', 'inputs/counties/counties.csv', 'inputs/policy.json', 'inputs/policy/policy.json', 'manifest.json', 'provinces.csv', 'summary.json'].sort(),
    );
  });

  it('replays with the recorded encoding and a GB18030 input', () => {
    const out = join(tempDir(), 'run');
    const gb = join(ROOT, 'tests', 'fixtures', 'gb18030', 'counties.csv');
    expect(runCli(['allocate', '--counties', gb, '--budget', SMALL.budget, '--policy', SMALL.policy, '--encoding', 'gb18030', '--out', out]).code).toBe(0);
    expect((readJson(join(out, 'manifest.json'))['options'] as Record<string, unknown>)['encoding']).toBe('gb18030');
    const result = runCli(['replay', out]);
    expect(result.code).toBe(0);
  });

  it('replays a run whose county table came from standard input', () => {
    const out = join(tempDir(), 'run');
    expect(runCli(['allocate', '--counties', '-', '--budget', SMALL.budget, '--policy', SMALL.policy, '--out', out], { input: readFileSync(SMALL.counties) }).code).toBe(0);
    expect(readFileSync(join(out, 'inputs', 'counties', 'stdin')).equals(readFileSync(SMALL.counties))).toBe(true);
    const result = runCli(['replay', out]);
    expect(result.stdout).toContain('identical');
    expect(result.code).toBe(0);
  });

  it('says when the povalloc version differs from the recorded one', () => {
    const copy = copyOfRun();
    editFile(join(copy, 'manifest.json'), '"povalloc_version": "', '"povalloc_version": "0.0.0-old');
    const result = runCli(['replay', copy]);
    expect(result.stdout).toMatch(/note: the run was made with povalloc 0\.0\.0-old[\d.]+; this is povalloc \d/);
    // Editing the manifest by hand is itself worth a word: its own hash no longer holds.
    expect(result.stdout).toContain('warning: manifest.json does not match its own hash');
    expect(result.code).toBe(0);
    expect((JSON.parse(runCli(['replay', copy, '--json']).stdout) as { version_differs: boolean }).version_differs).toBe(true);
  });

  it('keeps the replayed folder with --keep', () => {
    const result = runCli(['replay', copyOfRun(), '--keep']);
    const kept = /replayed folder kept at (.+)/.exec(result.stdout)?.[1];
    expect(kept).toBeDefined();
    expect(readFileSync(join(kept!, 'allocations.csv')).equals(readFileSync(join(RUN, 'allocations.csv')))).toBe(true);
    rmSync(join(kept!, '..'), { recursive: true });
  });
});

describe('replay finds a difference and says where', () => {
  it('one amount edited in allocations.csv: the file, the line, the county and the column', () => {
    const copy = copyOfRun();
    editFile(join(copy, 'allocations.csv'), ',8700000.00,1300000.00,,,,,,,10000000.00', ',8700000.00,1300000.00,,,,,,,10000001.00');
    const result = runCli(['replay', copy]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/allocations\.csv\s+DIFFERS line 7 \(county_code 520111\): total recorded 10000001\.00, replayed 10000000\.00\n/);
    expect(result.stdout).toContain('the first: allocations.csv line 7');
    const document = JSON.parse(runCli(['replay', copy, '--json']).stdout) as { identical: boolean; differences: { file: string; line: number; where: string; cells: unknown[] }[] };
    expect(document.identical).toBe(false);
    expect(document.differences).toEqual([
      expect.objectContaining({ file: 'allocations.csv', line: 7, where: 'county_code 520111', cells: [{ column: 'total', recorded: '10000001.00', replayed: '10000000.00' }] }),
    ]);
  });

  it('one value edited in inputs/counties.csv: the input named, and each output that moved, down to county and column', () => {
    const copy = copyOfRun();
    // 乙县's poor population 10000 -> 12000: its score, and so its share and its neighbours', change.
    editFile(join(copy, 'inputs', 'counties', 'counties.csv'), '520112,乙县,甲市,true,false,,10000,', '520112,乙县,甲市,true,false,,12000,');
    const result = runCli(['replay', copy]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/inputs\/counties\/counties\.csv\s+DIFFERS is not the file recorded in manifest\.json/);
    // The first row that moved is 丁县 (450001): 贵州's larger score takes central money from 广西.
    expect(result.stdout).toMatch(/allocations\.csv\s+DIFFERS line 3 \(county_code 450001\): special_poverty_central recorded 3250000\.00, replayed 3183948\.02; total recorded 4250000\.00, replayed 4183948\.02 \(6 rows differ in all\)/);
    expect(result.stdout).toMatch(/provinces\.csv\s+DIFFERS line 3 \(province_code 45\): stage1_score recorded 0\.3095238095, replayed 0\.3035514019/);
    expect(result.stdout).toMatch(/audit\.jsonl\s+DIFFERS line 1 \(seq 1, input_loaded input national\): values\.sha256/);
  });

  it('the recorded inputs no longer load: exit 1 with the problems', () => {
    const copy = copyOfRun();
    editFile(join(copy, 'inputs', 'counties', 'counties.csv'), '520112,乙县,甲市,true,false,,10000,', '520112,乙县,甲市,true,false,,10x00,');
    const result = runCli(['replay', copy]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('DIFFERS: the recorded inputs no longer load');
    expect(result.stdout).toContain('counties.csv:3: poor_population: "10x00" is not a whole number');
  });

  it('refuses a manifest that points an input outside inputs/', () => {
    const copy = copyOfRun();
    editFile(join(copy, 'manifest.json'), '"path": "inputs/budget/budget.csv"', '"path": "inputs/../../budget.csv"');
    const result = runCli(['replay', copy]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('outside inputs/');
  });

  it('exits 2 when the folder has no readable manifest', () => {
    const copy = copyOfRun();
    rmSync(join(copy, 'manifest.json'));
    const result = runCli(['replay', copy]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('cannot replay');
  });
});
