/**
 * Reads input files and the bundled reference data from disk and hands the
 * text to the core. Decoding is strict: bytes that are not valid in the
 * chosen encoding are an error with the byte offset, never replacement
 * characters.
 */
import { isUtf8 } from 'node:buffer';
import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { TextDecoder } from 'node:util';
import { fileURLToPath } from 'node:url';
import { InputError, type Problem } from '../core/problems.js';

export type EncodingChoice = 'auto' | 'utf8' | 'gb18030';
export type DetectedEncoding = 'utf8' | 'utf8-bom' | 'gb18030';

export interface InputFile {
  /** The path as the user gave it ('-' for standard input). */
  readonly path: string;
  /** Name used in messages: the file's base name. */
  readonly displayName: string;
  readonly bytes: Buffer;
  readonly text: string;
  readonly encoding: DetectedEncoding;
}

/** The package root: data/ and the default policy live under it. */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export function packagePath(relative: string): string {
  return fileURLToPath(new URL(`../../${relative}`, import.meta.url));
}

/** Input files larger than this are refused before they are read. */
export const MAX_INPUT_BYTES = 128 * 1024 * 1024;
/**
 * The limit for a table povalloc wrote itself and reads back: last year's
 * allocations.csv (--previous), a run folder's tables (compare). A run's
 * allocations.csv has 26 or more columns, about 130 bytes a village: 125 MiB
 * for a million villages, where their counties.csv is 56 MiB. Three times
 * the input limit, so that the table of any input povalloc reads is read back.
 */
export const MAX_WRITTEN_TABLE_BYTES = 3 * MAX_INPUT_BYTES;

/** Offset of the first byte sequence that is not valid UTF-8, or -1. */
function firstInvalidUtf8Offset(bytes: Uint8Array): number {
  if (isUtf8(bytes)) return -1;
  let i = 0;
  while (i < bytes.length) {
    const byte = bytes[i]!;
    let extra = 0;
    let min = 0;
    if (byte < 0x80) {
      i++;
      continue;
    } else if (byte >= 0xc2 && byte <= 0xdf) {
      extra = 1;
      min = 0x80;
    } else if (byte >= 0xe0 && byte <= 0xef) {
      extra = 2;
      min = 0x800;
    } else if (byte >= 0xf0 && byte <= 0xf4) {
      extra = 3;
      min = 0x10000;
    } else {
      return i;
    }
    if (i + extra >= bytes.length) return i;
    let codePoint = byte & (0x3f >> extra);
    for (let k = 1; k <= extra; k++) {
      const next = bytes[i + k]!;
      if ((next & 0xc0) !== 0x80) return i;
      codePoint = (codePoint << 6) | (next & 0x3f);
    }
    if (codePoint < min || codePoint > 0x10ffff || (codePoint >= 0xd800 && codePoint <= 0xdfff)) return i;
    i += extra + 1;
  }
  return -1;
}

function gb18030Decoder(): TextDecoder {
  return new TextDecoder('gb18030', { fatal: true });
}

/** True when the bytes decode as GB18030 without error (stream: an incomplete last sequence is allowed). */
function decodesAsGb18030(bytes: Uint8Array, stream: boolean): boolean {
  try {
    gb18030Decoder().decode(bytes, { stream });
    return true;
  } catch {
    return false;
  }
}

/**
 * Offset of the first byte sequence that is not valid GB18030, or -1. The
 * decoder says only that the bytes are invalid, not where; this finds the
 * place. A line feed (0x0a) is never part of a multi-byte GB18030 sequence,
 * so the start of each line is a character boundary: the failing line is
 * found by decoding line by line, the failing byte in it by bisection, and
 * the start of its sequence (at most 3 bytes earlier) as the last boundary.
 */
function firstInvalidGb18030Offset(bytes: Uint8Array): number {
  if (decodesAsGb18030(bytes, false)) return -1;
  const decoder = gb18030Decoder();
  let lineStart = 0;
  let failingLineStart = -1;
  while (lineStart < bytes.length) {
    const newline = bytes.indexOf(0x0a, lineStart);
    const lineEnd = newline === -1 ? bytes.length : newline + 1;
    try {
      decoder.decode(bytes.subarray(lineStart, lineEnd), { stream: true });
    } catch {
      failingLineStart = lineStart;
      break;
    }
    if (lineEnd === bytes.length) failingLineStart = lineStart;
    lineStart = lineEnd;
  }
  if (failingLineStart === -1) failingLineStart = lineStart;
  // The first byte at which decoding fails: bisect on prefixes of the line.
  let low = failingLineStart;
  let high = bytes.length;
  const lineEndIndex = bytes.indexOf(0x0a, failingLineStart);
  if (lineEndIndex !== -1) high = lineEndIndex + 1;
  if (decodesAsGb18030(bytes.subarray(failingLineStart, high), true)) {
    // Only the end is wrong: the file stops inside a multi-byte sequence.
    low = high;
  } else {
    while (low < high) {
      const middle = Math.floor((low + high) / 2);
      if (decodesAsGb18030(bytes.subarray(failingLineStart, middle + 1), true)) low = middle + 1;
      else high = middle;
    }
  }
  // The sequence holding the failing byte starts at the last boundary before it.
  for (let start = low; start > failingLineStart && start > low - 4; start--) {
    if (decodesAsGb18030(bytes.subarray(failingLineStart, start), false)) return start;
  }
  return failingLineStart;
}

/** 1-based line holding a byte offset. */
function lineOfOffset(bytes: Uint8Array, offset: number): number {
  let line = 1;
  let at = bytes.indexOf(0x0a);
  while (at !== -1 && at < offset) {
    line++;
    at = bytes.indexOf(0x0a, at + 1);
  }
  return line;
}

function describeByte(bytes: Uint8Array, offset: number): string {
  return offset >= bytes.length ? `the end of the file (byte ${offset})` : `byte ${offset} (0x${bytes[offset]!.toString(16).padStart(2, '0')})`;
}

const SAVE_AS_UTF8 = 'save it from Excel as "CSV UTF-8 (comma delimited)" and try again';

/** Decodes bytes per the encoding choice; a problem when they are not valid text. */
export function decodeBytes(bytes: Buffer, choice: EncodingChoice, displayName: string): { text?: string; encoding?: DetectedEncoding; problem?: Problem } {
  const hasBom = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    return { problem: { file: displayName, line: 0, message: `the file is UTF-16 (Excel's "Unicode Text"), which povalloc does not read: ${SAVE_AS_UTF8}` } };
  }
  const invalidUtf8 = choice === 'gb18030' ? -1 : firstInvalidUtf8Offset(bytes);
  if (choice === 'utf8' || (choice === 'auto' && invalidUtf8 === -1)) {
    if (invalidUtf8 !== -1) {
      return {
        problem: {
          file: displayName,
          line: lineOfOffset(bytes, invalidUtf8),
          message: `${describeByte(bytes, invalidUtf8)} is not valid UTF-8: if the file was saved by Excel in Chinese, try --encoding gb18030`,
        },
      };
    }
    const text = bytes.toString('utf8');
    return { text: hasBom ? text.slice(1) : text, encoding: hasBom ? 'utf8-bom' : 'utf8' };
  }
  try {
    const text = gb18030Decoder().decode(bytes);
    return { text, encoding: 'gb18030' };
  } catch {
    const invalidGb = firstInvalidGb18030Offset(bytes);
    if (choice === 'gb18030') {
      return {
        problem: {
          file: displayName,
          line: lineOfOffset(bytes, invalidGb),
          message: `${describeByte(bytes, invalidGb)} is not valid GB18030: if the file is UTF-8, try --encoding utf8; otherwise ${SAVE_AS_UTF8}`,
        },
      };
    }
    // The encoding that reads further is probably the one meant: point at its bad byte.
    const worst = Math.max(invalidUtf8, invalidGb);
    return {
      problem: {
        file: displayName,
        line: lineOfOffset(bytes, worst),
        message: `the file is neither UTF-8 (${describeByte(bytes, invalidUtf8)} is not valid) nor GB18030 (${describeByte(bytes, invalidGb)} is not valid): ${SAVE_AS_UTF8}`,
      },
    };
  }
}

function tooLarge(displayName: string, size: number, limit: number): Problem {
  const mib = (bytes: number): string => `${Math.floor(bytes / 1048576)} MiB`;
  return { file: displayName, line: 0, message: `the file is ${size} bytes, more than the ${mib(limit)} povalloc reads (${limit} bytes); split it, e.g. one file per province` };
}

/** The bytes of one input file ('-' reads standard input), refused unread over LIMIT bytes. */
function readInputBytes(path: string, stdin: () => Buffer, limit: number): { bytes?: Buffer; displayName: string; problem?: Problem } {
  const displayName = path === '-' ? '<stdin>' : basename(path);
  let bytes: Buffer;
  try {
    if (path === '-') {
      bytes = stdin();
    } else {
      const descriptor = openSync(path, 'r');
      try {
        const stats = fstatSync(descriptor);
        if (stats.isDirectory()) return { displayName, problem: { file: path, line: 0, message: 'cannot read: is a folder, not a file' } };
        if (stats.size > limit) return { displayName, problem: tooLarge(displayName, stats.size, limit) };
        bytes = readFileSync(descriptor);
      } finally {
        closeSync(descriptor);
      }
    }
  } catch (error) {
    // Standard input asked for by a second input: its own problem, not a reason to read.
    if (error instanceof InputError && error.problems.length === 1) return { displayName, problem: error.problems[0]! };
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, not a file' : code === 'EACCES' ? 'permission denied' : String(error);
    return { displayName, problem: { file: path, line: 0, message: `cannot read: ${reason}` } };
  }
  if (bytes.length > limit) return { displayName, problem: tooLarge(displayName, bytes.length, limit) };
  return { bytes, displayName };
}

/**
 * Reads one input file ('-' reads standard input). Files over LIMIT bytes
 * (MAX_INPUT_BYTES, or MAX_WRITTEN_TABLE_BYTES for a table povalloc wrote) are refused unread.
 */
export function readInputFile(path: string, choice: EncodingChoice, stdin: () => Buffer, limit: number = MAX_INPUT_BYTES): { file?: InputFile; problem?: Problem } {
  const { bytes, displayName, problem } = readInputBytes(path, stdin, limit);
  if (!bytes) return { problem };
  const decoded = decodeBytes(bytes, choice, displayName);
  if (decoded.problem) return { problem: decoded.problem };
  return { file: { path, displayName, bytes, text: decoded.text!, encoding: decoded.encoding! } };
}

/** An input file whose text is decoded a part at a time (see decodedParts). */
export interface InputFileInParts extends Omit<InputFile, 'text'> {
  /** The text in parts, each decoded when reached and ending at a line end outside quotes: joined, InputFile.text. */
  parts(): Iterable<string>;
}

/**
 * Bytes of text decoded at a time by decodedParts. Small enough that a
 * part's string (about twice as many bytes, as most of a table's text is two
 * bytes a character once any is) is made in V8's young generation, whose
 * memory is used again and again, rather than in memory of its own, fresh
 * from the system: on the machine this was measured on, every first touch
 * of a 4 KB page cost about 11 us, and decoding the 59 MB table of a million
 * villages in parts of 8 MB took 458 to 474 ms, in parts of 32 KB 200 to 215 ms.
 */
export const TEXT_PART_BYTES = 32 * 1024;

const QUOTE_BYTE = 0x22;
const LINE_FEED_BYTE = 0x0a;

/**
 * The text of valid UTF-8 BYTES from byte FROM, in parts of about PART_BYTES
 * bytes, each ending just after a line feed with an even number of quotes
 * before it in the part (outside any quoted cell of a well-formed CSV; in
 * one that is not, the tokenizer declines a part and the whole text is read
 * again). A line feed or a quote byte is never inside a longer UTF-8
 * sequence, so each part decodes to the characters the whole would.
 */
function* utf8Parts(bytes: Buffer, from: number, partBytes: number): Generator<string> {
  let start = from;
  // The first quote at or after START: each quote is looked for once, and a file without any is searched once.
  let quoteAt = bytes.indexOf(QUOTE_BYTE, from);
  while (start < bytes.length) {
    let end = bytes.length;
    if (end - start > partBytes) {
      let lineEnd = bytes.indexOf(LINE_FEED_BYTE, start + partBytes);
      let quotes = 0;
      while (lineEnd !== -1) {
        while (quoteAt !== -1 && quoteAt < lineEnd) {
          quotes++;
          quoteAt = bytes.indexOf(QUOTE_BYTE, quoteAt + 1);
        }
        if (quotes % 2 === 0) {
          end = lineEnd + 1;
          break;
        }
        lineEnd = bytes.indexOf(LINE_FEED_BYTE, lineEnd + 1);
      }
    }
    yield bytes.toString('utf8', start, end);
    start = end;
  }
}

/**
 * The text of BYTES decoded as UTF-8 the way Buffer's toString does (a byte
 * that is not UTF-8 becomes U+FFFD; a BOM stays, for the tokenizer to drop),
 * in parts of about TEXT_PART_BYTES (see utf8Parts): for povalloc's own
 * tables, read back as they were written.
 */
export function lenientUtf8Parts(bytes: Buffer): () => Iterable<string> {
  return () => utf8Parts(bytes, 0, TEXT_PART_BYTES);
}

/**
 * decodeBytes with the text in parts (see InputFileInParts): valid UTF-8 of
 * more than PART_BYTES is decoded a part at a time (after its BOM, which
 * decodeBytes drops too), anything else whole, in one part.
 */
export function decodedParts(bytes: Buffer, choice: EncodingChoice, displayName: string, partBytes: number = TEXT_PART_BYTES): { parts?: () => Iterable<string>; encoding?: DetectedEncoding; problem?: Problem } {
  const utf16 = (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff);
  if (bytes.length > partBytes && choice !== 'gb18030' && !utf16 && firstInvalidUtf8Offset(bytes) === -1) {
    const hasBom = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
    return { parts: () => utf8Parts(bytes, hasBom ? 3 : 0, partBytes), encoding: hasBom ? 'utf8-bom' : 'utf8' };
  }
  const decoded = decodeBytes(bytes, choice, displayName);
  if (decoded.problem) return { problem: decoded.problem };
  const text = decoded.text!;
  return { parts: () => [text], encoding: decoded.encoding! };
}

/** readInputFile with the text decoded a part at a time (see decodedParts). */
export function readInputFileInParts(path: string, choice: EncodingChoice, stdin: () => Buffer, limit: number = MAX_INPUT_BYTES): { file?: InputFileInParts; problem?: Problem } {
  const { bytes, displayName, problem } = readInputBytes(path, stdin, limit);
  if (!bytes) return { problem };
  const decoded = decodedParts(bytes, choice, displayName);
  if (decoded.problem) return { problem: decoded.problem };
  return { file: { path, displayName, bytes, parts: decoded.parts!, encoding: decoded.encoding! } };
}

/** Text of a file bundled with povalloc (reference tables, default policy). */
export function readPackageText(relative: string): string {
  return readFileSync(packagePath(relative), 'utf8');
}
