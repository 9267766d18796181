/**
 * What was changed to make a small run start and finish sooner still gives
 * the same results (no timings here: speed is measured by npm run bench).
 */
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { groupThousands } from '../src/cli/progress.js';
import type { AllocationResult } from '../src/core/allocate.js';
import { BIN, ROOT, SAMPLE, SMALL, runCli, tempDir } from './helpers.js';
import { cachedDataOf, codeCacheFile, codeCachePath } from '../bin/load-cli.js';
import { UnitStep } from '../src/core/state.js';
import { auditRecords, buildAuditRecords, chainAuditRecords, checkAuditChain, serializeAuditLog, writeAuditLog, type AuditSource, type SubjectTable } from '../src/core/audit.js';

describe('groupThousands', () => {
  it('writes a count as toLocaleString("en-US") does', () => {
    for (const count of [0, 7, 999, 1000, 12_345, 999_999, 1_000_000, -1234]) expect(groupThousands(count)).toBe(count.toLocaleString('en-US'));
    fc.assert(fc.property(fc.integer({ min: -(2 ** 40), max: 2 ** 40 }), (count) => groupThousands(count) === count.toLocaleString('en-US')));
  });
});

describe('audit log of table rows', () => {
  // Rows are chained from their columns and cells directly (no values object): the same bytes
  // and hashes as chaining their values as plain objects, whatever the column names.
  const tables: SubjectTable[] = [
    { path: 'plain.csv', subjectColumn: 'code', columns: ['code', 'name', 'amount', 'a"b', '甲'], rows: [['520111', '甲 "县"\n', '1.00', '\\', '乙'], ['520112', '', '2.00']] },
    { path: 'index-names.csv', subjectColumn: 'code', columns: ['code', '10', 'b', '2', 'a'], rows: [['1', 'x', 'y', 'z', 'w']] },
    { path: 'twice.csv', subjectColumn: 'code', columns: ['code', 'x', 'x', 'y'], rows: [['1', 'first', 'second', 'y']] },
    { path: 'proto.csv', subjectColumn: 'code', columns: ['code', '__proto__', 'z'], rows: [['1', 'p', 'z']] },
  ];
  const source = (): AuditSource => ({
    inputs: [],
    policy: { name: 'p', path: 'inputs/policy.json', sha256: '0'.repeat(64) },
    result: { skippedRules: [], steps: [], pots: [], checks: [] } as unknown as AllocationResult,
    tables: tables.map((table) => ({ ...table, rows: table.rows.map((row) => [...row]) })),
    outputs: [],
  });

  it('are the bytes and hashes of their values chained as objects', () => {
    const written = writeAuditLog(auditRecords(source()), false);
    const entries = chainAuditRecords(buildAuditRecords(source()));
    expect(entries).toHaveLength(6);
    expect(written.content.toString()).toBe(serializeAuditLog(entries));
    expect(written.headHash).toBe(entries.at(-1)!.hash);
    expect(checkAuditChain(written.content).problem).toBeUndefined();
  });

  it('refuses a lone surrogate in a cell, as in a value', () => {
    const broken = source();
    (broken.tables[0]!.rows as string[][])[0]![2] = '\ud800';
    expect(() => writeAuditLog(auditRecords(broken), false)).toThrow(/lone surrogate/);
  });
});

describe('audit log of unit steps', () => {
  // A unit's step (UnitStep) is chained from its columns and cells too: the same bytes and hashes as
  // its values object, also for names an object reorders or keeps once, and for a cell missing.
  const steps = [
    new UnitStep('rule_applied', 'eligibility', 'I', '520111', 'eligible', ['eligible', 'because'], ['true', 'poverty "county"\t甲']),
    new UnitStep('rule_applied', 'eligibility', 'I', '520112', 'eligible', ['b', '10', 'a', '2'], ['x', 'y', 'z', 'w']),
    new UnitStep('rule_applied', 'eligibility', 'I', '520113', 'eligible', ['x', 'x', 'y'], ['first', 'second', 'y']),
    new UnitStep('rule_applied', 'eligibility', 'I', '520114', 'eligible', ['__proto__', 'z'], ['p', 'z']),
    new UnitStep('pot_allocated', 'special_poverty_counties', 'IV.2', '520115', 'share', ['amount', 'binding', 'floor'], ['1.00', 'share']),
    new UnitStep('pot_allocated', 'special_poverty_counties', 'IV.2', '520116', 'share', ['z', 'a'], ['1.00', '2.00', 'extra'], true),
    // Cells vouched plain are written between quotes as they are: the same bytes as JSON.stringify writes.
    new UnitStep('pot_allocated', 'special_poverty_counties', 'IV.2', '520117', 'share', ['z', 'a', 'm'], ['1.00', '乌蒙山区 2', 'share'], true),
  ];
  const source = (): AuditSource => ({
    inputs: [],
    policy: { name: 'p', path: 'inputs/policy.json', sha256: '0'.repeat(64) },
    result: { skippedRules: [], steps, pots: [], checks: [] } as unknown as AllocationResult,
    tables: [],
    outputs: [],
  });

  it('are the bytes and hashes of their values chained as objects', () => {
    const written = writeAuditLog(auditRecords(source()), false);
    const entries = chainAuditRecords(buildAuditRecords(source()));
    expect(entries).toHaveLength(8);
    expect(entries[5]!.values).toEqual({ amount: '1.00', binding: 'share' });
    expect(entries[7]!.values).toEqual({ z: '1.00', a: '乌蒙山区 2', m: 'share' });
    expect(Object.keys(entries[2]!.values)).toEqual(['2', '10', 'b', 'a']);
    expect(written.content.toString()).toBe(serializeAuditLog(entries));
    expect(written.headHash).toBe(entries.at(-1)!.hash);
  });
});

describe('bin/povalloc.js run as a program', () => {
  // The shebang passes V8 options (see bin/povalloc.js); `node bin/povalloc.js` runs without them.
  it('runs through its shebang, from another folder, with the same outputs as through node', () => {
    const out = tempDir();
    const args = ['allocate', '--counties', SMALL.counties, '--budget', SMALL.budget, '--policy', SMALL.policy, '--force'];
    const direct = spawnSync(BIN, [...args, '--out', join(out, 'direct')], { cwd: out, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(direct.stderr).toBe('');
    expect(direct.status).toBe(0);
    expect(runCli([...args, '--out', join(out, 'via-node')]).code).toBe(0);
    for (const file of ['allocations.csv', 'provinces.csv', 'checks.csv', 'summary.json', 'audit.jsonl']) {
      expect(readFileSync(join(out, 'direct', file))).toEqual(readFileSync(join(out, 'via-node', file)));
    }
    expect(readFileSync(BIN, 'utf8').split('\n')[0]).toMatch(/^#!\/usr\/bin\/env -S -u NODE_EXTRA_CA_CERTS GLIBC_TUNABLES=glibc\.malloc\.hugetlb=1 node( --[a-z-]+(=\d+)?)+$/);
  });

  // glibc reads GLIBC_TUNABLES as the process starts: the #! line sets it for node (see bin/povalloc.js). The program
  // waits for its table on standard input while its environment is read from /proc (Linux only).
  it.runIf(process.platform === 'linux')('starts node with glibc asked for huge pages, whatever GLIBC_TUNABLES the caller set', async () => {
    const child = spawn(BIN, ['validate', '--counties', '-'], { env: { ...process.env, GLIBC_TUNABLES: 'glibc.malloc.check=0' }, stdio: ['pipe', 'ignore', 'ignore'] });
    try {
      // `env` runs first, then replaces itself with node (the same process): wait for node.
      let exe = '';
      for (let attempt = 0; attempt < 200 && (exe === '' || exe.endsWith('/env')); attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 25));
        try {
          exe = readlinkSync(`/proc/${child.pid}/exe`);
        } catch {
          exe = '';
        }
      }
      expect(basename(exe)).toMatch(/^node/);
      const environment = readFileSync(`/proc/${child.pid}/environ`, 'utf8').split('\0');
      expect(environment).toContain('GLIBC_TUNABLES=glibc.malloc.hugetlb=1');
      expect(environment.some((entry) => entry.startsWith('NODE_EXTRA_CA_CERTS='))).toBe(false);
    } finally {
      child.stdin.end();
      child.kill();
    }
  });

  // Node reads the certificates NODE_EXTRA_CA_CERTS names as it starts, and warns when it cannot: povalloc opens no
  // network connection, and its #! line unsets the variable (see bin/povalloc.js).
  it('starts without reading NODE_EXTRA_CA_CERTS', () => {
    const env = { ...process.env, NO_COLOR: '1', NODE_EXTRA_CA_CERTS: join(tempDir(), 'no-such-bundle.pem') };
    const throughNode = spawnSync(process.execPath, [BIN, '--version'], { encoding: 'utf8', env });
    expect(throughNode.stderr).toContain('extra certs');
    const asProgram = spawnSync(BIN, ['--version'], { encoding: 'utf8', env });
    expect(asProgram.stderr).toBe('');
    expect(asProgram.stdout.trim()).toBe(throughNode.stdout.trim());
    expect(asProgram.status).toBe(0);
  });
});

describe('the bin as a CommonJS program', () => {
  // Node starts a CommonJS program without its module loader (bin/load-cli.js says why); require of a module
  // file (ESM) fails in Node 20, so this fails if either file becomes one.
  it('is what bin/package.json declares, and require gives the loader', () => {
    expect(JSON.parse(readFileSync(join(ROOT, 'bin', 'package.json'), 'utf8'))).toEqual({ type: 'commonjs' });
    const required = createRequire(import.meta.url);
    const loader = required('../bin/load-cli.js') as typeof import('../bin/load-cli.js');
    expect(typeof loader.loadCli).toBe('function');
    expect(loader.BUNDLE).toBe(join(ROOT, 'dist', 'cli', 'main.bundle.cjs'));
    expect(readFileSync(BIN, 'utf8')).toContain("require('./load-cli.js')");
  });

  it('does not load node:child_process, node:zlib or node:worker_threads when the bundle loads (scripts/bundle.mjs), and commander still works', () => {
    const script = `const { loadCli } = require(${JSON.stringify(join(ROOT, 'bin', 'load-cli.js'))});
const { cli } = loadCli();
const loaded = (name) => process.moduleLoadList.includes('NativeModule ' + name);
const lines = [];
const io = { stdout: (text) => lines.push(text), stderr: () => {}, stdoutIsTty: false, stderrIsTty: false, env: {}, readStdin: () => Buffer.alloc(0) };
cli.main(['allocate', '--help'], io).then((code) => process.stdout.write(JSON.stringify({ child: loaded('child_process'), zlib: loaded('zlib'), workers: loaded('worker_threads'), v8: loaded('v8'), code, help: lines.join('').includes('--counties') })));`;
    const child = spawnSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
    expect(child.stderr).toBe('');
    // v8 is loaded at start (the heap's growth is set through it): the check itself can see a module loaded.
    expect(JSON.parse(child.stdout)).toEqual({ child: false, zlib: false, workers: false, v8: true, code: 0, help: true });
  });
});

describe('the code cache of the bundled CLI (bin/load-cli.js)', () => {
  const LOADER = join(ROOT, 'bin', 'load-cli.js');
  const shebangOptions = readFileSync(BIN, 'utf8').split('\n')[0]!.replace(/^#!.*?\bnode\b/, '').trim().split(/\s+/);

  /** Loads the CLI in a Node started with `nodeOptions`, runs `povalloc ARGV` in it and says whether V8 took the cache. */
  function loadIn(nodeOptions: readonly string[], loadOptions: { cacheDir?: string; useCache?: boolean }, argv: readonly string[]): { cacheUsed: boolean; code: number; stdout: string } {
    const script = join(tempDir(), 'load.mjs');
    writeFileSync(
      script,
      `import { loadCli } from ${JSON.stringify(pathToFileURL(LOADER).href)};
const { cli, cacheUsed } = loadCli(${JSON.stringify(loadOptions)});
const lines = [];
const io = { stdout: (text) => lines.push(text), stderr: (text) => process.stderr.write(text), stdoutIsTty: false, stderrIsTty: false, env: {}, readStdin: () => Buffer.alloc(0) };
const code = await cli.main(${JSON.stringify(argv)}, io);
process.stdout.write(JSON.stringify({ cacheUsed, code, stdout: lines.join('') }));
`,
    );
    const child = spawnSync(process.execPath, [...nodeOptions, script], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', NODE_OPTIONS: '' } });
    expect(child.stderr).toBe('');
    return JSON.parse(child.stdout) as { cacheUsed: boolean; code: number; stdout: string };
  }

  it('is made by the build for `node bin/povalloc.js` and for the #! line, and V8 takes each', () => {
    expect(shebangOptions.length).toBeGreaterThan(0);
    for (const options of [[], shebangOptions]) {
      const loaded = loadIn(options, {}, ['--version']);
      expect(loaded).toEqual({ cacheUsed: true, code: 0, stdout: `${JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version}\n` });
    }
  });

  it('is named by the Node options: one made for other options is not looked for', () => {
    const source = readFileSync(join(ROOT, 'dist', 'cli', 'main.bundle.cjs'), 'utf8');
    const plain = codeCachePath(source, []);
    const withOptions = codeCachePath(source, shebangOptions);
    expect(plain).not.toBe(withOptions);
    expect(codeCachePath(`${source} `, [])).not.toBe(plain);
    expect(existsSync(plain) && existsSync(withOptions)).toBe(true);
  });

  it('damaged, or refused by V8, is not used: the CLI compiles as usual and runs the same', () => {
    const cacheDir = tempDir();
    const source = readFileSync(join(ROOT, 'dist', 'cli', 'main.bundle.cjs'), 'utf8');
    const good = readFileSync(codeCachePath(source, []));
    // V8 does not check a cache's bytes (this one, given to it, crashed Node): its SHA-256 in the file does.
    const damaged = Buffer.from(good);
    for (let at = 96; at < damaged.length; at += 97) damaged[at] ^= 0xff;
    // A cache made for the #! line's options under this name: whole, but V8 refuses it (its flags differ).
    const otherOptions = readFileSync(codeCachePath(source, shebangOptions));
    for (const bytes of [damaged, good.subarray(0, good.length - 1), good.subarray(0, 32), Buffer.from('not a cache'), otherOptions]) {
      writeFileSync(codeCachePath(source, [], cacheDir), bytes);
      const loaded = loadIn([], { cacheDir }, ['--version']);
      expect(loaded.cacheUsed).toBe(false);
      expect(loaded.code).toBe(0);
    }
    expect(cachedDataOf(good)).toBeDefined();
    expect(cachedDataOf(damaged)).toBeUndefined();
    expect(codeCacheFile(cachedDataOf(good)!)).toEqual(good);
  });

  it('gives a run the same bytes as compiling the bundle afresh', () => {
    const out = tempDir();
    const args = (to: string): string[] => ['allocate', '--counties', SAMPLE.counties, '--budget', SAMPLE.budget, '--projects', SAMPLE.projects, '--out', join(out, to), '--json'];
    const cached = loadIn([], {}, args('cached'));
    const fresh = loadIn([], { useCache: false }, args('fresh'));
    expect(cached.cacheUsed).toBe(true);
    expect(fresh.cacheUsed).toBe(false);
    expect([cached.code, fresh.code]).toEqual([0, 0]);
    expect(cached.stdout.replaceAll(join(out, 'cached'), 'OUT')).toBe(fresh.stdout.replaceAll(join(out, 'fresh'), 'OUT'));
    // As text (toEqual walks a Buffer byte by byte, slowly): each file is UTF-8.
    for (const file of ['allocations.csv', 'provinces.csv', 'projects.csv', 'checks.csv', 'summary.json', 'audit.jsonl']) {
      expect(readFileSync(join(out, 'cached', file), 'utf8')).toBe(readFileSync(join(out, 'fresh', file), 'utf8'));
    }
  });
});
