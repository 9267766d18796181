/**
 * Crash-safe run folders (issue 6, part 4; CONTRACT 7: a failed run leaves no
 * partial run folder behind). `allocate` is killed with SIGKILL at every step
 * of writing (deterministically, through a test hook) and at varying delays
 * (from outside, like a power cut or the OOM killer); the target folder must
 * then be absent or complete, the previous run must never be lost, and the
 * next run must clean up or report what the killed one left.
 */
import { spawn } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cleanLeftovers, requireRunFolder, RunFolderWriter, temporaryName, writeRunFolder, writingOrder } from '../src/io/run-folder.js';
import { runCli, SAMPLE, SMALL, tempDir } from './helpers.js';
import { killRepeatedly } from './support/kill.js';
import { exited, incompleteness, leftovers, listFiles } from './support/run-folders.js';

const SAMPLE_ARGS = ['--counties', SAMPLE.counties, '--budget', SAMPLE.budget];
const SMALL_ARGS = ['--counties', SMALL.counties, '--budget', SMALL.budget, '--policy', SMALL.policy];

let references: string;
const sampleReference = (): string => join(references, 'sample');
const smallReference = (): string => join(references, 'small');

beforeAll(() => {
  references = tempDir();
  for (const [name, args] of [
    ['sample', SAMPLE_ARGS],
    ['small', SMALL_ARGS],
  ] as const) {
    const result = runCli(['allocate', ...args, '--out', join(references, name)]);
    expect(result.code, result.stderr).toBe(0);
  }
});

describe('writeRunFolder', () => {
  it('writes manifest.json last whatever the order given', () => {
    const files = [
      { name: 'manifest.json', content: '{}' },
      { name: 'allocations.csv', content: 'a' },
      { name: 'inputs/counties.csv', content: 'c' },
      { name: 'audit.jsonl', content: '' },
    ];
    expect(writingOrder(files).map((file) => file.name)).toEqual(['allocations.csv', 'inputs/counties.csv', 'audit.jsonl', 'manifest.json']);
  });

  it('writes every file, in sub-folders too, and leaves no temporary folder', () => {
    const parent = tempDir();
    const target = join(parent, 'run');
    writeRunFolder(target, [
      { name: 'manifest.json', content: '{"ok":true}' },
      { name: 'inputs/counties.csv', content: 'x' },
      { name: 'a.csv', content: Buffer.from([1, 2, 3]) },
    ], false);
    expect(listFiles(target)).toEqual(['a.csv', 'inputs/counties.csv', 'manifest.json']);
    expect(readdirSync(parent)).toEqual(['run']);
    expect(() => requireRunFolder(target)).not.toThrow();
  });

  it('replaces an existing run only with force, and then leaves nothing of the old one', () => {
    const parent = tempDir();
    const target = join(parent, 'run');
    writeRunFolder(target, [{ name: 'old.csv', content: 'old' }], false);
    expect(() => writeRunFolder(target, [{ name: 'new.csv', content: 'new' }], false)).toThrow(/exists and is not empty/);
    writeRunFolder(target, [{ name: 'new.csv', content: 'new' }], true);
    expect(listFiles(target)).toEqual(['new.csv']);
    expect(readdirSync(parent)).toEqual(['run']);
  });

  it('takes files written into it while the run is made (spooled), and shows nothing at the target until finished', () => {
    const parent = tempDir();
    const target = join(parent, 'run');
    const writer = RunFolderWriter.open(target, false);
    const path = writer.spoolPath('logs/audit.jsonl.gz');
    writeFileSync(path, 'spooled bytes');
    expect(existsSync(target)).toBe(false);
    expect(readdirSync(parent)).toEqual([temporaryName(target, process.pid)]);
    writer.finish([
      { name: 'manifest.json', content: '{}' },
      { name: 'logs/audit.jsonl.gz', content: { spooled: path, bytes: 13, sha256: 'not checked here' } },
      { name: 'a.csv', content: 'a' },
    ]);
    expect(listFiles(target)).toEqual(['a.csv', 'logs/audit.jsonl.gz', 'manifest.json']);
    expect(readFileSync(join(target, 'logs', 'audit.jsonl.gz'), 'utf8')).toBe('spooled bytes');
    expect(readdirSync(parent)).toEqual(['run']);
    writer.abandon();
    expect(listFiles(target)).toEqual(['a.csv', 'logs/audit.jsonl.gz', 'manifest.json']);
  });

  it('leaves nothing when abandoned, or when a spooled file is not where it was to be, and keeps the old run', () => {
    const parent = tempDir();
    const target = join(parent, 'run');
    const abandoned = RunFolderWriter.open(target, false);
    writeFileSync(abandoned.spoolPath('allocations.csv'), 'x');
    abandoned.abandon();
    expect(readdirSync(parent)).toEqual([]);
    expect(() => abandoned.spoolPath('b.csv')).toThrow(/already finished or abandoned/);

    writeRunFolder(target, [{ name: 'old.csv', content: 'old' }], false);
    const misplaced = RunFolderWriter.open(target, true);
    const elsewhere = join(parent, 'elsewhere.csv');
    writeFileSync(elsewhere, 'x');
    expect(() => misplaced.finish([{ name: 'allocations.csv', content: { spooled: elsewhere, bytes: 1, sha256: '' } }])).toThrow(/spooled to the wrong place/);
    expect(readdirSync(parent).sort()).toEqual(['elsewhere.csv', 'run']);
    expect(listFiles(target)).toEqual(['old.csv']);
  });

  it('never presents a folder without manifest.json as a run', () => {
    const parent = tempDir();
    mkdirSync(join(parent, 'half'));
    writeFileSync(join(parent, 'half', 'allocations.csv'), 'x');
    expect(() => requireRunFolder(join(parent, 'half'))).toThrow(
      `${join(parent, 'half')}: not a complete run folder (it has no manifest.json): not written by allocate, or by a run that did not finish`,
    );
    expect(() => requireRunFolder(join(parent, 'none'))).toThrow('no such run folder');
    expect(() => requireRunFolder(join(parent, 'half', 'allocations.csv'))).toThrow('is a file, not a run folder');
  });
});

describe('leftovers of interrupted runs', () => {
  async function deadPid(): Promise<number> {
    const child = spawn(process.execPath, ['-e', '0']);
    await exited(child);
    return child.pid!;
  }

  it('removes the temporary folder of a dead process and says so', async () => {
    const parent = tempDir();
    const pid = await deadPid();
    mkdirSync(join(parent, temporaryName(join(parent, 'run'), pid)));
    expect(cleanLeftovers(parent)).toEqual([`removed ${join(parent, `.run.povalloc-tmp-${pid}`)}, left by an interrupted run (process ${pid})`]);
    expect(readdirSync(parent)).toEqual([]);
  });

  it('leaves alone, and reports, the temporary folder of a process still running', async () => {
    const parent = tempDir();
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      const leftover = join(parent, `.run.povalloc-tmp-${child.pid}`);
      mkdirSync(leftover);
      expect(cleanLeftovers(parent)).toEqual([`${leftover} is from process ${child.pid}, which is still running (another povalloc writing there?): left alone`]);
      expect(existsSync(leftover)).toBe(true);
    } finally {
      child.kill('SIGKILL');
      await exited(child);
    }
  });

  it('puts back a run folder that a killed --force run had moved aside, and removes one whose replacement is in place', async () => {
    const parent = tempDir();
    const pid = await deadPid();
    cpSync(smallReference(), join(parent, `.a.povalloc-old-${pid}`), { recursive: true });
    cpSync(smallReference(), join(parent, `.b.povalloc-old-${pid}`), { recursive: true });
    cpSync(sampleReference(), join(parent, 'b'), { recursive: true });
    const notes = cleanLeftovers(parent);
    expect(notes).toEqual([
      `put back ${join(parent, 'a')} from ${join(parent, `.a.povalloc-old-${pid}`)}: a run with --force (process ${pid}) had moved it aside and was interrupted before its replacement was in place`,
      `removed ${join(parent, `.b.povalloc-old-${pid}`)}, left by an interrupted run (process ${pid})`,
    ]);
    expect(readdirSync(parent).sort()).toEqual(['a', 'b']);
    expect(incompleteness(join(parent, 'a'), smallReference())).toBe('');
    expect(incompleteness(join(parent, 'b'), sampleReference())).toBe('');
  });
});

describe('unwritable output paths give exit 2 and a clear message (end to end)', () => {
  it('a file where the run folder should be', () => {
    const parent = tempDir();
    writeFileSync(join(parent, 'run'), 'not a folder');
    const result = runCli(['allocate', ...SMALL_ARGS, '--out', join(parent, 'run')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`povalloc: --out ${join(parent, 'run')}: a file of that name is in the way (expected a folder)\n`);
  });

  it('a path under a file', () => {
    const parent = tempDir();
    writeFileSync(join(parent, 'file'), 'x');
    const out = join(parent, 'file', 'run');
    const result = runCli(['allocate', ...SMALL_ARGS, '--out', out]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`povalloc: --out ${out}: cannot create the parent folder ${join(parent, 'file')}: a file is in the way (EEXIST); nothing was written\n`);
  });

  it('a folder that cannot be written to (immutable, or /sys where chattr is unavailable)', () => {
    const parent = tempDir();
    const locked = join(parent, 'locked');
    mkdirSync(locked);
    // Tests run as root, for whom permission bits do not count; an immutable folder stops root too.
    const chattr = runChattr(['+i', locked]);
    const out = chattr ? join(locked, 'run') : '/sys/povalloc-test-run';
    try {
      const result = runCli(['allocate', ...SMALL_ARGS, '--out', out]);
      expect(result.code).toBe(2);
      expect(result.stderr).toBe(`povalloc: --out ${out}: cannot write the run folder: operation not permitted (EPERM); nothing was written\n`);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    } finally {
      if (chattr) runChattr(['-i', locked]);
    }
    expect(existsSync(join(locked, 'run'))).toBe(false);
  });

  it('a read-only folder when not root', () => {
    if (process.getuid?.() === 0) return; // covered by the immutable-folder test above
    const parent = tempDir();
    chmodSync(parent, 0o500);
    const result = runCli(['allocate', ...SMALL_ARGS, '--out', join(parent, 'run')]);
    chmodSync(parent, 0o700);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/cannot write the run folder: permission denied \(EACCES\)/);
  });
});

function runChattr(args: string[]): boolean {
  try {
    const { spawnSync } = require('node:child_process') as typeof import('node:child_process');
    return spawnSync('chattr', args).status === 0;
  } catch {
    return false;
  }
}

describe('SIGKILL at every step of writing (end to end, deterministic)', () => {
  async function killAtEveryStep(withOldRun: boolean): Promise<number> {
    const parent = tempDir();
    const target = join(parent, 'run');
    // The small fixture keeps the 2 x steps spawns quick; the old run is the sample, so old and new differ.
    const args = ['--out', target, ...(withOldRun ? ['--force'] : []), ...SMALL_ARGS];
    let steps = 0;
    for (let step = 1; step < 100; step++) {
      rmSync(parent, { recursive: true, force: true });
      mkdirSync(parent);
      if (withOldRun) cpSync(sampleReference(), target, { recursive: true });
      const killed = runCli(['allocate', ...args], { env: { POVALLOC_TEST_KILL_AT_STEP: String(step) } });
      if (killed.code === 0) break; // fewer steps than this: the whole sequence has been crashed at
      steps = step;
      expect(killed.code, `step ${step}: ${killed.stderr}`).toBe(-1);
      // Absent or complete, never partial; with --force, the old run is never lost.
      if (existsSync(target)) {
        const asNew = incompleteness(target, smallReference());
        const asOld = withOldRun ? incompleteness(target, sampleReference()) : asNew;
        expect(asNew === '' || asOld === '', `step ${step}: ${asNew}`).toBe(true);
      } else if (withOldRun) {
        const aside = readdirSync(parent).find((entry) => entry.includes('.povalloc-old-'));
        expect(aside, `step ${step}: the old run is gone`).toBeDefined();
        expect(incompleteness(join(parent, aside!), sampleReference())).toBe('');
      }
      // The next run cleans up (or puts the old run back) and succeeds.
      const before = leftovers(parent);
      const next = runCli(['allocate', ...args, ...(existsSync(target) && !withOldRun ? ['--force'] : [])]);
      expect(next.code, next.stderr).toBe(0);
      for (const leftover of before) expect(next.stderr).toContain(leftover);
      expect(leftovers(parent)).toEqual([]);
      expect(incompleteness(target, smallReference())).toBe('');
    }
    return steps;
  }

  it('into a new folder: absent or complete after each kill; the next run cleans up', async () => {
    const steps = await killAtEveryStep(false);
    expect(steps).toBeGreaterThanOrEqual(6);
  });

  it('replacing a run with --force: the old or the new run is there (or the old one can be put back) after each kill', async () => {
    const steps = await killAtEveryStep(true);
    expect(steps).toBeGreaterThanOrEqual(8);
  });
});

/** More in the fuzz suite (tests/fuzz/crash.fuzz.ts). */
const KILLS = 8;

describe('SIGKILL after a varying delay (end to end)', () => {
  it(`the target is absent or complete after each of ${KILLS} kills, and the next run cleans up`, async () => {
    const { whileWriting } = await killRepeatedly(KILLS, sampleReference());
    console.log(`crash test: ${whileWriting} of ${KILLS} kills landed while the run folder was being written`);
  });
});
