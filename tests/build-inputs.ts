/**
 * Builds run inputs for unit tests from CSV text and a policy document, with
 * the same readers the CLI uses, so that tests state their cases as tables.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readBudget } from '../src/core/budget.js';
import { readCounties } from '../src/core/counties.js';
import { compilePolicy, type Policy } from '../src/core/policy.js';
import { readPreviousAllocations } from '../src/core/previous.js';
import { formatProblem, type Problem } from '../src/core/problems.js';
import { readProjects } from '../src/core/projects.js';
import type { RunInputs } from '../src/core/state.js';
import { parseCsvTable, type Table } from '../src/core/table.js';
import { loadReference } from '../src/io/load-inputs.js';
import { ROOT } from './helpers.js';

/** A deep copy of a policy JSON document, to edit in a test. */
export type PolicyJson = Record<string, any>;

export function policyDocument(which: 'small' | 'default' = 'small'): PolicyJson {
  const path = which === 'small' ? join(ROOT, 'tests', 'fixtures', 'small', 'policy.json') : join(ROOT, 'data', 'policies', 'default.json');
  return JSON.parse(readFileSync(path, 'utf8')) as PolicyJson;
}

export function compile(document: PolicyJson): Policy {
  const { policy, problems } = compilePolicy('policy.json', document);
  if (!policy) throw new Error(`policy problems:\n${problems.map(formatProblem).join('\n')}`);
  return policy;
}

/** The small fixture's policy with floor 0 and no effective cap: pots split purely by score. */
export function plainPolicy(edit: (document: PolicyJson) => void = () => {}): Policy {
  const document = policyDocument('small');
  document.special_poverty.county.floor.value = '0.00';
  document.special_poverty.county.cap_share.value = '1';
  edit(document);
  return compile(document);
}

export function table(file: string, text: string): Table {
  const { table: parsed, problems } = parseCsvTable(file, text);
  if (!parsed || problems.length > 0) throw new Error(problems.map(formatProblem).join('\n'));
  return parsed;
}

function fail(problems: readonly Problem[]): never {
  throw new Error(problems.map(formatProblem).join('\n'));
}

/** CSV text from a header and rows (cells joined with commas; no quoting needed in tests). */
export function csv(header: string, rows: readonly string[]): string {
  return `${[header, ...rows].join('\n')}\n`;
}

export interface InputTexts {
  readonly counties: string;
  readonly budget: string;
  readonly policy?: Policy;
  readonly projects?: string;
  readonly previous?: string;
}

export function buildInputs(texts: InputTexts): RunInputs {
  const reference = loadReference();
  const policy = texts.policy ?? plainPolicy();
  const counties = readCounties(table('counties.csv', texts.counties), reference, policy.factorColumns);
  if (!counties.result) fail(counties.problems);
  const budget = readBudget(table('budget.csv', texts.budget), reference, policy.funds);
  if (!budget.result) fail(budget.problems);
  let projects;
  if (texts.projects !== undefined) {
    const read = readProjects(table('projects.csv', texts.projects), new Set(counties.result.counties.map((county) => county.code)));
    if (!read.result) fail(read.problems);
    projects = read.result;
  }
  let previous;
  if (texts.previous !== undefined) {
    const read = readPreviousAllocations(table('allocations.csv', texts.previous));
    if (!read.result) fail(read.problems);
    previous = read.result;
  }
  return {
    counties: counties.result,
    budget: budget.result,
    policy,
    reference,
    ...(projects ? { projects } : {}),
    ...(previous ? { previous } : {}),
    files: {
      counties: 'counties.csv',
      budget: 'budget.csv',
      ...(projects ? { projects: 'projects.csv' } : {}),
      ...(previous ? { previous: 'allocations.csv' } : {}),
    },
  };
}

/** Yuan text of a fen amount (or '' when undefined), for readable expectations. */
export function yuanOf(fen: bigint | undefined): string {
  if (fen === undefined) return '';
  const negative = fen < 0n;
  const magnitude = negative ? -fen : fen;
  return `${negative ? '-' : ''}${magnitude / 100n}.${(magnitude % 100n).toString().padStart(2, '0')}`;
}
