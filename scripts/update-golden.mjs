#!/usr/bin/env node
// Rewrites the golden run of the sample (tests/fixtures/golden/sample) from the
// built binary. Run after a deliberate change to the outputs, then review the diff.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GOLDEN_ARGS, GOLDEN_FILES } from '../tests/golden-args.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = join(mkdtempSync(join(tmpdir(), 'povalloc-golden-')), 'run');
const result = spawnSync(process.execPath, [join(root, 'bin', 'povalloc.js'), 'allocate', ...GOLDEN_ARGS, '--out', out], { cwd: root, encoding: 'utf8' });
if (result.status !== 0) {
  process.stderr.write(result.stderr);
  process.exit(1);
}
const golden = join(root, 'tests', 'fixtures', 'golden', 'sample');
rmSync(golden, { recursive: true, force: true });
for (const file of GOLDEN_FILES) cpSync(join(out, file), join(golden, file), { recursive: true });
console.log(`golden run written to ${golden}`);
