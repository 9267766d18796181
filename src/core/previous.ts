/**
 * Last year's allocations.csv (--previous), for hold_harmless and
 * growth_check. It is read with the same strict table reader as every input:
 * only `county_code` and the two special-fund columns are used, every other
 * column of allocations.csv is ignored; a malformed code or amount, or a
 * county that appears twice, is a problem naming the line. Its codes are a
 * county table's (6 digits) or a village table's (12), one length a file.
 */
import { cellOf, mapHeader, type ColumnSpec, type HeaderMap } from './columns.js';
import { codeLengthMismatch, isUnitCode, parseMoney, type CodeLength } from './grammar.js';
import type { Fen } from './money.js';
import { appendAll, type Problem } from './problems.js';
import type { Table, TableVisitor } from './table.js';

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
  /** The length of its codes (6 for counties, 12 for villages; one per file), and the first line that has one. */
  readonly codeLength: CodeLength | undefined;
}

/**
 * Reads last year's allocations.csv row by row (a village table's has a
 * million rows: they are not held as cells first). `visitor` is handed the
 * header and each row, as visitCsvTable hands them; `finish` gives the
 * result, or every problem found.
 */
export function previousReader(file: string): { visitor: TableVisitor; finish: (skippedBlankRows: number) => { result?: PreviousAllocations; problems: Problem[] } } {
  const problems: Problem[] = [];
  const byCounty = new Map<string, PreviousCounty>();
  const firstLineOfCode = new Map<string, number>();
  let header: HeaderMap | undefined;
  let centralTotal = 0n;
  let codeLength: CodeLength | undefined;
  const visitor: TableVisitor = {
    header(cells, headerLine) {
      const mapped = mapHeader({ file, header: cells, headerLine }, PREVIOUS_COLUMNS);
      appendAll(problems, mapped.problems);
      for (const required of PREVIOUS_COLUMNS) {
        if (!mapped.header.index.has(required.name)) {
          problems.push({ file, line: headerLine, column: required.name, message: `required column ${required.name} is missing (give the allocations.csv of last year's run)` });
        }
      }
      if (problems.length === 0) header = mapped.header;
    },
    row(row) {
      if (header === undefined) return;
      const line = row.line;
      const before = problems.length;
      const code = cellOf(header, row, 'county_code') ?? '';
      const mismatch = codeLengthMismatch(code, codeLength);
      if (!isUnitCode(code)) {
        problems.push({ file, line, column: 'county_code', message: `${JSON.stringify(code)} is not a 6-digit administrative code or a 12-digit village code` });
      } else if (mismatch !== undefined) {
        problems.push({ file, line, column: 'county_code', message: mismatch });
      } else if (firstLineOfCode.has(code)) {
        problems.push({ file, line, column: 'county_code', message: `"${code}" appears twice (also on line ${firstLineOfCode.get(code)!})` });
      } else {
        codeLength ??= { length: code.length, line };
        firstLineOfCode.set(code, line);
      }
      const amount = (column: string): Fen => {
        const text = cellOf(header!, row, column) ?? '';
        const parsed = parseMoney(text);
        if (parsed.ok) return parsed.value;
        problems.push({ file, line, column, message: `${JSON.stringify(text)} is not ${parsed.expected}` });
        return 0n;
      };
      const central = amount('special_poverty_central');
      const provincial = amount('special_poverty_provincial');
      if (problems.length > before) return;
      byCounty.set(code, { code, specialPovertyCentral: central, specialPovertyProvincial: provincial, line });
      centralTotal += central;
    },
  };
  return {
    visitor,
    finish: (skippedBlankRows) => (problems.length > 0 ? { problems } : { problems: [], result: { byCounty, centralTotal, skippedBlankRows, codeLength } }),
  };
}

/** previousReader over a table read whole. */
export function readPreviousAllocations(table: Table): { result?: PreviousAllocations; problems: Problem[] } {
  const reader = previousReader(table.file);
  reader.visitor.header(table.header, table.headerLine);
  for (const row of table.rows) reader.visitor.row(row);
  return reader.finish(table.skippedBlankRows);
}
