/**
 * Last year's allocations.csv (--previous), for hold_harmless and
 * growth_check. It is read with the same strict table reader as every input:
 * only `county_code` and the two special-fund columns are used, every other
 * column of allocations.csv is ignored; a malformed code or amount, or a
 * county that appears twice, is a problem naming the line. Its codes are a
 * county table's (6 digits) or a village table's (12), one length a file.
 */
import { cellOf, mapHeader, type ColumnSpec, type HeaderMap } from './columns.js';
import { codeLengthMismatch, isUnitCode, parseMoney, type CodeLength } from './grammar.js';
import { fitsInt64, type Fen } from './money.js';
import { appendAll, sortProblems, type Problem } from './problems.js';
import { visitCsvParts, type CsvText, type Table, type TableVisitor } from './table.js';
import { bytesDigits, bytesTable, eachBytesRow, LINE_FEED, POINT } from './table-bytes.js';

export const PREVIOUS_COLUMNS: readonly ColumnSpec[] = [
  { name: 'county_code', aliases: ['县代码'] },
  { name: 'special_poverty_central', aliases: [] },
  { name: 'special_poverty_provincial', aliases: [] },
];

export interface PreviousCounty {
  readonly code: string;
  readonly specialPovertyCentral: Fen;
  readonly specialPovertyProvincial: Fen;
  readonly line: number;
}

/** Last year's rows by county (or village) code. */
export interface PreviousByCounty {
  get(code: string): PreviousCounty | undefined;
  readonly size: number;
}

export interface PreviousAllocations {
  /** By county code. */
  readonly byCounty: PreviousByCounty;
  /** Sum of special_poverty_central over every row: last year's central special fund paid out. */
  readonly centralTotal: Fen;
  readonly skippedBlankRows: number;
  /** The length of its codes (6 for counties, 12 for villages; one per file), and the first line that has one. */
  readonly codeLength: CodeLength | undefined;
}

/**
 * Last year's rows as columns: a village table's has a million, which as an
 * object and two bigints each, found through a map of a million strings,
 * held about 250 MB for the garbage collector to trace, and each look-up
 * cost a string hash and a few cache misses. A code is kept as the number its
 * digits make (exact: 12 digits at most, one length a file), the rows are put
 * in code order once read (allocations.csv is in code order already: then
 * nothing moves), and a look-up is a search from where the last one ended, as
 * hold_harmless asks in code order. A row's object is made when asked for.
 */
class PreviousStore implements PreviousByCounty {
  private count = 0;
  private capacity = 1024;
  private codes = new Float64Array(this.capacity);
  private lines = new Uint32Array(this.capacity);
  private central = new BigInt64Array(this.capacity);
  private provincial = new BigInt64Array(this.capacity);
  /** After `seal`: the distinct codes in order, and the row of each (the first row that had it). */
  private sorted = new Float64Array(0);
  private rowAt = new Uint32Array(0);
  /** Where the last look-up ended. */
  private cursor = 0;
  private codeLength = 0;

  get size(): number {
    return this.sorted.length;
  }

  /** A row with a well-formed code (6 or 12 digits, the file's length); amounts of a row with a problem do not matter. */
  add(code: string, line: number, central: Fen, provincial: Fen): void {
    this.addCode(Number(code), code.length, line, central, provincial);
  }

  /** Room for ROWS rows in all, so that the arrays need not grow (and be copied) on the way there. */
  reserve(rows: number): void {
    if (rows <= this.capacity) return;
    this.capacity = rows;
    this.codes = widened(this.codes, rows);
    this.lines = widened(this.lines, rows);
    this.central = widened(this.central, rows);
    this.provincial = widened(this.provincial, rows);
  }

  /** `add` of the code whose digits make CODE (LENGTH of them). */
  addCode(code: number, length: number, line: number, central: Fen, provincial: Fen): void {
    if (this.count === this.capacity) this.grow();
    const row = this.count++;
    this.codeLength = length;
    this.codes[row] = code;
    this.lines[row] = line;
    // Money a table holds has at most 15 digits of yuan (parseMoney), which a 64-bit slot holds in fen.
    if (!fitsInt64(central) || !fitsInt64(provincial)) throw new RangeError(`amounts on line ${line} do not fit 64 bits`);
    this.central[row] = central;
    this.provincial[row] = provincial;
  }

  /** Puts the rows in code order; each row whose code an earlier row had, with that row's line. */
  seal(): { code: string; line: number; first: number }[] {
    const { codes, lines, count } = this;
    const order = new Uint32Array(count);
    let inOrder = true;
    for (let row = 0; row < count; row++) {
      order[row] = row;
      if (row > 0 && codes[row]! < codes[row - 1]!) inOrder = false;
    }
    // Equal codes stay in the order read, the first line first.
    if (!inOrder) order.sort((a, b) => codes[a]! - codes[b]! || a - b);
    const sorted = new Float64Array(count);
    const rowAt = new Uint32Array(count);
    const repeated: { code: string; line: number; first: number }[] = [];
    let distinct = 0;
    for (let at = 0; at < count; at++) {
      const row = order[at]!;
      if (distinct > 0 && sorted[distinct - 1] === codes[row]) {
        repeated.push({ code: this.codeText(codes[row]!), line: lines[row]!, first: lines[rowAt[distinct - 1]!]! });
        continue;
      }
      sorted[distinct] = codes[row]!;
      rowAt[distinct] = row;
      distinct++;
    }
    this.sorted = sorted.slice(0, distinct);
    this.rowAt = rowAt.slice(0, distinct);
    this.codes = new Float64Array(0);
    return repeated;
  }

  get(code: string): PreviousCounty | undefined {
    if (code.length !== this.codeLength || !isUnitCode(code)) return undefined;
    const at = this.find(Number(code));
    if (at === undefined) return undefined;
    const row = this.rowAt[at]!;
    return { code, specialPovertyCentral: this.central[row]!, specialPovertyProvincial: this.provincial[row]!, line: this.lines[row]! };
  }

  /** The position of `value` among the sorted codes: searched forward from the last look-up, doubling the step, then halving. */
  private find(value: number): number | undefined {
    const sorted = this.sorted;
    const length = sorted.length;
    let low = 0;
    let high = length;
    const start = this.cursor;
    if (start < length && sorted[start]! <= value) {
      low = start;
      let step = 1;
      while (low + step < length && sorted[low + step]! <= value) {
        low += step;
        step *= 2;
      }
      high = Math.min(length, low + step);
    }
    // The first position whose code is not below `value`, in [low, high).
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (sorted[middle]! < value) low = middle + 1;
      else high = middle;
    }
    if (low < length && sorted[low] === value) {
      this.cursor = low + 1;
      return low;
    }
    return undefined;
  }

  /** The sealed store's arrays, to hand to another thread (they are not this store's any more). */
  parts(): PreviousStoreParts {
    const { lines, central, provincial, sorted, rowAt, codeLength } = this;
    this.lines = new Uint32Array(0);
    this.central = new BigInt64Array(0);
    this.provincial = new BigInt64Array(0);
    this.sorted = new Float64Array(0);
    this.rowAt = new Uint32Array(0);
    return { lines, central, provincial, sorted, rowAt, codeLength };
  }

  /** A sealed store made of the arrays another thread's store gave (`parts`). */
  static fromParts(parts: PreviousStoreParts): PreviousStore {
    const store = new PreviousStore();
    store.lines = parts.lines;
    store.central = parts.central;
    store.provincial = parts.provincial;
    store.sorted = parts.sorted;
    store.rowAt = parts.rowAt;
    store.codeLength = parts.codeLength;
    store.codes = new Float64Array(0);
    store.count = parts.rowAt.length;
    store.capacity = 0;
    return store;
  }

  private codeText(code: number): string {
    return String(code).padStart(this.codeLength, '0');
  }

  private grow(): void {
    this.capacity *= 2;
    this.codes = widened(this.codes, this.capacity);
    this.lines = widened(this.lines, this.capacity);
    this.central = widened(this.central, this.capacity);
    this.provincial = widened(this.provincial, this.capacity);
  }
}

/** A sealed PreviousStore's arrays: typed arrays only, which a worker thread hands over without copying them. */
export interface PreviousStoreParts {
  readonly lines: Uint32Array<ArrayBuffer>;
  readonly central: BigInt64Array<ArrayBuffer>;
  readonly provincial: BigInt64Array<ArrayBuffer>;
  readonly sorted: Float64Array<ArrayBuffer>;
  readonly rowAt: Uint32Array<ArrayBuffer>;
  readonly codeLength: number;
}

/** Last year's allocations as plain data and typed arrays, to pass between threads (see `previousFromParts`). */
export interface PreviousAllocationsParts {
  readonly store: PreviousStoreParts;
  readonly centralTotal: Fen;
  readonly skippedBlankRows: number;
  readonly codeLength: CodeLength | undefined;
}

/** PREVIOUS as parts: its store's arrays are the parts' from then on (PREVIOUS is not to be used after). */
export function previousParts(previous: PreviousAllocations): PreviousAllocationsParts {
  if (!(previous.byCounty instanceof PreviousStore)) throw new TypeError('only a store read by previousReader can be handed over');
  return { store: previous.byCounty.parts(), centralTotal: previous.centralTotal, skippedBlankRows: previous.skippedBlankRows, codeLength: previous.codeLength };
}

/** Last year's allocations made again from their parts (`previousParts`, on another thread). */
export function previousFromParts(parts: PreviousAllocationsParts): PreviousAllocations {
  return { byCounty: PreviousStore.fromParts(parts.store), centralTotal: parts.centralTotal, skippedBlankRows: parts.skippedBlankRows, codeLength: parts.codeLength };
}

/** ARRAY copied into a new array of its kind, LENGTH long. */
function widened<T extends Float64Array | Uint32Array | BigInt64Array>(array: T, length: number): T {
  const next = new (array.constructor as new (length: number) => T)(length);
  (next as unknown as { set(source: T): void }).set(array);
  return next;
}

/**
 * Reads last year's allocations.csv row by row (a village table's has a
 * million rows: they are not held as cells first). `visitor` is handed the
 * header and each row, as visitCsvTable hands them; `finish` gives the
 * result, or every problem found.
 */
export function previousReader(file: string): {
  visitor: TableVisitor;
  finish: (skippedBlankRows: number) => { result?: PreviousAllocations; problems: Problem[] };
  /** Where the three columns read are, once the header has been taken without a problem; else undefined. */
  columns(): { readonly code: number; readonly central: number; readonly provincial: number } | undefined;
  /** What `visitor.row` does with a row whose code (CODE, LENGTH digits) and amounts are well formed, of the table's one code length. */
  addChecked(code: number, length: number, line: number, central: Fen, provincial: Fen): void;
  /** Room for about this many rows (see PreviousStore.reserve). */
  expect(rows: number): void;
} {
  const problems: Problem[] = [];
  const byCounty = new PreviousStore();
  let header: HeaderMap | undefined;
  let centralTotal = 0n;
  let codeLength: CodeLength | undefined;
  const visitor: TableVisitor = {
    header(cells, headerLine) {
      const mapped = mapHeader({ file, header: cells, headerLine }, PREVIOUS_COLUMNS);
      appendAll(problems, mapped.problems);
      for (const required of PREVIOUS_COLUMNS) {
        if (!mapped.header.index.has(required.name)) {
          problems.push({ file, line: headerLine, column: required.name, message: `required column ${required.name} is missing (give the allocations.csv of last year's run)` });
        }
      }
      if (problems.length === 0) header = mapped.header;
    },
    row(row) {
      if (header === undefined) return;
      const line = row.line;
      const before = problems.length;
      const code = cellOf(header, row, 'county_code') ?? '';
      const mismatch = codeLengthMismatch(code, codeLength);
      let wellFormed = false;
      if (!isUnitCode(code)) {
        problems.push({ file, line, column: 'county_code', message: `${JSON.stringify(code)} is not a 6-digit administrative code or a 12-digit village code` });
      } else if (mismatch !== undefined) {
        problems.push({ file, line, column: 'county_code', message: mismatch });
      } else {
        codeLength ??= { length: code.length, line };
        wellFormed = true;
      }
      const amount = (column: string): Fen => {
        const text = cellOf(header!, row, column) ?? '';
        const parsed = parseMoney(text);
        if (parsed.ok) return parsed.value;
        problems.push({ file, line, column, message: `${JSON.stringify(text)} is not ${parsed.expected}` });
        return 0n;
      };
      const central = amount('special_poverty_central');
      const provincial = amount('special_poverty_provincial');
      // Every well-formed code is kept, to find a code that appears twice once all are read; a row with a
      // problem gives no result (every problem is reported instead), so its amounts do not matter.
      if (wellFormed) byCounty.add(code, line, central, provincial);
      if (problems.length === before) centralTotal += central;
    },
  };
  return {
    visitor,
    columns() {
      if (header === undefined || problems.length > 0) return undefined;
      const at = (column: string): number => header!.index.get(column)!;
      return { code: at('county_code'), central: at('special_poverty_central'), provincial: at('special_poverty_provincial') };
    },
    expect: (rows) => byCounty.reserve(rows),
    addChecked(code, length, line, central, provincial) {
      codeLength ??= { length, line };
      byCounty.addCode(code, length, line, central, provincial);
      centralTotal += central;
    },
    finish: (skippedBlankRows) => {
      for (const { code, line, first } of byCounty.seal()) problems.push({ file, line, column: 'county_code', message: `"${code}" appears twice (also on line ${first})` });
      return problems.length > 0 ? { problems: sortProblems(problems) } : { problems: [], result: { byCounty, centralTotal, skippedBlankRows, codeLength } };
    },
  };
}

/** The whole yuan parseMoney takes, at most (MONEY in grammar.ts), and how many of them make fen that a double still holds exactly. */
const MONEY_WHOLE_DIGITS = 15;
const SAFE_WHOLE_DIGITS = 13;
/** Room for this many times the rows a file's first row's length suggests (rows of povalloc's tables differ little in length). */
const ROWS_GUESSED_OVER = 1.25;

/**
 * Last year's allocations.csv read from its bytes, when it is as povalloc
 * writes one (see table-bytes.ts: a header the reader takes as it is, every
 * row whole) with a code of 6 or 12 digits (one length a file) and both
 * amounts in yuan written as digits with at most two decimals and nothing
 * around them (what parseMoney takes, untrimmed) on every row. Only the
 * three cells read are looked at: a million villages' 131 MB in 0.5 to 0.8 s
 * (1 to 1.2 s with reading the file and checking that it is UTF-8), rather
 * than about 2 s of a worker thread's time, which the main thread
 * and stage 2's worker need while the county table is read. The result is
 * what previousReader gives for the same text (the same store, the same
 * problems: for such a file, only codes that appear twice). Undefined as
 * soon as anything is otherwise: the caller then reads the text as for any
 * table, which gives every problem there is.
 */
export function readPreviousBytes(file: string, bytes: Uint8Array): { result?: PreviousAllocations; problems: Problem[] } | undefined {
  const table = bytesTable(bytes);
  if (table === undefined) return undefined;
  const reader = previousReader(file);
  reader.visitor.header(table.header, 1);
  const at = reader.columns();
  if (at === undefined) return undefined;
  // Room for the rows, guessed from the first row's length, and no more than rows of a code, two amounts and
  // the commas could be.
  const { length } = bytes;
  const rows = length - table.rowsFrom;
  const firstRowEnd = table.buffer.indexOf(LINE_FEED, table.rowsFrom);
  if (firstRowEnd > table.rowsFrom) reader.expect(Math.min(Math.ceil((rows / (firstRowEnd + 1 - table.rowsFrom)) * ROWS_GUESSED_OVER), Math.ceil(rows / (table.header.length + 8))));
  let codeLength = 0;
  const read = eachBytesRow(table, (line, starts, ends) => {
    const codeStart = starts[at.code]!;
    const codeDigits = ends[at.code]! - codeStart;
    if ((codeDigits !== 6 && codeDigits !== 12) || (codeLength !== 0 && codeDigits !== codeLength)) return false;
    const code = bytesDigits(bytes, codeStart, codeStart + codeDigits);
    if (code < 0) return false;
    codeLength = codeDigits;
    const central = moneyOf(bytes, starts[at.central]!, ends[at.central]!);
    const provincial = moneyOf(bytes, starts[at.provincial]!, ends[at.provincial]!);
    if (central === undefined || provincial === undefined) return false;
    reader.addChecked(code, codeDigits, line, central, provincial);
    return true;
  });
  return read ? reader.finish(0) : undefined;
}

/** The fen of bytes START to END - 1 when they are an amount parseMoney takes (1 to 15 digits, then a point and 1 or 2 digits, or not); else undefined. */
function moneyOf(bytes: Uint8Array, start: number, end: number): Fen | undefined {
  let point = start;
  while (point < end && bytes[point] !== POINT) point++;
  const whole = bytesDigits(bytes, start, point);
  const wholeDigits = point - start;
  if (whole < 0 || wholeDigits > MONEY_WHOLE_DIGITS) return undefined;
  let cents = 0;
  if (point < end) {
    const places = end - point - 1;
    cents = bytesDigits(bytes, point + 1, end);
    if (cents < 0 || places > 2) return undefined;
    if (places === 1) cents *= 10;
  }
  // At most 13 digits of yuan make fewer fen than 2^53: one double, exact; more, in bigints.
  return wholeDigits <= SAFE_WHOLE_DIGITS ? BigInt(whole * 100 + cents) : BigInt(whole) * 100n + BigInt(cents);
}

/**
 * Last year's allocations.csv read from its text (whole, or in parts: see
 * visitCsvParts) as every table is: the rows, every problem, and the blank
 * rows skipped (undefined when the file has no header).
 */
export function readPreviousText(file: string, text: CsvText): { result?: PreviousAllocations; problems: Problem[]; skippedBlankRows?: number } {
  let reader = previousReader(file);
  const visited = visitCsvParts(file, text, () => (reader = previousReader(file)).visitor);
  const problems: Problem[] = [...visited.problems];
  if (visited.header === undefined) return { problems };
  const finished = reader.finish(visited.skippedBlankRows);
  appendAll(problems, finished.problems);
  return { problems, skippedBlankRows: visited.skippedBlankRows, ...(finished.result ? { result: finished.result } : {}) };
}

/** previousReader over a table read whole. */
export function readPreviousAllocations(table: Table): { result?: PreviousAllocations; problems: Problem[] } {
  const reader = previousReader(table.file);
  reader.visitor.header(table.header, table.headerLine);
  for (const row of table.rows) reader.visitor.row(row);
  return reader.finish(table.skippedBlankRows);
}
