/**
 * CSV text into header and rows, each row with the line it starts on. Blank
 * lines and Excel's trailing all-empty rows are skipped and counted. Cells are
 * trimmed. Parser errors become problems with file and line.
 */
import { parse } from 'csv-parse/sync';
import type { Problem } from './problems.js';

export interface TableRow {
  /** 1-based line on which the record starts. */
  readonly line: number;
  readonly cells: readonly string[];
}

export interface Table {
  readonly file: string;
  readonly header: readonly string[];
  readonly headerLine: number;
  readonly rows: readonly TableRow[];
  /** Blank or all-empty rows skipped. */
  readonly skippedBlankRows: number;
}

interface CsvErrorLike {
  code?: string;
  message?: string;
  lines?: number;
}

function countNewlines(cells: readonly string[]): number {
  let count = 0;
  for (const cell of cells) {
    for (let i = 0; i < cell.length; i++) if (cell.charCodeAt(i) === 10) count++;
  }
  return count;
}

/** Parses CSV text (already decoded; a leading BOM is dropped). */
export function parseCsvTable(file: string, text: string): { table?: Table; problems: Problem[] } {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, {
      bom: true,
      relax_column_count: true,
      skip_empty_lines: true,
      trim: true,
      info: true,
    }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (error) {
    const csvError = error as CsvErrorLike;
    const message = (csvError.message ?? String(error)).replace(/^[A-Za-z ]+:\s*/, '');
    return {
      problems: [{ file, line: csvError.lines ?? 0, message: `the CSV cannot be read: ${message}` }],
    };
  }
  const problems: Problem[] = [];
  let skippedBlankRows = 0;
  let headerRecord: { record: string[]; info: { lines: number } } | undefined;
  const rows: TableRow[] = [];
  for (const entry of records) {
    const cells = entry.record;
    if (cells.every((cell) => cell === '')) {
      skippedBlankRows++;
      continue;
    }
    const line = entry.info.lines - countNewlines(cells);
    if (!headerRecord) {
      headerRecord = entry;
      continue;
    }
    rows.push({ line, cells });
  }
  if (!headerRecord) {
    return { problems: [{ file, line: 0, message: 'the file is empty: a header row is required' }] };
  }
  const header = headerRecord.record;
  const headerLine = headerRecord.info.lines - countNewlines(header);
  // Trailing empty header cells come from Excel's extra commas: drop them.
  let width = header.length;
  while (width > 0 && header[width - 1] === '') width--;
  const trimmedHeader = header.slice(0, width);
  // A ragged row is reported as such; its cells are not checked one by one,
  // since they are shifted and every message about them would mislead.
  const regularRows: TableRow[] = [];
  for (const row of rows) {
    const extra = row.cells.slice(width);
    if (row.cells.length < width || extra.some((cell) => cell !== '')) {
      problems.push({ file, line: row.line, message: `the row has ${row.cells.length} cells but the header has ${width}` });
    } else {
      regularRows.push({ line: row.line, cells: row.cells.slice(0, width) });
    }
  }
  return {
    table: {
      file,
      header: trimmedHeader,
      headerLine,
      rows: regularRows,
      skippedBlankRows,
    },
    problems,
  };
}
