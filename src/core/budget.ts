/**
 * budget.csv (CONTRACT section 3): one amount per (fund, level, province).
 */
import { cellOf, mapHeader, type ColumnSpec } from './columns.js';
import { parseMoney } from './grammar.js';
import type { Fen } from './money.js';
import type { Problem } from './problems.js';
import type { Reference } from './reference.js';
import type { Table } from './table.js';

export const BUDGET_COLUMNS: readonly ColumnSpec[] = [
  { name: 'fund', aliases: ['资金'] },
  { name: 'level', aliases: ['级次'] },
  { name: 'province_code', aliases: ['省代码'] },
  { name: 'amount', aliases: ['金额'] },
];

export type Level = 'central' | 'provincial';

export interface BudgetLine {
  readonly fund: string;
  readonly level: Level;
  /** '' for central lines. */
  readonly provinceCode: string;
  readonly amount: Fen;
  readonly line: number;
}

export interface Budget {
  readonly lines: readonly BudgetLine[];
  readonly skippedBlankRows: number;
  readonly warnings: readonly Problem[];
}

export function budgetKey(fund: string, level: Level, provinceCode: string): string {
  return `${fund}|${level}|${provinceCode}`;
}

/** The central line of a fund, 0 when absent. */
export function centralAmount(budget: Budget, fund: string): Fen {
  return budget.lines.find((line) => line.fund === fund && line.level === 'central')?.amount ?? 0n;
}

/** Provincial lines of a fund by province code. */
export function provincialAmounts(budget: Budget, fund: string): Map<string, Fen> {
  const amounts = new Map<string, Fen>();
  for (const line of budget.lines) {
    if (line.fund === fund && line.level === 'provincial') amounts.set(line.provinceCode, line.amount);
  }
  return amounts;
}

export function readBudget(table: Table, reference: Reference, funds: readonly string[]): { result?: Budget; problems: Problem[] } {
  const file = table.file;
  const { header, problems } = mapHeader(table, BUDGET_COLUMNS);
  const warnings: Problem[] = [];
  for (const required of ['fund', 'level', 'amount']) {
    if (!header.index.has(required)) problems.push({ file, line: table.headerLine, column: required, message: `required column ${required} is missing` });
  }
  for (const column of header.unknown) warnings.push({ file, line: table.headerLine, column: column.name, message: 'unknown column ignored' });
  if (problems.length > 0) return { problems };

  const lines: BudgetLine[] = [];
  const seen = new Map<string, number>();
  for (const row of table.rows) {
    const line = row.line;
    const before = problems.length;
    const fund = cellOf(header, row, 'fund') ?? '';
    const levelText = cellOf(header, row, 'level') ?? '';
    const provinceCode = cellOf(header, row, 'province_code') ?? '';
    const amountText = cellOf(header, row, 'amount') ?? '';

    if (fund === '') problems.push({ file, line, column: 'fund', message: 'is empty but required' });
    else if (!funds.includes(fund)) problems.push({ file, line, column: 'fund', message: `"${fund}" is not a fund the policy defines (${funds.join(', ')})` });
    const level = levelText === 'central' || levelText === '中央' ? 'central' : levelText === 'provincial' || levelText === '省级' ? 'provincial' : undefined;
    if (!level) problems.push({ file, line, column: 'level', message: `"${levelText}" is not central or provincial` });
    if (level === 'provincial') {
      if (provinceCode === '') problems.push({ file, line, column: 'province_code', message: 'is empty: a provincial line needs a 2-digit province code' });
      else if (!/^\d{2}$/.test(provinceCode)) problems.push({ file, line, column: 'province_code', message: `"${provinceCode}" is not a 2-digit province code` });
      else if (!reference.provinces.has(provinceCode)) problems.push({ file, line, column: 'province_code', message: `"${provinceCode}" is not a province code` });
    } else if (level === 'central' && provinceCode !== '') {
      problems.push({ file, line, column: 'province_code', message: `"${provinceCode}" given on a central line: leave it empty` });
    }
    const amount = parseMoney(amountText);
    if (!amount.ok) problems.push({ file, line, column: 'amount', message: `${JSON.stringify(amountText)} is not ${amount.expected}` });

    if (problems.length > before || !level || !amount.ok) continue;
    const key = budgetKey(fund, level, provinceCode);
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      const which = level === 'central' ? `${fund} central` : `${fund} provincial ${provinceCode}`;
      problems.push({ file, line, message: `duplicate budget line ${which} (also on line ${earlier})` });
      continue;
    }
    seen.set(key, line);
    lines.push({ fund, level, provinceCode, amount: amount.value, line });
  }
  if (problems.length > 0) return { problems };
  lines.sort((a, b) => {
    const ka = budgetKey(a.fund, a.level, a.provinceCode);
    const kb = budgetKey(b.fund, b.level, b.provinceCode);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
  return { problems: [], result: { lines, skippedBlankRows: table.skippedBlankRows, warnings } };
}
