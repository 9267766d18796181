/**
 * CSV text into header and rows, each row with the line it starts on. Blank
 * lines and Excel's trailing all-empty rows are skipped and counted. Cells are
 * trimmed. Parser errors become problems with file and line.
 */
import { parse, type Options } from 'csv-parse/sync';
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

/**
 * Line numbers as an editor shows them (LF, CRLF and a lone CR each end a
 * line), looked up by UTF-8 byte offset, which is how csv-parse reports
 * where each record ends.
 */
class LineIndex {
  /** Byte offsets just after each line break, ascending. */
  private readonly breaks: number[] = [];

  constructor(bytes: Uint8Array) {
    let at = 0;
    // The next LF and CR at or after `at` (-1: none left), each searched for only when passed.
    let lineFeed = bytes.indexOf(10);
    let carriageReturn = bytes.indexOf(13);
    while (lineFeed !== -1 || carriageReturn !== -1) {
      const next = lineFeed === -1 ? carriageReturn : carriageReturn === -1 ? lineFeed : Math.min(lineFeed, carriageReturn);
      // CRLF is one line break.
      at = bytes[next] === 13 && bytes[next + 1] === 10 ? next + 2 : next + 1;
      this.breaks.push(at);
      if (lineFeed !== -1 && lineFeed < at) lineFeed = bytes.indexOf(10, at);
      if (carriageReturn !== -1 && carriageReturn < at) carriageReturn = bytes.indexOf(13, at);
    }
  }

  /** The 1-based line holding the byte at `offset`. */
  lineAt(offset: number): number {
    let low = 0;
    let high = this.breaks.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (this.breaks[middle]! <= offset) low = middle + 1;
      else high = middle;
    }
    return low + 1;
  }
}

/** White space as String.prototype.trim sees it (cheaper to test than to trim every cell). */
function isWhiteSpace(code: number): boolean {
  return (
    code <= 32 ||
    code === 0x85 ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}

/** csv-parse's error as a problem a person can act on: file, the line its row starts on, what is wrong. */
function csvSyntaxProblem(file: string, error: unknown, line: number): Problem {
  const csvError = error as CsvErrorLike;
  const column = csvError.column === undefined ? '' : ` (cell ${csvError.column + 1})`;
  switch (csvError.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return {
        file,
        line,
        message: 'a quoted cell in the row starting on this line is never closed: a " is missing, so the rest of the file would be read as one cell',
      };
    case 'CSV_INVALID_CLOSING_QUOTE':
    case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE':
      return {
        file,
        line,
        message: `a quoted cell${column} has more text after its closing quote: a " inside a quoted cell must be doubled ("")`,
      };
    case 'INVALID_OPENING_QUOTE':
    case 'CSV_INVALID_OPENING_QUOTE':
      return {
        file,
        line,
        message: `a " in the middle of an unquoted cell${column}${csvError.field === undefined ? '' : ` after ${JSON.stringify(csvError.field)}`}: put the whole cell in quotes and double the " inside it`,
      };
    default: {
      const message = (csvError.message ?? String(error)).replace(/^[A-Za-z ]+:\s*/, '');
      return { file, line, message: `the CSV cannot be read: ${message}` };
    }
  }
}

/** Parses CSV text (already decoded; a leading BOM is dropped). */
export function parseCsvTable(file: string, text: string): { table?: Table; problems: Problem[] } {
  // csv-parse reads UTF-8 bytes (it would encode a string itself); its offsets index these bytes.
  const bytes = new TextEncoder().encode(text);
  const lines = new LineIndex(bytes);
  const options: Options = {
    bom: true,
    relax_column_count: true,
    skip_empty_lines: false,
    // Any mix of CRLF, LF and lone CR ends a row, as in an editor.
    record_delimiter: ['\r\n', '\n', '\r'],
    trim: true,
    info: true,
  };
  let records: { record: string[]; info: { bytes: number } }[];
  try {
    records = parse(bytes, options) as unknown as { record: string[]; info: { bytes: number } }[];
  } catch (error) {
    // Read again, noting where each record ends, to find the line the failing row starts on
    // (a callback per record slows the common case down by a fifth, so only here).
    let recordStart = 0;
    try {
      parse(bytes, {
        ...options,
        on_record: (record: string[], context: { bytes: number }) => {
          recordStart = context.bytes;
          return record;
        },
      });
    } catch {
      // The same error again.
    }
    return { problems: [csvSyntaxProblem(file, error, lines.lineAt(recordStart))] };
  }
  const problems: Problem[] = [];
  let skippedBlankRows = 0;
  let headerRecord: { record: string[]; line: number } | undefined;
  const rows: TableRow[] = [];
  let start = 0;
  for (const entry of records) {
    const cells = entry.record;
    const line = lines.lineAt(start);
    start = entry.info.bytes;
    // csv-parse trims outside quotes only; every cell is trimmed of Unicode white space (also U+3000).
    for (let index = 0; index < cells.length; index++) {
      const cell = cells[index]!;
      if (cell.length > MAX_FIELD_CHARS) {
        problems.push({
          file,
          line,
          message: `cell ${index + 1} is ${cell.length} characters long, more than the ${MAX_FIELD_CHARS} accepted (is a " missing?)`,
        });
        cells[index] = '';
      } else if (cell !== '' && (isWhiteSpace(cell.charCodeAt(0)) || isWhiteSpace(cell.charCodeAt(cell.length - 1)))) {
        cells[index] = cell.trim();
      }
    }
    if (cells.every((cell) => cell === '')) {
      skippedBlankRows++;
      continue;
    }
    if (!headerRecord) {
      headerRecord = { record: cells, line };
      continue;
    }
    rows.push({ line, cells });
  }
  if (!headerRecord) {
    return { problems: [{ file, line: 0, message: 'the file is empty: a header row is required' }] };
  }
  const header = headerRecord.record;
  const headerLine = headerRecord.line;
  const separator = header.length === 1 ? [';', '\t', '|'].find((candidate) => header[0]!.includes(candidate)) : undefined;
  if (separator !== undefined) {
    const name = separator === '\t' ? 'tabs' : `"${separator}"`;
    problems.push({ file, line: headerLine, message: `the header is one single column: the cells seem separated by ${name}, but povalloc reads comma-separated CSV; save the file as CSV (comma delimited)` });
  }
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
