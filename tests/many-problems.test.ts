/**
 * An input with hundreds of thousands of bad rows gets every problem listed,
 * not a stack overflow: problems are appended one by one (appendAll), never
 * spread as arguments.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { appendAll, InputError } from '../src/core/problems.js';
import { loadInputs } from '../src/io/load-inputs.js';
import { SMALL } from './helpers.js';

describe('many problems', () => {
  const dir = mkdtempSync(join(tmpdir(), 'povalloc-many-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('appendAll takes more items than a call can have arguments', () => {
    const list = [0];
    appendAll(list, new Array<number>(300_000).fill(1));
    expect(list).toHaveLength(300_001);
  });

  it('a budget of 200,000 refused lines: every one reported', () => {
    const budget = join(dir, 'budget.csv');
    writeFileSync(budget, `fund,level,province_code,amount\n${'special_poverty,provincial,52,12a\n'.repeat(200_000)}`);
    let error: unknown;
    try {
      loadInputs({ counties: SMALL.counties, budget, policy: SMALL.policy, encoding: 'auto', overrides: [] });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InputError);
    const problems = (error as InputError).problems;
    expect(problems.length).toBeGreaterThanOrEqual(200_000);
    expect(problems.filter((problem) => problem.file === 'budget.csv' && problem.column === 'amount')).toHaveLength(200_000);
  }, 60_000);
});
