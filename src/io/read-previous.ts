/**
 * Last year's allocations.csv (--previous) read and checked on its own: the
 * file, its rows and every problem in it. Whether its codes are of the
 * same length as this year's table's is loadInputs' to check. A module of
 * few imports, so that a worker thread (src/cli/previous-worker.ts) can
 * read the file while this thread reads the county table.
 */
import { readPreviousBytes, readPreviousText, type PreviousAllocations } from '../core/previous.js';
import type { Problem } from '../core/problems.js';
import { MAX_WRITTEN_TABLE_BYTES, readInputFileInParts, type EncodingChoice, type InputFile } from './read-inputs.js';

/** The file as read (without its text), its allocations and the problems found, in the order they were found. */
export interface PreviousRead {
  readonly file?: Pick<InputFile, 'path' | 'displayName' | 'bytes' | 'encoding'>;
  readonly problems: readonly Problem[];
  /** Blank rows skipped, once the file had a header. */
  readonly skippedBlankRows?: number;
  readonly previous?: PreviousAllocations;
}

/**
 * From this size on, last year's allocations.csv is first read from its
 * bytes (readPreviousBytes): a smaller one takes little time either way, and
 * is read as every table is.
 */
export const BYTES_READ_FROM = 1 << 20;

/**
 * Reads last year's allocations.csv, written by povalloc: a table wider
 * than the counties.csv it came from (hence the larger size limit), row by
 * row (a village table's has a million rows).
 */
export function readPreviousFile(path: string, encoding: EncodingChoice, stdin: () => Buffer): PreviousRead {
  const got = readInputFileInParts(path, encoding, stdin, MAX_WRITTEN_TABLE_BYTES);
  if (!got.file) return { problems: [got.problem!] };
  const input = got.file;
  const file = { path: input.path, displayName: input.displayName, bytes: input.bytes, encoding: input.encoding };
  const name = input.displayName;
  // A large table as povalloc writes it is read from its bytes (the same result: see readPreviousBytes). Otherwise
  // decoded a part at a time: a million villages' table is some 250 MB as one string, held by a worker thread
  // while this one reads the county table (the run's peak, 0.9 GB, before).
  const fromBytes = input.bytes.length >= BYTES_READ_FROM && (input.encoding === 'utf8' || input.encoding === 'utf8-bom') ? readPreviousBytes(name, input.bytes) : undefined;
  const read = fromBytes === undefined ? readPreviousText(name, input.parts) : { ...fromBytes, skippedBlankRows: 0 };
  if (read.skippedBlankRows === undefined) return { file, problems: read.problems };
  return { file, problems: read.problems, skippedBlankRows: read.skippedBlankRows, ...(read.result ? { previous: read.result } : {}) };
}
