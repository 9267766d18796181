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

/** Cells longer than this (in UTF-16 code units, i.e. characters) are refused. */
export const MAX_FIELD_CHARS = 65_536;

interface CsvErrorLike {
  code?: string;
  message?: string;
  lines?: number;
  column?: number;
  field?: string;
}

/** 1-based line of each line start (\n, \r\n or a lone \r end a line). */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 10 || (code === 13 && text.charCodeAt(i + 1) !== 10)) starts.push(i + 1);
  }
  return starts;
}

/** The first line after `line` that holds more than white space: where the next record starts. */
function nextRecordLine(text: string, line: number): number {
  const starts = lineStarts(text);
  for (let index = line; index < starts.length; index++) {
    const end = index + 1 < starts.length ? starts[index + 1]! : text.length;
    if (text.slice(starts[index], end).trim() !== '') return index + 1;
  }
  return line + 1;
}

/** csv-parse's error as a problem a person can act on: file, line, what is wrong. */
function csvSyntaxProblem(file: string, text: string, error: unknown, lastRecordLine: number): Problem {
  const csvError = error as CsvErrorLike;
  const column = csvError.column === undefined ? '' : ` (cell ${csvError.column + 1})`;
  switch (csvError.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return {
        file,
        line: nextRecordLine(text, lastRecordLine),
        message: 'a quoted cell in the row starting on this line is never closed: a " is missing, so the rest of the file would be read as one cell',
      };
    case 'CSV_INVALID_CLOSING_QUOTE':
      return {
        file,
        line: csvError.lines ?? 0,
        message: `a quoted cell${column} has more text after its closing quote: a " inside a quoted cell must be doubled ("")`,
      };
    case 'INVALID_OPENING_QUOTE':
    case 'CSV_INVALID_OPENING_QUOTE':
      return {
        file,
        line: csvError.lines ?? 0,
        message: `a " in the middle of an unquoted cell${column}${csvError.field === undefined ? '' : ` after ${JSON.stringify(csvError.field)}`}: put the whole cell in quotes and double the " inside it`,
      };
    default: {
      const message = (csvError.message ?? String(error)).replace(/^[A-Za-z ]+:\s*/, '');
      return { file, line: csvError.lines ?? 0, message: `the CSV cannot be read: ${message}` };
    }
  }
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
  let lastRecordLine = 0;
  try {
    records = parse(text, {
      bom: true,
      relax_column_count: true,
      skip_empty_lines: false,
      trim: true,
      info: true,
      on_record: (record: string[], context: { lines: number }) => {
        lastRecordLine = context.lines;
        return record;
      },
    }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (error) {
    return { problems: [csvSyntaxProblem(file, text, error, lastRecordLine)] };
  }
  const problems: Problem[] = [];
  let skippedBlankRows = 0;
  let headerRecord: { record: string[]; info: { lines: number } } | undefined;
  const rows: TableRow[] = [];
  for (const entry of records) {
    const cells = entry.record;
    // csv-parse trims outside quotes only; every cell is trimmed of Unicode white space (also U+3000).
    for (let index = 0; index < cells.length; index++) {
      const cell = cells[index]!;
      if (cell.length > MAX_FIELD_CHARS) {
        problems.push({
          file,
          line: entry.info.lines - countNewlines(cells),
          message: `cell ${index + 1} is ${cell.length} characters long, more than the ${MAX_FIELD_CHARS} accepted (is a " missing?)`,
        });
        cells[index] = '';
      } else if (cell !== '') {
        cells[index] = cell.trim();
      }
    }
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
  const separator = header.length === 1 ? [';', '\t', '|'].find((candidate) => header[0]!.includes(candidate)) : undefined;
  if (separator !== undefined) {
    const name = separator === '\t' ? 'tabs' : `"${separator}"`;
    problems.push({ file, line: headerLine, message: `the header is one single column: the cells seem separated by ${name}, but povalloc reads comma-separated CSV; save the file as CSV (comma delimited)` });
  }
  // Trailing empty header cells come from Excel's extra commas: drop them.
  let width = header.length;
  while (width > 0 && header[width - 1] === '') width--;
  const trimmedHeader = header.slice(0, width);
  for (const row of rows) {
    const extra = row.cells.slice(width);
    if (row.cells.length < width) {
      problems.push({ file, line: row.line, message: `the row has ${row.cells.length} cells but the header has ${width}` });
    } else if (extra.some((cell) => cell !== '')) {
      problems.push({ file, line: row.line, message: `the row has ${row.cells.length} cells but the header has ${width}` });
    }
  }
  return {
    table: {
      file,
      header: trimmedHeader,
      headerLine,
      rows: rows.map((row) => ({ line: row.line, cells: row.cells.slice(0, width) })),
      skippedBlankRows,
    },
    problems,
  };
}
