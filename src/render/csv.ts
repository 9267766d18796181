/**
 * Output tables as CSV text: UTF-8 with a BOM and CRLF line ends so Excel
 * opens Chinese text correctly; amounts in yuan with two decimals; yes/no as
 * true/false; incidence with six decimals.
 *
 * Spreadsheet-safe: a spreadsheet runs a cell that begins with `=`, `+`, `-`
 * or `@` (or tab, CR, LF) as a formula, so every text cell that does, also
 * after leading white space or in the full-width forms `＝ ＋ － ＠`, is
 * written with a `'` in front. Cells of the columns a table declares as
 * numbers are written as they are when they are plain decimals (`-12.50`),
 * so amounts are never prefixed; anything else in them is treated as text.
 * The rule depends only on the cell and its column, so the same table always
 * gives the same bytes.
 */
import { neutraliseFormula } from './spreadsheet-safe.js';

export type Cell = string;

/** A table: fixed header, rows of cells. */
export interface CsvTable {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly Cell[])[];
  /**
   * Columns holding numbers (amounts, counts, ratios, scores). Their cells
   * are written unchanged when empty or a plain decimal; every other cell of
   * the table, the header included, is text and is neutralised.
   */
  readonly numberColumns?: readonly string[];
}

/** A plain decimal as povalloc writes numbers: optional minus, digits, optional fraction. */
const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;

/** A text cell as written: neutralised when a spreadsheet could run it (see spreadsheet-safe.ts). */
export const neutraliseText = neutraliseFormula;

/** A cell of a number column: unchanged when a plain decimal or empty, else treated as text. */
export function numberCell(cell: string): string {
  return cell === '' || PLAIN_NUMBER.test(cell) ? cell : neutraliseText(cell);
}

/** A cell as it is written: in a number column as `numberCell` leaves it, elsewhere neutralised text. */
function safeCell(cell: string, isNumber: boolean | undefined): string {
  return isNumber ? numberCell(cell) : neutraliseText(cell);
}

/** Which columns of a table hold numbers, by position. */
function numberColumnFlags(table: { readonly columns: readonly string[]; readonly numberColumns?: readonly string[] }): boolean[] {
  const numeric = new Set(table.numberColumns ?? []);
  return table.columns.map((column) => numeric.has(column));
}

/** The table's cells as they are written: text neutralised, numbers as they are. */
export function safeCells(table: CsvTable): string[][] {
  const isNumber = numberColumnFlags(table);
  const header = table.columns.map(neutraliseText);
  const rows = table.rows.map((row) => row.map((cell, index) => safeCell(cell, isNumber[index])));
  return [header, ...rows];
}

/** A cell that must be quoted: it holds the delimiter, a quote, or a CR or LF (a lone one too, or a spreadsheet splits the row there). */
const NEEDS_QUOTES = /[",\r\n]/;

function csvField(cell: string): string {
  return NEEDS_QUOTES.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell;
}

/**
 * The table as CSV text: a BOM, the header, one line per row, every line
 * ended by CRLF; a cell is quoted (its quotes doubled) when it holds a comma,
 * a quote, a CR or an LF. The same text as csv-stringify with `bom`,
 * `record_delimiter: 'windows'` and `quoted_match: /[\r\n]/` (a property test
 * holds them equal), written directly: a village table has a million rows.
 */
type CsvSource = { readonly columns: readonly string[]; readonly rows: Iterable<readonly Cell[]>; readonly numberColumns?: readonly string[] };

export function renderCsv(table: CsvSource): string {
  return [...csvChunks(table)].join('');
}

/**
 * renderCsv's text as UTF-8 bytes, encoded a few thousand lines at a time:
 * a village table's text is never held whole as a string (two bytes a
 * character for Chinese text) besides its bytes.
 */
export function renderCsvBytes(table: CsvSource): Buffer {
  return Buffer.concat(renderCsvPieces(table));
}

/** renderCsvBytes's bytes in the pieces they were encoded in (a few thousand lines each): for writing without joining them first. */
export function renderCsvPieces(table: CsvSource): Buffer[] {
  return [...csvPieces(table)];
}

/** renderCsvPieces one piece at a time, each made when asked for (for writing as they come). */
export function csvPieces(table: CsvSource): Generator<Buffer> {
  return csvLinePieces(table.columns, csvLines(table));
}

/**
 * A cell as renderCsv writes it, in a column of numbers or of text: a plain
 * number (most cells of a table of amounts) in a number column as it is;
 * anything else made safe (see spreadsheet-safe.ts) and quoted if need be.
 */
export function csvCell(cell: string, isNumber: boolean | undefined): string {
  return isNumber && (cell === '' || PLAIN_NUMBER.test(cell)) ? cell : csvField(safeCell(cell, isNumber));
}

/** renderCsv's text in pieces: the BOM with the header, then a few thousand lines at a time. */
function csvChunks(table: CsvSource): Generator<string> {
  return csvLineChunks(table.columns, csvLines(table));
}

/** Each row of the table as its line of CSV (without the line end). */
function* csvLines(table: CsvSource): Generator<string> {
  const isNumber = numberColumnFlags(table);
  // Each line joined from its fields in one reused array: flat strings, not chains of concatenations.
  const fields: string[] = [];
  for (const row of table.rows) {
    fields.length = row.length;
    for (let column = 0; column < row.length; column++) fields[column] = csvCell(row[column]!, isNumber[column]);
    yield fields.join(',');
  }
}

/**
 * The text of a CSV file whose header is COLUMNS and whose rows are LINES
 * (each a row's cells as `csvCell` writes them, joined by commas), in pieces:
 * the BOM with the header, then a few thousand lines at a time, each line
 * ended by CRLF.
 */
export function* csvLineChunks(columns: readonly string[], lines: Iterable<string>): Generator<string> {
  // Lines are joined a few thousand at a time: a million short-lived line strings would otherwise all be kept to the end.
  // The BOM goes in front of the header and an empty last piece gives the last CRLF, so that each chunk is the one flat
  // string join makes (with them added around it, it would be a rope, copied again to be encoded).
  let chunk: string[] = [csvHeaderText(columns)];
  for (const line of lines) {
    chunk.push(line);
    if (chunk.length === LINES_PER_CHUNK) {
      chunk.push('');
      yield chunk.join('\r\n');
      chunk = [];
    }
  }
  if (chunk.length > 0) {
    chunk.push('');
    yield chunk.join('\r\n');
  }
}

/** The first line of a CSV file whose header is COLUMNS, without its line end: the BOM, then the column names. */
export function csvHeaderText(columns: readonly string[]): string {
  return `\uFEFF${columns.map((column) => csvField(neutraliseText(column))).join(',')}`;
}

/**
 * The lines of ROWS as csvPieces writes them after the header, each ended by
 * CRLF ('' for no rows): a table written a part at a time (see
 * csv-rows-worker.ts) is csvHeaderText and CRLF, then this for each part,
 * the same text as csvPieces of all its rows.
 */
export function csvRowsText(table: CsvSource): string {
  const lines = [...csvLines(table)];
  if (lines.length === 0) return '';
  lines.push('');
  return lines.join('\r\n');
}

/** csvLineChunks as UTF-8 bytes, one piece per chunk, each made when asked for. */
export function* csvLinePieces(columns: readonly string[], lines: Iterable<string>): Generator<Buffer> {
  for (const chunk of csvLineChunks(columns, lines)) yield Buffer.from(chunk, 'utf8');
}

const LINES_PER_CHUNK = 4_096;

export function yesNo(value: boolean): Cell {
  return value ? 'true' : 'false';
}
