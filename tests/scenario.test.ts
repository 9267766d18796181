/**
 * --set overrides: every kind of policy value, and every way to get one wrong.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { compilePolicy, type PolicyDocument } from '../src/core/policy.js';
import {
  applyOverrides,
  editDistance,
  explainOverrideProblems,
  nearestPaths,
  parseOverride,
  policyDifferences,
  resolvePath,
  settablePaths,
  type Override,
} from '../src/core/scenario.js';
import { allocate } from '../src/core/allocate.js';
import { compileWithOverrides, loadInputs } from '../src/io/load-inputs.js';
import { ROOT, SMALL, runCli } from './helpers.js';

const DEFAULT_DOCUMENT = JSON.parse(readFileSync(`${ROOT}/data/policies/default.json`, 'utf8')) as PolicyDocument;
const SMALL_DOCUMENT = JSON.parse(readFileSync(SMALL.policy, 'utf8')) as PolicyDocument;

function set(document: unknown, ...texts: string[]): { document?: PolicyDocument; messages: string[] } {
  const overrides = texts.map((text) => parseOverride(text).override!);
  const { document: result, problems } = applyOverrides(document, overrides);
  return { document: result as PolicyDocument | undefined, messages: problems.map((problem) => `${problem.column}: ${problem.message}`) };
}

function compiled(document: PolicyDocument, ...texts: string[]): { messages: string[]; ok: boolean } {
  const base = compilePolicy('policy.json', document).policy!;
  const overrides: Override[] = texts.map((text) => parseOverride(text).override!);
  const { policy, problems } = compileWithOverrides('policy.json', base, overrides);
  return { ok: policy !== undefined, messages: problems.map((problem) => `${problem.column}: ${problem.message}`) };
}

describe('--set on every kind of policy value', () => {
  test.each([
    // [kind, override, path in the document, expected value]
    ['decimal parameter', 'special_poverty.county.weights.incidence=0.3', ['special_poverty', 'county', 'weights', 'incidence', 'value'], '0.3'],
    ['decimal parameter, explicit .value', 'special_poverty.province.priority_multiplier.value=1.35', ['special_poverty', 'province', 'priority_multiplier', 'value'], '1.35'],
    ['money parameter', 'special_poverty.county.floor=1500000.00', ['special_poverty', 'county', 'floor', 'value'], '1500000.00'],
    ['money parameter, whole yuan', 'special_poverty.county.floor=1500000', ['special_poverty', 'county', 'floor', 'value'], '1500000'],
    ['yes/no parameter', 'special_poverty.renormalise_weights=true', ['special_poverty', 'renormalise_weights', 'value'], true],
    ['yes/no parameter in Chinese', 'special_poverty.renormalise_weights=是', ['special_poverty', 'renormalise_weights', 'value'], true],
    ['yes/no parameter, no', 'special_poverty.renormalise_weights=no', ['special_poverty', 'renormalise_weights', 'value'], false],
    ['whole number', 'year=2018', ['year'], 2018],
    ['text', 'title=Incidence weighted up', ['title'], 'Incidence weighted up'],
    ['list', 'eligibility.any_of=poverty_county, key_county', ['eligibility', 'any_of'], ['poverty_county', 'key_county']],
    ['factor definition (column name)', 'special_poverty.factors.depth.denominator=rural_population', ['special_poverty', 'factors', 'depth', 'denominator'], 'rural_population'],
  ])('%s: %s', (_kind, text, path, expected) => {
    const { document, messages } = set(DEFAULT_DOCUMENT, text);
    expect(messages).toEqual([]);
    let node: unknown = document;
    for (const key of path) node = (node as Record<string, unknown>)[key];
    expect(node).toEqual(expected);
  });

  test('overrides are applied in order: the last one for a path wins', () => {
    const { document } = set(DEFAULT_DOCUMENT, 'special_poverty.county.cap_share=0.2', 'special_poverty.county.cap_share.value=0.25');
    expect(document!.special_poverty.county.cap_share.value).toBe('0.25');
  });

  test('the document given is never changed: every scenario starts from the same base', () => {
    const before = JSON.stringify(DEFAULT_DOCUMENT);
    const first = set(DEFAULT_DOCUMENT, 'special_poverty.county.weights.incidence=0.9', 'eligibility.any_of=key_county');
    const second = set(DEFAULT_DOCUMENT, 'special_poverty.county.floor=1.00');
    expect(JSON.stringify(DEFAULT_DOCUMENT)).toBe(before);
    expect(second.document!.special_poverty.county.weights.incidence.value).toBe('0.20');
    expect(second.document!.eligibility.any_of).toEqual(['poverty_county', 'key_county', 'contiguous_area']);
    expect(first.document!.special_poverty.county.floor.value).toBe('2000000.00');
  });

  test('the parameter keeps its unit, description and clause', () => {
    const { document } = set(DEFAULT_DOCUMENT, 'special_poverty.county.floor=1.00');
    expect(document!.special_poverty.county.floor).toEqual({ ...DEFAULT_DOCUMENT.special_poverty.county.floor, value: '1.00' });
  });

  test('every parameter of the default policy is settable, and schema_version is not', () => {
    const paths = settablePaths(DEFAULT_DOCUMENT).map((entry) => entry.path);
    expect(paths).toContain('special_poverty.county.focus_multipliers.border_area');
    expect(paths).toContain('priority_province.poor_population_exceeds');
    expect(paths).not.toContain('schema_version');
    expect(resolvePath(DEFAULT_DOCUMENT, 'special_poverty.county.floor.value')?.kind).toBe('money');
    expect(resolvePath(DEFAULT_DOCUMENT, 'special_poverty.renormalise_weights')?.kind).toBe('yes/no');
  });
});

describe('--set errors', () => {
  test.each([
    ['decimal', 'special_poverty.county.weights.incidence=0.3x', '"0.3x" is not a decimal'],
    ['decimal, no leading digit', 'special_poverty.county.weights.incidence=.3', '".3" is not a decimal'],
    ['decimal, negative', 'special_poverty.county.multiplier_cap=-1', '"-1" is not a decimal'],
    ['money, three decimals', 'special_poverty.county.floor=1.234', '"1.234" is not an amount in yuan'],
    ['money, grouped', 'special_poverty.county.floor=1,000', '"1,000" is not an amount in yuan'],
    ['yes/no', 'special_poverty.renormalise_weights=maybe', '"maybe" is not yes or no'],
    ['yes/no, empty', 'special_poverty.renormalise_weights=', '"" is not yes or no'],
    ['whole number', 'year=2018.5', '"2018.5" is not a whole number'],
    ['text, empty', 'title=', '"" is not some text'],
    ['list, empty item', 'eligibility.any_of=key_county,,', 'is not a comma-separated list'],
  ])('wrong kind of value for a %s', (_kind, text, message) => {
    const { document, messages } = set(DEFAULT_DOCUMENT, text);
    expect(document).toBeUndefined();
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain(parseOverride(text).override!.path.replace(/\.value$/, ''));
    expect(messages[0]).toContain(message);
  });

  test('an unknown path names the path and the nearest valid ones', () => {
    const { messages } = set(DEFAULT_DOCUMENT, 'special_poverty.county.weights.incidnce=0.3');
    expect(messages).toEqual([
      'special_poverty.county.weights.incidnce: is not a value in the policy; nearest valid paths: special_poverty.county.weights.incidence, special_poverty.province.weights.incidence, special_poverty.county.weights.depth',
    ]);
  });

  test('a shortened path finds the full one', () => {
    expect(nearestPaths('county.floor', settablePaths(DEFAULT_DOCUMENT).map((entry) => entry.path))[0]).toBe('special_poverty.county.floor');
  });

  test('a group is not a value: the message lists what can be set inside it', () => {
    const { messages } = set(DEFAULT_DOCUMENT, 'special_poverty.county.weights=0.5');
    expect(messages[0]).toMatch(/^special_poverty\.county\.weights: is a group of values, not one value; set one of: special_poverty\.county\.weights\.poverty_scale, /);
  });

  test('a weight the policy does not define cannot be created by --set', () => {
    const { messages } = set(SMALL_DOCUMENT, 'special_poverty.county.weights.depth=0.1');
    expect(messages[0]).toContain('is not a value in the policy; nearest valid paths: special_poverty.county.weights.');
  });

  test('every problem is reported, not only the first', () => {
    expect(set(DEFAULT_DOCUMENT, 'nope=1', 'year=x', 'special_poverty.county.floor=y').messages).toHaveLength(3);
  });

  test('PATH=VALUE is required', () => {
    expect(parseOverride('special_poverty.county.floor').problem?.message).toContain('expected PATH=VALUE');
    expect(parseOverride('=3').problem).toBeDefined();
    expect(parseOverride('title=a=b').override).toEqual({ path: 'title', value: 'a=b' });
  });

  test('weights that no longer add up to 1 are an error naming the override and the way out', () => {
    const result = compiled(DEFAULT_DOCUMENT, 'special_poverty.county.weights.incidence=0.3');
    expect(result.ok).toBe(false);
    expect(result.messages).toEqual([
      'special_poverty.county.weights: the weights add up to 1.1, not 1; fix them or set special_poverty.renormalise_weights to true (after --set special_poverty.county.weights.incidence=0.3); to divide them by their sum instead: --set special_poverty.renormalise_weights=true',
    ]);
  });

  test('... unless the policy says to renormalise', () => {
    expect(compiled(DEFAULT_DOCUMENT, 'special_poverty.county.weights.incidence=0.3', 'special_poverty.renormalise_weights=true').ok).toBe(true);
  });

  test('two weights moved together keep the sum at 1', () => {
    expect(compiled(DEFAULT_DOCUMENT, 'special_poverty.county.weights.incidence=0.30', 'special_poverty.county.weights.poverty_scale=0.35').ok).toBe(true);
  });

  test('schema rules still hold after --set, and the message says which override broke them', () => {
    expect(compiled(DEFAULT_DOCUMENT, 'special_poverty.county.cap_share=1.5').messages).toEqual([
      'special_poverty.county.cap_share.value: must be above 0 and at most 1, got 1.5 (after --set special_poverty.county.cap_share=1.5)',
    ]);
    expect(compiled(DEFAULT_DOCUMENT, 'year=1999').messages[0]).toMatch(/^year: .*2000.*\(after --set year=1999\)$/);
    expect(compiled(DEFAULT_DOCUMENT, 'eligibility.any_of=key_county,nope').messages[0]).toMatch(/^eligibility\.any_of\.1: .*\(after --set eligibility\.any_of=key_county,nope\)$/);
  });

  test('problems unrelated to any override are left as they are', () => {
    const problem = { file: 'p.json', line: 0, column: 'funds', message: 'x' };
    expect(explainOverrideProblems([problem], [{ path: 'title', value: 'y' }])).toEqual([problem]);
  });
});

describe('the shortcut for parameter values', () => {
  test('compiling a checked policy with parameter overrides gives what a full compile of the same document gives', () => {
    const base = compilePolicy('policy.json', DEFAULT_DOCUMENT).policy!;
    for (const texts of [
      ['special_poverty.county.weights.incidence=0.30', 'special_poverty.county.weights.poverty_scale=0.35'],
      ['special_poverty.renormalise_weights=true', 'special_poverty.province.weights.depth=0.7'],
      ['special_poverty.county.floor=1234.5', 'priority_province.incidence_exceeds=0.2', 'special_poverty.county.focus_multipliers.border_area=1.3'],
    ]) {
      const overrides = texts.map((text) => parseOverride(text).override!);
      const shortcut = compileWithOverrides('policy.json', base, overrides).policy!;
      const full = compilePolicy('policy.json', applyOverrides(DEFAULT_DOCUMENT, overrides).document).policy!;
      const plain = (value: unknown): string =>
        JSON.stringify(value, (_key, item: unknown) => (item instanceof Map ? [...item.entries()] : typeof item === 'bigint' ? item.toString() : item));
      expect(plain(shortcut)).toBe(plain(full));
    }
  });

  test('the schema still guards what the shortcut does not cover', () => {
    expect(compiled(DEFAULT_DOCUMENT, 'special_poverty.county.weights.incidence=0.30', 'year=1999').messages[0]).toMatch(/^year: /);
  });
});

describe('helpers', () => {
  test.each([
    ['', '', 0],
    ['abc', '', 3],
    ['kitten', 'sitting', 3],
    ['incidence', 'incidnce', 1],
  ])('editDistance(%j, %j) = %i', (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
    expect(editDistance(b, a)).toBe(distance);
  });

  test('policy differences are listed path by path, descriptions of parameters excluded', () => {
    const { document } = set(DEFAULT_DOCUMENT, 'special_poverty.county.weights.incidence=0.30', 'special_poverty.county.weights.poverty_scale=0.35', 'special_poverty.renormalise_weights=true');
    expect(policyDifferences(DEFAULT_DOCUMENT, document)).toEqual([
      { path: 'special_poverty.county.weights.incidence', base: '0.20', scenario: '0.30' },
      { path: 'special_poverty.county.weights.poverty_scale', base: '0.45', scenario: '0.35' },
      { path: 'special_poverty.renormalise_weights', base: 'false', scenario: 'true' },
    ]);
    expect(policyDifferences(DEFAULT_DOCUMENT, DEFAULT_DOCUMENT)).toEqual([]);
  });
});

describe('--set on the command line', () => {
  const small = ['--counties', SMALL.counties, '--budget', SMALL.budget, '--policy', SMALL.policy];

  test('validate reports every --set problem with exit 2 and writes nothing to stdout', () => {
    const result = runCli(['validate', ...small, '--set', 'special_poverty.county.weights.incidnce=0.3', '--set', 'special_poverty.county.floor=abc']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('--set: special_poverty.county.weights.incidnce: is not a value in the policy; nearest valid paths: special_poverty.county.weights.incidence');
    expect(result.stderr).toContain('--set: special_poverty.county.floor: "abc" is not an amount in yuan');
    expect(result.stderr).toContain('2 problem(s) found');
  });

  test('allocate records --set in the effective policy and in summary.json', async () => {
    const { tempDir } = await import('./helpers.js');
    const out = `${tempDir()}/run`;
    const result = runCli(['allocate', ...small, '--out', out, '--json', '--set', 'special_poverty.county.floor=2500000.00']);
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout) as { policy: { overrides?: unknown } };
    expect(summary.policy.overrides).toEqual([{ path: 'special_poverty.county.floor', value: '2500000.00' }]);
    const plain = runCli(['allocate', ...small, '--out', `${out}-plain`, '--json']);
    expect((JSON.parse(plain.stdout) as { policy: Record<string, unknown> }).policy).not.toHaveProperty('overrides');
  });

  test('the overrides are in the effective policy the run records (loaded.run.policy.document)', () => {
    const loaded = loadInputs({
      counties: SMALL.counties,
      budget: SMALL.budget,
      policy: SMALL.policy,
      encoding: 'auto',
      overrides: [{ path: 'special_poverty.county.floor', value: '2500000.00' }],
    });
    expect(loaded.run.policy.document.special_poverty.county.floor.value).toBe('2500000.00');
    expect(loaded.run.policy.countyFloor).toBe(250000000n);
    expect(loaded.overrides).toEqual([{ path: 'special_poverty.county.floor', value: '2500000.00' }]);
    // 庚 (no poor people, so a score of 0) is held at the floor: now the new one.
    const result = allocate(loaded.run);
    expect(result.countyByCode.get('450004')!.amounts.get('total')).toBe(250000000n);
  });

  test('validate --json lists the overrides', () => {
    const result = runCli(['validate', ...small, '--json', '--set', 'special_poverty.renormalise_weights=yes', '--set', 'special_poverty.county.weights.incidence=0.7']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).overrides).toEqual([
      { path: 'special_poverty.renormalise_weights', value: 'yes' },
      { path: 'special_poverty.county.weights.incidence', value: '0.7' },
    ]);
  });
});
