/**
 * Reads a run folder someone handed over: every file under it, keyed by its
 * '/'-separated path inside the folder: listed at once, each read only when
 * asked for, so that verify and replay of a large run (a million villages:
 * some 250 MB of files) need not hold them all at once.
 */
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../core/problems.js';
import type { RunFiles } from '../core/verify-run.js';

/** The files of a run folder, listed at once and read when asked for. */
export interface RunFolderFiles extends RunFiles {
  readonly dir: string;
  keys(): IterableIterator<string>;
  /** The file's bytes, read now (undefined when the folder has no such file). */
  get(path: string): Buffer | undefined;
  /** The file's SHA-256 in hex, read a piece at a time (undefined when there is no such file). */
  sha256(path: string): string | undefined;
  /** Where the file lies on disk (undefined when the folder has no such file). */
  pathOf(path: string): string | undefined;
}

/** Bytes read at a time when a file is hashed or compared. */
const PIECE_BYTES = 1 << 20;

/** Files of at least this many bytes are read into shared memory (readFileShared). */
const SHARED_READ_BYTES = 1 << 20;

/**
 * The bytes of the file at PATH, in memory that worker threads can be handed
 * without a copy (a SharedArrayBuffer): a large run's audit log is checked on
 * two threads (src/cli/chain-split.ts), and copying the half another thread
 * checks took some 0.1 s at a million villages, most of it the system
 * clearing the fresh memory. Small files are read as readFileSync reads them.
 */
export function readFileShared(path: string): Buffer {
  const descriptor = openSync(path, 'r');
  try {
    const size = fstatSync(descriptor).size;
    if (size < SHARED_READ_BYTES) return readFileSync(descriptor);
    const bytes = Buffer.from(new SharedArrayBuffer(size));
    let filled = 0;
    while (filled < size) {
      const read = readSync(descriptor, bytes, filled, size - filled, null);
      if (read === 0) break;
      filled += read;
    }
    // A file that shrank while it was read is what was read of it.
    return filled === size ? bytes : bytes.subarray(0, filled);
  } finally {
    closeSync(descriptor);
  }
}

function listRunFolder(dir: string): string[] {
  let isFolder = false;
  try {
    isFolder = statSync(dir).isDirectory();
  } catch {
    throw new UsageError(`${dir}: no such run folder`);
  }
  if (!isFolder) throw new UsageError(`${dir}: not a folder (give the run folder that allocate --out wrote)`);
  const paths: string[] = [];
  const walk = (relative: string): void => {
    const entries = readdirSync(join(dir, relative), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const path = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) paths.push(path);
    }
  };
  walk('');
  return paths;
}

/** Calls EACH with the file's bytes, a piece at a time (the piece's memory is reused: copy what is kept). */
function eachPiece(file: string, each: (piece: Buffer) => void): void {
  const descriptor = openSync(file, 'r');
  try {
    const buffer = Buffer.allocUnsafe(PIECE_BYTES);
    for (let read = readSync(descriptor, buffer, 0, PIECE_BYTES, null); read > 0; read = readSync(descriptor, buffer, 0, PIECE_BYTES, null)) {
      each(buffer.subarray(0, read));
    }
  } finally {
    closeSync(descriptor);
  }
}

export function openRunFolder(dir: string): RunFolderFiles {
  const paths = listRunFolder(dir);
  const listed = new Set(paths);
  const pathOf = (path: string): string | undefined => (listed.has(path) ? join(dir, ...path.split('/')) : undefined);
  return {
    dir,
    keys: () => paths[Symbol.iterator](),
    has: (path) => listed.has(path),
    pathOf,
    get(path) {
      const file = pathOf(path);
      return file === undefined ? undefined : readFileShared(file);
    },
    sha256(path) {
      const file = pathOf(path);
      if (file === undefined) return undefined;
      const digest = createHash('sha256');
      eachPiece(file, (piece) => digest.update(piece));
      return digest.digest('hex');
    },
  };
}

/** Whether two files hold the same bytes, read a piece at a time side by side. */
export function sameFileBytes(a: string, b: string): boolean {
  if (statSync(a).size !== statSync(b).size) return false;
  const other = openSync(b, 'r');
  try {
    const buffer = Buffer.allocUnsafe(PIECE_BYTES);
    let same = true;
    eachPiece(a, (piece) => {
      if (!same) return;
      let filled = 0;
      while (filled < piece.length) {
        const read = readSync(other, buffer, filled, piece.length - filled, null);
        if (read === 0) break;
        filled += read;
      }
      same = filled === piece.length && piece.equals(buffer.subarray(0, filled));
    });
    return same && readSync(other, buffer, 0, 1, null) === 0;
  } finally {
    closeSync(other);
  }
}
