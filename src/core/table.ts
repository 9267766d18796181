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

/** A record as the tokenizer gives it: its cells (not yet checked) and the line it starts on. */
export interface CsvRecord {
  /** 1-based line on which the record starts. */
  readonly line: number;
  readonly cells: string[];
}

/** Options csv-parse reads a table with; the fast tokenizer below gives exactly its records. */
const CSV_PARSE_OPTIONS: Options = {
  bom: true,
  relax_column_count: true,
  skip_empty_lines: false,
  // Any mix of CRLF, LF and lone CR ends a row, as in an editor.
  record_delimiter: ['\r\n', '\n', '\r'],
  trim: true,
  info: true,
};

/**
 * Tokenises with csv-parse: the reference, and the path every text the fast
 * tokenizer declines takes, so that syntax errors keep csv-parse's diagnosis.
 */
export function tokenizeCsvWithCsvParse(file: string, text: string): { records?: CsvRecord[]; problem?: Problem } {
  // csv-parse reads UTF-8 bytes (it would encode a string itself); its offsets index these bytes.
  const bytes = new TextEncoder().encode(text);
  const lines = new LineIndex(bytes);
  let parsed: { record: string[]; info: { bytes: number } }[];
  try {
    parsed = parse(bytes, CSV_PARSE_OPTIONS) as unknown as { record: string[]; info: { bytes: number } }[];
  } catch (error) {
    // Read again, noting where each record ends, to find the line the failing row starts on
    // (a callback per record slows the common case down by a fifth, so only here).
    let recordStart = 0;
    try {
      parse(bytes, {
        ...CSV_PARSE_OPTIONS,
        on_record: (record: string[], context: { bytes: number }) => {
          recordStart = context.bytes;
          return record;
        },
      });
    } catch {
      // The same error again.
    }
    return { problem: csvSyntaxProblem(file, error, lines.lineAt(recordStart)) };
  }
  const records: CsvRecord[] = [];
  let start = 0;
  for (const entry of parsed) {
    records.push({ line: lines.lineAt(start), cells: entry.record });
    start = entry.info.bytes;
  }
  return { records };
}

const QUOTE = 34;
const COMMA = 44;
const LINE_FEED = 10;
const CARRIAGE_RETURN = 13;

/** 1 for the code units that end or complicate an unquoted cell: comma, quote, CR, LF, surrogates. */
const UNQUOTED_STOP = new Uint8Array(0x10000);
UNQUOTED_STOP[COMMA] = 1;
UNQUOTED_STOP[QUOTE] = 1;
UNQUOTED_STOP[LINE_FEED] = 1;
UNQUOTED_STOP[CARRIAGE_RETURN] = 1;
UNQUOTED_STOP.fill(1, 0xd800, 0xe000);

/**
 * White space csv-parse's `trim` removes (ECMAScript WhiteSpace and
 * LineTerminator, exactly what String.prototype.trim removes; U+0085 is not
 * among them).
 */
export function isTrimmable(code: number): boolean {
  if (code < 0xa0) return code === 32 || (code >= 9 && code <= 13);
  return (
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

/**
 * The records csv-parse would give for `text` (with CSV_PARSE_OPTIONS), read
 * straight from the string: no re-encoding to UTF-8, no second pass for line
 * numbers. It takes the well-formed common case (unquoted cells; quoted
 * cells with doubled quotes, closed, followed only by white space and then a
 * comma or line end) and declines (undefined) anything else: a quote
 * csv-parse would refuse or read in an unusual way, an unclosed quote, a lone
 * surrogate. Declined texts go to csv-parse, so its diagnosis stays the only
 * one. tests/csv-tokenizer.test.ts checks the two agree on random texts.
 */
export function tokenizeCsvFast(text: string): CsvRecord[] | undefined {
  const records: CsvRecord[] = [];
  return scanCsvFast(text, (cells, line) => records.push({ line, cells })) ? records : undefined;
}

/**
 * tokenizeCsvFast handing each record to `onRecord` as it is read (a fresh
 * array each time) instead of collecting them, with whether every cell of
 * it is as TableAssembler.add keeps it (`clean`: unquoted, so trimmed here,
 * and no longer than MAX_FIELD_CHARS). 0 when it declines the text,
 * possibly after some records were handed over: the caller starts again
 * with csv-parse. Otherwise the number of the line after the text's last:
 * a text that is a part of a file (see visitCsvParts) begins on FIRST_LINE,
 * and only the file's first part (AT_START) may begin with a BOM.
 */
function scanCsvFast(text: string, onRecord: (cells: string[], line: number, clean: boolean) => void, firstLine = 1, atStart = true): number {
  const length = text.length;
  // csv-parse drops a UTF-8 BOM at the very start only.
  let position = atStart && length > 0 && text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = firstLine;
  let recordLine = firstLine;
  let cells: string[] = [];
  // No cell of the record so far is quoted (trimmed only by the assembler) or too long.
  let clean = true;
  for (;;) {
    // The start of a cell: leading white space is skipped (line ends end the record).
    let code = position < length ? text.charCodeAt(position) : -1;
    while (code !== -1 && code !== LINE_FEED && code !== CARRIAGE_RETURN && code !== COMMA && code !== QUOTE && isTrimmable(code)) {
      position++;
      code = position < length ? text.charCodeAt(position) : -1;
    }
    let cell: string;
    let quoted = false;
    if (code === QUOTE) {
      quoted = true;
      clean = false;
      position++;
      cell = '';
      let segmentStart = position;
      for (;;) {
        if (position >= length) return 0; // never closed: csv-parse says so
        code = text.charCodeAt(position);
        if (code === QUOTE) {
          if (position + 1 < length && text.charCodeAt(position + 1) === QUOTE) {
            // A doubled quote is one quote in the cell.
            cell += text.slice(segmentStart, position + 1);
            position += 2;
            segmentStart = position;
            continue;
          }
          cell += text.slice(segmentStart, position);
          position++;
          break;
        }
        if (code === LINE_FEED) {
          line++;
        } else if (code === CARRIAGE_RETURN) {
          if (position + 1 < length && text.charCodeAt(position + 1) === LINE_FEED) position++;
          line++;
        } else if (code >= 0xd800 && code <= 0xdfff) {
          if (code >= 0xdc00 || position + 1 >= length) return 0;
          const next = text.charCodeAt(position + 1);
          if (next < 0xdc00 || next > 0xdfff) return 0;
          position++;
        }
        position++;
      }
      // After the closing quote only white space, then a comma, a line end or the end of the text.
      code = position < length ? text.charCodeAt(position) : -1;
      while (code !== -1 && code !== LINE_FEED && code !== CARRIAGE_RETURN && isTrimmable(code)) {
        // csv-parse steps over a multi-byte space after a closing quote byte by byte, and refuses
        // its second byte, unless the quoted cell is empty: leave such text to it.
        if (code >= 0x80 && cell !== '') return 0;
        position++;
        code = position < length ? text.charCodeAt(position) : -1;
      }
      if (code !== -1 && code !== COMMA && code !== LINE_FEED && code !== CARRIAGE_RETURN) return 0;
    } else {
      const cellStart = position;
      code = -1;
      while (position < length) {
        const next = text.charCodeAt(position);
        if (UNQUOTED_STOP[next] === 0) {
          position++;
          continue;
        }
        if (next === COMMA || next === LINE_FEED || next === CARRIAGE_RETURN) {
          code = next;
          break;
        }
        if (next === QUOTE) return 0; // a quote inside an unquoted cell: csv-parse refuses it
        // A surrogate: a well-formed pair is two ordinary code units.
        if (next >= 0xdc00 || position + 1 >= length) return 0;
        const low = text.charCodeAt(position + 1);
        if (low < 0xdc00 || low > 0xdfff) return 0;
        position += 2;
      }
      let cellEnd = position;
      while (cellEnd > cellStart && isTrimmable(text.charCodeAt(cellEnd - 1))) cellEnd--;
      cell = cellEnd === cellStart ? '' : text.slice(cellStart, cellEnd);
      if (cellEnd - cellStart > MAX_FIELD_CHARS) clean = false;
    }
    if (code === COMMA) {
      cells.push(cell);
      position++;
      continue;
    }
    if (code === -1) {
      // csv-parse ends the last record only if it holds something: a cell before, a quote, a character.
      if (quoted || cell !== '' || cells.length > 0) {
        cells.push(cell);
        onRecord(cells, recordLine, clean);
      }
      return line;
    }
    // A line end: CRLF, LF or a lone CR.
    cells.push(cell);
    onRecord(cells, recordLine, clean);
    cells = [];
    clean = true;
    position += code === CARRIAGE_RETURN && position + 1 < length && text.charCodeAt(position + 1) === LINE_FEED ? 2 : 1;
    line++;
    recordLine = line;
  }
}

/** Receives a table row by row, as it is read (see visitCsvTable). */
export interface TableVisitor {
  /** The header (trailing empty cells dropped) and its line, once, before any row. */
  header(header: readonly string[], headerLine: number): void;
  /** Each regular row (exactly as many cells as the header), in file order. */
  row(row: TableRow): void;
}

/** What visitCsvTable found besides the rows: the header, when there is one, and the problems. */
export interface VisitedTable {
  readonly header?: readonly string[];
  readonly headerLine: number;
  readonly skippedBlankRows: number;
  /** Regular rows handed to the visitor. */
  readonly rowCount: number;
  readonly problems: Problem[];
}

/**
 * TEXT as a string of its own characters. A cell is a part of the file's
 * text, and V8 keeps a part of 13 characters or more as a view into the whole:
 * a column name kept for as long as a table's reader runs (a run's
 * allocations.csv read by compare) would keep a village table's whole text,
 * hundreds of MB, from being freed.
 */
export function ownText(text: string): string {
  return text.length < 13 ? text : Buffer.from(text, 'utf8').toString('utf8');
}

/**
 * Checks records one at a time, as parseCsvTable does (cell cap, trimming,
 * blank rows, header, ragged rows), handing regular rows on. Problems keep
 * parseCsvTable's order: cell caps, then the separator, then ragged rows.
 */
class TableAssembler {
  private readonly capProblems: Problem[] = [];
  private readonly raggedProblems: Problem[] = [];
  private separatorProblem: Problem | undefined;
  private header: string[] | undefined;
  private headerLine = 0;
  private width = 0;
  private skippedBlankRows = 0;
  private rowCount = 0;

  constructor(
    private readonly file: string,
    private readonly visitor: TableVisitor,
  ) {}

  /** A record; CLEAN when its cells need no trimming nor a check of their length (see scanCsvFast). */
  add(cells: string[], line: number, clean = false): void {
    // csv-parse trims outside quotes only; every cell is trimmed of Unicode white space (also U+3000).
    let blank = true;
    if (clean) {
      // Trimmed and measured by the tokenizer: blank when every cell is empty.
      for (let index = 0; index < cells.length && blank; index++) blank = cells[index] === '';
    } else {
      for (let index = 0; index < cells.length; index++) {
        const cell = cells[index]!;
        if (cell.length > MAX_FIELD_CHARS) {
          this.capProblems.push({
            file: this.file,
            line,
            message: `cell ${index + 1} is ${cell.length} characters long, more than the ${MAX_FIELD_CHARS} accepted (is a " missing?)`,
          });
          cells[index] = '';
        } else if (cell !== '') {
          // Trimmed only when an end is white space (cheaper to test than to trim every cell).
          if (isTrimmable(cell.charCodeAt(0)) || isTrimmable(cell.charCodeAt(cell.length - 1))) {
            const trimmed = cell.trim();
            cells[index] = trimmed;
            if (trimmed !== '') blank = false;
          } else {
            blank = false;
          }
        }
      }
    }
    if (blank) {
      this.skippedBlankRows++;
      return;
    }
    if (this.header === undefined) {
      this.addHeader(cells, line);
      return;
    }
    const width = this.width;
    if (cells.length === width) {
      this.rowCount++;
      this.visitor.row({ line, cells });
      return;
    }
    // A ragged row is reported as such; its cells are not checked one by one,
    // since they are shifted and every message about them would mislead.
    let ragged = cells.length < width;
    for (let index = width; !ragged && index < cells.length; index++) ragged = cells[index] !== '';
    if (ragged) {
      this.raggedProblems.push({ file: this.file, line, message: `the row has ${cells.length} cells but the header has ${width}` });
    } else {
      this.rowCount++;
      this.visitor.row({ line, cells: cells.slice(0, width) });
    }
  }

  private addHeader(cells: string[], line: number): void {
    // Column names live as long as the table's reader: kept as text of their own, not as views into the file's text.
    const header = cells.map(ownText);
    this.header = header;
    this.headerLine = line;
    const separator = header.length === 1 ? [';', '\t', '|'].find((candidate) => header[0]!.includes(candidate)) : undefined;
    if (separator !== undefined) {
      const name = separator === '\t' ? 'tabs' : `"${separator}"`;
      this.separatorProblem = {
        file: this.file,
        line,
        message: `the header is one single column: the cells seem separated by ${name}, but povalloc reads comma-separated CSV; save the file as CSV (comma delimited)`,
      };
    }
    // Trailing empty header cells come from Excel's extra commas: drop them.
    let width = header.length;
    while (width > 0 && header[width - 1] === '') width--;
    this.width = width;
    this.visitor.header(header.slice(0, width), line);
  }

  finish(): VisitedTable {
    if (this.header === undefined) {
      return {
        headerLine: 0,
        skippedBlankRows: this.skippedBlankRows,
        rowCount: 0,
        // (A cell over the cap in a file with no header is not worth mentioning.)
        problems: [{ file: this.file, line: 0, message: 'the file is empty: a header row is required' }],
      };
    }
    const problems = this.capProblems;
    if (this.separatorProblem) problems.push(this.separatorProblem);
    // (A loop, not push(...): a million ragged rows would overflow the call stack.)
    for (const problem of this.raggedProblems) problems.push(problem);
    return { header: this.header.slice(0, this.width), headerLine: this.headerLine, skippedBlankRows: this.skippedBlankRows, rowCount: this.rowCount, problems };
  }
}

/**
 * Reads CSV text (already decoded; a leading BOM is dropped) row by row into
 * a visitor, without holding the rows: a large table need not sit in memory
 * as cells before it is read. The fast tokenizer reads it unless it
 * declines; then csv-parse reads it, into a fresh visitor (`newVisitor` is
 * called again), so a visitor only ever sees one reading. No header and a
 * CSV syntax error are problems; the visitor's header is then never called.
 */
export function visitCsvTable(file: string, text: string, newVisitor: () => TableVisitor, options: { tokenizer?: 'fast' | 'csv-parse' } = {}): VisitedTable {
  if (options.tokenizer !== 'csv-parse') {
    const assembler = new TableAssembler(file, newVisitor());
    if (scanCsvFast(text, (cells, line, clean) => assembler.add(cells, line, clean))) return assembler.finish();
  }
  const tokenized = tokenizeCsvWithCsvParse(file, text);
  if (tokenized.problem) return { headerLine: 0, skippedBlankRows: 0, rowCount: 0, problems: [tokenized.problem] };
  const assembler = new TableAssembler(file, newVisitor());
  for (const record of tokenized.records!) assembler.add(record.cells, record.line);
  return assembler.finish();
}

/** A table's text, whole or in parts that end at line ends outside quotes (see read-inputs.ts decodedParts). */
export type CsvText = string | (() => Iterable<string>);

/**
 * visitCsvTable of a text that may be given in parts (CsvText): together
 * the parts are the text. The fast tokenizer reads them one after another,
 * so that no more than one part of the text is held at a time (a run's
 * allocations.csv of a million villages is some 250 MB as one string); if
 * it declines any part, the parts are joined and read as visitCsvTable
 * reads a text, into a fresh visitor. Either way the visitor sees what visitCsvTable would
 * give it for the whole text.
 */
export function visitCsvParts(file: string, text: CsvText, newVisitor: () => TableVisitor): VisitedTable {
  const parts = typeof text === 'string' ? () => [text] : text;
  const assembler = new TableAssembler(file, newVisitor());
  let line = 1;
  let atStart = true;
  for (const part of parts()) {
    line = scanCsvFast(part, (cells, at, clean) => assembler.add(cells, at, clean), line, atStart);
    if (line === 0) return visitCsvTable(file, [...parts()].join(''), newVisitor);
    atStart = false;
  }
  return assembler.finish();
}

/**
 * Parses CSV text (already decoded; a leading BOM is dropped) into a table.
 * `tokenizer: 'csv-parse'` forces the reference tokenizer (for tests that
 * compare the two).
 */
export function parseCsvTable(file: string, text: string, options: { tokenizer?: 'fast' | 'csv-parse' } = {}): { table?: Table; problems: Problem[] } {
  let rows: TableRow[] = [];
  const visited = visitCsvTable(
    file,
    text,
    () => {
      rows = [];
      return { header: () => undefined, row: (row) => rows.push(row) };
    },
    options,
  );
  // No header: the file is empty, or csv-parse could not read it.
  if (visited.header === undefined) return { problems: visited.problems };
  return {
    table: { file, header: visited.header, headerLine: visited.headerLine, rows, skippedBlankRows: visited.skippedBlankRows },
    problems: visited.problems,
  };
}
