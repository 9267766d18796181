/**
 * A county's or a province's derivation, read back from the audit log: every
 * entry about it (and, for a county, about its province) in the order the run
 * made them, from eligibility through the pots, floors, caps and rounding to
 * the row written. Generic over rules: any step a rule records appears with
 * its label, clause and values.
 */
import type { AuditEntry } from './audit.js';
import { expandAuditBlocks, isUnitBlock } from './audit-blocks.js';
import { visitCsvParts, type CsvText } from './table.js';

export interface ExplainedStep {
  readonly seq: number;
  readonly type: string;
  readonly rule: string;
  readonly clause: string;
  readonly subject: string;
  /** 'county' or 'province': which of the two the step is about. */
  readonly level: 'county' | 'province';
  readonly label: string;
  readonly values: Readonly<Record<string, string>>;
}

export interface CountyLine {
  readonly code: string;
  readonly name: string;
  readonly values: Readonly<Record<string, string>>;
}

export interface Explanation {
  readonly kind: 'county' | 'province';
  readonly code: string;
  readonly name: string;
  readonly provinceCode: string;
  readonly provinceName: string;
  readonly steps: readonly ExplainedStep[];
  /** The row written for the subject (allocations.csv for a county, provinces.csv for a province); also the last step. */
  readonly row?: Readonly<Record<string, string>>;
  /** For a province: the rows of its counties. */
  readonly counties: readonly CountyLine[];
}

function isRowOf(entry: AuditEntry, file: string): boolean {
  return entry.type === 'output_written' && entry.label === `row of ${file}`;
}

function toStep(entry: AuditEntry, level: 'county' | 'province'): ExplainedStep {
  return { seq: entry.seq, type: entry.type, rule: entry.rule, clause: entry.clause, subject: entry.subject, level, label: entry.label, values: entry.values };
}

/**
 * Which entries of a run's log an explanation of CODE (a county's or a
 * village's code, or a province's) reads: all but the unit blocks of other
 * provinces (see audit-blocks.ts; a block's subject is its province). A large
 * run's log is mostly such blocks: its chain is checked entry by entry, and
 * only these are kept (a million villages' rows are not held, nor expanded).
 * explainCounty and explainProvince give the same from these as from all.
 * Blocks of table rows are kept too, as `recordsRowsOf` looks at every row.
 */
export function entriesToExplain(code: string): (entry: AuditEntry) => boolean {
  const province = code.slice(0, 2);
  return (entry) => entry.subject === province || !isUnitBlock(entry) || entry.label.includes('row of ');
}

/** The explanation, or undefined when the log says nothing about the code. */
export function explainCounty(logEntries: readonly AuditEntry[], code: string): Explanation | undefined {
  const entries = expandAuditBlocks(logEntries);
  const row = entries.find((entry) => entry.subject === code && isRowOf(entry, 'allocations.csv'))?.values;
  const provinceCode = row?.['province_code'] ?? code.slice(0, 2);
  if (!entries.some((entry) => entry.subject === code)) return undefined;
  const provinceRow = entries.find((entry) => entry.subject === provinceCode && isRowOf(entry, 'provinces.csv'))?.values;
  const steps = entries
    .filter((entry) => entry.subject === code || (entry.subject === provinceCode && entry.type !== 'output_written'))
    .map((entry) => toStep(entry, entry.subject === code ? 'county' : 'province'));
  return {
    kind: 'county',
    code,
    name: row?.['county_name'] ?? '',
    provinceCode,
    provinceName: row?.['province_name'] ?? provinceRow?.['province_name'] ?? '',
    steps,
    row,
    counties: [],
  };
}

export function explainProvince(logEntries: readonly AuditEntry[], code: string): Explanation | undefined {
  const entries = expandAuditBlocks(logEntries);
  if (!entries.some((entry) => entry.subject === code)) return undefined;
  const row = entries.find((entry) => entry.subject === code && isRowOf(entry, 'provinces.csv'))?.values;
  const steps = entries.filter((entry) => entry.subject === code).map((entry) => toStep(entry, 'province'));
  const counties = entries
    .filter((entry) => isRowOf(entry, 'allocations.csv') && (entry.values['province_code'] ?? entry.subject.slice(0, 2)) === code)
    .map((entry) => ({ code: entry.subject, name: entry.values['county_name'] ?? '', values: entry.values }));
  return { kind: 'province', code, name: row?.['province_name'] ?? '', provinceCode: code, provinceName: row?.['province_name'] ?? '', steps, row, counties };
}

/** The audit entry that records `file` as written (its path, bytes and SHA-256), if any. */
export function fileWrittenEntry(entries: readonly AuditEntry[], file: string): AuditEntry | undefined {
  return entries.find((entry) => entry.type === 'output_written' && entry.subject === 'national' && entry.values['path'] === file);
}

/**
 * Whether the log records a table's rows one entry each. A large run's log
 * (see audit-blocks.ts) records allocations.csv by its hash only: its rows
 * are in the file, and a row entry per village would repeat the whole table.
 */
export function recordsRowsOf(entries: readonly AuditEntry[], file: string): boolean {
  return entries.some((entry) => isRowOf(entry, file) && entry.subject !== 'national');
}

/**
 * A CSV table (UTF-8 STORED) whose lines can be told from its bytes: no quote
 * anywhere (a line is then one row or more, cut at commas) and a first line,
 * the header (without a BOM, with its line end); else undefined.
 */
function unquotedTable(stored: Uint8Array): { bytes: Buffer; header: string; headerEnd: number } | undefined {
  const bytes = Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength);
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const headerEnd = bytes.indexOf(0x0a, start);
  if (headerEnd < 0 || bytes.indexOf(0x22) >= 0) return undefined;
  return { bytes, header: bytes.toString('utf8', start, headerEnd + 1), headerEnd };
}

/**
 * The header and the rows of a CSV table (UTF-8 STORED) that hold CODE
 * anywhere, as CSV text: among them every row `withTableRows` would pick for
 * that code out of the whole table, without decoding and tokenising a
 * million others (a large run's allocations.csv; the rest are not picked).
 * Only where that is certain: no quote is anywhere in the table, so that a
 * line is a row and no cell runs into the next line, and the first line holds
 * SUBJECT_COLUMN, so that it is the header. Lines are kept as they are, line
 * ends included. Else undefined: read the whole table.
 */
export function rowsHolding(stored: Uint8Array, subjectColumn: string, code: string): string | undefined {
  const table = unquotedTable(stored);
  if (code === '' || table === undefined) return undefined;
  const { bytes, header, headerEnd } = table;
  if (!header.includes(subjectColumn)) return undefined;
  const lines = [header];
  for (let at = bytes.indexOf(code, headerEnd); at >= 0; ) {
    const lineStart = bytes.lastIndexOf(0x0a, at) + 1;
    const lineEnd = bytes.indexOf(0x0a, at);
    lines.push(bytes.toString('utf8', lineStart, lineEnd < 0 ? bytes.length : lineEnd + 1));
    at = lineEnd < 0 ? -1 : bytes.indexOf(code, lineEnd + 1);
  }
  return lines.join('');
}

/** The column tableRowsOf reads a row's province from. */
const PROVINCE_COLUMN = 'province_code';

/**
 * The header and the lines of a CSV table (UTF-8 STORED) that may hold a
 * row of PROVINCE, as CSV text: among them every row `tableRowsOf` picks
 * for that province out of the whole table, without decoding and tokenising
 * the other provinces' rows (a million villages' allocations.csv). A line is
 * kept when its province_code cell holds PROVINCE, when it has no such cell
 * (tableRowsOf then takes the code's first two digits), or when a carriage
 * return inside it may end a row there. Only where that is certain: no quote
 * is anywhere in the table (a line is then one row or more, cut at commas),
 * and the first line is the header, holding province_code where the
 * tokenizer finds it. Lines are kept as they are, line ends included. Else
 * undefined: read the whole table.
 */
export function rowsInProvince(stored: Uint8Array, province: string): string | undefined {
  const table = unquotedTable(stored);
  if (province === '' || table === undefined) return undefined;
  const { bytes, header, headerEnd } = table;
  const headerCells = header.replace(/\r?\n$/, '').split(',');
  const column = headerCells.indexOf(PROVINCE_COLUMN);
  // A carriage return inside the header could end it there; cells with white space could be read trimmed.
  if (column < 0 || headerCells.some((cell, index) => cell.includes('\r') || (index !== column && cell.trim() === PROVINCE_COLUMN))) return undefined;
  const wanted = Buffer.from(province, 'utf8');
  const lines = [header];
  let nextReturn = bytes.indexOf(0x0d, headerEnd + 1);
  for (let lineStart = headerEnd + 1; lineStart < bytes.length; ) {
    const lineFeed = bytes.indexOf(0x0a, lineStart);
    const lineEnd = lineFeed < 0 ? bytes.length : lineFeed + 1;
    const contentEnd = lineFeed > lineStart && bytes[lineFeed - 1] === 0x0d ? lineFeed - 1 : lineFeed < 0 ? bytes.length : lineFeed;
    if (nextReturn >= 0 && nextReturn < lineStart) nextReturn = bytes.indexOf(0x0d, lineStart);
    const returnInside = nextReturn >= 0 && nextReturn < contentEnd;
    if (returnInside || cellMayHold(bytes, lineStart, contentEnd, column, wanted)) lines.push(bytes.toString('utf8', lineStart, lineEnd));
    lineStart = lineEnd;
  }
  return lines.join('');
}

/** Whether the COLUMN-th cell (cut at commas) of the line from START to END holds WANTED's bytes, or the line has no such cell. */
function cellMayHold(bytes: Buffer, start: number, end: number, column: number, wanted: Buffer): boolean {
  let cellStart = start;
  for (let cell = 0; cell < column; cell++) {
    const comma = bytes.indexOf(0x2c, cellStart);
    if (comma < 0 || comma >= end) return true;
    cellStart = comma + 1;
  }
  let cellEnd = bytes.indexOf(0x2c, cellStart);
  if (cellEnd < 0 || cellEnd > end) cellEnd = end;
  for (let at = cellStart; at + wanted.length <= cellEnd; at++) {
    let same = true;
    for (let offset = 0; offset < wanted.length && same; offset++) same = bytes[at + offset] === wanted[offset];
    if (same) return true;
  }
  return false;
}

/**
 * The entries with the rows of `file` that `wanted` selects (by their code
 * and province code) put back as `row of <file>` entries, each with the seq
 * of the entry that records the file as written, just before it: what the
 * log of a small run holds. `text` is the file's text, whose hash the caller
 * has checked against that entry.
 */
export function withTableRows(
  entries: readonly AuditEntry[],
  file: string,
  text: string,
  subjectColumn: string,
  wanted: (code: string, provinceCode: string) => boolean,
): AuditEntry[] {
  if (!fileWrittenEntry(entries, file)) return [...entries];
  return withRowsOf(entries, file, tableRowsOf(file, text, subjectColumn, wanted));
}

/** A row of a table as withTableRows puts it back: its subject (its code) and its cells by column. */
export interface PickedRow {
  readonly subject: string;
  readonly values: Record<string, string>;
}

/**
 * The rows of `file` (its text, or its text in parts: see visitCsvParts) that `wanted` selects, in file order: the
 * reading withTableRows does, before it has the log.
 */
export function tableRowsOf(file: string, text: CsvText, subjectColumn: string, wanted: (code: string, provinceCode: string) => boolean): PickedRow[] {
  const rows: PickedRow[] = [];
  let header: readonly string[] = [];
  visitCsvParts(file, text, () => ({
    header: (cells) => {
      header = cells;
      return undefined;
    },
    row: ({ cells }) => {
      const subject = cells[header.indexOf(subjectColumn)] ?? '';
      if (!wanted(subject, cells[header.indexOf(PROVINCE_COLUMN)] ?? subject.slice(0, 2))) return;
      const values: Record<string, string> = {};
      header.forEach((column, index) => (values[column] = cells[index] ?? ''));
      rows.push({ subject, values });
    },
  }));
  return rows;
}

/** The entries with ROWS (of `file`, see tableRowsOf) put back as withTableRows puts them. */
export function withRowsOf(entries: readonly AuditEntry[], file: string, rows: readonly PickedRow[]): AuditEntry[] {
  const written = fileWrittenEntry(entries, file);
  if (!written) return [...entries];
  const at = entries.indexOf(written);
  return [...entries.slice(0, at), ...rows.map(({ subject, values }) => ({ ...written, subject, label: `row of ${file}`, values })), ...entries.slice(at)];
}
