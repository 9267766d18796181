/**
 * Writes a run folder so that a crash at any moment leaves either no run
 * folder or a complete one, never a partial one:
 *
 * 1. every file goes into a temporary sibling folder `.NAME.povalloc-tmp-PID`,
 *    each flushed to disk (fsync) as it is written, `manifest.json` last
 *    whatever the order given, then the folder itself is flushed;
 * 2. the temporary folder is renamed to NAME in one step (a rename within a
 *    folder is atomic), and the parent folder is flushed so the rename lasts.
 *
 * With --force, an existing NAME is first renamed aside to
 * `.NAME.povalloc-old-PID` and removed once the new folder is in place.
 *
 * A run killed part way leaves only such dot-named siblings. The next run
 * into the same parent folder removes those whose process is gone (and puts
 * back an old run folder that a killed --force run had moved aside), and
 * reports those whose process still runs. A folder without manifest.json is
 * never taken for a run (see `requireRunFolder`).
 */
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createHash } from 'node:crypto';
import { basename, dirname, join, resolve } from 'node:path';
import { InternalError, UsageError } from '../core/problems.js';

export interface OutputFile {
  /** Path inside the run folder, '/'-separated. */
  readonly name: string;
  /** Text (written as UTF-8), bytes, or bytes in pieces written one after another. */
  readonly content: FileContent;
}

export type FileContent = string | Buffer | readonly Buffer[] | SpooledFile;

/**
 * A file already written, flushed and closed at its place in the folder being
 * written (see `RunFolderWriter.spoolPath`), with its size and SHA-256: a large
 * run's table and audit log go to disk as they are made instead of being held.
 */
export interface SpooledFile {
  readonly spooled: string;
  readonly bytes: number;
  readonly sha256: string;
}

export function isSpooled(content: FileContent): content is SpooledFile {
  return typeof content === 'object' && 'spooled' in content;
}

/** A file's content as one buffer of bytes (pieces joined; a spooled file read back). */
export function contentBytes(content: FileContent): Buffer {
  if (typeof content === 'string') return Buffer.from(content, 'utf8');
  if (Buffer.isBuffer(content)) return content;
  return isSpooled(content) ? readFileSync(content.spooled) : Buffer.concat(content as readonly Buffer[]);
}

/** Pieces of bytes, each handed to SINK as it comes, with their total size and SHA-256. */
export function measurePieces(pieces: Iterable<Buffer>, sink: (piece: Buffer) => void = () => {}): { bytes: number; sha256: string } {
  const digest = createHash('sha256');
  let bytes = 0;
  for (const piece of pieces) {
    digest.update(piece);
    bytes += piece.byteLength;
    sink(piece);
  }
  return { bytes, sha256: digest.digest('hex') };
}

/** WRITE's pieces of bytes written to the new file PATH as they come; the file flushed when WRITE returns, and closed whatever happens. */
export function writeToFile<T>(path: string, write: (sink: (piece: Buffer) => void) => T): T {
  const descriptor = openSync(path, 'wx');
  try {
    const written = write((piece) => writeFileSync(descriptor, piece));
    fsyncSync(descriptor);
    return written;
  } finally {
    closeSync(descriptor);
  }
}

/** Written last, so that a folder holding it holds everything else too. */
export const MANIFEST_NAME = 'manifest.json';

const LEFTOVER = /^\.(.+)\.povalloc-(tmp|old)-(\d+)$/;

export function temporaryName(target: string, pid: number): string {
  return `.${basename(target)}.povalloc-tmp-${pid}`;
}

function asideName(target: string, pid: number): string {
  return `.${basename(target)}.povalloc-old-${pid}`;
}

/** Refuses an existing non-empty folder unless `force`; refuses a file in the way. */
export function checkOutputDir(dir: string, force: boolean): void {
  if (!existsSync(dir)) return;
  const stats = statSync(dir);
  if (!stats.isDirectory()) throw new UsageError(`--out ${dir}: a file of that name is in the way (expected a folder)`);
  if (readdirSync(dir).length > 0 && !force) {
    throw new UsageError(`--out ${dir}: the folder exists and is not empty; choose another folder or add --force to replace it`);
  }
}

/**
 * Throws unless DIR is a complete run folder: a folder holding manifest.json.
 * Commands that read a run (verify, replay, explain, report) call this first.
 */
export function requireRunFolder(dir: string): void {
  let isFolder = false;
  try {
    isFolder = statSync(dir).isDirectory();
  } catch {
    throw new UsageError(`${dir}: no such run folder`);
  }
  if (!isFolder) throw new UsageError(`${dir}: is a file, not a run folder`);
  if (!existsSync(join(dir, MANIFEST_NAME))) {
    throw new UsageError(`${dir}: not a complete run folder (it has no ${MANIFEST_NAME}): not written by allocate, or by a run that did not finish`);
  }
}

function processIsRunning(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Deals with what killed runs left in `parent`: removes their temporary
 * folders, puts back a run folder a killed --force run had moved aside (or
 * removes it when its replacement is in place), and leaves alone those of
 * runs still going. Returns one note per leftover, for the user.
 */
export function cleanLeftovers(parent: string): string[] {
  const notes: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(parent).sort();
  } catch {
    return notes;
  }
  for (const entry of entries) {
    const match = LEFTOVER.exec(entry);
    if (!match) continue;
    const [, targetName, kind, pidText] = match;
    const pid = Number(pidText);
    const path = join(parent, entry);
    if (processIsRunning(pid)) {
      notes.push(`${path} is from process ${pid}, which is still running (another povalloc writing there?): left alone`);
      continue;
    }
    const target = join(parent, targetName!);
    try {
      if (kind === 'old' && !existsSync(target)) {
        renameSync(path, target);
        notes.push(`put back ${target} from ${path}: a run with --force (process ${pid}) had moved it aside and was interrupted before its replacement was in place`);
      } else {
        rmSync(path, { recursive: true, force: true });
        notes.push(`removed ${path}, left by an interrupted run (process ${pid})`);
      }
    } catch (error) {
      notes.push(`could not clean up ${path}, left by an interrupted run (process ${pid}): ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
  }
  return notes;
}

/**
 * Test hook for the crash tests: when POVALLOC_TEST_KILL_AT_STEP is N, the
 * process kills itself with SIGKILL at the N-th step of writing (1-based),
 * so every point of the sequence can be crashed at deterministically.
 */
function crashPoint(): () => void {
  const at = Number(process.env['POVALLOC_TEST_KILL_AT_STEP'] ?? '0');
  let step = 0;
  return () => {
    step++;
    if (at > 0 && step === at) process.kill(process.pid, 'SIGKILL');
  };
}

function writeFileDurably(path: string, content: FileContent): void {
  if (isSpooled(content)) {
    // Written, flushed and closed there already (by whoever asked spoolPath for it).
    if (resolve(content.spooled) !== resolve(path)) throw new InternalError(`${content.spooled} was spooled to the wrong place (expected ${path})`);
    return;
  }
  const descriptor = openSync(path, 'wx');
  try {
    if (typeof content === 'string' || Buffer.isBuffer(content)) writeFileSync(descriptor, content);
    else for (const piece of content as readonly Buffer[]) writeFileSync(descriptor, piece);
    fsyncSync(descriptor);
  } finally {
    closeSync(descriptor);
  }
}

function fsyncFolder(path: string): void {
  const descriptor = openSync(path, 'r');
  try {
    fsyncSync(descriptor);
  } finally {
    closeSync(descriptor);
  }
}

/** The files in writing order: as given, but manifest.json last. */
export function writingOrder(files: readonly OutputFile[]): OutputFile[] {
  return [...files.filter((file) => file.name !== MANIFEST_NAME), ...files.filter((file) => file.name === MANIFEST_NAME)];
}

const ERRNO_WORDS: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'the file system is read-only',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EEXIST: 'a file is in the way',
  EISDIR: 'a folder is in the way',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  ENAMETOOLONG: 'the path is too long',
  ENOENT: 'the path does not exist',
  EIO: 'input/output error',
  EMFILE: 'too many open files',
  ELOOP: 'too many symbolic links in the path',
  EXDEV: 'the temporary folder and the target are on different file systems',
};

function cannotWrite(dir: string, what: string, error: unknown): UsageError {
  const code = (error as NodeJS.ErrnoException).code;
  const words = code === undefined ? String(error) : `${ERRNO_WORDS[code] ?? 'system error'} (${code})`;
  return new UsageError(`--out ${dir}: cannot ${what}: ${words}; nothing was written`);
}

/**
 * Writes the run folder DIR from `files`, atomically. `note` is told about
 * leftovers of earlier, interrupted runs that were cleaned up or left alone,
 * as soon as that is done (so also when the write is then refused).
 */
export function writeRunFolder(dir: string, files: readonly OutputFile[], force: boolean, note: (message: string) => void = () => {}): void {
  const writer = RunFolderWriter.open(dir, force, note);
  writer.finish(files);
}

/**
 * A run folder being written: `open` makes its temporary folder, files may be
 * written into it meanwhile (`spoolPath`), and `finish` writes the rest, the
 * manifest last, and puts the folder in place. Until then, or after
 * `abandon`, nothing is at DIR.
 */
export class RunFolderWriter {
  private readonly folders: Set<string>;
  private done = false;

  private constructor(
    private readonly dir: string,
    private readonly target: string,
    private readonly temporary: string,
    private readonly aside: string,
    private readonly note: (message: string) => void,
    private readonly step: () => void,
  ) {
    this.folders = new Set([temporary]);
  }

  /** Checks DIR (see checkOutputDir), cleans up after interrupted runs, and makes the temporary folder. */
  static open(dir: string, force: boolean, note: (message: string) => void = () => {}): RunFolderWriter {
    checkOutputDir(dir, force);
    const target = resolve(dir);
    const parent = dirname(target);
    try {
      mkdirSync(parent, { recursive: true });
    } catch (error) {
      throw cannotWrite(dir, `create the parent folder ${parent}`, error);
    }
    for (const message of cleanLeftovers(parent)) note(message);
    // A run folder put back by the clean-up is the user's: the usual refusal applies.
    checkOutputDir(dir, force);
    const step = crashPoint();
    const temporary = join(parent, temporaryName(target, process.pid));
    const writer = new RunFolderWriter(dir, target, temporary, join(parent, asideName(target, process.pid)), note, step);
    rmSync(temporary, { recursive: true, force: true });
    writer.guarded(() => {
      mkdirSync(temporary);
      step();
    });
    return writer;
  }

  /**
   * Where to write the file NAME ('/'-separated) now, its folder made: the
   * caller writes it there (flushed and closed) and passes it to `finish` as
   * a SpooledFile.
   */
  spoolPath(name: string): string {
    return this.guarded(() => this.pathOf(name));
  }

  /** Writes `files` (those not spooled), manifest.json last, and puts the folder in place at DIR. */
  finish(files: readonly OutputFile[]): void {
    const { target, temporary, aside, step } = this;
    this.guarded(() => {
      for (const file of writingOrder(files)) {
        writeFileDurably(this.pathOf(file.name), file.content);
        step();
      }
      // Deepest folders first, the run folder itself last.
      for (const folder of [...this.folders].sort((a, b) => b.length - a.length)) fsyncFolder(folder);
      step();
      if (existsSync(target)) {
        rmSync(aside, { recursive: true, force: true });
        renameSync(target, aside);
        step();
        renameSync(temporary, target);
        step();
      } else {
        renameSync(temporary, target);
        step();
      }
    });
    this.done = true;
    // The run is in place. Making the rename durable and removing the old run are
    // best effort: should either fail, the next run cleans up.
    try {
      fsyncFolder(dirname(target));
      step();
      rmSync(aside, { recursive: true, force: true });
    } catch {
      this.note(`could not flush ${dirname(target)} or remove ${aside}; the run folder is complete`);
    }
  }

  /** Removes the temporary folder and what was spooled into it (a run that failed before `finish`). */
  abandon(): void {
    if (this.done) return;
    this.done = true;
    rmSync(this.temporary, { recursive: true, force: true });
  }

  private pathOf(name: string): string {
    const path = join(this.temporary, ...name.split('/'));
    const folder = dirname(path);
    if (!this.folders.has(folder)) {
      mkdirSync(folder, { recursive: true });
      this.folders.add(folder);
    }
    return path;
  }

  /** Runs WORK; on a failure, removes the temporary folder, puts back an old run moved aside, and says what failed. */
  private guarded<T>(work: () => T): T {
    if (this.done) throw new InternalError(`the run folder ${this.dir} is already finished or abandoned`);
    try {
      return work();
    } catch (error) {
      this.done = true;
      rmSync(this.temporary, { recursive: true, force: true });
      // The old run folder was moved aside but the new one is not in place: put it back.
      if (existsSync(this.aside) && !existsSync(this.target)) renameSync(this.aside, this.target);
      if ((error as NodeJS.ErrnoException).code !== undefined) throw cannotWrite(this.dir, 'write the run folder', error);
      throw error;
    }
  }
}
