/**
 * Kills `allocate` with SIGKILL at a chosen moment: a given time after the
 * temporary run folder appears (so the kill lands while files are being
 * written), or a given time after the start.
 */
import { watch } from 'node:fs';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { runCli, SAMPLE, tempDir } from '../helpers.js';
import { exited, incompleteness, leftovers, spawnAllocate } from './run-folders.js';

export interface KillOutcome {
  /** The child was killed (it had not finished first). */
  readonly killed: boolean;
  /** Leftovers of the killed run were there afterwards: it was killed while writing. */
  readonly whileWriting: boolean;
}

function busyWait(milliseconds: number): void {
  const until = performance.now() + milliseconds;
  while (performance.now() < until) {
    // A timer cannot wait less than a millisecond; spinning can.
  }
}

/**
 * Spawns `allocate ARGS` writing into `parent`, and kills it `delayMs` after
 * the temporary folder is created (`from: 'writing'`), or `delayMs` after
 * the spawn (`from: 'start'`).
 */
export async function killAllocate(parent: string, args: readonly string[], delayMs: number, from: 'writing' | 'start'): Promise<KillOutcome> {
  const child = spawnAllocate(args);
  let fired = false;
  const fire = (): void => {
    if (fired) return;
    fired = true;
    child.kill('SIGKILL');
  };
  const watcher = watch(parent, (_event, name) => {
    if (from !== 'writing' || fired || name === null || !name.includes('.povalloc-tmp-')) return;
    busyWait(delayMs);
    fire();
  });
  const timer = from === 'start' ? setTimeout(fire, delayMs) : undefined;
  const { signal } = await exited(child);
  watcher.close();
  if (timer) clearTimeout(timer);
  return { killed: signal === 'SIGKILL', whileWriting: signal === 'SIGKILL' && leftovers(parent).length > 0 };
}

/**
 * Kills `allocate` of the sample `count` times into the same folder (with
 * --force once a run is there), checking after each kill that the folder is
 * absent or complete; then runs it once more to the end, which must clean up.
 * Three kills in four land 0 to 8 ms after the temporary folder appears,
 * while the files are written; the fourth at any time after the start.
 */
export async function killRepeatedly(count: number, reference: string): Promise<{ whileWriting: number }> {
  const parent = tempDir();
  const target = join(parent, 'run');
  const sample = ['--counties', SAMPLE.counties, '--budget', SAMPLE.budget];
  let whileWriting = 0;
  for (let index = 0; index < count; index++) {
    const args = ['--out', target, ...(existsSync(target) ? ['--force'] : []), ...sample];
    const outcome =
      index % 4 === 3 ? await killAllocate(parent, args, (index * 37) % 700, 'start') : await killAllocate(parent, args, (index % 17) * 0.5, 'writing');
    if (outcome.whileWriting) whileWriting++;
    if (existsSync(target)) expect(incompleteness(target, reference), `kill ${index}`).toBe('');
  }
  const last = runCli(['allocate', '--out', target, '--force', ...sample]);
  expect(last.code, last.stderr).toBe(0);
  expect(leftovers(parent)).toEqual([]);
  expect(incompleteness(target, reference)).toBe('');
  return { whileWriting };
}
