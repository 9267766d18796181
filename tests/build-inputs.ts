/**
 * Builds run inputs in memory from CSV text and a policy object, through the
 * same core parsers the CLI uses. Throws when the inputs have problems.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readBudget } from '../src/core/budget.js';
import { readCounties } from '../src/core/counties.js';
import { compilePolicy, type PolicyDocument } from '../src/core/policy.js';
import { formatProblem, type Problem } from '../src/core/problems.js';
import { parseReference } from '../src/core/reference.js';
import type { RunInputs } from '../src/core/state.js';
import { parseCsvTable } from '../src/core/table.js';
import { ROOT, SMALL } from './helpers.js';

export const reference = parseReference(
  readFileSync(join(ROOT, 'data', 'provinces.csv'), 'utf8'),
  readFileSync(join(ROOT, 'data', 'contiguous_areas.csv'), 'utf8'),
);

export function defaultPolicyDocument(): PolicyDocument {
  return JSON.parse(readFileSync(join(ROOT, 'data', 'policies', 'default.json'), 'utf8')) as PolicyDocument;
}

export function smallPolicyDocument(): PolicyDocument {
  return JSON.parse(readFileSync(SMALL.policy, 'utf8')) as PolicyDocument;
}

function fail(problems: readonly Problem[]): never {
  throw new Error(problems.map(formatProblem).join('\n'));
}

export function buildInputs(countiesCsv: string, budgetCsv: string, policyDocument: unknown = smallPolicyDocument()): RunInputs {
  const { policy, problems: policyProblems } = compilePolicy('policy.json', policyDocument);
  if (!policy) fail(policyProblems);
  const countyTable = parseCsvTable('counties.csv', countiesCsv);
  if (!countyTable.table || countyTable.problems.length > 0) fail(countyTable.problems);
  const counties = readCounties(countyTable.table, reference, policy.factorColumns);
  if (!counties.result) fail(counties.problems);
  const budgetTable = parseCsvTable('budget.csv', budgetCsv);
  if (!budgetTable.table || budgetTable.problems.length > 0) fail(budgetTable.problems);
  const budget = readBudget(budgetTable.table, reference, policy.funds);
  if (!budget.result) fail(budget.problems);
  return { counties: counties.result, budget: budget.result, policy, reference, files: { counties: 'counties.csv', budget: 'budget.csv' } };
}
