/**
 * Scenarios: a policy changed by `--set PATH=VALUE` overrides. A scenario is a
 * transformation of the policy document, never of the rules (OpenFisca's
 * reforms): `applyOverrides` returns a new document and leaves the one it was
 * given untouched, so scenarios cannot leak into each other.
 *
 * A path is dotted, into the policy JSON. A parameter (an object with value,
 * unit, description and clause) is set by its own path or by PATH.value:
 *
 *   special_poverty.county.weights.incidence=0.3         decimal parameter
 *   special_poverty.county.floor.value=1500000.00         money parameter (yuan)
 *   special_poverty.renormalise_weights=true              yes/no parameter
 *   eligibility.any_of=poverty_county,key_county          list
 *   title=Incidence weighted up                           text
 *
 * Each value is checked against the kind of the value it replaces, and the
 * whole document again against the policy schema by `compilePolicy`.
 */
import { parseYesNo } from './grammar.js';
import { DECIMAL_STRING, MONEY_STRING } from './policy.js';
import type { Problem } from './problems.js';

/** One `PATH=VALUE` override, as given. */
export interface Override {
  readonly path: string;
  readonly value: string;
}

/** The kinds of value a path can hold. */
export type ValueKind = 'decimal' | 'money' | 'yes/no' | 'text' | 'whole number' | 'list';

/** A path `--set` accepts, the kind of value it takes and its current value as text. */
export interface SettablePath {
  /** Without the `.value` suffix for parameters. */
  readonly path: string;
  readonly kind: ValueKind;
  readonly parameter: boolean;
  readonly current: string;
}

const WHOLE_TEXT = /^\d+$/;
/** Paths that identify the document's format, not a policy choice. */
const FIXED_PATHS = new Set(['schema_version']);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isObject(value: unknown): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A parameter object: { value, unit, description, clause }. */
function isParameter(value: unknown): value is { value: string | boolean; unit: string } {
  return isObject(value) && 'value' in value && 'unit' in value && 'clause' in value && (typeof value.value === 'string' || typeof value.value === 'boolean');
}

function parameterKind(parameter: { value: string | boolean; unit: string }): ValueKind {
  if (typeof parameter.value === 'boolean') return 'yes/no';
  return parameter.unit === 'yuan' ? 'money' : 'decimal';
}

function leafKind(value: Json): ValueKind | undefined {
  if (typeof value === 'string') return 'text';
  if (typeof value === 'number') return 'whole number';
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return 'list';
  return undefined;
}

function textOf(value: Json): string {
  if (Array.isArray(value)) return value.join(',');
  return String(value);
}

/** Paths per document object: a sweep applies overrides to the same base document at every point. */
const settableCache = new WeakMap<object, readonly SettablePath[]>();

/** Every path `--set` accepts in this document, in document order. */
export function settablePaths(document: unknown): SettablePath[] {
  const cached = isObject(document) ? settableCache.get(document) : undefined;
  if (cached) return [...cached];
  const paths: SettablePath[] = [];
  const walk = (node: Json, prefix: string): void => {
    if (isParameter(node)) {
      paths.push({ path: prefix, kind: parameterKind(node), parameter: true, current: String(node.value) });
      return;
    }
    if (isObject(node)) {
      for (const [key, child] of Object.entries(node)) walk(child, prefix === '' ? key : `${prefix}.${key}`);
      return;
    }
    const kind = leafKind(node);
    if (kind && !FIXED_PATHS.has(prefix)) paths.push({ path: prefix, kind, parameter: false, current: textOf(node) });
  };
  walk(document as Json, '');
  if (isObject(document)) settableCache.set(document, paths);
  return [...paths];
}

/** The paths a user may type for a settable path: `x` and, for parameters, `x.value`. */
function spellings(entry: SettablePath): string[] {
  return entry.parameter ? [entry.path, `${entry.path}.value`] : [entry.path];
}

/** Levenshtein distance between two strings (insert, delete, substitute: 1 each). */
export function editDistance(a: string, b: string): number {
  const previous = new Array<number>(b.length + 1);
  const current = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) previous[j] = j;
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const substitute = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, substitute);
    }
    for (let j = 0; j <= b.length; j++) previous[j] = current[j]!;
  }
  return previous[b.length]!;
}

/**
 * The valid paths closest to `path`: by edit distance to the whole path, or
 * to its last segments when the user gave a shorter path
 * (`county.weights.incidnce` finds `special_poverty.county.weights.incidence`).
 */
export function nearestPaths(path: string, candidates: readonly string[], count = 3): string[] {
  const given = path.split('.').length;
  const scored = candidates.map((candidate) => {
    const segments = candidate.split('.');
    const tail = segments.slice(Math.max(0, segments.length - given)).join('.');
    const distance = Math.min(editDistance(path, candidate), editDistance(path, tail) + (tail === candidate ? 0 : 1));
    return { candidate, distance };
  });
  scored.sort((a, b) => a.distance - b.distance || (a.candidate < b.candidate ? -1 : a.candidate > b.candidate ? 1 : 0));
  return scored.slice(0, count).map((entry) => entry.candidate);
}

/** Splits `PATH=VALUE` (the value may itself contain `=`). */
export function parseOverride(text: string, source = '--set'): { override?: Override; problem?: Problem } {
  const at = text.indexOf('=');
  const path = at < 0 ? '' : text.slice(0, at).trim();
  if (at < 0 || path === '') {
    return { problem: { file: source, line: 0, column: text, message: 'expected PATH=VALUE, e.g. special_poverty.county.weights.incidence=0.3' } };
  }
  return { override: { path, value: text.slice(at + 1).trim() } };
}

function expectedText(kind: ValueKind): string {
  switch (kind) {
    case 'decimal':
      return 'a decimal (digits with an optional . and fraction, e.g. 0.3)';
    case 'money':
      return 'an amount in yuan (digits with at most 2 decimals, e.g. 2000000.00)';
    case 'yes/no':
      return 'yes or no (true/false, yes/no, 1/0, y/n, 是/否)';
    case 'whole number':
      return 'a whole number (digits only)';
    case 'list':
      return 'a comma-separated list (e.g. poverty_county,key_county)';
    case 'text':
      return 'some text';
  }
}

/** The override's text as a value of the given kind, or the reason it is not one. */
function typedValue(kind: ValueKind, text: string): { value?: Json; expected?: string } {
  switch (kind) {
    case 'decimal':
      return DECIMAL_STRING.test(text) ? { value: text } : { expected: expectedText(kind) };
    case 'money':
      return MONEY_STRING.test(text) ? { value: text } : { expected: expectedText(kind) };
    case 'yes/no': {
      const parsed = text === '' ? undefined : parseYesNo(text);
      return parsed?.ok ? { value: parsed.value } : { expected: expectedText(kind) };
    }
    case 'whole number':
      // Below 2^53 so the JSON number is exact; the schema bounds it further (a year).
      return WHOLE_TEXT.test(text) && text.length <= 15 ? { value: Number.parseInt(text, 10) } : { expected: expectedText(kind) };
    case 'list': {
      const items = text.split(',').map((item) => item.trim());
      return items.every((item) => item !== '') ? { value: items } : { expected: expectedText(kind) };
    }
    case 'text':
      return text === '' ? { expected: expectedText(kind) } : { value: text };
  }
}

/** Why `text` is not a value of this kind, or undefined when it is one. */
export function valueProblem(kind: ValueKind, text: string): string | undefined {
  const { expected } = typedValue(kind, text);
  return expected === undefined ? undefined : `${JSON.stringify(text)} is not ${expected}`;
}

/**
 * Whether `path` names a decimal, money or yes/no parameter value: a value
 * whose grammar `applyOverrides` checks exactly as the policy schema does.
 */
export function isParameterValue(document: unknown, path: string): boolean {
  const entry = resolvePath(document, path);
  return entry !== undefined && entry.parameter;
}

/** Resolves a typed path to its settable entry (accepting PATH.value for parameters). */
export function resolvePath(document: unknown, path: string): SettablePath | undefined {
  const entries = settablePaths(document);
  return entries.find((entry) => spellings(entry).includes(path));
}

export function unknownPathProblem(source: string, override: Override, entries: readonly SettablePath[]): Problem {
  const candidates = entries.map((entry) => entry.path);
  // Parameters first: they are what a scenario usually changes, descriptions rarely.
  const members = [...entries.filter((entry) => entry.kind !== 'text'), ...entries.filter((entry) => entry.kind === 'text')]
    .map((entry) => entry.path)
    .filter((candidate) => candidate.startsWith(`${override.path}.`));
  if (members.length > 0) {
    const shown = members.slice(0, 8).join(', ') + (members.length > 8 ? `, ... (${members.length} in all)` : '');
    return { file: source, line: 0, column: override.path, message: `is a group of values, not one value; set one of: ${shown}` };
  }
  return {
    file: source,
    line: 0,
    column: override.path,
    message: `is not a value in the policy; nearest valid paths: ${nearestPaths(override.path, candidates).join(', ')}`,
  };
}

/**
 * Applies overrides to a policy document, in order, copying on write.
 * Returns the new document, or every problem found (unknown path, wrong
 * kind of value), naming the path and, for unknown paths, the nearest valid
 * ones. The schema itself is checked afterwards by `compilePolicy`.
 */
export function applyOverrides(document: unknown, overrides: readonly Override[], source = '--set'): { document?: unknown; problems: Problem[] } {
  const entries = settablePaths(document);
  const problems: Problem[] = [];
  // Copy on write: each override copies the objects along its path; the rest is shared with
  // `document`, which is never changed (documents are treated as immutable throughout).
  let result = document as Json;
  for (const override of overrides) {
    const entry = entries.find((candidate) => spellings(candidate).includes(override.path));
    if (!entry) {
      problems.push(unknownPathProblem(source, override, entries));
      continue;
    }
    const { value, expected } = typedValue(entry.kind, override.value);
    if (value === undefined) {
      problems.push({ file: source, line: 0, column: entry.path, message: `${JSON.stringify(override.value)} is not ${expected}` });
      continue;
    }
    result = withValue(result, entry.parameter ? [...entry.path.split('.'), 'value'] : entry.path.split('.'), value);
  }
  return problems.length > 0 ? { problems } : { document: result, problems: [] };
}

/** A copy of `node` with the value at `segments` replaced (copy on write along the path). */
function withValue(node: Json, segments: readonly string[], value: Json): Json {
  if (segments.length === 0) return value;
  const [head, ...rest] = segments as [string, ...string[]];
  if (!isObject(node)) return node;
  return { ...node, [head]: withValue(node[head] ?? null, rest, value) };
}

/** One difference between two policy documents, at a settable path. */
export interface PolicyDifference {
  readonly path: string;
  /** '' when the path is absent on that side. */
  readonly base: string;
  readonly scenario: string;
}

/**
 * The differences between two policy documents, path by path (settable
 * values only: descriptions of parameters are not policy), in the base's
 * path order, then paths only the scenario has.
 */
export function policyDifferences(base: unknown, scenario: unknown): PolicyDifference[] {
  const baseEntries = settablePaths(base);
  const scenarioByPath = new Map(settablePaths(scenario).map((entry) => [entry.path, entry.current]));
  const differences: PolicyDifference[] = [];
  for (const entry of baseEntries) {
    const other = scenarioByPath.get(entry.path);
    if (other !== entry.current) differences.push({ path: entry.path, base: entry.current, scenario: other ?? '' });
    scenarioByPath.delete(entry.path);
  }
  for (const [path, current] of scenarioByPath) differences.push({ path, base: '', scenario: current });
  // Path order, so that a policy's key order (a file vs its canonical copy in a run folder) does not matter.
  return differences.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * Explains schema problems found after overrides: names the overrides that
 * touched the path, and for weights that no longer add up to 1, how to ask
 * for renormalisation on the command line.
 */
export function explainOverrideProblems(problems: readonly Problem[], overrides: readonly Override[], source = '--set'): Problem[] {
  return problems.map((problem) => {
    const column = problem.column ?? '';
    const within = (inner: string, outer: string): boolean => inner === outer || inner.startsWith(`${outer}.`);
    const touching = overrides.filter((override) => within(override.path, column) || within(column, override.path.replace(/\.value$/, '')));
    if (touching.length === 0) return problem;
    const after = touching.map((override) => `${source} ${override.path}=${override.value}`).join(', ');
    const hint = problem.message.includes('renormalise_weights') ? '; to divide them by their sum instead: --set special_poverty.renormalise_weights=true' : '';
    return { ...problem, message: `${problem.message} (after ${after})${hint}` };
  });
}
