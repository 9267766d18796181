/**
 * Stable machine output: every --json document parses, carries
 * schema_version, leaves stderr empty, and has the shape of its example in
 * the README.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ROOT, runCli, SMALL, tempDir } from './helpers.js';

const small = ['--counties', SMALL.counties, '--budget', SMALL.budget, '--policy', SMALL.policy];
const sweepArgs = ['sweep', ...small, '--set', 'special_poverty.renormalise_weights=true', '--vary', 'special_poverty.county.weights.incidence=0.5,0.6'];

/** The JSON blocks of the README marked `<!-- json-example: NAME -->`. */
function readmeExamples(): Map<string, unknown> {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const examples = new Map<string, unknown>();
  for (const match of readme.matchAll(/<!-- json-example: ([a-z-]+) -->\s*```json\n([\s\S]*?)\n```/g)) {
    examples.set(match[1]!, JSON.parse(match[2]!));
  }
  return examples;
}

type Shape = string | Shape[] | { [key: string]: Shape };

/** The structure of a JSON value: object keys, the shape of an array's first element, the type of the rest. */
function shapeOf(value: unknown): Shape {
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.length === 0 ? [] : [shapeOf(value[0])];
  if (typeof value === 'object') return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([key, item]) => [key, shapeOf(item)]));
  return typeof value;
}

/** Shapes agree; an empty array on either side matches any array. */
function sameShape(actual: Shape, documented: Shape, path = '$'): string[] {
  if (Array.isArray(actual) && Array.isArray(documented)) {
    if (actual.length === 0 || documented.length === 0) return [];
    return sameShape(actual[0]!, documented[0]!, `${path}[0]`);
  }
  if (typeof actual === 'object' && typeof documented === 'object' && !Array.isArray(actual) && !Array.isArray(documented)) {
    const keys = new Set([...Object.keys(actual), ...Object.keys(documented)]);
    return [...keys].flatMap((key) => {
      if (!(key in actual)) return [`${path}.${key} is documented but not in the output`];
      if (!(key in documented)) return [`${path}.${key} is in the output but not documented`];
      return sameShape(actual[key]!, documented[key]!, `${path}.${key}`);
    });
  }
  return JSON.stringify(actual) === JSON.stringify(documented) ? [] : [`${path}: output ${JSON.stringify(actual)}, documented ${JSON.stringify(documented)}`];
}

function documentOf(args: readonly string[], options: { firstLine?: boolean } = {}): unknown {
  const result = runCli(args);
  expect(result.code).toBe(0);
  expect(result.stderr).toBe('');
  const text = options.firstLine ? result.stdout.split('\n')[0]! : result.stdout;
  const document = JSON.parse(text) as { schema_version?: unknown };
  expect(document.schema_version).toBe(1);
  return document;
}

describe('each command prints JSON of the documented shape', () => {
  const examples = readmeExamples();

  test('the README documents allocate, validate, compare and sweep', () => {
    expect([...examples.keys()].sort()).toEqual(['allocate', 'compare', 'sweep', 'sweep-line', 'validate']);
  });

  test.each([
    ['allocate', () => ['allocate', ...small, '--out', join(tempDir(), 'run'), '--json']],
    ['validate', () => ['validate', ...small, '--json', '--set', 'special_poverty.county.floor=2500000.00']],
    ['compare', () => ['compare', ...small, '--json', '--scenario', 'moved:special_poverty.county.weights.incidence=0.6,special_poverty.county.weights.poverty_scale=0.4']],
    ['sweep', () => [...sweepArgs, '--out', join(tempDir(), 'sweep'), '--json']],
  ])('%s', (name, args) => {
    const actual = documentOf(args());
    expect(sameShape(shapeOf(actual), shapeOf(examples.get(name)))).toEqual([]);
  });

  test('sweep JSON lines: every line is a document of the documented shape', () => {
    const result = runCli(sweepArgs);
    expect(result.stderr).toBe('');
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(sameShape(shapeOf(JSON.parse(line)), shapeOf(examples.get('sweep-line')))).toEqual([]);
    // The documented line is the first point's, value for value.
    expect(JSON.parse(lines[0]!)).toEqual(examples.get('sweep-line'));
  });

  test('the shape check would notice a missing or extra field', () => {
    expect(sameShape(shapeOf({ a: 1, b: [{ c: 'x' }] }), shapeOf({ a: 2, b: [{ c: 'y', d: 1 }] }))).toEqual(['$.b[0].d is documented but not in the output']);
    expect(sameShape(shapeOf({ a: '1' }), shapeOf({ a: 1 }))).toEqual(['$.a: output "string", documented "number"']);
  });
});

describe('stdout carries only the document', () => {
  test('warnings go to stderr, the JSON on stdout still parses', () => {
    const dir = tempDir();
    const counties = join(dir, 'counties.csv');
    // An unknown column is a warning.
    const text = readFileSync(SMALL.counties, 'utf8').replace('county_code,', 'note,county_code,').replace(/\n(\d)/g, '\nx,$1');
    writeFileSync(counties, text);
    const result = runCli(['compare', '--counties', counties, '--budget', SMALL.budget, '--policy', SMALL.policy, '--scenario', SMALL.policy, '--json']);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('warning: counties.csv:1: note: unknown column ignored');
    expect(JSON.parse(result.stdout).kind).toBe('compare');
  });

  test('errors: exit 2, stdout empty', () => {
    for (const args of [
      ['compare', ...small, '--json', '--scenario', 'x:nope=1'],
      ['sweep', ...small, '--vary', 'nope=1,2'],
      ['validate', ...small, '--json', '--set', 'year=soon'],
    ]) {
      const result = runCli(args);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).not.toBe('');
    }
  });
});
