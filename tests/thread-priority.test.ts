/**
 * Background threads (the audit log's compressor, the writers of long files,
 * the input copies) run at a lower priority than the main thread
 * (thread-priority.ts): on Linux, each such thread's nice value is
 * BACKGROUND_NICE while it runs, and the main thread's is left as it was.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { writeCsvRowsOnWorker } from '../src/cli/csv-rows-aside.js';
import { startAnsweringWorker } from '../src/cli/worker-answer.js';
import { writePiecesOnWorker } from '../src/io/piece-writer.js';
import { BACKGROUND_NICE, LOWER_PRIORITY_SOURCE, lowerThisThreadsPriority } from '../src/io/thread-priority.js';
import { workerCompressor } from '../src/io/worker-compressor.js';
import { tempDir } from './helpers.js';

const linux = process.platform === 'linux';

/** The nice value of each thread of this process (field 19 of /proc/self/task/TID/stat), by thread id. */
function niceByThread(): Map<number, number> {
  const nice = new Map<number, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      // The command name (field 2) is in parentheses and may hold spaces: count the fields after it.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      nice.set(Number(tid), Number(fields[16]));
    } catch {
      // A thread that ended meanwhile.
    }
  }
  return nice;
}

/** The threads at BACKGROUND_NICE now. */
function backgroundNow(): number[] {
  return [...niceByThread()].filter(([, nice]) => nice === BACKGROUND_NICE).map(([tid]) => tid);
}

/** The threads at BACKGROUND_NICE but those of BEFORE, waited for up to a few seconds (a worker lowers its own as it starts). */
function newBackgroundThreads(before: readonly number[]): number[] {
  const deadline = Date.now() + 5000;
  for (;;) {
    const found = backgroundNow().filter((tid) => !before.includes(tid));
    if (found.length > 0 || Date.now() > deadline) return found;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
  }
}

/** The nice value a worker thread reports for itself after running SOURCE (CommonJS). */
async function niceInWorker(source: string): Promise<number> {
  const worker = new Worker(
    `${source}
const { parentPort } = require('node:worker_threads');
const tid = Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop());
parentPort.postMessage(require('node:os').getPriority(tid));`,
    { eval: true },
  );
  const nice = await new Promise<number>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  await worker.terminate();
  return nice;
}

describe.runIf(linux)('background threads at a lower priority (Linux)', () => {
  it('the statement for script workers lowers the thread that runs it, not the process', async () => {
    const before = niceByThread().get(process.pid);
    expect(await niceInWorker(LOWER_PRIORITY_SOURCE)).toBe(BACKGROUND_NICE);
    // Without it, a worker keeps the process's priority; the main thread's is unchanged either way.
    expect(await niceInWorker('')).toBe(before);
    expect(niceByThread().get(process.pid)).toBe(before);
  });

  it('the function lowers the thread that calls it', async () => {
    const worker = new Worker(
      `const { parentPort, workerData } = require('node:worker_threads');
import(workerData.module).then(({ lowerThisThreadsPriority }) => {
  const lowered = lowerThisThreadsPriority();
  const tid = Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop());
  parentPort.postMessage([lowered, require('node:os').getPriority(tid)]);
});`,
      { eval: true, workerData: { module: new URL('../dist/io/thread-priority.js', import.meta.url).href } },
    );
    const [lowered, nice] = await new Promise<[boolean, number]>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate();
    expect(lowered).toBe(true);
    expect(nice).toBe(BACKGROUND_NICE);
    expect(typeof lowerThisThreadsPriority).toBe('function');
  });

  it("the audit log's compressor runs at the lower priority", () => {
    const before = backgroundNow();
    const compressor = workerCompressor();
    compressor.add(Buffer.from('{"seq":1}\n'.repeat(1000), 'utf8'));
    expect(newBackgroundThreads(before)).toHaveLength(1);
    expect(compressor.finish().length).toBeGreaterThan(0);
  });

  it("a long file's writer runs at the lower priority", () => {
    const before = backgroundNow();
    const writer = writePiecesOnWorker(join(tempDir(), 'compare.json'));
    try {
      writer.write(Buffer.from('{}\n', 'utf8'));
      expect(newBackgroundThreads(before)).toHaveLength(1);
      expect(writer.finish().bytes).toBe(3);
    } finally {
      writer.cancel();
    }
  });

  it("a large run's allocations.csv writer runs at the lower priority (from its built module, begun ahead)", () => {
    const before = backgroundNow();
    const worker = startAnsweringWorker(new URL('../dist/cli/csv-worker.js', import.meta.url), 'pv-table', () => ({}));
    expect(worker).toBeDefined();
    try {
      expect(newBackgroundThreads(before)).toHaveLength(1);
    } finally {
      worker!.stop();
    }
  });

  it("compare's counties.csv writer runs at the lower priority (from its built module)", () => {
    const before = backgroundNow();
    const aside = writeCsvRowsOnWorker(join(tempDir(), 'counties.csv'), ['county_code'], { worker: new URL('../dist/cli/csv-rows-worker.js', import.meta.url) });
    expect(aside).toBeDefined();
    try {
      aside!.add([['520111']]);
      expect(newBackgroundThreads(before)).toHaveLength(1);
      expect(aside!.finish()).toBeDefined();
    } finally {
      aside!.cancel();
    }
  });
});
