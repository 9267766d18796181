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
import { fitsInt64, type Fen } from './money.js';
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

/** Last year's rows by county (or village) code. */
export interface PreviousByCounty {
  get(code: string): PreviousCounty | undefined;
  readonly size: number;
}

export interface PreviousAllocations {
  /** By county code. */
  readonly byCounty: PreviousByCounty;
  /** Sum of special_poverty_central over every row: last year's central special fund paid out. */
  readonly centralTotal: Fen;
  readonly skippedBlankRows: number;
  /** The length of its codes (6 for counties, 12 for villages; one per file), and the first line that has one. */
  readonly codeLength: CodeLength | undefined;
}

/**
 * Last year's rows as columns: a village table's has a million, which as an
 * object and two bigints each (and a second map to find the first line of a
 * code) held about 170 MB for the garbage collector to trace. A row's object
 * is made when it is asked for. Rows are numbered in the order read.
 */
class PreviousStore implements PreviousByCounty {
  private readonly rowOf = new Map<string, number>();
  private capacity = 1024;
  private lines = new Uint32Array(this.capacity);
  private central = new BigInt64Array(this.capacity);
  private provincial = new BigInt64Array(this.capacity);

  get size(): number {
    return this.rowOf.size;
  }

  /** The line that first had `code`, if any row did. */
  lineOf(code: string): number | undefined {
    const row = this.rowOf.get(code);
    return row === undefined ? undefined : this.lines[row];
  }

  /** Numbers a new code's row; its amounts are set by `setAmounts`. */
  add(code: string, line: number): number {
    const row = this.rowOf.size;
    if (row === this.capacity) this.grow();
    this.rowOf.set(code, row);
    this.lines[row] = line;
    return row;
  }

  /** A row's amounts: money a table holds has at most 15 digits of yuan (parseMoney), which a 64-bit slot holds in fen. */
  setAmounts(row: number, central: Fen, provincial: Fen): void {
    if (!fitsInt64(central) || !fitsInt64(provincial)) throw new RangeError(`amounts of row ${row} do not fit 64 bits`);
    this.central[row] = central;
    this.provincial[row] = provincial;
  }

  get(code: string): PreviousCounty | undefined {
    const row = this.rowOf.get(code);
    if (row === undefined) return undefined;
    return { code, specialPovertyCentral: this.central[row]!, specialPovertyProvincial: this.provincial[row]!, line: this.lines[row]! };
  }

  private grow(): void {
    this.capacity *= 2;
    const lines = new Uint32Array(this.capacity);
    lines.set(this.lines);
    this.lines = lines;
    const central = new BigInt64Array(this.capacity);
    central.set(this.central);
    this.central = central;
    const provincial = new BigInt64Array(this.capacity);
    provincial.set(this.provincial);
    this.provincial = provincial;
  }
}

/**
 * Reads last year's allocations.csv row by row (a village table's has a
 * million rows: they are not held as cells first). `visitor` is handed the
 * header and each row, as visitCsvTable hands them; `finish` gives the
 * result, or every problem found.
 */
export function previousReader(file: string): { visitor: TableVisitor; finish: (skippedBlankRows: number) => { result?: PreviousAllocations; problems: Problem[] } } {
  const problems: Problem[] = [];
  // Every well-formed code read, with the first line that had it (its amounts are set only when they are well-formed too).
  const byCounty = new PreviousStore();
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
      let added: number | undefined;
      if (!isUnitCode(code)) {
        problems.push({ file, line, column: 'county_code', message: `${JSON.stringify(code)} is not a 6-digit administrative code or a 12-digit village code` });
      } else if (mismatch !== undefined) {
        problems.push({ file, line, column: 'county_code', message: mismatch });
      } else {
        const first = byCounty.lineOf(code);
        if (first !== undefined) {
          problems.push({ file, line, column: 'county_code', message: `"${code}" appears twice (also on line ${first})` });
        } else {
          codeLength ??= { length: code.length, line };
          added = byCounty.add(code, line);
        }
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
      // A row with a problem gives no result (every problem is reported instead): its amounts need not be kept.
      if (problems.length > before || added === undefined) return;
      byCounty.setAmounts(added, central, provincial);
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
