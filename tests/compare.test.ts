/**
 * povalloc compare, end to end: policies against each other and run folders
 * against each other, on the hand-checkable fixture and the sample.
 */
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { readCsvRows, ROOT, runCli, SAMPLE, SMALL, sumFen, tempDir } from './helpers.js';
import { readRunOutcome } from '../src/io/run-outcome.js';
import { withTablesOf } from '../src/cli/commands/compare.js';
import { loadInputs } from '../src/io/load-inputs.js';
import { allocate } from '../src/core/allocate.js';
import { outcomeFromResult, type CountyOutcome } from '../src/core/outcome.js';

const small = ['--counties', SMALL.counties, '--budget', SMALL.budget, '--policy', SMALL.policy];
/** One weight moved: 0.1 of stage 2's weight from poverty scale to incidence. */
const MOVED = 'moved:special_poverty.county.weights.incidence=0.6,special_poverty.county.weights.poverty_scale=0.4';

interface CompareJson {
  schema_version: number;
  kind: string;
  base: string;
  scenarios: string[];
  sources: Record<string, string>;
  metrics: Record<string, Record<string, string | null>>;
  policy_diff: Record<string, { path: string; base_value: string; scenario_value: string }[] | null>;
  pots: { scenario: string; fund: string; level: string; county_change: string; balanced: boolean; base_unallocated: string; scenario_unallocated: string }[];
  band_counts: { scenario: string; dimension: string; group: string; band: string; counties: number; poor_population: string }[];
  provinces: Record<string, string | number>[];
  counties: Record<string, string | number>[];
}

function compareJson(args: readonly string[]): CompareJson {
  const result = runCli(['compare', ...args, '--json']);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as CompareJson;
}

function overall(document: CompareJson, scenario: string): Record<string, number> {
  return Object.fromEntries(document.band_counts.filter((row) => row.scenario === scenario && row.dimension === 'overall').map((row) => [row.band, row.counties]));
}

describe('compare a policy with itself', () => {
  test.each([
    ['the small fixture', small, SMALL.policy, 8],
    ['the 832-county sample', ['--counties', SAMPLE.counties, '--budget', SAMPLE.budget], join(ROOT, 'data', 'policies', 'default.json'), 832],
  ])('%s: every change is zero and every county is in "no change"', (_name, inputs, policy, counties) => {
    const document = compareJson([...inputs, '--scenario', policy]);
    expect(document.scenarios).toEqual([policy.endsWith('default.json') ? 'default' : 'policy']);
    const name = document.scenarios[0]!;
    expect(document.counties).toHaveLength(counties);
    for (const row of document.counties) {
      expect(row.change).toBe('0.00');
      expect(row.change_percent).toBe('0.0000');
      expect(row.band).toBe('no_change');
      expect(row.base_total).toBe(row.scenario_total);
    }
    for (const row of document.provinces) expect(row.change).toBe('0.00');
    expect(overall(document, name)).toEqual({ lose_over_5: 0, lose_up_to_5: 0, no_change: counties, gain_up_to_5: 0, gain_over_5: 0 });
    expect(document.metrics[name]).toEqual(document.metrics['base']);
    expect(document.policy_diff[name]).toEqual([]);
    for (const pot of document.pots) {
      expect(pot.balanced).toBe(true);
      expect(pot.county_change).toBe('0.00');
    }
  });
});

describe('compare on the small fixture with one weight moved (checked by hand)', () => {
  // Stage 2 in province 52 (pool 20,000,000.00): 甲 stays capped at 10,000,000.00; 乙 and 丙
  // share the other 10,000,000.00 by score. Poverty-scale shares 1/7 and 2/7, incidence shares
  // 1/6 and 1/6 (incidences 0.1, 0.1 against 甲's 0.4), 丙 x1.05 (ethnic area):
  //   base 0.5/0.5:  乙 13/84, 丙 19/84 x 1.05 -> 乙 = 10,000,000 x 13/32.95   = 3,945,371.78
  //   moved 0.4/0.6: 乙 1.1/7, 丙 1.5/7 x 1.05 -> 乙 = 10,000,000 x 1.1/2.675  = 4,112,149.53
  // so 乙 gains 166,777.75 (+4.2272%) and 丙 loses as much (-2.7545%). Province 45 does not move:
  // 丁 stays at its cap of 4,250,000.00, 庚 (no poor people) at the floor, 戊 gets the rest.
  let document: CompareJson;
  let byCode: Map<string | number | undefined, Record<string, string | number>>;
  beforeAll(() => {
    document = compareJson([...small, '--scenario', MOVED]);
    byCode = new Map(document.counties.map((row) => [row.county_code, row]));
  });

  test('winners and losers', () => {
    expect(byCode.get('520112')).toMatchObject({ county_name: '乙县', base_total: '3945371.78', scenario_total: '4112149.53', change: '166777.75', change_percent: '4.2272', band: 'gain_up_to_5' });
    expect(byCode.get('520113')).toMatchObject({ county_name: '丙县', base_total: '6054628.22', scenario_total: '5887850.47', change: '-166777.75', change_percent: '-2.7545', band: 'lose_up_to_5' });
    for (const code of ['520111', '450001', '450002', '450003', '450004', '130001']) {
      expect(byCode.get(code)).toMatchObject({ change: '0.00', band: 'no_change' });
    }
    expect(overall(document, 'moved')).toEqual({ lose_over_5: 0, lose_up_to_5: 1, no_change: 6, gain_up_to_5: 1, gain_over_5: 0 });
    const poor = Object.fromEntries(document.band_counts.filter((row) => row.dimension === 'overall').map((row) => [row.band, row.poor_population]));
    expect(poor).toEqual({ lose_over_5: '0', lose_up_to_5: '20000', no_change: '76000', gain_up_to_5: '10000', gain_over_5: '0' });
  });

  test('the central and provincial parts of the change (pool 52 is 87% central)', () => {
    // 乙: 4,112,149.53 x 0.87 = 3,577,570.0911 -> 3,577,570.09; 丙: 5,887,850.47 x 0.87 = 5,122,429.9089,
    // rounded down to ...29.90 and given the one fen left over (largest remainder): 5,122,429.91.
    expect(byCode.get('520112')).toMatchObject({ scenario_special_poverty_central: '3577570.09', scenario_special_poverty_provincial: '534579.44' });
    expect(byCode.get('520113')).toMatchObject({ scenario_special_poverty_central: '5122429.91', scenario_special_poverty_provincial: '765420.56' });
  });

  test('per province and per band dimension', () => {
    const provinces = new Map(document.provinces.map((row) => [row.province_code, row]));
    expect(provinces.get('52')).toMatchObject({ base_total: '20000000.00', scenario_total: '20000000.00', change: '0.00' });
    expect(provinces.get('45')).toMatchObject({ change: '0.00' });
    const priority = document.band_counts.filter((row) => row.dimension === 'priority' && row.group === 'priority' && row.counties > 0);
    expect(priority.map((row) => [row.band, row.counties])).toEqual([
      ['lose_up_to_5', 1],
      ['no_change', 1],
      ['gain_up_to_5', 1],
    ]);
    const groups = new Set(document.band_counts.filter((row) => row.dimension === 'contiguous_area').map((row) => row.group));
    expect([...groups].sort()).toEqual(['none', '乌蒙山区']);
  });

  test('per pot, the changes add up to zero', () => {
    for (const pot of document.pots) {
      expect(pot.balanced).toBe(true);
      expect(pot.county_change).toBe('0.00');
      expect(pot.scenario_unallocated).toBe(pot.base_unallocated);
    }
    const sum = (column: string): bigint => sumFen(document.counties.map((row) => ({ [column]: String(row[column]) })), column);
    expect(sum('change')).toBe(0n);
    expect(sum('change_special_poverty_central')).toBe(0n);
    expect(sum('change_special_poverty_provincial')).toBe(0n);
  });

  test('the policy differences, path by path, and the metrics that moved', () => {
    expect(document.policy_diff['moved']).toEqual([
      { path: 'special_poverty.county.weights.incidence', base_value: '0.5', scenario_value: '0.6' },
      { path: 'special_poverty.county.weights.poverty_scale', base_value: '0.5', scenario_value: '0.4' },
    ]);
    // Per poor person: 乙 411.21 (4,112,149.53 / 10,000) is the new maximum; before, it was 394.54.
    expect(document.metrics['base']!['per_poor_max']).toBe('394.54');
    expect(document.metrics['moved']!['per_poor_max']).toBe('411.21');
    expect(document.metrics['moved']!['share_priority_provinces']).toBe(document.metrics['base']!['share_priority_provinces']);
    expect(document.metrics['base']!['unallocated']).toBe('1000000.00');
  });
});

describe('compare RUN_A RUN_B', () => {
  test('equals compare from the policies', () => {
    const dir = tempDir();
    const runA = join(dir, 'a');
    const runB = join(dir, 'moved');
    expect(runCli(['allocate', ...small, '--out', runA]).code).toBe(0);
    expect(runCli(['allocate', ...small, '--out', runB, '--set', 'special_poverty.county.weights.incidence=0.6', '--set', 'special_poverty.county.weights.poverty_scale=0.4']).code).toBe(0);
    const fromRuns = compareJson([runA, runB]);
    const fromPolicies = compareJson([...small, '--scenario', MOVED]);
    expect(fromRuns.scenarios).toEqual(['moved']);
    const { sources: runSources, policy_diff: runDiff, ...runRest } = fromRuns;
    const { sources: policySources, policy_diff: policyDiff, ...policyRest } = fromPolicies;
    expect(runRest).toEqual(policyRest);
    expect(runSources).toEqual({ base: runA, moved: runB });
    expect(policySources['moved']).toContain('special_poverty.county.weights.incidence=0.6');
    // allocate records the effective policy in inputs/policy.json: the diff is the same as from the policies.
    expect(runDiff).toEqual(policyDiff);
    // Without it, the policy diff is unavailable, and says so.
    rmSync(join(runA, 'inputs', 'policy.json'));
    expect(compareJson([runA, runB]).policy_diff).toEqual({ moved: null });
    const human = runCli(['compare', runA, runB]);
    expect(human.stdout).toContain('policy differences: unavailable (a run folder has no inputs/policy.json)');
  });

  test('a run folder whose tables do not add up is refused (exit 2)', () => {
    const dir = tempDir();
    const run = join(dir, 'a');
    expect(runCli(['allocate', ...small, '--out', run]).code).toBe(0);
    const allocations = readFileSync(join(run, 'allocations.csv'), 'utf8');
    writeFileSync(join(run, 'allocations.csv'), allocations.replace('3432473.45', '3432473.46'));
    const result = runCli(['compare', run, run]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('special_poverty_central: adds up to 23900000.01, but summary.json says 23900000.00 of special_poverty central was allocated');
  });

  test("allocations.csv read row by row: each bad cell named with its line, a missing column named, a column not wholly amounts left out", () => {
    const dir = tempDir();
    const run = join(dir, 'a');
    expect(runCli(['allocate', ...small, '--out', run]).code).toBe(0);
    const original = readFileSync(join(run, 'allocations.csv'), 'utf8');
    const lines = original.split('\r\n');
    const header = lines[0]!.replace(/^\uFEFF/, '').split(',');
    const edited = (edit: (cells: string[], line: number) => void): string =>
      lines.map((line, index) => {
        if (index === 0 || line === '') return line;
        const cells = line.split(',');
        edit(cells, index + 1);
        return cells.join(',');
      }).join('\r\n');
    writeFileSync(join(run, 'allocations.csv'), edited((cells, line) => {
      if (line === 3) cells[header.indexOf('total')] = 'abc';
      if (line === 5) cells[header.indexOf('poor_population')] = 'x';
    }));
    let result = runCli(['compare', run, run]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('allocations.csv:3: total: "abc" is not an amount in yuan');
    expect(result.stderr).toContain('allocations.csv:5: poor_population: "x" is not a whole number');
    writeFileSync(join(run, 'allocations.csv'), original.replace(',binding,', ',bound,'));
    result = runCli(['compare', run, run]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('allocations.csv:1: binding: column is missing: is this a povalloc run folder?');
    // An amount in one row of a column every other row leaves empty (a rule that did not run): not an amount column.
    writeFileSync(join(run, 'allocations.csv'), edited((cells, line) => {
      if (line === 2) cells[header.indexOf('relocation')] = '5.00';
    }));
    result = runCli(['compare', run, run, '--json']);
    expect(result.code, result.stderr).toBe(0);
    const document = JSON.parse(result.stdout) as { counties: Record<string, string>[] };
    expect(Object.keys(document.counties[0]!)).not.toContain('change_relocation');
    expect(Object.keys(document.counties[0]!)).toContain('change_special_poverty_central');
    // Each county's amounts are those of the amount columns and the total, as a map of them would be.
    const { outcome } = readRunOutcome(run);
    expect(outcome.amountColumns).not.toContain('relocation');
    for (const county of outcome.counties) expect([...county.amounts.keys()]).toEqual([...outcome.amountColumns, 'total']);
  });

  test('each county of a run folder reads as its row of allocations.csv: texts, yes/no cells, poor population of any length, amounts', () => {
    const dir = tempDir();
    const run = join(dir, 'a');
    expect(runCli(['allocate', '--counties', SAMPLE.counties, '--budget', SAMPLE.budget, '--out', run]).code).toBe(0);
    const path = join(run, 'allocations.csv');
    const original = readFileSync(path, 'utf8');
    const lines = original.split('\r\n');
    const header = lines[0]!.replace(/^\uFEFF/, '').split(',');
    const poorAt = header.indexOf('poor_population');
    const eligibleAt = header.indexOf('eligible');
    // A poor population of more than nine digits (kept as a bigint), one written with leading zeros, and (every
    // county of the sample is eligible) one county read as not eligible.
    let edited = 0;
    writeFileSync(
      path,
      lines
        .map((line, index) => {
          if (index === 0 || line === '' || line.includes('"')) return line;
          const cells = line.split(',');
          if (edited === 0) cells[poorAt] = '12345678901234567890';
          else if (edited === 1) cells[poorAt] = `00${cells[poorAt]}`;
          else if (edited === 2) cells[eligibleAt] = 'false';
          else return line;
          edited++;
          return cells.join(',');
        })
        .join('\r\n'),
    );
    expect(edited).toBe(3);
    const rows = readCsvRows(path);
    const { outcome } = readRunOutcome(run);
    expect(outcome.counties).toHaveLength(rows.length);
    const byCode = new Map(rows.map((row) => [row['county_code']!, row]));
    let priority = 0;
    let eligible = 0;
    for (const county of outcome.counties) {
      const row = byCode.get(county.code)!;
      expect([county.name, county.provinceCode, county.provinceName, county.region, county.contiguousArea, county.binding]).toEqual([
        row['county_name'],
        row['province_code'],
        row['province_name'],
        row['region'],
        row['contiguous_area'],
        row['binding'],
      ]);
      expect(county.priorityProvince).toBe(row['priority_province'] === 'true');
      expect(county.eligible).toBe(row['eligible'] === 'true');
      expect(county.poorPopulation).toBe(BigInt(row['poor_population']!));
      expect([...county.amounts]).toEqual([...outcome.amountColumns, 'total'].map((column) => [column, sumFen([row], column)]));
      if (county.priorityProvince) priority++;
      if (county.eligible) eligible++;
    }
    // Both kinds of each yes/no cell occur, and the long poor population was read whole.
    expect([priority > 0, priority < rows.length, eligible > 0, eligible < rows.length]).toEqual([true, true, true, true]);
    expect(outcome.counties.some((county) => county.poorPopulation === 12345678901234567890n)).toBe(true);
  });

  test('usage errors', () => {
    expect(runCli(['compare', 'only-one']).stderr).toContain('give exactly two run folders');
    const withSet = runCli(['compare', 'a', 'b', '--set', 'x=1']);
    expect(withSet.code).toBe(2);
    expect(withSet.stderr).toContain('drop --set');
    const missing = runCli(['compare', join(tempDir(), 'nope'), join(tempDir(), 'nope2')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('is not a run folder');
    expect(runCli(['compare', ...small]).stderr).toContain('give at least one --scenario');
    expect(runCli(['compare']).stderr).toContain('give --counties and --budget with --scenario, or two run folders');
  });
});

describe('compare output', () => {
  test('--out writes the six files with the documented columns; stdout keeps the summary', () => {
    const out = join(tempDir(), 'cmp');
    const result = runCli(['compare', ...small, '--scenario', MOVED, '--out', out]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('Scenario moved');
    expect(result.stdout).toContain('520112 乙县 (贵州省): +166,777.75 yuan (4.2272%)');
    const header = (name: string): string[] => Object.keys(readCsvRows(join(out, name))[0] ?? {});
    expect(header('counties.csv').slice(0, 10)).toEqual(['county_code', 'county_name', 'province_code', 'scenario', 'base_special_poverty', 'scenario_special_poverty', 'base_total', 'scenario_total', 'change', 'change_percent']);
    expect(header('provinces.csv').slice(0, 9)).toEqual(['province_code', 'province_name', 'scenario', 'base_special_poverty', 'scenario_special_poverty', 'base_total', 'scenario_total', 'change', 'change_percent']);
    expect(header('bands.csv')).toEqual(['scenario', 'dimension', 'group', 'band', 'counties', 'poor_population']);
    expect(header('metrics.csv')).toEqual(['scenario', 'metric', 'value']);
    expect(header('policy_diff.csv')).toEqual(['scenario', 'path', 'base_value', 'scenario_value']);
    const metrics = readCsvRows(join(out, 'metrics.csv'));
    expect(metrics.filter((row) => row.scenario === 'base')).toHaveLength(11);
    expect(new Set(readCsvRows(join(out, 'bands.csv')).map((row) => row.dimension))).toEqual(new Set(['overall', 'province', 'region', 'contiguous_area', 'priority']));
    const compareFile = JSON.parse(readFileSync(join(out, 'compare.json'), 'utf8')) as CompareJson;
    expect(compareFile).toEqual(compareJson([...small, '--scenario', MOVED]));
    // --out refuses an existing folder without --force, and writes nothing.
    const again = runCli(['compare', ...small, '--scenario', MOVED, '--out', out]);
    expect(again.code).toBe(2);
    expect(again.stdout).toBe('');
  });

  test('scenario names: file names, inline names, made unique; a list value may contain commas', () => {
    const dir = tempDir();
    const copy = join(dir, 'base.json');
    copyFileSync(SMALL.policy, copy);
    const document = compareJson([
      ...small,
      '--scenario', copy,
      '--scenario', 'keys:eligibility.any_of=key_county,contiguous_area,special_poverty.county.floor=1000000.00',
      '--scenario', 'keys:special_poverty.county.floor=1000000.00',
    ]);
    expect(document.scenarios).toEqual(['base-2', 'keys', 'keys-2']);
    expect(document.policy_diff['keys']).toEqual([
      { path: 'eligibility.any_of', base_value: 'poverty_county,key_county,contiguous_area', scenario_value: 'key_county,contiguous_area' },
      { path: 'special_poverty.county.floor', base_value: '2000000.00', scenario_value: '1000000.00' },
    ]);
    // Only 甲 is a key county or in a contiguous area: it is the only eligible county left.
    const keys = document.counties.filter((row) => row.scenario === 'keys' && row.scenario_total !== '0.00');
    expect(keys.map((row) => row.county_code)).toEqual(['520111']);
  });

  test('a bad inline scenario and a bad --set are reported together, exit 2', () => {
    const result = runCli(['compare', ...small, '--scenario', 'bad:special_poverty.county.floor=lots', '--scenario', 'worse:special_poverty.county.flor=1']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('--scenario bad: special_poverty.county.floor: "lots" is not an amount in yuan');
    expect(result.stderr).toContain('--scenario worse: special_poverty.county.flor: is not a value in the policy; nearest valid paths: special_poverty.county.floor');
  });

  test('--set changes every policy compared', () => {
    const document = compareJson([...small, '--set', 'special_poverty.county.floor=2500000.00', '--scenario', MOVED]);
    const geng = document.counties.find((row) => row.county_code === '450004')!;
    expect(geng).toMatchObject({ base_total: '2500000.00', scenario_total: '2500000.00' });
    expect(document.policy_diff['moved']!.map((difference) => difference.path)).not.toContain('special_poverty.county.floor');
  });

  test('the county table can come from standard input', () => {
    const input = readFileSync(SMALL.counties);
    const result = runCli(['compare', '--counties', '-', '--budget', SMALL.budget, '--policy', SMALL.policy, '--scenario', MOVED, '--json'], { input });
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as CompareJson).counties).toHaveLength(8);
  });
});

describe('compare --scenario reads the tables once', () => {
  const base = () => loadInputs({ counties: SMALL.counties, budget: SMALL.budget, policy: SMALL.policy, encoding: 'auto' });

  test('a scenario of overrides, or a policy file reading the same columns and funds, shares the base\'s county table and budget', () => {
    const loaded = base();
    const spec = {
      policyPath: SMALL.policy,
      overrides: [
        { path: 'special_poverty.county.weights.incidence', value: '0.6' },
        { path: 'special_poverty.county.weights.poverty_scale', value: '0.4' },
      ],
      overrideSource: '--scenario up',
    };
    const shared = withTablesOf(loaded, spec)!;
    expect(shared.run.counties).toBe(loaded.run.counties);
    expect(shared.run.budget).toBe(loaded.run.budget);
    expect(shared.run.policy.countyWeights.get('incidence')!.toFixed()).toBe('0.6');
    expect(shared.overrides).toEqual(spec.overrides);
    // What it allocates is what a scenario read on its own allocates.
    const own = loadInputs({ counties: SMALL.counties, budget: SMALL.budget, policy: SMALL.policy, encoding: 'auto', overrides: spec.overrides, overrideSource: spec.overrideSource });
    const amounts = (run: typeof own.run) => allocate({ ...run, trace: false }).counties.map((countyState) => [countyState.county.code, [...countyState.amounts]]);
    expect(amounts(shared.run)).toEqual(amounts(own.run));
    // The same policy file as a scenario of its own.
    expect(withTablesOf(loaded, { policyPath: SMALL.policy, overrides: [], overrideSource: '--set' })!.run.counties).toBe(loaded.run.counties);
  });

  test('a policy with another factor (other columns of the table), or with problems, is read on its own', () => {
    const loaded = base();
    const dir = tempDir();
    const document = JSON.parse(readFileSync(SMALL.policy, 'utf8'));
    document.special_poverty.factors.road = { numerator: 'road_km', description: 'road' };
    for (const level of ['province', 'county']) document.special_poverty[level].weights.road = { value: '0', unit: 'share', description: 'unused', clause: 'IV.2' };
    const other = join(dir, 'other-factor.json');
    writeFileSync(other, JSON.stringify(document));
    expect(withTablesOf(loaded, { policyPath: other, overrides: [], overrideSource: '--set' })).toBeUndefined();
    expect(withTablesOf(loaded, { policyPath: join(dir, 'missing.json'), overrides: [], overrideSource: '--set' })).toBeUndefined();
    expect(withTablesOf(loaded, { policyPath: SMALL.policy, overrides: [{ path: 'special_poverty.county.weights.incidence', value: 'x' }], overrideSource: '--scenario bad' })).toBeUndefined();
  });
});

describe('an outcome from an allocation', () => {
  test('reads each county\'s facts and amounts from the allocation, as the county and its state give them', () => {
    const flags = new Set<string>();
    for (const inputs of [{ counties: SAMPLE.counties, budget: SAMPLE.budget }, { counties: SMALL.counties, budget: SMALL.budget, policy: SMALL.policy }]) {
      const loaded = loadInputs({ ...inputs, encoding: 'auto' });
      const result = allocate({ ...loaded.run, trace: false });
      const outcome = outcomeFromResult(result);
      const facts = (county: CountyOutcome) => [
        county.code,
        county.name,
        county.provinceCode,
        county.provinceName,
        county.region,
        county.contiguousArea,
        county.priorityProvince,
        county.eligible,
        county.poorPopulation,
        county.binding,
        [...county.amounts],
      ];
      expect(outcome.counties.map(facts)).toEqual(
        result.counties.map((countyState) => [
          countyState.county.code,
          countyState.county.name,
          countyState.county.province.code,
          countyState.county.province.nameZh,
          countyState.county.province.region,
          countyState.county.contiguousArea,
          countyState.priorityProvince,
          countyState.eligible,
          BigInt(countyState.county.poorPopulation.toFixed(0)),
          countyState.binding ?? '',
          [...countyState.amounts],
        ]),
      );
      for (const county of outcome.counties) flags.add(`eligible ${county.eligible}`).add(`priority ${county.priorityProvince}`);
    }
    // Each flag is read both ways.
    expect([...flags].sort()).toEqual(['eligible false', 'eligible true', 'priority false', 'priority true']);
  });
});
