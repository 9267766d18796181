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

/** The first line where two files differ (with both versions), or undefined when byte-identical. */
function firstDifference(actualPath: string, expectedPath: string): string | undefined {
  const actual = readFileSync(actualPath);
  const expected = readFileSync(expectedPath);
  if (actual.equals(expected)) return undefined;
  const actualLines = actual.toString('utf8').split('\n');
  const expectedLines = expected.toString('utf8').split('\n');
  const index = actualLines.findIndex((line, i) => line !== expectedLines[i]);
  return `line ${index + 1}: got ${JSON.stringify(actualLines[index])}, expected ${JSON.stringify(expectedLines[index])}`;
}

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
      expect(firstDifference(join(out, file), join(ROOT, 'tests', 'fixtures', 'golden', 'sample', file)), file).toBeUndefined();
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
      const parts = ['special_poverty_central', 'special_poverty_provincial', 'relocation', 'refund_central', 'refund_provincial', 'refund_prefecture'];
      expect(sumFen([row], 'total')).toBe(parts.reduce((sum, column) => sum + sumFen([row], column), 0n));
    }
  });

  it('summary.json shows zero special-fund money unallocated', () => {
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.funds.special_poverty.central).toEqual({ budget: '86095000000.00', allocated: '86095000000.00', unallocated: '0.00' });
    expect(summary.funds.special_poverty.provincial.unallocated).toBe('0.00');
    expect(summary.schema_version).toBe(1);
  });

  it('does not depend on the order of input rows', () => {
    // Every input shuffled: counties, budget, projects and the previous year's allocations.
    const shuffledArgs = [...GOLDEN_ARGS];
    for (let index = 1; index < shuffledArgs.length; index += 2) {
      const lines = readFileSync(join(ROOT, shuffledArgs[index]!), 'utf8').replace(/^\uFEFF/, '').trimEnd().split(/\r?\n/);
      const path = join(dir, `shuffled-${index}.csv`);
      writeFileSync(path, [lines[0]!, ...shuffled(lines.slice(1), 7 + index)].join('\n') + '\n');
      expect(readFileSync(path, 'utf8')).not.toBe(readFileSync(join(ROOT, shuffledArgs[index]!), 'utf8'));
      shuffledArgs[index] = path;
    }
    const shuffledOut = join(dir, 'shuffled');
    const second = runCli(['allocate', ...shuffledArgs, '--out', shuffledOut]);
    expect(second.code).toBe(0);
    for (const file of GOLDEN_FILES) {
      expect(firstDifference(join(shuffledOut, file), join(out, file)), file).toBeUndefined();
    }
  });
});
