/**
 * Output tables as CSV text: UTF-8 with a BOM and CRLF line ends so Excel
 * opens Chinese text correctly; amounts in yuan with two decimals; yes/no as
 * true/false; incidence with six decimals.
 */
import { stringify } from 'csv-stringify/sync';

export type Cell = string;

/** A table: fixed header, rows of text cells. */
export interface CsvTable {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly Cell[])[];
}

export function renderCsv(table: CsvTable): string {
  return stringify([table.columns as string[], ...(table.rows as string[][])], {
    bom: true,
    record_delimiter: 'windows',
  });
}

export function yesNo(value: boolean): Cell {
  return value ? 'true' : 'false';
}
