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

/** Maps header cells to canonical names; reports duplicates. */
export function mapHeader(table: Table, specs: readonly ColumnSpec[]): { header: HeaderMap; problems: Problem[] } {
  const byName = new Map<string, string>();
  for (const spec of specs) {
    byName.set(spec.name, spec.name);
    for (const alias of spec.aliases) byName.set(alias, spec.name);
  }
  const index = new Map<string, number>();
  const unknown: { name: string; index: number }[] = [];
  const problems: Problem[] = [];
  table.header.forEach((cell, position) => {
    const canonical = byName.get(cell);
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
