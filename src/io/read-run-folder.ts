/**
 * Reads a run folder someone handed over: every file under it, as bytes,
 * keyed by its '/'-separated path inside the folder.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../core/problems.js';

export function readRunFolder(dir: string): Map<string, Buffer> {
  let isFolder = false;
  try {
    isFolder = statSync(dir).isDirectory();
  } catch {
    throw new UsageError(`${dir}: no such run folder`);
  }
  if (!isFolder) throw new UsageError(`${dir}: not a folder (give the run folder that allocate --out wrote)`);
  const files = new Map<string, Buffer>();
  const walk = (relative: string): void => {
    const entries = readdirSync(join(dir, relative), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const path = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) files.set(path, readFileSync(join(dir, path)));
    }
  };
  walk('');
  return files;
}
