/**
 * Worker threads that answer once (src/cli/worker-answer.ts): the answer
 * comes back; a module that cannot be loaded, fails, or says an error is
 * answered for at once (the main thread waited up to ten minutes for a worker
 * whose module failed to load); one that does not answer is given up.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startAnsweringWorker } from '../src/cli/worker-answer.js';
import { tempDir } from './helpers.js';

const RAISE = 'const flag = new Int32Array(workerData.done);\nAtomics.store(flag, 0, 1);\nAtomics.notify(flag, 0);\nworkerData.port.close();\n';

function workerModule(name: string, source: string): URL {
  const path = join(tempDir(), name);
  writeFileSync(path, `import { workerData } from 'node:worker_threads';\n${source}`);
  return pathToFileURL(path);
}

describe('startAnsweringWorker', () => {
  it('gives the answer the module posts, with what it was given', () => {
    const url = workerModule('echo.mjs', `workerData.port.postMessage({ doubled: workerData.value * 2, shared: workerData.module !== undefined });\n${RAISE}`);
    const worker = startAnsweringWorker(url, 'pv-test', () => ({ value: 21 }))!;
    expect(worker.answer<{ doubled: number; shared: boolean }>(60_000)).toEqual({ doubled: 42, shared: true });
  });

  it('answers for a module that cannot be loaded, fails, or says an error; gives up on one that never answers', () => {
    const broken = workerModule('broken.mjs', "throw new Error('broken at load');\n");
    expect(startAnsweringWorker(broken, 'pv-test', () => ({}))!.answer(60_000)).toEqual({ failed: expect.stringContaining('broken at load') });
    const missingImport = workerModule('missing.mjs', "await import('./no-such-module.mjs');\n");
    expect(startAnsweringWorker(missingImport, 'pv-test', () => ({}))!.answer(60_000)).toEqual({ failed: expect.stringContaining('no-such-module') });
    const saysError = workerModule('error.mjs', `workerData.port.postMessage({ error: 'could not' });\n${RAISE}`);
    expect(startAnsweringWorker(saysError, 'pv-test', () => ({}))!.answer(60_000)).toEqual({ failed: 'could not' });
    const silent = workerModule('silent.mjs', 'setInterval(() => {}, 1000);\n');
    expect(startAnsweringWorker(silent, 'pv-test', () => ({}))!.answer(200)).toEqual({ failed: 'no answer in 0.2 s' });
  });

  it('starts nothing, and makes no data, where the module is not', () => {
    let made = 0;
    const data = () => {
      made++;
      return {};
    };
    expect(startAnsweringWorker(new URL('file:///no/such/worker.js'), 'pv-test', data)).toBeUndefined();
    expect(startAnsweringWorker(new URL('https://example.com/worker.js'), 'pv-test', data)).toBeUndefined();
    expect(made).toBe(0);
  });
});
