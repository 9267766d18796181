/**
 * Fuzzing the built binary (issue 6, part 5): generated inputs through
 * `povalloc validate` and `povalloc allocate` as child processes. Every run
 * must end in time with exit 0 or 2; exit 2 prints only `file:line: ...`
 * problem lines and the closing line, never a stack trace, and writes
 * nothing; exit 0 writes a complete run folder. Each outcome must agree with
 * the in-process run of the same input.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BIN, ROOT, tempDir } from '../helpers.js';
import { arbitraryBytes, nearValidBudget, nearValidCounties, runAndCheck, validBudget, validCounties } from './support.js';

const CASES = 200;
/** FUZZ_SEED=N replays a run; the seed is printed at the end. */
const SEED = Number(process.env['FUZZ_SEED'] ?? Date.now() % 2 ** 31);
const PROBLEM_LINE = /^(counties\.csv|budget\.csv|policy\.json)(:\d+)?: \S/;
const CLOSING_LINE = /^povalloc: \d+ problem\(s\) found; nothing was written\.$/;

function run(args: string[]): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000, killSignal: 'SIGKILL' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

describe('fuzz: the binary', () => {
  it(`validate and allocate exit 0 or 2 with file and line, never a stack trace or a partial folder (${CASES} spawned cases)`, async () => {
    const inputs = fc.sample(
      fc.oneof(
        { weight: 3, arbitrary: fc.record({ counties: nearValidCounties, budget: validBudget }) },
        { weight: 1, arbitrary: fc.record({ counties: validCounties, budget: nearValidBudget }) },
        { weight: 1, arbitrary: fc.record({ counties: arbitraryBytes, budget: validBudget }) },
        { weight: 1, arbitrary: fc.record({ counties: validCounties, budget: validBudget }) },
      ),
      { numRuns: CASES, seed: SEED },
    );
    const root = tempDir('povalloc-fuzz-cli-');
    const outcomes = { valid: 0, refused: 0 };
    const one = async (index: number): Promise<void> => {
      const input = inputs[index]!;
      const dir = join(root, String(index));
      mkdirSync(dir);
      writeFileSync(join(dir, 'counties.csv'), input.counties);
      writeFileSync(join(dir, 'budget.csv'), input.budget);
      const expected = runAndCheck(input);
      const command = index % 2 === 0 ? 'validate' : 'allocate';
      const out = join(dir, 'run');
      const args = [command, '--counties', join(dir, 'counties.csv'), '--budget', join(dir, 'budget.csv'), ...(command === 'allocate' ? ['--out', out] : [])];
      const result = await run(args);
      const where = `seed ${SEED}, case ${index} (${command}): ${result.stderr.slice(0, 2000)}`;
      expect(result.signal, `${where}: did not finish in 60 s`).toBeNull();
      expect([0, 2], where).toContain(result.code);
      expect(result.stderr, where).not.toMatch(/\n\s+at |internal error/);
      expect(result.code === 0, where).toBe(expected.ok);
      if (result.code === 2) {
        outcomes.refused++;
        const lines = result.stderr.trimEnd().split('\n');
        expect(lines[lines.length - 1], where).toMatch(CLOSING_LINE);
        for (const line of lines.slice(0, -1)) expect(line, where).toMatch(PROBLEM_LINE);
        expect(lines.length - 1, where).toBe(expected.problems);
        expect(existsSync(out), where).toBe(false);
      } else {
        outcomes.valid++;
        if (command === 'allocate') expect(readdirSync(out).sort(), where).toEqual(expect.arrayContaining(['allocations.csv', 'checks.csv', 'provinces.csv', 'summary.json']));
      }
      expect(readdirSync(dir).filter((name) => name.includes('povalloc-tmp')), where).toEqual([]);
    };
    // Two at a time: the machine has two cores.
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < inputs.length) await one(next++);
    };
    await Promise.all([worker(), worker()]);
    console.log(`fuzz (binary): ${CASES} cases, ${outcomes.valid} valid, ${outcomes.refused} refused with exit 2 (seed ${SEED})`);
  });
});
