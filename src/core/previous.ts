/**
 * Last year's allocations.csv (--previous), for hold_harmless and
 * growth_check. It is read with the same strict table reader as every input:
 * only `county_code` and the two special-fund columns are used, every other
 * column of allocations.csv is ignored; a malformed code or amount, or a
 * county that appears twice, is a problem naming the line.
 */
import { cellOf, mapHeader, type ColumnSpec } from './columns.js';
import { parseMoney } from './grammar.js';
import type { Fen } from './money.js';
import type { Problem } from './problems.js';
import type { Table } from './table.js';

export const PREVIOUS_COLUMNS: readonly ColumnSpec[] = [
  { name: 'county_code', aliases: ['县代码'] },
  { name: 'special_poverty_central', aliases: [] },
  { name: 'special_poverty_provincial', aliases: [] },
];

export interface PreviousCounty {
  readonly code: string;
  readonly specialPovertyCentral: Fen;
  readonly specialPovertyProvincial: Fen;
  readonly line: number;
}

export interface PreviousAllocations {
  /** By county code. */
  readonly byCounty: ReadonlyMap<string, PreviousCounty>;
  /** Sum of special_poverty_central over every row: last year's central special fund paid out. */
  readonly centralTotal: Fen;
  readonly skippedBlankRows: number;
}

export function readPreviousAllocations(table: Table): { result?: PreviousAllocations; problems: Problem[] } {
  const file = table.file;
  const { header, problems } = mapHeader(table, PREVIOUS_COLUMNS);
  for (const required of PREVIOUS_COLUMNS) {
    if (!header.index.has(required.name)) {
      problems.push({ file, line: table.headerLine, column: required.name, message: `required column ${required.name} is missing (give the allocations.csv of last year's run)` });
    }
  }
  if (problems.length > 0) return { problems };
  const byCounty = new Map<string, PreviousCounty>();
  const firstLineOfCode = new Map<string, number>();
  let centralTotal = 0n;
  for (const row of table.rows) {
    const line = row.line;
    const before = problems.length;
    const code = cellOf(header, row, 'county_code') ?? '';
    if (!/^\d{6}$/.test(code)) problems.push({ file, line, column: 'county_code', message: `${JSON.stringify(code)} is not a 6-digit administrative code` });
    else if (firstLineOfCode.has(code)) problems.push({ file, line, column: 'county_code', message: `"${code}" appears twice (also on line ${firstLineOfCode.get(code)!})` });
    else firstLineOfCode.set(code, line);
    const amount = (column: string): Fen => {
      const text = cellOf(header, row, column) ?? '';
      const parsed = parseMoney(text);
      if (parsed.ok) return parsed.value;
      problems.push({ file, line, column, message: `${JSON.stringify(text)} is not ${parsed.expected}` });
      return 0n;
    };
    const central = amount('special_poverty_central');
    const provincial = amount('special_poverty_provincial');
    if (problems.length > before) continue;
    byCounty.set(code, { code, specialPovertyCentral: central, specialPovertyProvincial: provincial, line });
    centralTotal += central;
  }
  if (problems.length > 0) return { problems };
  return { problems: [], result: { byCounty, centralTotal, skippedBlankRows: table.skippedBlankRows } };
}
