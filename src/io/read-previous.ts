/**
 * Last year's allocations.csv (--previous) read and checked on its own: the
 * file, its rows and every problem in it. Whether its codes are of the
 * same length as this year's table's is loadInputs' to check. A module of
 * few imports, so that a worker thread (src/cli/previous-worker.ts) can
 * read the file while this thread reads the county table.
 */
import { previousReader, type PreviousAllocations } from '../core/previous.js';
import { appendAll, type Problem } from '../core/problems.js';
import { visitCsvParts } from '../core/table.js';
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
 * Reads last year's allocations.csv, written by povalloc: a table wider
 * than the counties.csv it came from (hence the larger size limit), row by
 * row (a village table's has a million rows).
 */
export function readPreviousFile(path: string, encoding: EncodingChoice, stdin: () => Buffer): PreviousRead {
  const read = readInputFileInParts(path, encoding, stdin, MAX_WRITTEN_TABLE_BYTES);
  if (!read.file) return { problems: [read.problem!] };
  const input = read.file;
  const file = { path: input.path, displayName: input.displayName, bytes: input.bytes, encoding: input.encoding };
  const name = input.displayName;
  let reader = previousReader(name);
  // Decoded a part at a time: a million villages' table is some 250 MB as one string, held by a worker thread
  // while this one reads the county table (the run's peak, 0.9 GB, before).
  const visited = visitCsvParts(name, input.parts, () => (reader = previousReader(name)).visitor);
  const problems: Problem[] = [...visited.problems];
  if (visited.header === undefined) return { file, problems };
  const finished = reader.finish(visited.skippedBlankRows);
  appendAll(problems, finished.problems);
  return { file, problems, skippedBlankRows: visited.skippedBlankRows, ...(finished.result ? { previous: finished.result } : {}) };
}
