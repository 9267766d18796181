/**
 * Header mapping shared by every input table: canonical column names, their
 * Chinese aliases, required columns, duplicates and unknown columns.
 */
import type { Problem } from './problems.js';
import type { Table, TableRow } from './table.js';

export interface ColumnSpec {
  readonly name: string;
  readonly aliases: readonly string[];
}

export interface HeaderMap {
  /** Canonical column name to its index in the row. */
  readonly index: ReadonlyMap<string, number>;
  /** Header cells that matched no known column (kept for policy factors). */
  readonly unknown: readonly { name: string; index: number }[];
}

/**
 * The key a header cell is matched by: Unicode NFKC (full-width letters,
 * digits and underscore become ASCII, U+3000 a space), lower case, with
 * white space, `_` and `-` removed. So `County Code`, `COUNTY_CODE`,
 * `ｃｏｕｎｔｙ＿ｃｏｄｅ` and `county-code` all name county_code, and `贫困 人口`
 * names 贫困人口.
 */
export function headerKey(cell: string): string {
  return cell.normalize('NFKC').toLowerCase().replace(/[\s_-]+/gu, '');
}

/** Maps header cells to canonical names (by headerKey); reports duplicates. */
export function mapHeader(table: Pick<Table, 'file' | 'header' | 'headerLine'>, specs: readonly ColumnSpec[]): { header: HeaderMap; problems: Problem[] } {
  const byName = new Map<string, string>();
  for (const spec of specs) {
    byName.set(headerKey(spec.name), spec.name);
    for (const alias of spec.aliases) byName.set(headerKey(alias), spec.name);
  }
  const index = new Map<string, number>();
  const unknown: { name: string; index: number }[] = [];
  const problems: Problem[] = [];
  table.header.forEach((cell, position) => {
    if (cell === '') {
      // A column without a header holds nothing povalloc reads: it is ignored, never a duplicate.
      unknown.push({ name: `(column ${position + 1}, no header)`, index: position });
      return;
    }
    const canonical = byName.get(headerKey(cell));
    const name = canonical ?? cell;
    if (index.has(name)) {
      problems.push({
        file: table.file,
        line: table.headerLine,
        column: cell,
        message: `column ${name} appears twice in the header (columns ${index.get(name)! + 1} and ${position + 1})`,
      });
      return;
    }
    index.set(name, position);
    if (canonical === undefined) unknown.push({ name: cell, index: position });
  });
  return { header: { index, unknown }, problems };
}

/** The trimmed cell of a column, or undefined when the column is absent. */
export function cellOf(header: HeaderMap, row: TableRow, column: string): string | undefined {
  const position = header.index.get(column);
  return position === undefined ? undefined : (row.cells[position] ?? '');
}
