/**
 * How far V8 lets the old generation grow between full collections, by the
 * phase of a run. The bin's `#!` line holds it to 30% (`--heap-growing-percent=30`):
 * while a large run's files are written, what it makes and drops would otherwise
 * pile up before a full collection. While the tables are read and the rules run,
 * what the old generation gains is mostly kept (each village as read, its
 * figures and state), so a full collection every 30% of growth marks the same
 * live objects again and again: at a million villages eleven of them, seven
 * while the table is read, for 0.24 to 0.41 s of the main thread's pauses. With
 * V8's own growth (the flag at 0) there are four, for 0.08 to 0.17 s, and none
 * while the files are written.
 *
 * Measured on 2 cores at a million villages, 8 runs each, alternated: 9.12 s
 * against 9.44 s (medians), 15.3 s of CPU against 16.2 s, a peak of 772 to 784
 * MiB against 745 to 762 MiB; 100,000 villages 1.57 s either way, 261 to 274
 * MiB against 243 to 255 MiB.
 *
 * V8 reads the flag each time it sets the next limit (after a collection), so
 * setting it takes effect from the next collection on. It is process-wide: the
 * worker threads' heaps follow it too.
 */
import { setFlagsFromString } from 'node:v8';

/**
 * The growth a process was started with: the last `--heap-growing-percent`
 * among ARGS (Node's options, NODE_OPTIONS first), 0 (V8's own) without one.
 */
export function startingGrowthOf(args: readonly string[]): number {
  let percent = 0;
  for (const arg of args) {
    const match = /^--heap[-_]growing[-_]percent=(\d+)$/.exec(arg);
    if (match) percent = Number(match[1]);
  }
  return percent;
}

/** This process's: 30 from the bin's #! line, V8's own for `node bin/povalloc.js`. */
const STARTED_WITH = startingGrowthOf([...(process.env.NODE_OPTIONS ?? '').split(/\s+/), ...process.execArgv]);

/** Reading and allocating: V8's own growth. */
export function growHeapFreely(): void {
  setFlagsFromString('--heap-growing-percent=0');
}

/**
 * Writing a run's files: the growth the process was started with, again. The
 * flags are then as they were at the start, as V8's cache of the bundle's
 * compiled code needs when the build makes it after a run of the sample
 * (scripts/code-cache.mjs): V8 takes a cache only under the flags it was made with.
 */
export function growHeapAsStarted(): void {
  setFlagsFromString(`--heap-growing-percent=${STARTED_WITH}`);
}
