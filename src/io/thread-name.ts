/**
 * Worker threads name themselves, so that `top -H`, `ps -L`, `perf` and the
 * benchmark's CPU time by thread (scripts/bench.mjs) tell them apart: the
 * main thread and the helper threads of Node and V8 (compilers, collectors)
 * are all called `node`. Each name begins with `pv-`: `pv-stage2` computes
 * stage 2's numbers, `pv-table` writes a large run's allocations.csv,
 * `pv-gzip` compresses its audit log, `pv-copy` copies an input into the run
 * folder, and so on (see the callers of nameThreadSource, nameThisThread
 * and startAnsweringWorker).
 *
 * Linux only (a thread's name is /proc/thread-self/comm, at most 15 bytes);
 * elsewhere nothing changes.
 */
import { writeFileSync } from 'node:fs';

/** A thread's name: `pv-` and lower-case letters, digits and hyphens, at most 15 bytes (Linux's limit). */
const THREAD_NAME = /^pv-[a-z0-9-]{1,12}$/;

/** NAME, checked to be a thread name (see THREAD_NAME). */
export function threadName(name: string): string {
  if (!THREAD_NAME.test(name)) throw new RangeError(`not a thread name (pv- and at most 12 of a-z, 0-9, -): ${JSON.stringify(name)}`);
  return name;
}

/** Names the thread that calls it: false where it cannot (not Linux). */
export function nameThisThread(name: string): boolean {
  const checked = threadName(name);
  try {
    writeFileSync('/proc/thread-self/comm', checked);
    return true;
  } catch {
    return false;
  }
}

/**
 * What nameThisThread does, as the source text of a statement, for the
 * worker threads that run a script of their own (CommonJS, eval: true).
 */
export function nameThreadSource(name: string): string {
  return `try {
  require('node:fs').writeFileSync('/proc/thread-self/comm', ${JSON.stringify(threadName(name))});
} catch {}`;
}

