/**
 * Whole runs of the bundled sample through the built binary: the golden
 * files, conservation to the fen, and independence from input row order.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GOLDEN_ARGS, GOLDEN_FILES } from './golden-args.mjs';
import { readCsvRows, ROOT, runCli, SAMPLE, sumFen, tempDir } from './helpers.js';

const dir = tempDir();
const out = join(dir, 'run');
const run = runCli(['allocate', ...GOLDEN_ARGS, '--out', out]);

function shuffled(lines: string[], seed: number): string[] {
  // A fixed permutation (no randomness in tests): a linear congruential sequence.
  const result = [...lines];
  let state = seed;
  for (let i = result.length - 1; i > 0; i--) {
    state = (state * 1103515245 + 12345) % 2147483648;
    const j = state % (i + 1);
    [result[i], result[j]] = [result[j]!, result[i]!];
  }
  return result;
}

describe('the sample run', () => {
  it('succeeds and prints the per-province summary', () => {
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('贵州 *');
    expect(run.stdout).toContain('86,095,000,000.00');
    expect(run.stdout).toContain('万元');
  });

  it('matches the golden files byte for byte', () => {
    for (const file of GOLDEN_FILES) {
      expect(readFileSync(join(out, file)), file).toEqual(readFileSync(join(ROOT, 'tests', 'fixtures', 'golden', 'sample', file)));
    }
  });

  it('allocates the central line exactly, and each provincial line exactly', () => {
    const rows = readCsvRows(join(out, 'allocations.csv'));
    expect(rows).toHaveLength(832);
    expect(sumFen(rows, 'special_poverty_central')).toBe(8_609_500_000_000n);
    const budgetLines = readFileSync(SAMPLE.budget, 'utf8').trim().split('\n').slice(1).map((line) => line.split(','));
    for (const [fund, level, province, amount] of budgetLines) {
      if (fund !== 'special_poverty' || level !== 'provincial') continue;
      const inProvince = rows.filter((row) => row['province_code'] === province);
      expect(sumFen(inProvince, 'special_poverty_provincial'), `province ${province}`).toBe(sumFen([{ a: amount! }], 'a'));
    }
    for (const row of rows) {
      expect(sumFen([row], 'total')).toBe(sumFen([row], 'special_poverty_central') + sumFen([row], 'special_poverty_provincial'));
    }
  });

  it('summary.json shows zero special-fund money unallocated', () => {
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.funds.special_poverty.central).toEqual({ budget: '86095000000.00', allocated: '86095000000.00', unallocated: '0.00' });
    expect(summary.funds.special_poverty.provincial.unallocated).toBe('0.00');
    expect(summary.schema_version).toBe(1);
  });

  it('does not depend on the order of input rows', () => {
    const counties = readFileSync(SAMPLE.counties, 'utf8').trimEnd().split('\n');
    const budget = readFileSync(SAMPLE.budget, 'utf8').trimEnd().split('\n');
    const countiesPath = join(dir, 'counties-shuffled.csv');
    const budgetPath = join(dir, 'budget-shuffled.csv');
    writeFileSync(countiesPath, [counties[0]!, ...shuffled(counties.slice(1), 7)].join('\n') + '\n');
    writeFileSync(budgetPath, [budget[0]!, ...shuffled(budget.slice(1), 11)].join('\n') + '\n');
    expect(readFileSync(countiesPath, 'utf8')).not.toBe(readFileSync(SAMPLE.counties, 'utf8'));
    const shuffledOut = join(dir, 'shuffled');
    const second = runCli(['allocate', '--counties', countiesPath, '--budget', budgetPath, '--out', shuffledOut]);
    expect(second.code).toBe(0);
    for (const file of GOLDEN_FILES) {
      expect(readFileSync(join(shuffledOut, file)), file).toEqual(readFileSync(join(out, file)));
    }
  });
});
