/**
 * Generated allocation scenarios for the property and fuzz tests: county
 * tables, budgets and policies as fast-check arbitraries, written to files in
 * any column order, row order and spacing, and run in-process through the
 * same path as the CLI (loadInputs, allocate, renderRun).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { renderRun } from '../../src/cli/run-files.js';
import { allocate, type AllocationResult } from '../../src/core/allocate.js';
import { loadInputs } from '../../src/io/load-inputs.js';
import { contentBytes } from '../../src/io/run-folder.js';
import { ROOT, tempDir } from '../helpers.js';

export const PROVINCES = ['13', '45', '52', '62', '65'] as const;
const AREAS = ['', '', '', '乌蒙山区', '六盘山区', '滇桂黔石漠化区', '新疆南疆三地州', '燕山-太行山区'];

export interface CountyRow {
  county_code: string;
  county_name: string;
  poor_population: string;
  rural_population: string;
  rural_income_per_capita: string;
  fiscal_revenue_per_capita: string;
  poverty_county: string;
  key_county: string;
  contiguous_area: string;
  old_revolutionary_base: string;
  ethnic_minority_area: string;
  border_area: string;
}

export interface Scenario {
  readonly counties: CountyRow[];
  /** fund, level, province_code, amount */
  readonly budget: string[][];
  readonly policy: Record<string, unknown>;
}

export const COUNTY_HEADER: readonly (keyof CountyRow)[] = [
  'county_code',
  'county_name',
  'poor_population',
  'rural_population',
  'rural_income_per_capita',
  'fiscal_revenue_per_capita',
  'poverty_county',
  'key_county',
  'contiguous_area',
  'old_revolutionary_base',
  'ethnic_minority_area',
  'border_area',
];

/** Yuan text with two decimals from a number of fen. */
export function yuan(fen: bigint): string {
  return `${fen / 100n}.${(fen % 100n).toString().padStart(2, '0')}`;
}

/** Decimal text with `places` places from an integer count of the smallest unit. */
function fixed(units: number, places: number): string {
  const text = String(units).padStart(places + 1, '0');
  return places === 0 ? text : `${text.slice(0, -places)}.${text.slice(-places)}`;
}

const countyArbitrary = fc
  .record({
    province: fc.constantFrom(...PROVINCES),
    suffix: fc.integer({ min: 1, max: 9999 }),
    poor: fc.oneof(fc.integer({ min: 0, max: 300_000 }), fc.constant(0), fc.integer({ min: 0, max: 50 })),
    extraRural: fc.integer({ min: 1, max: 1_500_000 }),
    income: fc.integer({ min: 10_000, max: 3_000_000 }),
    fiscal: fc.integer({ min: 100, max: 800_000 }),
    poverty: fc.boolean(),
    key: fc.boolean(),
    area: fc.constantFrom(...AREAS),
    old: fc.boolean(),
    ethnic: fc.boolean(),
    border: fc.boolean(),
    name: fc.constantFrom('甲县', '乙县', '丙县', '丁旗', '戊自治县', 'County', '=SUM(A1)', '-x', '@y'),
  })
  .map((c) => ({ ...c, code: `${c.province}${String(c.suffix).padStart(4, '0')}` }));

/** A decimal parameter value as the policy writes it. */
const share = (min: number, max: number, places: number): fc.Arbitrary<string> => fc.integer({ min, max }).map((units) => fixed(units, places));

const policyArbitrary = fc.record({
  provinceWeights: fc.array(share(0, 100, 2), { minLength: 4, maxLength: 4 }),
  countyWeights: fc.array(share(0, 100, 2), { minLength: 4, maxLength: 4 }),
  priorityPoor: fc.integer({ min: 0, max: 600_000 }),
  priorityIncidence: share(0, 60, 2),
  priorityMultiplier: share(100, 200, 2),
  focus: fc.array(share(100, 150, 2), { minLength: 5, maxLength: 5 }),
  multiplierCap: share(100, 200, 2),
  floorFen: fc.oneof(fc.constant(0n), fc.bigInt({ min: 0n, max: 500_000_000n })),
  capShare: fc.oneof(share(1, 100, 2), fc.constantFrom('0.5', '0.25', '0.2', '0.125', '0.1', '1')),
});

type GeneratedPolicy = typeof policyArbitrary extends fc.Arbitrary<infer T> ? T : never;

function buildPolicy(generated: GeneratedPolicy): Record<string, unknown> {
  const policy = JSON.parse(readFileSync(join(ROOT, 'data', 'policies', 'default.json'), 'utf8')) as Record<string, any>;
  const special = policy['special_poverty'];
  const factors = Object.keys(special.province.weights).sort();
  // At least one positive weight at each level; renormalise so weights need not sum to 1.
  const weights = (values: string[]): string[] => (values.every((value) => Number(value) === 0) ? ['1', ...values.slice(1)] : values);
  weights(generated.provinceWeights).forEach((value, index) => (special.province.weights[factors[index]!].value = value));
  weights(generated.countyWeights).forEach((value, index) => (special.county.weights[factors[index]!].value = value));
  special.renormalise_weights.value = true;
  policy['priority_province'].poor_population_exceeds.value = String(generated.priorityPoor);
  policy['priority_province'].incidence_exceeds.value = generated.priorityIncidence;
  special.province.priority_multiplier.value = generated.priorityMultiplier;
  Object.keys(special.county.focus_multipliers)
    .sort()
    .forEach((flag, index) => (special.county.focus_multipliers[flag].value = generated.focus[index]));
  special.county.multiplier_cap.value = generated.multiplierCap;
  special.county.floor.value = yuan(generated.floorFen);
  special.county.cap_share.value = Number(generated.capShare) === 0 ? '0.01' : generated.capShare;
  return policy;
}

export const scenarioArbitrary: fc.Arbitrary<Scenario> = fc
  .record({
    counties: fc.uniqueArray(countyArbitrary, { minLength: 1, maxLength: 24, selector: (county) => county.code }),
    centralFen: fc.oneof(fc.bigInt({ min: 0n, max: 10_000_000_000_00n }), fc.bigInt({ min: 0n, max: 1000n })),
    provincialFen: fc.array(fc.option(fc.bigInt({ min: 0n, max: 2_000_000_000_00n }), { nil: undefined }), { minLength: 5, maxLength: 5 }),
    relocationFen: fc.option(fc.bigInt({ min: 0n, max: 1_000_000_000_00n }), { nil: undefined }),
    policy: policyArbitrary,
  })
  .map((generated) => {
    const counties: CountyRow[] = generated.counties.map((c) => ({
      county_code: c.code,
      county_name: c.name,
      poor_population: String(c.poor),
      rural_population: String(c.poor + c.extraRural),
      rural_income_per_capita: fixed(c.income, 2),
      fiscal_revenue_per_capita: fixed(c.fiscal, 2),
      poverty_county: String(c.poverty),
      key_county: String(c.key),
      contiguous_area: c.area,
      old_revolutionary_base: String(c.old),
      ethnic_minority_area: String(c.ethnic),
      border_area: String(c.border),
    }));
    const budget: string[][] = [['special_poverty', 'central', '', yuan(generated.centralFen)]];
    PROVINCES.forEach((code, index) => {
      const amount = generated.provincialFen[index];
      if (amount !== undefined) budget.push(['special_poverty', 'provincial', code, yuan(amount)]);
    });
    if (generated.relocationFen !== undefined) budget.push(['relocation', 'central', '', yuan(generated.relocationFen)]);
    return { counties, budget, policy: buildPolicy(generated.policy) };
  });

/** How a scenario is written to files: none of it may change the output. */
export interface Layout {
  readonly columnOrder?: readonly number[];
  readonly countyOrder?: readonly number[];
  readonly budgetOrder?: readonly number[];
  /** Spaces around cells (by a seed), blank lines, Excel's trailing ,,,, rows, CRLF, BOM. */
  readonly spacing?: { readonly pad: readonly string[]; readonly blankLines: number; readonly crlf: boolean; readonly bom: boolean };
}

export const layoutArbitrary = (scenario: Scenario): fc.Arbitrary<Layout> =>
  fc.record({
    columnOrder: fc.shuffledSubarray([...COUNTY_HEADER.keys()], { minLength: COUNTY_HEADER.length }),
    countyOrder: fc.shuffledSubarray([...scenario.counties.keys()], { minLength: scenario.counties.length }),
    budgetOrder: fc.shuffledSubarray([...scenario.budget.keys()], { minLength: scenario.budget.length }),
    spacing: fc.record({
      pad: fc.array(fc.constantFrom('', '', ' ', '  ', '\u3000', '\t'), { minLength: 1, maxLength: 16 }),
      blankLines: fc.integer({ min: 0, max: 3 }),
      crlf: fc.boolean(),
      bom: fc.boolean(),
    }),
  });

function csvText(rows: readonly (readonly string[])[], spacing: Layout['spacing']): string {
  const end = spacing?.crlf ? '\r\n' : '\n';
  let padIndex = 0;
  const pad = (): string => (spacing ? spacing.pad[padIndex++ % spacing.pad.length]! : '');
  const quote = (cell: string): string => (/[",\r\n]/.test(cell) || /^[\s\u3000]|[\s\u3000]$/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell);
  const lines = rows.map((row) => row.map((cell) => `${pad()}${quote(cell)}${pad()}`).join(','));
  const blank = spacing ? Array.from({ length: spacing.blankLines }, (_, index) => (index % 2 === 0 ? '' : ',,,,')) : [];
  const body = [lines[0]!, ...blank, ...lines.slice(1), ...blank].join(end) + end;
  return (spacing?.bom ? '\uFEFF' : '') + body;
}

export interface ScenarioFiles {
  readonly counties: string;
  readonly budget: string;
  readonly policy: string;
}

export function writeScenario(dir: string, scenario: Scenario, layout: Layout = {}): ScenarioFiles {
  mkdirSync(dir, { recursive: true });
  const columns = (layout.columnOrder ?? [...COUNTY_HEADER.keys()]).map((index) => COUNTY_HEADER[index]!);
  const countyRows = (layout.countyOrder ?? [...scenario.counties.keys()]).map((index) => scenario.counties[index]!);
  const budgetRows = (layout.budgetOrder ?? [...scenario.budget.keys()]).map((index) => scenario.budget[index]!);
  const files = { counties: join(dir, 'counties.csv'), budget: join(dir, 'budget.csv'), policy: join(dir, 'policy.json') };
  writeFileSync(files.counties, csvText([columns, ...countyRows.map((row) => columns.map((column) => row[column]))], layout.spacing));
  writeFileSync(files.budget, csvText([['fund', 'level', 'province_code', 'amount'], ...budgetRows], layout.spacing));
  writeFileSync(files.policy, JSON.stringify(scenario.policy, null, 2));
  return files;
}

export interface ScenarioRun {
  readonly result: AllocationResult;
  /** Output files by name (allocations.csv, provinces.csv, checks.csv, summary.json). */
  readonly outputs: ReadonlyMap<string, string>;
}

/** Loads the files through the CLI's path and allocates, in-process. Throws InputError on bad input. */
export function runFiles(files: ScenarioFiles): ScenarioRun {
  const loaded = loadInputs({ counties: files.counties, budget: files.budget, policy: files.policy, encoding: 'auto' });
  const result = allocate(loaded.run);
  const rendered = renderRun(result, loaded);
  return { result, outputs: new Map(rendered.files.map((file) => [file.name, contentBytes(file.content).toString('utf8')])) };
}

let scratch: string | undefined;
let counter = 0;

/** A fresh folder under one temporary folder per test process. */
export function scratchDir(): string {
  scratch ??= tempDir('povalloc-prop-');
  counter++;
  return join(scratch, String(counter));
}

export function runScenario(scenario: Scenario, layout: Layout = {}): ScenarioRun {
  return runFiles(writeScenario(scratchDir(), scenario, layout));
}
