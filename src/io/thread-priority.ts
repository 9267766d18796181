/**
 * Threads that work in the background of a run (writing allocations.csv,
 * compressing the audit log, copying the inputs, writing compare's long
 * files) run at a lower priority than the main thread: on a machine whose
 * cores are all busy (two, say: the main thread, and a worker writing the
 * table while another compresses the log), the main thread, which the run
 * waits for, keeps its core, and they take what is left; when it waits for
 * them (at the end), they have the cores to themselves. The same work, in
 * less time: at a million villages on 2 cores, alternated with the code
 * before (8 runs each), `allocate` took a median of 8.53 s against 9.01 s,
 * and 8.61 s against 9.06 s in another sitting (6 runs each, with the
 * compressor's queue bounded, see worker-compressor.ts), at a peak of 775 to
 * 815 MiB against 750 to 781 MiB (the table's worker, done later, holds its
 * rows longer); 100,000 villages 1.76 s against 1.84 s (12 runs); `compare
 * --scenario` at a million villages 19.4 to 21.6 s against 20.2 to 22.2 s (3
 * runs each, each faster than the old code's run beside it).
 *
 * Linux only (a thread is a task with a priority of its own, named by
 * /proc/thread-self); elsewhere nothing changes.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

/** The nice value background threads take (0 is the default, 19 the lowest). */
export const BACKGROUND_NICE = 10;

/**
 * What lowerThisThreadsPriority (below) does, as the source text of a
 * statement, for the worker threads that run a script of their own
 * (CommonJS, eval: true).
 */
export const LOWER_PRIORITY_SOURCE = `try {
  require('node:os').setPriority(Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop()), ${BACKGROUND_NICE});
} catch {}`;

/** Lowers the priority of the thread that calls it to BACKGROUND_NICE: false where it cannot (not Linux). */
export function lowerThisThreadsPriority(): boolean {
  try {
    setPriority(Number(readlinkSync('/proc/thread-self').split('/').pop()), BACKGROUND_NICE);
    return true;
  } catch {
    return false;
  }
}
