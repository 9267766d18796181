#!/usr/bin/env node
// Part of `npm run build` (run by scripts/bundle.mjs, once per set of Node options): makes V8's
// cache of the bundle's compiled code for the Node options this process was started with, in
// dist/cli/code-cache/ (see bin/load-cli.js). The bundle is compiled, then runs the sample
// (allocate with projects and last year's allocations, verify, explain) in a temporary folder, so
// that the functions a run uses are compiled too and go into the cache, not only the top level.
// Nothing it prints is shown; a run that fails makes no cache.
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { codeCacheFile, loadCli } from '../bin/load-cli.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const sample = (name) => join(root, 'data', 'sample', name);
const { cli, script, cachePath } = loadCli({ useCache: false });
const quiet = { stdout() {}, stderr() {}, stdoutIsTty: false, stderrIsTty: false, env: {}, readStdin: () => Buffer.alloc(0) };
const work = mkdtempSync(join(tmpdir(), 'povalloc-code-cache-'));
try {
  const run = join(work, 'run');
  const steps = [
    ['allocate', '--counties', sample('counties.csv'), '--budget', sample('budget.csv'), '--projects', sample('projects.csv'), '--previous', sample('previous-allocations.csv'), '--out', run],
    ['verify', run],
    ['explain', run, '--county', '522732'],
  ];
  for (const argv of steps) {
    const code = await cli.main(argv, quiet);
    if (code !== 0) throw new Error(`povalloc ${argv[0]} on the sample exited with ${code}`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
// Written whole under another name first: a build stopped halfway leaves no cache cut short.
mkdirSync(dirname(cachePath), { recursive: true });
writeFileSync(`${cachePath}.part`, codeCacheFile(script.createCachedData()));
renameSync(`${cachePath}.part`, cachePath);
