/**
 * Worker threads name themselves (thread-name.ts), so that `top -H`, perf and
 * the benchmark's CPU time by thread tell them from the main thread and from
 * Node's and V8's own threads, which are all `node`.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { ensureTables } from '../scripts/bench/generate-tables.mjs';
import { startAnsweringWorker } from '../src/cli/worker-answer.js';
import { nameThreadSource, threadName } from '../src/io/thread-name.js';
import { BIN, ROOT, tempDir } from './helpers.js';

const linux = process.platform === 'linux';

/** The names of PID's threads now (each thread's /proc/PID/task/TID/comm), by thread id. */
function threadNames(pid: number): Map<number, string> {
  const names = new Map<number, string>();
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return names; // the process has ended
  }
  for (const tid of tids) {
    try {
      names.set(Number(tid), readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim());
    } catch {
      // A thread that ended meanwhile.
    }
  }
  return names;
}

describe('thread names', () => {
  it("are pv- and at most 12 more of a-z, 0-9 and -, within Linux's 15 bytes", () => {
    expect(threadName('pv-stage2')).toBe('pv-stage2');
    expect(threadName('pv-chain-part')).toBe('pv-chain-part');
    for (const bad of ['', 'node', 'stage2', 'pv-', 'pv-Stage2', 'pv-abcdefghijklm', 'pv-表', 'pv-a b', 'pv-a\n']) expect(() => threadName(bad)).toThrow(RangeError);
    expect(() => nameThreadSource('node')).toThrow(RangeError);
  });
});

describe.runIf(linux)('worker threads name themselves (Linux)', () => {
  it('the statement for script workers names the thread that runs it, not the main thread', async () => {
    const mainBefore = threadNames(process.pid).get(process.pid);
    const worker = new Worker(
      `${nameThreadSource('pv-test')}
const { parentPort } = require('node:worker_threads');
parentPort.postMessage(require('node:fs').readFileSync('/proc/thread-self/comm', 'utf8').trim());`,
      { eval: true },
    );
    const name = await new Promise<string>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate();
    expect(name).toBe('pv-test');
    expect(threadNames(process.pid).get(process.pid)).toBe(mainBefore);
  });

  it('a module started as an answering worker takes the name it is given (nameThisWorker, from the built module)', () => {
    const module = join(tempDir(), 'named-worker.mjs');
    writeFileSync(
      module,
      `import { readFileSync } from 'node:fs';
import { workerData } from 'node:worker_threads';
import { nameThisWorker } from ${JSON.stringify(pathToFileURL(join(ROOT, 'dist', 'io', 'worker-name.js')).href)};
const named = nameThisWorker();
workerData.port.postMessage({ named, name: readFileSync('/proc/thread-self/comm', 'utf8').trim() });
const done = new Int32Array(workerData.done);
Atomics.store(done, 0, 1);
Atomics.notify(done, 0);
`,
    );
    const worker = startAnsweringWorker(pathToFileURL(module), 'pv-answer', () => ({}));
    expect(worker).toBeDefined();
    expect(worker!.answer(60_000)).toEqual({ named: true, name: 'pv-answer' });
    expect(() => startAnsweringWorker(pathToFileURL(module), 'answer', () => ({}))).toThrow(RangeError);
  });

  it("a large run's threads are named while it runs: stage 2's numbers, the table's writer, the log's compressor", async () => {
    const dir = tempDir();
    const tables = ensureTables({ root: ROOT, dir, size: 20_001, seed: 11 });
    const policyDocument = JSON.parse(readFileSync(join(ROOT, 'data', 'policies', 'default.json'), 'utf8'));
    policyDocument.special_poverty.county.floor.value = '0.00';
    policyDocument.special_poverty.county.cap_share.value = '1';
    const policy = join(dir, 'policy.json');
    writeFileSync(policy, JSON.stringify(policyDocument));
    const child = spawn(BIN, ['allocate', '--counties', tables.file, '--budget', tables.budget, '--policy', policy, '--out', join(dir, 'run')], { stdio: 'ignore' });
    // Every name seen on one of the run's threads but the main one, read every few milliseconds until it ends.
    const seen = new Set<string>();
    let mainName: string | undefined;
    const poll = setInterval(() => {
      for (const [tid, name] of threadNames(child.pid!)) {
        if (tid === child.pid) mainName = name;
        else seen.add(name);
      }
    }, 5);
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    clearInterval(poll);
    expect(code).toBe(0);
    for (const name of ['pv-stage2', 'pv-table', 'pv-gzip']) expect(seen).toContain(name);
    // Only povalloc's own are named; the main thread keeps Node's name.
    expect([...seen].every((name) => name === 'node' || name.startsWith('pv-'))).toBe(true);
    expect(mainName).toBe('node');
  }, 120_000);
});
