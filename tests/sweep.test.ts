/**
 * povalloc sweep: the grid, and that every point is exactly what allocate
 * gives with the same --set values.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { PolicyDocument } from '../src/core/policy.js';
import { gridPoint, gridSize, parseVary, type VaryAxis } from '../src/core/sweep.js';
import { BIN, readCsvRows, ROOT, runCli, SAMPLE, SMALL, tempDir } from './helpers.js';

const DEFAULT_DOCUMENT = JSON.parse(readFileSync(join(ROOT, 'data', 'policies', 'default.json'), 'utf8')) as PolicyDocument;
const small = ['--counties', SMALL.counties, '--budget', SMALL.budget, '--policy', SMALL.policy];
const sample = ['--counties', SAMPLE.counties, '--budget', SAMPLE.budget];

function axis(text: string): VaryAxis {
  const { axis: parsed, problems } = parseVary(text, DEFAULT_DOCUMENT);
  expect(problems).toEqual([]);
  return parsed!;
}

function varyProblem(text: string): string {
  const { axis: parsed, problems } = parseVary(text, DEFAULT_DOCUMENT);
  expect(parsed).toBeUndefined();
  return problems.map((problem) => `${problem.column}: ${problem.message}`).join('\n');
}

describe('--vary', () => {
  test.each([
    ['special_poverty.county.weights.incidence=0.1:0.3:0.1', ['0.1', '0.2', '0.3']],
    ['special_poverty.county.weights.incidence=0.10:0.30:0.05', ['0.10', '0.15', '0.20', '0.25', '0.30']],
    // STOP is included only when the steps land on it exactly.
    ['special_poverty.county.weights.incidence=0:1:0.3', ['0.0', '0.3', '0.6', '0.9']],
    // Exact decimals: ten steps of 0.1 land on 1 (in binary floating point they would not).
    ['special_poverty.county.weights.incidence=0:1:0.1', ['0.0', '0.1', '0.2', '0.3', '0.4', '0.5', '0.6', '0.7', '0.8', '0.9', '1.0']],
    ['special_poverty.county.floor=1000000:3000000:1000000', ['1000000', '2000000', '3000000']],
    ['special_poverty.county.floor.value=1500000.50:1500001:0.25', ['1500000.50', '1500000.75', '1500001.00']],
    ['special_poverty.county.cap_share=0.2:0.2:0.1', ['0.2']],
    ['special_poverty.county.floor=1000000.00,2500000.00', ['1000000.00', '2500000.00']],
    ['special_poverty.renormalise_weights=true,false', ['true', 'false']],
  ])('%s', (text, values) => {
    expect(axis(text).values).toEqual(values);
  });

  test('the path is canonical: PATH.value names the parameter', () => {
    expect(axis('special_poverty.county.floor.value=1,2').path).toBe('special_poverty.county.floor');
  });

  test.each([
    ['special_poverty.county.weights.incidnce=0:1:0.1', 'special_poverty.county.weights.incidnce: is not a value in the policy; nearest valid paths: special_poverty.county.weights.incidence'],
    ['title=a,b', 'title: is text: only decimal, money and yes/no parameters can be varied'],
    ['special_poverty.county.weights.incidence=0:1:0', 'STEP must be greater than 0'],
    ['special_poverty.county.weights.incidence=0.5:0.1:0.1', 'START 0.5 is greater than STOP 0.1'],
    ['special_poverty.county.weights.incidence=0:1:x', 'STEP "x" is not a decimal'],
    ['special_poverty.county.floor=1:2:0.001', 'at most 2 decimals'],
    ['special_poverty.renormalise_weights=0:1:1', 'give its values as a list'],
    ['special_poverty.county.floor=1.234,2', '"1.234" is not an amount in yuan'],
    ['special_poverty.county.cap_share=0.1,0.1', 'a value is listed twice'],
    ['special_poverty.county.cap_share=0:1:0.0000001', 'more than 1000000'],
    ['special_poverty.county.cap_share', 'expected PATH=START:STOP:STEP or PATH=v1,v2,...'],
  ])('%s is refused', (text, message) => {
    expect(varyProblem(text)).toContain(message);
  });

  test('the grid: the first axis varies slowest', () => {
    const axes = [axis('special_poverty.county.floor=1,2'), axis('special_poverty.county.cap_share=0.1,0.2,0.3')];
    expect(gridSize(axes)).toBe(6);
    const points = Array.from({ length: 6 }, (_, index) => gridPoint(axes, index).map((override) => override.value).join(' '));
    expect(points).toEqual(['1 0.1', '1 0.2', '1 0.3', '2 0.1', '2 0.2', '2 0.3']);
  });
});

interface SweepLine {
  schema_version: number;
  kind: string;
  point: number;
  values: Record<string, string>;
  metrics: Record<string, string | null>;
}

function jsonLines(stdout: string): SweepLine[] {
  return stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as SweepLine);
}

describe('sweep points equal allocate with the same --set values', () => {
  test('small fixture: a 2 x 3 grid, allocations byte for byte', () => {
    const out = join(tempDir(), 'sweep');
    const result = runCli([
      'sweep', ...small,
      '--set', 'special_poverty.renormalise_weights=true',
      '--vary', 'special_poverty.county.floor=1500000.00,3000000.00',
      '--vary', 'special_poverty.county.weights.incidence=0.2:0.8:0.3',
      '--out', out, '--allocations',
    ]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const rows = readCsvRows(join(out, 'sweep.csv'));
    expect(rows.map((row) => [row.point, row['special_poverty.county.floor'], row['special_poverty.county.weights.incidence']])).toEqual([
      ['1', '1500000.00', '0.2'],
      ['2', '1500000.00', '0.5'],
      ['3', '1500000.00', '0.8'],
      ['4', '3000000.00', '0.2'],
      ['5', '3000000.00', '0.5'],
      ['6', '3000000.00', '0.8'],
    ]);
    for (const point of [1, 3, 5]) {
      const row = rows[point - 1]!;
      const run = join(tempDir(), 'run');
      const allocated = runCli([
        'allocate', ...small, '--out', run,
        '--set', 'special_poverty.renormalise_weights=true',
        '--set', `special_poverty.county.floor=${row['special_poverty.county.floor']}`,
        '--set', `special_poverty.county.weights.incidence=${row['special_poverty.county.weights.incidence']}`,
      ]);
      expect(allocated.code).toBe(0);
      expect(readFileSync(join(out, 'allocations', `point-000${point}.csv`), 'utf8')).toBe(readFileSync(join(run, 'allocations.csv'), 'utf8'));
    }
    // The points really differ (the test would prove nothing if they were all alike).
    expect(readFileSync(join(out, 'allocations', 'point-0001.csv'), 'utf8')).not.toBe(readFileSync(join(out, 'allocations', 'point-0006.csv'), 'utf8'));
  });

  test('focus parameters varied on one thread (focus multipliers are kept by their parameters across points): allocations byte for byte', () => {
    const out = join(tempDir(), 'sweep');
    const result = runCli([
      'sweep', ...sample,
      '--vary', 'special_poverty.county.multiplier_cap=1.10,1.50',
      '--vary', 'special_poverty.county.focus_multipliers.contiguous_area=1.00,1.30',
      '--out', out, '--allocations', '--jobs', '1',
    ]);
    expect(result.code).toBe(0);
    const rows = readCsvRows(join(out, 'sweep.csv'));
    expect(rows).toHaveLength(4);
    const tables = [1, 2, 3, 4].map((point) => readFileSync(join(out, 'allocations', `point-000${point}.csv`), 'utf8'));
    // Points 1 and 3 share the multiplier of contiguous areas, 3 and 4 the cap: a multiplier kept from a point
    // before with other parameters would show in one of them.
    for (const point of [2, 3, 4]) {
      const row = rows[point - 1]!;
      const run = join(tempDir(), 'run');
      const allocated = runCli([
        'allocate', ...sample, '--out', run,
        '--set', `special_poverty.county.multiplier_cap=${row['special_poverty.county.multiplier_cap']}`,
        '--set', `special_poverty.county.focus_multipliers.contiguous_area=${row['special_poverty.county.focus_multipliers.contiguous_area']}`,
      ]);
      expect(allocated.code).toBe(0);
      expect(tables[point - 1]).toBe(readFileSync(join(run, 'allocations.csv'), 'utf8'));
    }
    expect(new Set(tables).size).toBe(4);
  });

  test('the 832-county sample on two worker threads: allocations and metrics as allocate and compare give them', () => {
    const out = join(tempDir(), 'sweep');
    const result = runCli([
      'sweep', ...sample,
      '--vary', 'special_poverty.province.priority_multiplier=1.00,1.20,1.50,2.00',
      '--out', out, '--allocations', '--jobs', '2',
    ]);
    expect(result.code).toBe(0);
    const rows = readCsvRows(join(out, 'sweep.csv'));
    for (const point of [1, 4]) {
      const value = rows[point - 1]!['special_poverty.province.priority_multiplier']!;
      const run = join(tempDir(), 'run');
      expect(runCli(['allocate', ...sample, '--out', run, '--set', `special_poverty.province.priority_multiplier=${value}`]).code).toBe(0);
      expect(readFileSync(join(out, 'allocations', `point-000${point}.csv`), 'utf8')).toBe(readFileSync(join(run, 'allocations.csv'), 'utf8'));
      const compared = JSON.parse(runCli(['compare', ...sample, '--scenario', `p:special_poverty.province.priority_multiplier=${value}`, '--json']).stdout) as { metrics: Record<string, Record<string, string>> };
      const { point: _point, ...metrics } = rows[point - 1]!;
      delete metrics['special_poverty.province.priority_multiplier'];
      expect(metrics).toEqual(compared.metrics['p']);
    }
    // A larger multiplier for priority provinces sends them a larger share.
    const shares = rows.map((row) => row['share_priority_provinces']!);
    expect([...shares].sort()).toEqual(shares);
    expect(shares[0]).not.toBe(shares[3]);
  });
});

describe('sweep output', () => {
  const args = ['sweep', ...small, '--set', 'special_poverty.renormalise_weights=true', '--vary', 'special_poverty.county.weights.incidence=0:1:0.25'];

  test('without --out: one JSON line per point, in order, each with schema_version; nothing on stderr', () => {
    const result = runCli(args);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const lines = jsonLines(result.stdout);
    expect(lines.map((line) => [line.schema_version, line.kind, line.point, line.values['special_poverty.county.weights.incidence']])).toEqual([
      [1, 'sweep_point', 1, '0.00'],
      [1, 'sweep_point', 2, '0.25'],
      [1, 'sweep_point', 3, '0.50'],
      [1, 'sweep_point', 4, '0.75'],
      [1, 'sweep_point', 5, '1.00'],
    ]);
    // 0.5 with poverty scale 0.5 is the fixture's own policy: its maximum per poor person is 394.54 (compare).
    expect(lines[2]!.metrics['per_poor_max']).toBe('394.54');
  });

  test('worker threads change nothing in the output', () => {
    const inProcess = runCli([...args, '--jobs', '1']);
    const threads = runCli([...args, '--jobs', '2']);
    expect(threads.code).toBe(0);
    expect(threads.stdout).toBe(inProcess.stdout);
    expect(threads.stdout).toBe(runCli(args).stdout);
  });

  test('--out writes sweep.csv and sweep.json; --json prints sweep.json', () => {
    const out = join(tempDir(), 'sweep');
    const result = runCli([...args, '--out', out, '--json']);
    expect(result.code).toBe(0);
    const document = JSON.parse(result.stdout);
    expect(document).toEqual(JSON.parse(readFileSync(join(out, 'sweep.json'), 'utf8')));
    expect(document).toMatchObject({ schema_version: 1, kind: 'sweep', points: 5, vary: [{ path: 'special_poverty.county.weights.incidence', values: ['0.00', '0.25', '0.50', '0.75', '1.00'] }] });
    expect(document.metrics).toHaveLength(11);
    expect(document.results).toHaveLength(5);
    expect(Object.keys(readCsvRows(join(out, 'sweep.csv'))[0]!)).toEqual(['point', 'special_poverty.county.weights.incidence', ...document.metrics]);
  });

  test('invalid grid points are reported before anything runs: exit 2, nothing written', () => {
    const out = join(tempDir(), 'sweep');
    const result = runCli(['sweep', ...small, '--vary', 'special_poverty.county.weights.incidence=0.4:0.6:0.1', '--out', out]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('the weights add up to 0.9, not 1; fix them or set special_poverty.renormalise_weights to true (after --vary point 1 special_poverty.county.weights.incidence=0.4)');
    expect(result.stderr).toContain('(after --vary point 3 special_poverty.county.weights.incidence=0.6)');
    expect(result.stderr).not.toContain('point 2 ');
    expect(() => readFileSync(join(out, 'sweep.csv'))).toThrow();
  });

  test('a reader that stops early (| head -1) ends the sweep quietly', () => {
    // 501 points, some 200 kB of JSON lines: more than a pipe holds, so the writer meets the closed pipe.
    const many = [...args.slice(0, -1), 'special_poverty.county.weights.incidence=0:1:0.002'];
    const command = [process.execPath, BIN, ...many.map((arg) => `'${arg}'`), '--jobs', '1'].join(' ');
    const result = spawnSync('sh', ['-c', `${command} | head -1; exit "\${PIPESTATUS:-0}"`], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(jsonLines(result.stdout)).toHaveLength(1);
  });

  test('usage errors', () => {
    expect(runCli(['sweep', ...small]).stderr).toContain('give at least one --vary');
    expect(runCli(['sweep', ...small, '--vary', 'special_poverty.county.floor=1,2', '--allocations']).stderr).toContain('--allocations writes into the --out folder');
    expect(runCli(['sweep', ...small, '--vary', 'special_poverty.county.floor=1,2', '--jobs', '0']).code).toBe(2);
    const twice = runCli(['sweep', ...small, '--vary', 'special_poverty.county.floor=1,2', '--vary', 'special_poverty.county.floor.value=3']);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain('is varied twice');
  });
});
