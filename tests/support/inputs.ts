/**
 * Builders of input files for the robustness tests: the sample with Chinese
 * headers and values (for the encoding tests), small tables cut from the
 * sample (for fuzzing), and CSV text from rows.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import iconv from 'iconv-lite';
import { BUDGET_COLUMNS } from '../../src/core/budget.js';
import { COUNTY_COLUMNS } from '../../src/core/counties.js';
import type { ColumnSpec } from '../../src/core/columns.js';
import { SAMPLE } from '../helpers.js';

export type Rows = string[][];

export function readRows(path: string): Rows {
  return parse(readFileSync(path, 'utf8'), { bom: true }) as Rows;
}

/** CSV text from rows; cells holding , " or a line break are quoted. */
export function toCsv(rows: readonly (readonly string[])[], lineEnd = '\n'): string {
  const quote = (cell: string): string => (/[",\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell);
  return rows.map((row) => row.map(quote).join(',')).join(lineEnd) + lineEnd;
}

export function encodeGb18030(text: string): Buffer {
  return iconv.encode(text, 'gb18030');
}

function chineseHeader(header: readonly string[], specs: readonly ColumnSpec[]): string[] {
  return header.map((name) => {
    const alias = specs.find((spec) => spec.name === name)?.aliases[0];
    if (alias === undefined) throw new Error(`no Chinese alias for column ${name}`);
    return alias;
  });
}

const YES_NO: Record<string, string> = { true: '是', false: '否' };
const GRADES: Record<string, string> = { excellent: '好', good: '较好', fair: '一般', poor: '较差', failed: '未完成' };
const LEVELS: Record<string, string> = { central: '中央', provincial: '省级' };
const YES_NO_COLUMNS = new Set(['poverty_county', 'key_county', 'old_revolutionary_base', 'ethnic_minority_area', 'border_area']);

/**
 * The sample with every header replaced by its Chinese alias and its values
 * in Chinese (是/否, 好/较好/一般/较差/未完成, 中央/省级; contiguous areas are
 * already Chinese), as text.
 */
export function chineseSampleText(): { counties: string; budget: string } {
  const [countyHeader, ...countyRows] = readRows(SAMPLE.counties);
  const counties = [
    chineseHeader(countyHeader!, COUNTY_COLUMNS),
    ...countyRows.map((row) =>
      row.map((cell, index) => {
        const column = countyHeader![index]!;
        if (YES_NO_COLUMNS.has(column)) return YES_NO[cell] ?? cell;
        if (column === 'assessment') return GRADES[cell] ?? cell;
        return cell;
      }),
    ),
  ];
  const [budgetHeader, ...budgetRows] = readRows(SAMPLE.budget);
  const budget = [
    chineseHeader(budgetHeader!, BUDGET_COLUMNS),
    ...budgetRows.map((row) => row.map((cell, index) => (budgetHeader![index] === 'level' ? (LEVELS[cell] ?? cell) : cell))),
  ];
  // Excel writes CRLF.
  return { counties: toCsv(counties, '\r\n'), budget: toCsv(budget, '\r\n') };
}
