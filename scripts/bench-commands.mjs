#!/usr/bin/env node
/**
 * What the other commands cost on a large run (not a test): on the
 * benchmark's village table (1,000,000 rows unless --size says otherwise),
 * one run of allocate, then verify, explain (a village, a province), replay,
 * report (HTML, workbook), compare of the run with itself, compare of a
 * scenario (two weights moved), validate and allocate with the run's
 * allocations.csv as last year's (--previous), each timed as a
 * whole process, with its peak memory from the OS (GNU time). Prints a
 * Markdown table. Run `npm run build` first (npm run bench does); `npm run
 * bench` runs scripts/bench.mjs first, which writes the table and the bench
 * policy this reuses.
 *
 *   node scripts/bench-commands.mjs [--size 1000000] [--runs 1]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureTables } from './bench/generate-tables.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const GNU_TIME = '/usr/bin/time';
const SEED = 20170612;
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const index = args.indexOf(`--${name}`);
  return index >= 0 ? Number.parseInt(args[index + 1], 10) : fallback;
};
const size = option('size', 1_000_000);
const runs = option('runs', 1);

if (!existsSync(GNU_TIME)) {
  console.error(`${GNU_TIME} is missing (Debian: apt-get install time)`);
  process.exit(1);
}
const bin = join(ROOT, 'bin', 'povalloc.js');
const benchDir = join(ROOT, '.bench');
const work = join(benchDir, 'commands');
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
const tables = ensureTables({ root: ROOT, dir: join(benchDir, 'data'), size, seed: SEED });
// The bench policy as scripts/bench.mjs writes it (no county floor or cap): written here too when that has not run.
const policy = join(benchDir, 'bench-policy.json');
if (!existsSync(policy)) {
  const document = JSON.parse(readFileSync(join(ROOT, 'data', 'policies', 'default.json'), 'utf8'));
  document.special_poverty.county.floor.value = '0.00';
  document.special_poverty.county.cap_share.value = '1';
  writeFileSync(policy, `${JSON.stringify(document, null, 2)}\n`);
}

/** Runs povalloc ARGV RUNS times: the median wall time in seconds and the largest peak resident memory in MiB. */
function measure(argv) {
  const walls = [];
  let peak = 0;
  for (let run = 0; run < runs; run++) {
    const result = spawnSync(GNU_TIME, ['-f', 'povalloc-bench %e %M', bin, ...argv], { encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['ignore', 'ignore', 'pipe'] });
    const timed = /povalloc-bench ([\d.]+) (\d+)/.exec(result.stderr);
    if (result.status !== 0 || !timed) {
      console.error(`povalloc ${argv.join(' ')} failed (exit ${result.status}):\n${result.stderr.slice(-2000)}`);
      process.exit(1);
    }
    walls.push(Number.parseFloat(timed[1]));
    peak = Math.max(peak, Number.parseInt(timed[2], 10) / 1024);
  }
  walls.sort((a, b) => a - b);
  return { seconds: walls[Math.floor(walls.length / 2)], peakMiB: peak };
}

const run = join(work, 'run');
const firstRow = readFileSync(tables.file, 'utf8').split('\n', 2)[1];
const village = firstRow.split(',')[0];
const province = village.slice(0, 2);
const commands = [
  { name: 'allocate', argv: ['allocate', '--counties', tables.file, '--budget', tables.budget, '--policy', policy, '--out', run, '--force'] },
  { name: 'verify', argv: ['verify', run] },
  { name: `explain --county (a village, ${village})`, argv: ['explain', run, '--county', village] },
  { name: `explain --province (${province})`, argv: ['explain', run, '--province', province] },
  { name: 'replay', argv: ['replay', run] },
  { name: 'report --html', argv: ['report', run, '--html', join(work, 'report.html')] },
  { name: 'report --xlsx', argv: ['report', run, '--xlsx', join(work, 'report.xlsx')] },
  { name: 'compare RUN RUN --out', argv: ['compare', run, run, '--out', join(work, 'compare'), '--force'] },
  // An analyst's scenario: two weights of stage 2 moved, both allocations made in the process.
  {
    name: 'compare --scenario (two weights) --out',
    argv: ['compare', '--counties', tables.file, '--budget', tables.budget, '--policy', policy, '--scenario', 'up:special_poverty.county.weights.incidence=0.30,special_poverty.county.weights.poverty_scale=0.35', '--out', join(work, 'scenario'), '--force'],
  },
  { name: 'validate', argv: ['validate', '--counties', tables.file, '--budget', tables.budget, '--policy', policy] },
  // The run's own allocations.csv as last year's (hold_harmless, growth_check): a file of 26 columns, twice the table's size.
  { name: 'allocate --previous RUN/allocations.csv', argv: ['allocate', '--counties', tables.file, '--budget', tables.budget, '--policy', policy, '--previous', join(run, 'allocations.csv'), '--out', join(work, 'with-previous'), '--force'] },
];

console.log(`povalloc commands on a large run: ${size.toLocaleString('en-US')} rows (${(tables.meta.bytes / 1e6).toFixed(1)} MB), median of ${runs} run(s) each`);
console.log(`machine: ${availableParallelism()} core(s), Node ${process.version}, load average ${loadavg().map((value) => value.toFixed(2)).join(' ')}`);
console.log('');
console.log('| command | time | peak memory |');
console.log('|---|---:|---:|');
for (const command of commands) {
  const { seconds, peakMiB } = measure(command.argv);
  console.log(`| \`${command.name}\` | ${seconds.toFixed(2)} s | ${peakMiB.toFixed(0)} MiB |`);
}
console.log('');
console.log(`load average after: ${loadavg().map((value) => value.toFixed(2)).join(' ')}`);
rmSync(work, { recursive: true, force: true });
