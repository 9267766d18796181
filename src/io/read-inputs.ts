/**
 * Reads input files and the bundled reference data from disk and hands the
 * text to the core. Decoding is strict: bytes that are not valid in the
 * chosen encoding are an error with the byte offset, never replacement
 * characters.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Problem } from '../core/problems.js';

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

/** Offset of the first byte sequence that is not valid UTF-8, or -1. */
function firstInvalidUtf8Offset(bytes: Uint8Array): number {
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

/** Decodes bytes per the encoding choice; a problem when they are not valid text. */
export function decodeBytes(bytes: Buffer, choice: EncodingChoice, displayName: string): { text?: string; encoding?: DetectedEncoding; problem?: Problem } {
  const hasBom = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  const invalidUtf8 = firstInvalidUtf8Offset(bytes);
  if (choice === 'utf8' || (choice === 'auto' && invalidUtf8 === -1)) {
    if (invalidUtf8 !== -1) {
      return {
        problem: {
          file: displayName,
          line: 0,
          message: `byte ${invalidUtf8} (0x${bytes[invalidUtf8]!.toString(16).padStart(2, '0')}) is not valid UTF-8: if the file was saved by Excel in Chinese, try --encoding gb18030`,
        },
      };
    }
    const text = bytes.toString('utf8');
    return { text: hasBom ? text.slice(1) : text, encoding: hasBom ? 'utf8-bom' : 'utf8' };
  }
  try {
    const text = new TextDecoder('gb18030', { fatal: true }).decode(bytes);
    return { text, encoding: 'gb18030' };
  } catch {
    const where = choice === 'auto' ? `it is neither valid UTF-8 (byte ${invalidUtf8} is not) nor valid GB18030` : 'it is not valid GB18030';
    return { problem: { file: displayName, line: 0, message: `${where}: save it from Excel as "CSV UTF-8" and try again` } };
  }
}

/** Reads one input file ('-' reads standard input). */
export function readInputFile(path: string, choice: EncodingChoice, stdin: () => Buffer): { file?: InputFile; problem?: Problem } {
  const displayName = path === '-' ? '<stdin>' : basename(path);
  let bytes: Buffer;
  try {
    bytes = path === '-' ? stdin() : readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, not a file' : code === 'EACCES' ? 'permission denied' : String(error);
    return { problem: { file: path, line: 0, message: `cannot read: ${reason}` } };
  }
  const decoded = decodeBytes(bytes, choice, displayName);
  if (decoded.problem) return { problem: decoded.problem };
  return { file: { path, displayName, bytes, text: decoded.text!, encoding: decoded.encoding! } };
}

/** Text of a file bundled with povalloc (reference tables, default policy). */
export function readPackageText(relative: string): string {
  return readFileSync(packagePath(relative), 'utf8');
}
