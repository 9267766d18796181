/**
 * The report's integrity check of a large run folder made on a worker thread
 * (src/cli/integrity-aside.ts, integrity-worker.ts): the same result as
 * `checkWithVerify` on this thread, and the audit log's entries and head as
 * read on this thread, for a folder that verifies, one changed
 * after the fact, one without a manifest and one whose manifest is not JSON;
 * what it declines is checked here; and the binary's report is the same
 * whichever thread checked.
 */
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkIntegrityOnWorker, MIN_CHECKED_ASIDE_BYTES } from '../src/cli/integrity-aside.js';
import { readRunAuditLogInfo, readRunManifest } from '../src/io/report-folder.js';
import { checkWithVerify } from '../src/io/run-integrity.js';
import { runCli, SAMPLE, tempDir } from './helpers.js';

/** The worker as built (tests run the TypeScript sources, beside which there is no worker module). */
const WORKER = new URL('../dist/cli/integrity-worker.js', import.meta.url);

function inThisThread(dir: string): unknown {
  const { manifest, manifestPresent } = readRunManifest(dir);
  return checkWithVerify(dir, manifest, manifestPresent);
}

function onWorker(dir: string): unknown {
  const aside = checkIntegrityOnWorker(dir, { minBytes: 0, worker: WORKER });
  expect(aside).toBeDefined();
  const answer = aside!.finish();
  expect(answer).toBeDefined();
  // The audit log's entries and head come from the worker too, as reading them here gives them.
  expect(answer!.audit).toEqual(readRunAuditLogInfo(dir));
  return answer!.integrity;
}

describe("the report's integrity check on a worker thread", () => {
  const work = tempDir();
  const run = join(work, 'run');
  const copy = (name: string): string => {
    const dir = join(work, name);
    cpSync(run, dir, { recursive: true });
    return dir;
  };

  beforeAll(() => {
    const result = runCli(['allocate', '--counties', SAMPLE.counties, '--budget', SAMPLE.budget, '--out', run]);
    expect(result.code, result.stderr).toBe(0);
  }, 60_000);

  it('gives what the check on this thread gives: verified, changed after the fact, no manifest, a manifest that is not JSON', () => {
    const tampered = copy('tampered');
    const allocations = join(tampered, 'allocations.csv');
    writeFileSync(allocations, readFileSync(allocations, 'utf8').replace(/,(\d+)\.(\d\d)\r\n/, (_, whole, cents) => `,${whole}.${cents === '99' ? '98' : '99'}\r\n`));
    const unlisted = copy('no-manifest');
    rmSync(join(unlisted, 'manifest.json'));
    const broken = copy('broken-manifest');
    writeFileSync(join(broken, 'manifest.json'), '{ not json');
    const statuses: unknown[] = [];
    const noLog = copy('no-log');
    rmSync(join(noLog, 'audit.jsonl'));
    expect(readRunAuditLogInfo(noLog)).toBeUndefined();
    expect(readRunAuditLogInfo(run)!.entries).toBeGreaterThan(1000);
    for (const dir of [run, tampered, unlisted, broken, noLog]) {
      const here = inThisThread(dir) as { status: string };
      expect(onWorker(dir)).toEqual(here);
      statuses.push(here.status);
    }
    expect(statuses).toEqual(['verified', 'differs', 'no_manifest', expect.stringMatching(/unreadable|differs/), expect.any(String)]);
  });

  it('declines a small folder, a folder that is not a run, a missing folder and a missing module; answers nothing when the worker fails', () => {
    expect(readFileSync(join(run, 'allocations.csv')).length).toBeLessThan(MIN_CHECKED_ASIDE_BYTES);
    expect(checkIntegrityOnWorker(run, { worker: WORKER })).toBeUndefined();
    expect(checkIntegrityOnWorker(work, { minBytes: 0, worker: WORKER })).toBeUndefined();
    expect(checkIntegrityOnWorker(join(work, 'no-such-folder'), { minBytes: 0, worker: WORKER })).toBeUndefined();
    expect(checkIntegrityOnWorker(run, { minBytes: 0, worker: new URL('./no-such-worker.js', WORKER) })).toBeUndefined();
    // A module that fails as it loads: no answer, so the report checks the folder itself.
    const failing = join(work, 'failing-worker.mjs');
    writeFileSync(failing, "throw new Error('cannot load');\n");
    const aside = checkIntegrityOnWorker(run, { minBytes: 0, worker: new URL(`file://${failing}`) });
    expect(aside).toBeDefined();
    expect(aside!.finish()).toBeUndefined();
  });
});
