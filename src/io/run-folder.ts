/**
 * Writes a run folder atomically: every file goes into a temporary sibling
 * folder, which is renamed into place only when complete. A failed run leaves
 * nothing behind.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from '../core/problems.js';

export interface OutputFile {
  /** Path inside the run folder, '/'-separated. */
  readonly name: string;
  readonly content: string | Buffer;
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

export function writeRunFolder(dir: string, files: readonly OutputFile[], force: boolean): void {
  checkOutputDir(dir, force);
  const target = resolve(dir);
  const parent = dirname(target);
  try {
    mkdirSync(parent, { recursive: true });
  } catch (error) {
    throw new UsageError(`--out ${dir}: cannot create the parent folder ${parent}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  const temporary = join(parent, `.${basename(target)}.povalloc-tmp-${process.pid}`);
  rmSync(temporary, { recursive: true, force: true });
  try {
    mkdirSync(temporary);
    for (const file of files) {
      const path = join(temporary, ...file.name.split('/'));
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, file.content);
    }
    if (existsSync(target)) {
      const old = join(parent, `.${basename(target)}.povalloc-old-${process.pid}`);
      renameSync(target, old);
      renameSync(temporary, target);
      rmSync(old, { recursive: true, force: true });
    } else {
      renameSync(temporary, target);
    }
  } catch (error) {
    rmSync(temporary, { recursive: true, force: true });
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS' || code === 'ENOTDIR' || code === 'ENOSPC') {
      throw new UsageError(`--out ${dir}: cannot write the run folder (${code})`);
    }
    throw error;
  }
}
