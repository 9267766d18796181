/**
 * Helpers for the crash tests: list a folder's files, check that a run folder
 * is complete (every file of a reference run, byte-identical where the bytes
 * cannot depend on the command line, parseable everywhere, and verifiable
 * when the build has `verify`), and spawn `allocate` to be killed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { BIN, ROOT, runCli } from '../helpers.js';

/** Every file under dir, '/'-separated and sorted. */
export function listFiles(dir: string, prefix = ''): string[] {
  const names: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) names.push(...listFiles(path, `${prefix}${entry}/`));
    else names.push(`${prefix}${entry}`);
  }
  return names;
}

/** Files whose bytes may name the run folder or the command line (written by the audit trail). */
const COMMAND_DEPENDENT = new Set(['manifest.json', 'audit.jsonl']);

let verifyAvailable: boolean | undefined;

function hasVerify(): boolean {
  verifyAvailable ??= runCli(['verify', '--help']).code === 0;
  return verifyAvailable;
}

/** Why `dir` is not a complete copy of the reference run, or '' when it is. */
export function incompleteness(dir: string, reference: string): string {
  const expected = listFiles(reference);
  const actual = listFiles(dir);
  if (actual.join('\n') !== expected.join('\n')) return `files differ: ${actual.join(', ')} instead of ${expected.join(', ')}`;
  for (const name of expected) {
    const bytes = readFileSync(join(dir, name));
    if (!COMMAND_DEPENDENT.has(name) && !bytes.equals(readFileSync(join(reference, name)))) return `${name} differs from the reference run`;
    try {
      if (name.endsWith('.csv')) parse(bytes, { bom: true });
      else if (name.endsWith('.json')) JSON.parse(bytes.toString('utf8'));
      else if (name.endsWith('.jsonl')) for (const line of bytes.toString('utf8').split('\n')) if (line !== '') JSON.parse(line);
    } catch (error) {
      return `${name} does not parse: ${(error as Error).message}`;
    }
  }
  if (expected.includes('manifest.json') && hasVerify()) {
    const verified = runCli(['verify', dir]);
    if (verified.code !== 0) return `verify fails: ${verified.stdout}${verified.stderr}`;
  }
  return '';
}

/** Leftovers of interrupted runs in a folder. */
export function leftovers(parent: string): string[] {
  return existsSync(parent) ? readdirSync(parent).filter((entry) => /\.povalloc-(tmp|old)-\d+$/.test(entry)) : [];
}

export function spawnAllocate(args: readonly string[], env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, [BIN, 'allocate', ...args], { cwd: ROOT, stdio: 'ignore', env: { ...process.env, NO_COLOR: '1', ...env } });
}

export function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve({ code: child.exitCode, signal: child.signalCode });
    else child.once('exit', (code, signal) => resolve({ code, signal }));
  });
}
