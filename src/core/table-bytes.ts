/**
 * A table povalloc wrote (a run's allocations.csv, read again by `compare`
 * or as last year's table by `--previous`) read from its bytes: a million
 * villages' 131 MB are not decoded into text nor cut into 26 cells a row,
 * and only the cells a reader uses become anything. Only a table exactly as
 * the table reader (table.ts) would take it row by row is read so: UTF-8
 * (the caller has checked that it is), no quote anywhere, lines ended by
 * CRLF or LF (no other carriage return), a header without empty cells at its
 * end, no blank line and every row of as many cells as the header. Any other
 * is the caller's to read as text, as every table is: these functions say
 * so (undefined, false) rather than read it otherwise.
 */
import { isTrimmable, MAX_FIELD_CHARS, tokenizeCsvFast } from './table.js';

export const LINE_FEED = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const QUOTE = 0x22;
const COMMA = 0x2c;
const MINUS = 0x2d;
export const POINT = 0x2e;
const ZERO_DIGIT = 0x30;

/** A table's header as read from its bytes, and where its rows begin. */
export interface BytesTable {
  readonly bytes: Uint8Array;
  /** The same memory as a Buffer (for its native searches and decoding). */
  readonly buffer: Buffer;
  /** The header's cells, trimmed as the table reader trims them. */
  readonly header: readonly string[];
  /** Where the line after the header begins (the length of the bytes when there is none). */
  readonly rowsFrom: number;
}

/** The header of BYTES when the table may be read from its bytes (see above); else undefined. */
export function bytesTable(bytes: Uint8Array): BytesTable | undefined {
  const length = bytes.length;
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer.indexOf(QUOTE) !== -1) return undefined;
  const start = length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const lineFeed = buffer.indexOf(LINE_FEED, start);
  const headerEnd = lineFeed === -1 ? length : lineFeed;
  if (headerEnd - start > MAX_FIELD_CHARS) return undefined;
  const text = buffer.toString('utf8', start, headerEnd > start && bytes[headerEnd - 1] === CARRIAGE_RETURN ? headerEnd - 1 : headerEnd);
  if (text.includes('\r')) return undefined;
  const records = tokenizeCsvFast(text);
  const header = records?.length === 1 ? records[0]!.cells : undefined;
  // Without trailing empty cells, which the table reader drops (and then takes rows with as many more empty cells).
  if (header === undefined || header.length === 0 || header[header.length - 1] === '') return undefined;
  return { bytes, buffer, header, rowsFrom: lineFeed === -1 ? length : lineFeed + 1 };
}

/**
 * Hands ROW each row of TABLE in order: its line, and its cells' bounds (cell
 * i is bytes starts[i] to ends[i] - 1; the arrays are used again for the
 * next row). False at the first line that is not a row the table reader
 * would take as it is (blank, with a cell too long, a carriage return in
 * it, another count of cells than the header's), or as soon as ROW answers
 * false; true once every row is handed over.
 */
export function eachBytesRow(table: BytesTable, row: (line: number, starts: Int32Array, ends: Int32Array) => boolean): boolean {
  const { bytes, buffer } = table;
  const length = bytes.length;
  const width = table.header.length;
  const starts = new Int32Array(width);
  const ends = new Int32Array(width);
  let line = 1;
  for (let position = table.rowsFrom; position < length; ) {
    line++;
    const lineFeed = buffer.indexOf(LINE_FEED, position);
    const next = lineFeed === -1 ? length : lineFeed + 1;
    // The line without its CRLF or LF (a last line may have neither).
    let end = lineFeed === -1 ? length : lineFeed;
    if (end > position && bytes[end - 1] === CARRIAGE_RETURN) end--;
    // A blank line, or one that may hold a cell longer than the table reader takes.
    if (end === position || end - position > MAX_FIELD_CHARS) return false;
    let cell = 0;
    let cellStart = position;
    for (let index = position; index <= end; index++) {
      if (index < end) {
        // Most bytes (digits, letters, the bytes of Chinese) are above the comma.
        const byte = bytes[index]!;
        if (byte > COMMA) continue;
        // Any other carriage return ends a line for the table reader.
        if (byte === CARRIAGE_RETURN) return false;
        if (byte !== COMMA) continue;
      }
      if (cell === width) return false;
      starts[cell] = cellStart;
      ends[cell] = index;
      cell++;
      cellStart = index + 1;
    }
    if (cell !== width || !row(line, starts, ends)) return false;
    position = next;
  }
  return true;
}

/**
 * The text of bytes START to END - 1 of TABLE as the table reader gives the
 * cell, or undefined when its first or last character is one the reader
 * trims (the caller then reads the table as text).
 */
export function bytesCellText(table: BytesTable, start: number, end: number): string | undefined {
  if (start === end) return '';
  const text = table.buffer.toString('utf8', start, end);
  return isTrimmable(text.charCodeAt(0)) || isTrimmable(text.charCodeAt(text.length - 1)) ? undefined : text;
}

/** Whether bytes START to END - 1 are TEXT, which is ASCII. */
export function bytesAre(bytes: Uint8Array, start: number, end: number, text: string): boolean {
  if (end - start !== text.length) return false;
  for (let index = 0; index < text.length; index++) if (bytes[start + index] !== text.charCodeAt(index)) return false;
  return true;
}

/**
 * The whole number bytes START to END - 1 write when they are ASCII digits
 * (exact up to 15 of them); -1 when there are none or another byte is there.
 */
export function bytesDigits(bytes: Uint8Array, start: number, end: number): number {
  if (start >= end) return -1;
  let value = 0;
  for (let index = start; index < end; index++) {
    const digit = bytes[index]! - ZERO_DIGIT;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/** At most this many digits make a whole number that a double holds exactly, times 100 (fen) too. */
const SAFE_DIGITS = 13;

/**
 * yuanToFen of bytes START to END - 1: fen when they are yuan with two
 * decimals (optionally negative: digits, a point, two digits), else null.
 */
export function bytesYuanToFen(table: BytesTable, start: number, end: number): bigint | null {
  const bytes = table.bytes;
  const negative = end > start && bytes[start] === MINUS;
  const first = negative ? start + 1 : start;
  const point = end - 3;
  if (point <= first || bytes[point] !== POINT) return null;
  const whole = bytesDigits(bytes, first, point);
  const cents = bytesDigits(bytes, point + 1, end);
  if (whole < 0 || cents < 0) return null;
  if (point - first > SAFE_DIGITS) return BigInt(table.buffer.toString('latin1', start, point) + table.buffer.toString('latin1', point + 1, end));
  const fen = BigInt(whole * 100 + cents);
  return negative ? -fen : fen;
}
