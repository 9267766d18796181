/**
 * Helpers for the audit-trail tests: make a run folder of the small fixture
 * with the built binary, and read one back.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { runCli, SMALL, tempDir } from './helpers.js';

/** allocate on the hand-checkable fixture into a new folder; returns the run folder. */
export function allocateSmall(extra: readonly string[] = [], options: { cwd?: string; out?: string } = {}): string {
  const out = options.out ?? join(tempDir('povalloc-audit-'), 'run');
  const result = runCli(['allocate', '--counties', SMALL.counties, '--budget', SMALL.budget, '--policy', SMALL.policy, '--out', out, ...extra], { cwd: options.cwd });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return options.cwd ? join(options.cwd, out) : out;
}

/** Every file of a folder, by '/'-separated path. */
export function readFolder(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const walk = (relative: string): void => {
    for (const entry of readdirSync(join(dir, relative), { withFileTypes: true })) {
      const path = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else files.set(path, readFileSync(join(dir, path)));
    }
  };
  walk('');
  return files;
}

export function auditLines(dir: string): Record<string, unknown>[] {
  return readFileSync(join(dir, 'audit.jsonl'), 'utf8')
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

export function readJson(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
}
