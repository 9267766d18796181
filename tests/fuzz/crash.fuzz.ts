/** The SIGKILL test of tests/crash-safe-run-folder.test.ts with more kills. */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, SAMPLE, tempDir } from '../helpers.js';
import { killRepeatedly } from '../support/kill.js';

const KILLS = 60;
let reference: string;

beforeAll(() => {
  reference = join(tempDir(), 'sample');
  const result = runCli(['allocate', '--counties', SAMPLE.counties, '--budget', SAMPLE.budget, '--out', reference]);
  expect(result.code, result.stderr).toBe(0);
});

describe('fuzz: SIGKILL during allocate', () => {
  it(`the target is absent or complete after each of ${KILLS} kills`, async () => {
    const { whileWriting } = await killRepeatedly(KILLS, reference);
    console.log(`fuzz (crash): ${whileWriting} of ${KILLS} kills landed while the run folder was being written`);
  });
});
