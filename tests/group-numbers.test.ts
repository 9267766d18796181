/**
 * Stage 2 on two cores: a large run's factor values, totals, shares and
 * scores of some provinces are computed on a worker thread from the figures
 * packed as columns (group-numbers-helper.ts). The worker runs the core's
 * own `groupNumbers`; these tests hold its numbers equal to those
 * `countyGroupScores` computes from the counties, and a whole run with the
 * worker equal, byte for byte, to one without.
 */
import fc from 'fast-check';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTables } from '../scripts/bench/generate-tables.mjs';
import { packedColumns, PackedGroupFigures, readCountiesCsv, type County } from '../src/core/counties.js';
import { countyGroupScores, groupNumbers, withSharesKeptUpTo, type GroupNumbersResult } from '../src/core/factors.js';
import { decimal, decimalFromScaled, scaledOf, type Dec } from '../src/core/money.js';
import type { FactorSpec, Policy } from '../src/core/policy.js';
import { InputError } from '../src/core/problems.js';
import { parseReference } from '../src/core/reference.js';
import { ROOT, runCli } from './helpers.js';

const reference = parseReference(readFileSync(join(ROOT, 'data', 'provinces.csv'), 'utf8'), readFileSync(join(ROOT, 'data', 'contiguous_areas.csv'), 'utf8'));

const FACTORS: FactorSpec[] = [
  { id: 'scale', numerator: 'poor_population', denominator: undefined, description: '' },
  { id: 'incidence', numerator: 'poor_population', denominator: 'rural_population', description: '' },
  { id: 'depth', numerator: 'poor_population', denominator: 'rural_income_per_capita', description: '' },
  { id: 'extra', numerator: 'extra_factor', denominator: undefined, description: '' },
  // Divides by a figure that may be 0 (poor_population may be).
  { id: 'inverse', numerator: 'rural_population', denominator: 'poor_population', description: '' },
];

/** A policy as far as countyGroupScores reads one. */
function policyOf(factors: readonly FactorSpec[], weights: Record<string, string>): Policy {
  return { factors, countyWeights: new Map(Object.entries(weights).map(([id, text]) => [id, decimal(text)])) } as unknown as Policy;
}

/** Village rows (12-digit codes under one county of Guizhou) with the figures given. */
function villageTable(rows: readonly { poor: string; rural: string; income: string; extra: string }[]): County[] {
  const lines = ['county_code,county_name,poverty_county,key_county,contiguous_area,poor_population,rural_population,rural_income_per_capita,extra_factor'];
  rows.forEach((row, index) => lines.push(`520111${String(index + 1).padStart(6, '0')},村${index},1,0,,${row.poor},${row.rural},${row.income},${row.extra}`));
  const read = readCountiesCsv('villages.csv', `${lines.join('\n')}\n`, reference, ['rural_income_per_capita', 'extra_factor']);
  expect([...read.tableProblems, ...read.problems]).toEqual([]);
  return [...read.result!.counties];
}

const figure = (places: number): fc.Arbitrary<string> =>
  fc.tuple(fc.integer({ min: 1, max: 99_999_999 }), fc.integer({ min: 0, max: places })).map(([whole, decimals]) => {
    const digits = String(whole).padStart(decimals + 1, '0');
    return decimals === 0 ? digits : `${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`;
  });
// The rural population is at least the poor population (a reader's rule).
const row = fc
  .record({ poor: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 999_999 })), more: fc.integer({ min: 0, max: 9_000_000 }), income: figure(2), extra: figure(3) })
  .map(({ poor, more, income, extra }) => ({ poor: String(poor), rural: String(Math.max(poor, 1) + more), income, extra }));
const weight = fc.integer({ min: 0, max: 100 }).map((percent) => (percent / 100).toFixed(2));

describe('groupNumbers on packed columns', () => {
  const columns = ['poor_population', 'rural_population', 'rural_income_per_capita', 'extra_factor'];

  it('gives the values, shares and scores countyGroupScores gives, shares kept or not', () => {
    fc.assert(
      fc.property(fc.array(row, { minLength: 1, maxLength: 40 }), fc.tuple(weight, weight, weight, weight), fc.boolean(), (rows, [a, b, c, d], keep) => {
        // No zero denominator: that case is below.
        const usable = rows.map((figures) => (figures.poor === '0' ? { ...figures, poor: '1' } : figures));
        const counties = villageTable(usable);
        const policy = policyOf(FACTORS, { scale: a, incidence: b, depth: c, extra: d });
        const packed = packedColumns(counties, columns)!;
        expect(packed).toBeDefined();
        const numbers = groupNumbers(new PackedGroupFigures(counties.length, columns, packed), policy.factors, policy.countyWeights as Map<string, Dec>, keep);
        // The same group kept or not kept as countyGroupScores decides by its size.
        const group = withSharesKeptUpTo(keep ? 10_000 : 0, () => countyGroupScores(counties, policy, 'villages.csv'));
        expect(numbers.shares !== undefined).toBe(keep);
        const ratios = FACTORS.filter((factor) => factor.denominator).length;
        for (let index = 0; index < counties.length; index++) {
          expect(numbers.scores.get(index)).toEqual(group.score(index));
          let slot = 0;
          FACTORS.forEach((factor, f) => {
            if (factor.denominator) expect(numbers.values.get(index * ratios + slot++)).toEqual(group.value(index, f));
            if (numbers.shares) expect(numbers.shares.get(index * FACTORS.length + f)).toEqual(group.share(index, f));
          });
        }
      }),
      { numRuns: 150 },
    );
  });

  it('given a multiplier for each unit, gives each score times it, rounded as decimal.js rounds the product', () => {
    const multiplier = fc.tuple(fc.integer({ min: 1, max: 99_999 }), fc.integer({ min: 0, max: 4 })).map(([whole, places]) => (whole / 10 ** places).toFixed(places));
    fc.assert(
      fc.property(fc.array(row, { minLength: 1, maxLength: 30 }), fc.array(multiplier, { minLength: 1, maxLength: 4 }), fc.tuple(weight, weight), (rows, texts, [a, b]) => {
        const counties = villageTable(rows.map((figures) => (figures.poor === '0' ? { ...figures, poor: '1' } : figures)));
        const policy = policyOf(FACTORS, { scale: a, incidence: b });
        const packed = packedColumns(counties, columns)!;
        const codes = Uint8Array.from(counties, (_, index) => index % texts.length);
        const multipliers = texts.map((text) => scaledOf(decimal(text)));
        const numbers = groupNumbers(new PackedGroupFigures(counties.length, columns, packed), policy.factors, policy.countyWeights as Map<string, Dec>, false, { key: 'focus', codes, multipliers });
        expect(numbers.weighted?.key).toBe('focus');
        for (let index = 0; index < counties.length; index++) {
          const product = decimalFromScaled(numbers.scores.get(index)).times(decimal(texts[codes[index]!]!));
          // The same number (an integer form may carry trailing zeros in its coefficient).
          expect(decimalFromScaled(numbers.weighted!.weights.get(index)).toFixed()).toBe(product.toFixed());
        }
        // Without multipliers, none.
        expect(groupNumbers(new PackedGroupFigures(counties.length, columns, packed), policy.factors, policy.countyWeights as Map<string, Dec>, false).weighted).toBeUndefined();
      }),
      { numRuns: 100 },
    );
  });

  it('refuses a zero denominator, as countyGroupScores does', () => {
    const counties = villageTable([
      { poor: '5', rural: '10', income: '4000.00', extra: '1' },
      { poor: '0', rural: '10', income: '4000.00', extra: '1' },
    ]);
    const policy = policyOf(FACTORS, { scale: '1' });
    const packed = packedColumns(counties, columns)!;
    expect(() => groupNumbers(new PackedGroupFigures(2, columns, packed), FACTORS, policy.countyWeights as Map<string, Dec>, false)).toThrow(InputError);
    let problems: unknown;
    try {
      countyGroupScores(counties, policy, 'villages.csv');
    } catch (error) {
      problems = (error as InputError).problems;
    }
    expect(problems).toEqual([{ file: 'villages.csv', line: 3, column: 'poor_population', message: 'is 0, but factor inverse divides by it' }]);
  });

  it('packs only figures the table holds as digits: a figure of more than nine digits is not packed', () => {
    const counties = villageTable([
      { poor: '5', rural: '10', income: '4000.00', extra: '1' },
      { poor: '5', rural: '10', income: '4000.00', extra: '12345678.901' },
    ]);
    expect(packedColumns(counties, ['poor_population', 'extra_factor'])).toBeUndefined();
    expect(packedColumns(counties, ['poor_population', 'rural_income_per_capita'])).toBeDefined();
  });
});

describe('allocate with stage 2 partly on a worker thread', () => {
  let dir: string;
  let tables: { file: string; budget: string };
  let policy: string;
  // Built code: the worker's module is beside the helper there (npm test builds first).
  type Dist = {
    helper: typeof import('../src/cli/group-numbers-helper.js');
    factors: typeof import('../src/core/factors.js');
    allocate: typeof import('../src/core/allocate.js');
    load: typeof import('../src/io/load-inputs.js');
    csv: typeof import('../src/render/csv.js');
    tables: typeof import('../src/render/tables.js');
    audit: typeof import('../src/core/audit.js');
    stageTwo: typeof import('../src/core/rules/special-poverty-counties.js');
  };
  let dist: Dist;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'povalloc-group-numbers-'));
    // Enough villages that the worker is given provinces (at least MIN_OFFLOADED_UNITS eligible ones).
    tables = ensureTables({ root: ROOT, dir, size: 60_000, seed: 11 });
    const document = JSON.parse(readFileSync(join(ROOT, 'data', 'policies', 'default.json'), 'utf8'));
    document.special_poverty.county.floor.value = '0.00';
    document.special_poverty.county.cap_share.value = '1';
    policy = join(dir, 'policy.json');
    writeFileSync(policy, JSON.stringify(document));
    const at = (path: string): string => join(ROOT, 'dist', path);
    dist = {
      helper: await import(at('cli/group-numbers-helper.js')),
      factors: await import(at('core/factors.js')),
      allocate: await import(at('core/allocate.js')),
      load: await import(at('io/load-inputs.js')),
      csv: await import(at('render/csv.js')),
      tables: await import(at('render/tables.js')),
      audit: await import(at('core/audit.js')),
      stageTwo: await import(at('core/rules/special-poverty-counties.js')),
    };
  }, 120_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** HELPER as the core sees it, with the groups it is offered and the numbers taken from it counted. */
  function counted(helper: NonNullable<ReturnType<Dist['helper']['workerGroupNumbers']>>): { counting: unknown; counts: { offered: number; taken: number } } {
    const counts = { offered: 0, taken: 0 };
    const counting = {
      begin: (groups: readonly (readonly County[])[], groupPolicy: Policy) => {
        counts.offered = groups.length;
        helper.begin(groups as never, groupPolicy as never);
      },
      take: (group: readonly County[], groupPolicy: Policy) => {
        const numbers = helper.take(group as never, groupPolicy as never);
        if (numbers) counts.taken += 1;
        return numbers;
      },
    };
    return { counting, counts };
  }

  /** The run's allocations.csv and audit entries, allocated with the worker or without. */
  function run(counties: string, withWorker: boolean): { table: Buffer; audit: string; taken: number } {
    const loaded = dist.load.loadInputs({ counties, budget: tables.budget, policy, encoding: 'auto' });
    let taken = 0;
    let result;
    if (withWorker) {
      const helper = dist.helper.workerGroupNumbers()!;
      expect(helper).toBeDefined();
      const { counting, counts } = counted(helper);
      try {
        result = dist.factors.withGroupNumbersHelper(counting as never, () => dist.allocate.allocate(loaded.run));
        taken = counts.taken;
      } finally {
        helper.close();
      }
    } else result = dist.allocate.allocate(loaded.run);
    const audit = JSON.stringify(dist.audit.buildAuditRecords({ inputs: [], policy: { name: '', path: '', sha256: '' }, result, tables: [], outputs: [] }));
    return { table: dist.csv.renderCsvBytes(dist.tables.allocationsTable(result)), audit, taken };
  }

  it('writes the same table and audit entries as allocating on one thread, with most provinces computed on the worker', () => {
    const here = run(tables.file, false);
    const there = run(tables.file, true);
    expect(there.taken).toBeGreaterThan(5);
    expect(Buffer.compare(there.table, here.table)).toBe(0);
    expect(there.audit).toBe(here.audit);
  }, 120_000);

  it("hands over each province's pot weights (scores times focus multipliers), which stage 2 then uses rather than making them again", () => {
    /** The run's table with the worker, each answer's pot weights passed through CHANGE; and how many answers had them, under their key. */
    const allocated = (change: (numbers: GroupNumbersResult) => GroupNumbersResult): { table: Buffer; weighted: number } => {
      // Loaded again each time: the numbers of the same county objects are remembered (see factors.ts), not asked for again.
      const loaded = dist.load.loadInputs({ counties: tables.file, budget: tables.budget, policy, encoding: 'auto' });
      const key = dist.stageTwo.plainPotWeightsKey(loaded.run.policy);
      const helper = dist.helper.workerGroupNumbers()!;
      let weighted = 0;
      const changing = {
        begin: (groups: never, groupPolicy: never) => helper.begin(groups, groupPolicy),
        take: (group: never, groupPolicy: never) => {
          const numbers = helper.take(group, groupPolicy);
          if (numbers?.weighted?.key === key) weighted += 1;
          return numbers && change(numbers);
        },
      };
      try {
        return { table: dist.factors.withGroupNumbersHelper(changing as never, () => dist.csv.renderCsvBytes(dist.tables.allocationsTable(dist.allocate.allocate({ ...loaded.run, trace: false })))), weighted };
      } finally {
        helper.close();
      }
    };
    const here = run(tables.file, false).table;
    const asGiven = allocated((numbers) => numbers);
    expect(asGiven.weighted).toBeGreaterThan(5);
    expect(Buffer.compare(asGiven.table, here)).toBe(0);
    // Weights without the focus multipliers: if stage 2 used what the worker gave, the amounts change.
    const unfocused = allocated((numbers) => (numbers.weighted ? { ...numbers, weighted: { key: numbers.weighted.key, weights: numbers.scores } } : numbers));
    expect(Buffer.compare(unfocused.table, here)).not.toBe(0);
    // Under another key (other focus multipliers), they are not used.
    const otherKey = allocated((numbers) => (numbers.weighted ? { ...numbers, weighted: { key: `${numbers.weighted.key}x`, weights: numbers.scores } } : numbers));
    expect(Buffer.compare(otherKey.table, here)).toBe(0);
  }, 120_000);

  it('a second run on the same inputs with other county weights (compare --scenario) takes its scores from the worker, and allocates as on one thread', () => {
    const loaded = dist.load.loadInputs({ counties: tables.file, budget: tables.budget, policy, encoding: 'auto' });
    const other = dist.load.compileWithOverrides('policy.json', loaded.run.policy, [
      { path: 'special_poverty.county.weights.incidence', value: '0.30' },
      { path: 'special_poverty.county.weights.poverty_scale', value: '0.35' },
    ]).policy!;
    expect(other).toBeDefined();
    const table = (run: unknown): Buffer => dist.csv.renderCsvBytes(dist.tables.allocationsTable(dist.allocate.allocate(run as never)));
    /** The run allocated with a worker, and how many groups' numbers it took from there. */
    const withWorker = (run: unknown): { table: Buffer; taken: number } => {
      const helper = dist.helper.workerGroupNumbers()!;
      const { counting, counts } = counted(helper);
      try {
        return { table: dist.factors.withGroupNumbersHelper(counting as never, () => table(run)), taken: counts.taken };
      } finally {
        helper.close();
      }
    };
    const base = { ...loaded.run, trace: false };
    const scenario = { ...loaded.run, policy: other, trace: false };
    const first = withWorker(base);
    // Values and shares are now kept for these villages: the scenario's groups are found there, and their scores
    // (other weights) come from the worker rather than this thread.
    const second = withWorker(scenario);
    expect(first.taken).toBeGreaterThan(5);
    expect(second.taken).toBe(first.taken);
    expect(Buffer.compare(first.table, table(base))).toBe(0);
    expect(Buffer.compare(second.table, table(scenario))).toBe(0);
    expect(Buffer.compare(second.table, first.table)).not.toBe(0);
  }, 120_000);

  it('reports a zero denominator in a province the worker computes as a run on one thread reports it', () => {
    // A factor dividing by the poor population, and the last village (the worker's part) with none.
    const document = JSON.parse(readFileSync(policy, 'utf8'));
    const factors = document.special_poverty.factors;
    factors.inverse = { numerator: 'rural_population', denominator: 'poor_population', description: 'rural over poor' };
    for (const level of ['province', 'county']) document.special_poverty[level].weights.inverse = { value: '0', unit: 'share', description: 'unused', clause: 'IV.2' };
    const changedPolicy = join(dir, 'policy-inverse.json');
    writeFileSync(changedPolicy, JSON.stringify(document));
    const lines = readFileSync(tables.file, 'utf8').trimEnd().split('\n');
    const header = lines[0]!.split(',');
    const poorAt = header.indexOf('poor_population');
    // No village without poor people but the last.
    for (let line = 1; line < lines.length; line++) {
      const cells = lines[line]!.split(',');
      if (cells[poorAt] === '0') {
        cells[poorAt] = '1';
        lines[line] = cells.join(',');
      }
    }
    const last = lines.length - 1;
    const cells = lines[last]!.split(',');
    cells[header.indexOf('poor_population')] = '0';
    cells[header.indexOf('poverty_county')] = '1';
    lines[last] = cells.join(',');
    const changed = join(dir, 'zero-poor.csv');
    writeFileSync(changed, `${lines.join('\n')}\n`);
    const saved = policy;
    policy = changedPolicy;
    try {
      const message = (withWorker: boolean): string => {
        try {
          run(changed, withWorker);
        } catch (error) {
          const problems = (error as { problems?: readonly { file: string; line: number; column?: string; message: string }[] }).problems ?? [];
          return problems.map((problem) => `${problem.file}:${problem.line}: ${problem.column}: ${problem.message}`).join('\n') || (error as Error).message;
        }
        return 'no error';
      };
      const expected = `zero-poor.csv:${last + 1}: poor_population: is 0, but factor inverse divides by it`;
      expect(message(false)).toContain(expected);
      expect(message(true)).toBe(message(false));
    } finally {
      policy = saved;
    }
  }, 120_000);

  /** A run allocated with the worker module MODULE: how many groups were offered and taken, why the worker was given up, the table. */
  function runWithWorker(module: string, stallMs: number): { offered: number; taken: number; givenUp: string | undefined; table: Buffer } {
    const loaded = dist.load.loadInputs({ counties: tables.file, budget: tables.budget, policy, encoding: 'auto' });
    const helper = dist.helper.workerGroupNumbers({ worker: pathToFileURL(module), stallMs })!;
    const { counting, counts } = counted(helper);
    let result;
    try {
      result = dist.factors.withGroupNumbersHelper(counting as never, () => dist.allocate.allocate(loaded.run));
    } finally {
      helper.close();
    }
    return { ...counts, givenUp: helper.givenUp, table: dist.csv.renderCsvBytes(dist.tables.allocationsTable(result)) };
  }

  it('gives up at once on a worker whose module cannot be loaded, and allocates the same run on this thread', () => {
    const broken = join(dir, 'broken-worker.mjs');
    writeFileSync(broken, "throw new Error('broken at load');\n");
    const expected = run(tables.file, false);
    // Without the loader's answer the worker would be given up only after the stall limit, for not answering.
    const withBroken = runWithWorker(broken, 20_000);
    expect(withBroken.taken).toBe(0);
    expect(withBroken.givenUp).toMatch(/^its module could not be loaded: Error: broken at load/);
    expect(Buffer.compare(withBroken.table, expected.table)).toBe(0);
  }, 120_000);

  it('gives up on a worker that does not answer, or answers with a failure, and allocates the same run on this thread', () => {
    const silent = join(dir, 'silent-worker.mjs');
    // Takes every group and never answers.
    writeFileSync(silent, "import { workerData } from 'node:worker_threads';\nworkerData.port.on('message', () => {});\n");
    const failing = join(dir, 'failing-worker.mjs');
    writeFileSync(
      failing,
      "import { workerData } from 'node:worker_threads';\nconst counter = new Int32Array(workerData.answered);\nworkerData.port.on('message', (job) => { workerData.port.postMessage({ id: job.id, failed: 'no' }); Atomics.add(counter, 0, 1); Atomics.notify(counter, 0); });\n",
    );
    const expected = run(tables.file, false);
    for (const module of [silent, failing]) {
      const withModule = runWithWorker(module, 300);
      expect(withModule.offered).toBe(31);
      expect(withModule.taken).toBe(0);
      expect(withModule.givenUp).toBe(module === silent ? 'no answer in 0.3 s' : undefined);
      expect(Buffer.compare(withModule.table, expected.table)).toBe(0);
    }
  }, 120_000);

  /**
   * The run of COUNTIES with stage 2 begun while the table is read (EarlyStageTwo): how many groups it took from
   * the worker, the table and audit entries. SETTLED: the worker has answered every group and is stopped first.
   */
  function runEarly(counties: string, settled = false): { taken: number; eligibleProvinces: number; table: Buffer; audit: string } {
    const early = new dist.helper.EarlyStageTwo();
    const loaded = dist.load.loadInputs({ counties, budget: tables.budget, policy, encoding: 'auto', onProvinceRead: early.onProvinceRead });
    const helper = early.take(loaded.run.policy);
    expect(helper).toBeDefined();
    if (settled) {
      expect(helper!.stopped).toBe(false);
      helper!.settle();
      expect(helper!.stopped).toBe(true);
      expect(helper!.givenUp).toBeUndefined();
    }
    const { counting, counts } = counted(helper!);
    let result;
    try {
      result = dist.factors.withGroupNumbersHelper(counting as never, () => dist.allocate.allocate(loaded.run));
    } finally {
      helper!.close();
      early.close();
    }
    const audit = JSON.stringify(dist.audit.buildAuditRecords({ inputs: [], policy: { name: '', path: '', sha256: '' }, result, tables: [], outputs: [] }));
    const eligibleProvinces = result.provinces.filter((province) => province.eligibleCounties > 0).length;
    return { taken: counts.taken, eligibleProvinces, table: dist.csv.renderCsvBytes(dist.tables.allocationsTable(result)), audit };
  }

  it('begun while the table is read, takes every province from the worker and writes the same table and audit entries as one thread', () => {
    const here = run(tables.file, false);
    const early = runEarly(tables.file);
    expect(early.eligibleProvinces).toBeGreaterThan(20);
    expect(early.taken).toBe(early.eligibleProvinces);
    expect(Buffer.compare(early.table, here.table)).toBe(0);
    expect(early.audit).toBe(here.audit);
  }, 120_000);

  it('stops the worker once it has answered every group, and still gives the numbers it answered', () => {
    const here = run(tables.file, false);
    const early = runEarly(tables.file, true);
    expect(early.taken).toBe(early.eligibleProvinces);
    expect(Buffer.compare(early.table, here.table)).toBe(0);
  }, 120_000);

  it('begun while a table out of code order is read, computes here the provinces read out of order, with the same result', () => {
    // The first village moved to the end: its province's first run lacks it, and its row at the end comes out of order.
    const lines = readFileSync(tables.file, 'utf8').trimEnd().split('\n');
    const moved = join(dir, 'moved.csv');
    writeFileSync(moved, `${[lines[0], ...lines.slice(2), lines[1]].join('\n')}\n`);
    const here = run(tables.file, false);
    const early = runEarly(moved);
    expect(early.taken).toBe(early.eligibleProvinces - 1);
    expect(Buffer.compare(early.table, here.table)).toBe(0);
    expect(early.audit).toBe(here.audit);
  }, 120_000);

  it('begun while a table out of order from its first rows is read, begins no worker: the run begins its own at stage 2, with the same result', () => {
    const lines = readFileSync(tables.file, 'utf8').trimEnd().split('\n');
    const reversed = join(dir, 'reversed.csv');
    writeFileSync(reversed, `${[lines[0], ...lines.slice(1).reverse()].join('\n')}\n`);
    const early = new dist.helper.EarlyStageTwo();
    const loaded = dist.load.loadInputs({ counties: reversed, budget: tables.budget, policy, encoding: 'auto', onProvinceRead: early.onProvinceRead });
    try {
      expect(early.take(loaded.run.policy)).toBeUndefined();
      const result = dist.helper.allocateOnTwoCores(loaded.run, undefined, early);
      expect(Buffer.compare(dist.csv.renderCsvBytes(dist.tables.allocationsTable(result)), run(tables.file, false).table)).toBe(0);
    } finally {
      early.close();
    }
  }, 120_000);

  it('the command writes the same allocations.csv as allocating on one thread', () => {
    const out = join(dir, 'run');
    const result = runCli(['allocate', '--counties', tables.file, '--budget', tables.budget, '--policy', policy, '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    expect(Buffer.compare(readFileSync(join(out, 'allocations.csv')), run(tables.file, false).table)).toBe(0);
  }, 120_000);
});
