/**
 * Fuzzing the input path in-process (issue 6, part 5): arbitrary bytes and
 * near-valid CSVs (rows of the sample, mutated) through loadInputs, allocate
 * and the renderers, the same path `validate` and `allocate` take. Each case
 * must succeed or fail with an InputError naming file and line (runAndCheck);
 * any other exception is a crash. 12,000 cases per run; the seed is printed
 * by fast-check on failure, so a failure can be replayed.
 */
import fc from 'fast-check';
import { afterAll, describe, it } from 'vitest';
import { arbitraryBytes, DEFAULT_POLICY, nearValidBudget, nearValidCounties, runAndCheck, validBudget, validCounties } from './support.js';

const tally: Record<string, { cases: number; succeeded: number }> = {};

function check(name: string, runs: number, arbitrary: fc.Arbitrary<{ counties: Buffer; budget: Buffer; policy?: string }>): void {
  it(`${name} (${runs} cases)`, () => {
    const count = (tally[name] = { cases: 0, succeeded: 0 });
    fc.assert(
      fc.property(arbitrary, (inputs) => {
        count.cases++;
        if (runAndCheck(inputs).ok) count.succeeded++;
      }),
      { numRuns: runs },
    );
  });
}

/** A policy with one value replaced: wrong types, negative or huge numbers, unknown keys. */
const mutatedPolicy = fc
  .record({
    path: fc.constantFrom(
      ['special_poverty', 'county', 'floor', 'value'],
      ['special_poverty', 'county', 'cap_share', 'value'],
      ['special_poverty', 'province', 'weights', 'depth', 'value'],
      ['special_poverty', 'county', 'weights', 'poverty_scale', 'value'],
      ['special_poverty', 'province', 'priority_multiplier', 'value'],
      ['priority_province', 'incidence_exceeds', 'value'],
      ['special_poverty', 'factors', 'depth', 'denominator'],
      ['special_poverty', 'fund'],
      ['eligibility', 'any_of'],
      ['schema_version'],
      ['special_poverty', 'renormalise_weights', 'value'],
    ),
    value: fc.constantFrom<unknown>('0', '-1', '1e3', '', 'abc', 0.45, null, true, [], {}, '999999999999999999999999', '0.000000000000000000000001', 'poor_population', 'no_such_column', '2.5'),
  })
  .map(({ path, value }) => {
    const document = JSON.parse(DEFAULT_POLICY) as Record<string, unknown>;
    let node = document as Record<string, unknown>;
    for (const key of path.slice(0, -1)) node = node[key] as Record<string, unknown>;
    node[path[path.length - 1]!] = value;
    return JSON.stringify(document);
  });

describe('fuzz: inputs in-process', () => {
  check('arbitrary bytes as counties.csv', 3000, fc.record({ counties: arbitraryBytes, budget: validBudget }));
  check('arbitrary bytes as budget.csv', 1000, fc.record({ counties: validCounties, budget: arbitraryBytes }));
  check('near-valid counties.csv (mutated sample rows)', 5000, fc.record({ counties: nearValidCounties, budget: validBudget }));
  check('near-valid budget.csv (mutated sample lines)', 1500, fc.record({ counties: validCounties, budget: nearValidBudget }));
  check('both near-valid', 1000, fc.record({ counties: nearValidCounties, budget: nearValidBudget }));
  check('a policy with one value replaced', 500, fc.record({ counties: validCounties, budget: validBudget, policy: mutatedPolicy }));

  afterAll(() => {
    const total = Object.values(tally).reduce((sum, entry) => sum + entry.cases, 0);
    const lines = Object.entries(tally).map(([name, entry]) => `  ${name}: ${entry.cases} cases, ${entry.succeeded} valid, ${entry.cases - entry.succeeded} refused with file and line`);
    console.log(`fuzz (in-process): ${total} cases\n${lines.join('\n')}`);
  });
});
