/**
 * Reads the outcome of an existing run folder (allocations.csv,
 * provinces.csv, summary.json and, when present, inputs/policy.json) for
 * `compare RUN_A RUN_B`. The tables are checked against each other: county
 * amounts must add up to the province rows and to the fund totals of
 * summary.json, so a hand-edited table is refused rather than compared.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseYuan, formatYuan, type Fen } from '../core/money.js';
import type { CountyOutcome, FundLevelOutcome, Outcome } from '../core/outcome.js';
import { FUND_LEVEL_COLUMNS } from '../core/allocate.js';
import { appendAll, InputError, type Problem } from '../core/problems.js';
import { parseCsvTable, type Table } from '../core/table.js';
import { readInputFile } from './read-inputs.js';

export interface RunOutcome {
  readonly outcome: Outcome;
  /** inputs/policy.json, when the run folder has it. */
  readonly policyDocument: unknown;
  readonly policyPath: string | undefined;
}

const MONEY_CELL = /^-?\d+\.\d{2}$/;

function readTable(dir: string, name: string, problems: Problem[]): Table | undefined {
  const path = join(dir, name);
  const { file, problem } = readInputFile(path, 'utf8', () => Buffer.alloc(0));
  if (!file) {
    problems.push({ ...problem!, file: path });
    return undefined;
  }
  const { table, problems: tableProblems } = parseCsvTable(path, file.text);
  appendAll(problems, tableProblems);
  return tableProblems.length === 0 ? table : undefined;
}

function cell(table: Table, row: Table['rows'][number], column: string): string {
  const index = table.header.indexOf(column);
  return index < 0 ? '' : (row.cells[index] ?? '');
}

function money(text: string): Fen | null {
  if (!MONEY_CELL.test(text)) return null;
  const negative = text.startsWith('-');
  const fen = parseYuan(negative ? text.slice(1) : text);
  return fen === null ? null : negative ? -fen : fen;
}

/** The amount columns: those between `binding` and `total` whose every cell is an amount in yuan. */
function amountColumnsOf(table: Table): string[] {
  const start = table.header.indexOf('binding');
  const end = table.header.indexOf('total');
  if (start < 0 || end < 0 || end <= start) return [];
  return table.header.slice(start + 1, end).filter((column) => table.rows.every((row) => money(cell(table, row, column)) !== null));
}

export function readRunOutcome(dir: string): RunOutcome {
  const problems: Problem[] = [];
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new InputError([{ file: dir, line: 0, message: 'is not a run folder (no such folder)' }]);
  }
  const allocations = readTable(dir, 'allocations.csv', problems);
  const provinces = readTable(dir, 'provinces.csv', problems);
  let summary: { funds?: Record<string, Record<string, { budget?: string; allocated?: string; unallocated?: string }>>; unallocated?: { total?: string } } | undefined;
  const summaryPath = join(dir, 'summary.json');
  try {
    summary = JSON.parse(readFileSync(summaryPath, 'utf8'));
  } catch (error) {
    problems.push({ file: summaryPath, line: 0, message: `cannot be read: ${(error as Error).message}` });
  }
  if (!allocations || !provinces || !summary || problems.length > 0) throw new InputError(problems);

  const allocationsPath = join(dir, 'allocations.csv');
  const required = ['county_code', 'county_name', 'province_code', 'province_name', 'region', 'eligible', 'contiguous_area', 'priority_province', 'poor_population', 'binding', 'total'];
  for (const column of required) {
    if (!allocations.header.includes(column)) problems.push({ file: allocationsPath, line: allocations.headerLine, column, message: 'column is missing: is this a povalloc run folder?' });
  }
  if (problems.length > 0) throw new InputError(problems);
  const amountColumns = amountColumnsOf(allocations);

  const counties: CountyOutcome[] = [];
  for (const row of allocations.rows) {
    const amounts = new Map<string, Fen>();
    for (const column of [...amountColumns, 'total']) {
      const value = money(cell(allocations, row, column));
      if (value === null) problems.push({ file: allocationsPath, line: row.line, column, message: `${JSON.stringify(cell(allocations, row, column))} is not an amount in yuan` });
      else amounts.set(column, value);
    }
    const poorText = cell(allocations, row, 'poor_population');
    if (!/^\d+$/.test(poorText)) problems.push({ file: allocationsPath, line: row.line, column: 'poor_population', message: `${JSON.stringify(poorText)} is not a whole number` });
    counties.push({
      code: cell(allocations, row, 'county_code'),
      name: cell(allocations, row, 'county_name'),
      provinceCode: cell(allocations, row, 'province_code'),
      provinceName: cell(allocations, row, 'province_name'),
      region: cell(allocations, row, 'region'),
      contiguousArea: cell(allocations, row, 'contiguous_area'),
      priorityProvince: cell(allocations, row, 'priority_province') === 'true',
      eligible: cell(allocations, row, 'eligible') === 'true',
      poorPopulation: /^\d+$/.test(poorText) ? BigInt(poorText) : 0n,
      binding: cell(allocations, row, 'binding'),
      amounts,
    });
  }
  counties.sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));

  const funds: FundLevelOutcome[] = [];
  const summaryFunds = summary.funds ?? {};
  for (const fund of Object.keys(summaryFunds).sort()) {
    for (const level of ['central', 'provincial'] as const) {
      const account = summaryFunds[fund]?.[level];
      if (!account) continue;
      const budget = money(account.budget ?? '');
      const allocated = money(account.allocated ?? '');
      const unallocated = money(account.unallocated ?? '');
      if (budget === null || allocated === null || unallocated === null) {
        problems.push({ file: summaryPath, line: 0, column: `funds.${fund}.${level}`, message: 'budget, allocated and unallocated must be amounts in yuan' });
        continue;
      }
      funds.push({ fund, level, budget, allocated, unallocated });
    }
  }
  const unallocated = money(summary.unallocated?.total ?? '');
  if (unallocated === null) problems.push({ file: summaryPath, line: 0, column: 'unallocated.total', message: 'is not an amount in yuan' });
  if (problems.length > 0) throw new InputError(problems);

  checkConsistency(dir, counties, amountColumns, funds, provinces, problems);
  if (problems.length > 0) throw new InputError(problems);

  const policyPath = join(dir, 'inputs', 'policy.json');
  let policyDocument: unknown;
  if (existsSync(policyPath)) {
    try {
      policyDocument = JSON.parse(readFileSync(policyPath, 'utf8'));
    } catch (error) {
      throw new InputError([{ file: policyPath, line: 0, message: `is not valid JSON: ${(error as Error).message}` }]);
    }
  }
  return {
    outcome: { counties, amountColumns, funds, unallocated: unallocated! },
    policyDocument,
    policyPath: policyDocument === undefined ? undefined : policyPath,
  };
}

/** The tables of one run must agree: counties add up to provinces.csv and to summary.json's funds. */
function checkConsistency(dir: string, counties: readonly CountyOutcome[], amountColumns: readonly string[], funds: readonly FundLevelOutcome[], provinces: Table, problems: Problem[]): void {
  for (const account of funds) {
    const column = FUND_LEVEL_COLUMNS.find((entry) => entry.fund === account.fund && entry.level === account.level)?.column;
    if (column === undefined || !amountColumns.includes(column)) continue;
    const sum = counties.reduce((total, county) => total + (county.amounts.get(column) ?? 0n), 0n);
    if (sum !== account.allocated) {
      problems.push({
        file: join(dir, 'allocations.csv'),
        line: 0,
        column,
        message: `adds up to ${formatYuan(sum)}, but summary.json says ${formatYuan(account.allocated)} of ${account.fund} ${account.level} was allocated`,
      });
    }
  }
  const provincesPath = join(dir, 'provinces.csv');
  const totals = new Map<string, Fen>();
  for (const county of counties) totals.set(county.provinceCode, (totals.get(county.provinceCode) ?? 0n) + (county.amounts.get('total') ?? 0n));
  for (const row of provinces.rows) {
    const code = cell(provinces, row, 'province_code');
    const total = money(cell(provinces, row, 'total'));
    if (total === null || total !== (totals.get(code) ?? 0n)) {
      problems.push({
        file: provincesPath,
        line: row.line,
        column: 'total',
        message: `province ${code}: ${cell(provinces, row, 'total')} does not equal the sum of its counties in allocations.csv (${formatYuan(totals.get(code) ?? 0n)})`,
      });
    }
  }
}
