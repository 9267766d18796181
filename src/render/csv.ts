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
import { stringify } from 'csv-stringify/sync';
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

/** The table's cells as they are written: text neutralised, numbers as they are. */
export function safeCells(table: CsvTable): string[][] {
  const numeric = new Set(table.numberColumns ?? []);
  const isNumber = table.columns.map((column) => numeric.has(column));
  const header = table.columns.map(neutraliseText);
  const rows = table.rows.map((row) => row.map((cell, index) => (isNumber[index] ? numberCell(cell) : neutraliseText(cell))));
  return [header, ...rows];
}

export function renderCsv(table: CsvTable): string {
  return stringify(safeCells(table), {
    bom: true,
    record_delimiter: 'windows',
    // A lone CR or LF inside a cell must be quoted too, or a spreadsheet splits the row there.
    quoted_match: /[\r\n]/,
  });
}

export function yesNo(value: boolean): Cell {
  return value ? 'true' : 'false';
}
