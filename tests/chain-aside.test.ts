/**
 * explain's check of a large run's audit log made on a worker thread
 * (src/cli/chain-aside.ts, chain-worker.ts): the same chain, entries kept
 * and problems as checkStoredAuditLog on this thread, for a 20,001-village
 * run's log (unit blocks of several provinces, of which an explanation keeps
 * one province's), a changed entry and a damaged gzip file, for a village
 * and a province; what it declines is checked here; a worker that fails
 * answers `failed`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkChainOnWorker, MIN_CHAIN_ASIDE_BYTES } from '../src/cli/chain-aside.js';
import { checkStoredAuditLog } from '../src/core/audit.js';
import { entriesToExplain } from '../src/core/explain.js';
import { allocateLargeRun, tempDir } from './helpers.js';

/** The worker as built (tests run the TypeScript sources, beside which there is no worker module). */
const WORKER = new URL('../dist/cli/chain-worker.js', import.meta.url);

describe("explain's audit log check on a worker thread", () => {
  const work = tempDir();
  let log: string;

  beforeAll(() => {
    const { run } = allocateLargeRun(work, 11);
    log = gunzipSync(readFileSync(join(run, 'audit.jsonl.gz'))).toString('utf8');
  }, 120_000);

  it('gives the chain, the entries kept and the problems checkStoredAuditLog gives here', () => {
    const lines = log.trimEnd().split('\n');
    const changed = [...lines];
    changed[40] = changed[40]!.replace(/"label":"/, '"label":"x');
    const files: Record<string, Buffer> = {
      intact: gzipSync(log),
      changed: gzipSync(`${changed.join('\n')}\n`),
      damaged: gzipSync(log).subarray(0, 2_000),
    };
    const village = /"block\.rows":"(\d{12})/.exec(log)![1]!;
    for (const [name, bytes] of Object.entries(files)) {
      const path = join(work, `${name}.jsonl.gz`);
      writeFileSync(path, bytes);
      for (const code of [village, village.slice(0, 2)]) {
        const aside = checkChainOnWorker(path, code, { minBytes: 0, worker: WORKER });
        expect(aside, name).toBeDefined();
        const here = checkStoredAuditLog(bytes, entriesToExplain(code));
        expect(aside!.finish(), `${name}, ${code}`).toEqual({ chain: here });
        // Only the blocks of the code's province are kept.
        if (name === 'intact') expect(here!.entries.length).toBeLessThan(here!.count);
        if (name === 'changed') expect(here!.problem?.seq).toBe(41);
        if (name === 'damaged') expect(here).toBeUndefined();
      }
    }
  });

  it('declines a small log, a missing one and a missing module; a worker that fails answers failed', () => {
    const path = join(work, 'small.jsonl.gz');
    writeFileSync(path, gzipSync(log.slice(0, log.indexOf('\n', 100_000) + 1)));
    expect(readFileSync(path).length).toBeLessThan(MIN_CHAIN_ASIDE_BYTES);
    expect(checkChainOnWorker(path, '52', { worker: WORKER })).toBeUndefined();
    expect(checkChainOnWorker(join(work, 'no-such.jsonl.gz'), '52', { minBytes: 0, worker: WORKER })).toBeUndefined();
    expect(checkChainOnWorker(path, '52', { minBytes: 0, worker: new URL('./no-such-worker.js', WORKER) })).toBeUndefined();
    const failing = join(work, 'failing-worker.mjs');
    writeFileSync(failing, "throw new Error('cannot load');\n");
    const aside = checkChainOnWorker(path, '52', { minBytes: 0, worker: new URL(`file://${failing}`) });
    expect(aside).toBeDefined();
    expect(aside!.finish()).toBe('failed');
  });
});
