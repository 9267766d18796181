/**
 * The self-contained run folder: byte-exact input copies, the effective
 * policy as canonical JSON, the hash-chained audit log and the manifest, and
 * that two runs of the same inputs record the same thing.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allocate } from '../src/core/allocate.js';
import { AUDIT_ENTRY_TYPES, checkAuditChain, GENESIS_HASH } from '../src/core/audit.js';
import { canonicalJson } from '../src/core/canonical-json.js';
import { loadInputs } from '../src/io/load-inputs.js';
import { assembleRunFolder, recordedOptions } from '../src/cli/run-files.js';
import { readCsvRows, ROOT, runCli, SAMPLE, SMALL, tempDir } from './helpers.js';
import { allocateSmall, auditLines, readFolder, readJson } from './run-record-helpers.js';

const sha256 = (bytes: Buffer | string): string => createHash('sha256').update(bytes).digest('hex');

describe('allocate writes a self-contained run folder', () => {
  const run = allocateSmall();
  const files = readFolder(run);
  const manifest = readJson(join(run, 'manifest.json')) as {
    inputs: { role: string; name: string; path: string; bytes: number; sha256: string; encoding: string }[];
    policy: { path: string; sha256: string; name: string };
    outputs: { path: string; sha256: string; bytes: number; rows?: number }[];
    audit: { entries: number; head_hash: string };
    options: Record<string, unknown>;
    counts: Record<string, number>;
    totals: Record<string, string>;
    command_line: string[];
    node_version: string;
    povalloc_version: string;
  };

  it('holds byte-exact copies of every input, the policy file included, under inputs/<role>/', () => {
    expect([...files.keys()].filter((path) => path.startsWith('inputs/')).sort()).toEqual([
      'inputs/budget/budget.csv',
      'inputs/counties/counties.csv',
      'inputs/policy.json',
      'inputs/policy/policy.json',
    ]);
    expect(files.get('inputs/counties/counties.csv')!.equals(readFileSync(SMALL.counties))).toBe(true);
    expect(files.get('inputs/budget/budget.csv')!.equals(readFileSync(SMALL.budget))).toBe(true);
    expect(files.get('inputs/policy/policy.json')!.equals(readFileSync(SMALL.policy))).toBe(true);
  });

  it('writes the effective policy as canonical JSON whose hash the manifest records', () => {
    const text = files.get('inputs/policy.json')!.toString('utf8');
    expect(text).toBe(canonicalJson(JSON.parse(readFileSync(SMALL.policy, 'utf8'))));
    expect(manifest.policy).toEqual({ name: 'small-fixture', path: 'inputs/policy.json', sha256: sha256(text) });
  });

  it('records each input as read: role, name, size, SHA-256 of the bytes and the detected encoding', () => {
    expect(manifest.inputs.map(({ role, name, encoding }) => [role, name, encoding])).toEqual([
      ['counties', 'counties.csv', 'utf8'],
      ['budget', 'budget.csv', 'utf8'],
      ['policy', 'policy.json', 'utf8'],
    ]);
    for (const input of manifest.inputs) {
      expect(input.sha256).toBe(sha256(files.get(input.path)!));
      expect(input.bytes).toBe(files.get(input.path)!.length);
    }
  });

  it('records every output with its SHA-256, size and rows, the totals, counts, options and versions', () => {
    expect(manifest.outputs.map((output) => output.path)).toEqual(['allocations.csv', 'provinces.csv', 'checks.csv', 'summary.json', 'audit.jsonl']);
    for (const output of manifest.outputs) {
      expect(output.sha256).toBe(sha256(files.get(output.path)!));
      expect(output.bytes).toBe(files.get(output.path)!.length);
    }
    expect(manifest.outputs.find((output) => output.path === 'allocations.csv')!.rows).toBe(8);
    expect(manifest.outputs.find((output) => output.path === 'audit.jsonl')!.rows).toBe(manifest.audit.entries);
    expect(manifest.totals).toEqual({ special_poverty_central: '23900000.00', special_poverty_provincial: '4600000.00', total: '28500000.00', unallocated: '1000000.00' });
    expect(manifest.counts).toMatchObject({ counties: 8, eligible_counties: 6, provinces: 3, budget_lines: 4 });
    expect(manifest.options).toEqual({ encoding: 'auto' });
    expect(manifest.command_line.slice(0, 2)).toEqual(['povalloc', 'allocate']);
    expect(manifest.node_version).toBe(process.version);
    expect(manifest.povalloc_version).toBe((readJson(join(ROOT, 'package.json')) as { version: string }).version);
  });

  it('chains the audit log: seq from 1, each prev the hash before it, the last hash in the manifest', () => {
    const text = files.get('audit.jsonl')!.toString('utf8');
    const chain = checkAuditChain(text);
    expect(chain.problem).toBeUndefined();
    expect(chain.entries.length).toBe(manifest.audit.entries);
    expect(chain.entries[0]!.prev).toBe(GENESIS_HASH);
    chain.entries.forEach((entry, index) => {
      expect(entry.seq).toBe(index + 1);
      if (index > 0) expect(entry.prev).toBe(chain.entries[index - 1]!.hash);
    });
    expect(manifest.audit.head_hash).toBe(chain.entries.at(-1)!.hash);
  });

  it('has only the documented entry types, every value a string, and every type present', () => {
    const lines = auditLines(run);
    const types = new Set(lines.map((line) => line['type']));
    expect([...types].sort()).toEqual([...AUDIT_ENTRY_TYPES].sort());
    for (const line of lines) {
      expect(Object.keys(line).sort()).toEqual(['clause', 'hash', 'label', 'prev', 'rule', 'schema_version', 'seq', 'subject', 'type', 'values']);
      for (const value of Object.values(line['values'] as Record<string, unknown>)) expect(typeof value).toBe('string');
    }
  });

  it("is enough to rebuild every county's amounts: stage-2 steps and the rows written agree with allocations.csv", () => {
    const lines = auditLines(run) as { type: string; rule: string; subject: string; label: string; values: Record<string, string> }[];
    for (const row of readCsvRows(join(run, 'allocations.csv'))) {
      const code = row['county_code']!;
      const eligibility = lines.find((line) => line.rule === 'eligibility' && line.subject === code);
      expect(eligibility?.values['eligible']).toBe(row['eligible']);
      const written = lines.find((line) => line.type === 'output_written' && line.subject === code);
      expect(written?.values).toEqual(row);
      const stage2 = lines.find((line) => line.rule === 'special_poverty_counties' && line.subject === code);
      if (row['eligible'] === 'true') {
        expect(stage2?.values['amount']).toBe(row['total']);
        expect(stage2?.values['central_part']).toBe(row['special_poverty_central']);
        expect(stage2?.values['provincial_part']).toBe(row['special_poverty_provincial']);
        expect(stage2?.values['binding']).toBe(row['binding']);
      } else {
        expect(stage2).toBeUndefined();
      }
    }
  });
});

describe('the record of a run does not depend on when or where it ran', () => {
  it('two runs of the same inputs give identical audit logs and manifests but for created_at', () => {
    const first = tempDir();
    const second = tempDir();
    allocateSmall([], { cwd: first, out: 'run' });
    allocateSmall([], { cwd: second, out: 'run' });
    const a = readFolder(join(first, 'run'));
    const b = readFolder(join(second, 'run'));
    expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
    for (const [path, bytes] of a) {
      if (path === 'manifest.json') continue;
      expect(bytes.equals(b.get(path)!), path).toBe(true);
    }
    const manifestA = JSON.parse(a.get('manifest.json')!.toString('utf8')) as Record<string, unknown>;
    const manifestB = JSON.parse(b.get('manifest.json')!.toString('utf8')) as Record<string, unknown>;
    expect(manifestA['created_at']).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect({ ...manifestA, created_at: '' }).toEqual({ ...manifestB, created_at: '' });
  });

  it('the same rows in another order give the same audit log', () => {
    const dir = tempDir();
    const lines = readFileSync(SMALL.counties, 'utf8').trimEnd().split('\n');
    mkdirSync(join(dir, 'shuffled'));
    // Same file name, so the recorded name is the same; different bytes, so only the input hash differs.
    const shuffled = join(dir, 'shuffled', 'counties.csv');
    writeFileSync(shuffled, `${[lines[0], ...lines.slice(1).reverse()].join('\n')}\n`);
    const original = allocateSmall();
    const reordered = join(dir, 'run');
    expect(runCli(['allocate', '--counties', shuffled, '--budget', SMALL.budget, '--policy', SMALL.policy, '--out', reordered]).code).toBe(0);
    const strip = (run: string): unknown[] =>
      auditLines(run)
        .filter((line) => line['label'] !== 'counties file read')
        .map((line) => ({ ...line, prev: '', hash: '' }));
    expect(strip(reordered)).toEqual(strip(original));
  });

  it('records a GB18030 input as gb18030 and copies its bytes unchanged', () => {
    const gb = join(ROOT, 'tests', 'fixtures', 'gb18030', 'counties.csv');
    const out = join(tempDir(), 'run');
    expect(runCli(['allocate', '--counties', gb, '--budget', SMALL.budget, '--policy', SMALL.policy, '--out', out]).code).toBe(0);
    const manifest = readJson(join(out, 'manifest.json')) as { inputs: { role: string; encoding: string }[] };
    expect(manifest.inputs.find((input) => input.role === 'counties')!.encoding).toBe('gb18030');
    expect(readFileSync(join(out, 'inputs', 'counties', 'counties.csv')).equals(readFileSync(gb))).toBe(true);
  });
});

describe('assembleRunFolder', () => {
  const loaded = loadInputs({ counties: SMALL.counties, budget: SMALL.budget, policy: SMALL.policy, encoding: 'auto' });
  const context = { povallocVersion: '9.9.9', nodeVersion: 'v20.0.0', commandLine: ['allocate'], createdAt: '2017-06-12T00:00:00.000Z', options: { encoding: 'auto' } };

  it('puts manifest.json last, so it is the last file written', () => {
    const folder = assembleRunFolder(allocate(loaded.run), loaded, context);
    expect(folder.files.at(-1)!.name).toBe('manifest.json');
    expect(folder.files.at(-2)!.name).toBe('audit.jsonl');
  });

  it('records every input role it is given, whatever the role is called', () => {
    const withExtraRole = { ...loaded, files: [...loaded.files, { role: 'previous', file: { ...loaded.files[1]!.file, displayName: 'allocations-2016.csv', path: '/x/allocations-2016.csv' } }] };
    const folder = assembleRunFolder(allocate(loaded.run), withExtraRole, context);
    const names = folder.files.map((file) => file.name);
    expect(names).toContain('inputs/previous/allocations-2016.csv');
    const manifest = JSON.parse(String(folder.files.at(-1)!.content)) as { inputs: { role: string }[] };
    expect(manifest.inputs.map((input) => input.role)).toEqual(['counties', 'budget', 'previous', 'policy']);
  });

  it('records the options replay needs, not the input files or presentation', () => {
    expect(recordedOptions({ counties: 'a.csv', budget: 'b.csv', policy: 'p.json', out: 'runs/x', force: true, json: true, color: false, sign: 'k', encoding: 'gb18030', set: ['a.b=1'] }, ['counties', 'budget'])).toEqual({
      encoding: 'gb18030',
      set: ['a.b=1'],
    });
  });
});

describe('the sample run', () => {
  it('verifies and replays identically', () => {
    const out = join(tempDir(), 'sample');
    expect(runCli(['allocate', '--counties', SAMPLE.counties, '--budget', SAMPLE.budget, '--out', out]).code).toBe(0);
    const verify = runCli(['verify', out]);
    expect(verify.stdout).toContain('verified');
    expect(verify.code).toBe(0);
    const replay = runCli(['replay', out]);
    expect(replay.stdout).toContain('identical: every file');
    expect(replay.code).toBe(0);
  });
});
