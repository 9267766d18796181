#!/usr/bin/env node
/**
 * Sweep benchmark (not a test): how long a 1,000-point sweep over the
 * 832-county sample takes, end to end through the CLI, and the CPU time one
 * grid point costs. Run `npm run build` first (npm run bench does).
 *
 *   node scripts/bench-sweep.mjs [--points 1000] [--jobs 2] [--repeat 1]
 *
 * Two grids: one varying the priority multiplier (weights stay short
 * decimals such as 0.45), and one varying a stage-2 weight with
 * renormalisation (every weight becomes a 50-digit decimal, the expensive
 * case). Wall-clock times depend on what else the machine is doing: the
 * load average is printed with them.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const GNU_TIME = '/usr/bin/time';
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const index = args.indexOf(`--${name}`);
  return index >= 0 ? Number.parseInt(args[index + 1], 10) : fallback;
};
const points = option('points', 1000);
const jobs = option('jobs', 2);
const repeat = option('repeat', 1);

const { loadInputs } = await import(join(ROOT, 'dist/io/load-inputs.js'));
const { computePoint } = await import(join(ROOT, 'dist/cli/sweep-runner.js'));
const { parseVary } = await import(join(ROOT, 'dist/core/sweep.js'));

const sample = ['--counties', join(ROOT, 'data/sample/counties.csv'), '--budget', join(ROOT, 'data/sample/budget.csv')];

/** STOP of a range of `count` values from START by STEP, in thousandths (integers only). */
function stopOf(startThousandths, count) {
  const stop = startThousandths + count - 1;
  return `${Math.floor(stop / 1000)}.${String(stop % 1000).padStart(3, '0')}`;
}

const grids = [
  {
    name: 'priority multiplier (short weights)',
    set: [],
    vary: `special_poverty.province.priority_multiplier=1.000:${stopOf(1000, points)}:0.001`,
  },
  {
    name: 'county incidence weight, renormalised (50-digit weights)',
    set: ['special_poverty.renormalise_weights=true'],
    vary: `special_poverty.county.weights.incidence=0.001:${stopOf(1, points)}:0.001`,
  },
];

function cpuPerPoint(grid, count) {
  const overrides = grid.set.map((text) => ({ path: text.split('=')[0], value: text.split('=')[1] }));
  const loaded = loadInputs({ counties: sample[1], budget: sample[3], encoding: 'auto', overrides });
  const { axis } = parseVary(grid.vary, loaded.run.policy.document);
  const tasks = axis.values.slice(0, count).map((value, index) => ({ index, overrides: [{ path: axis.path, value }] }));
  for (const task of tasks.slice(0, 10)) computePoint(loaded, task, false);
  const before = process.cpuUsage();
  for (const task of tasks) computePoint(loaded, task, false);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 / tasks.length;
}

console.log(`povalloc sweep benchmark: ${points} points over the 832-county sample, --jobs ${jobs}`);
console.log(`machine: ${availableParallelism()} core(s), load average ${loadavg().map((value) => value.toFixed(2)).join(' ')}`);
console.log('');
for (const grid of grids) {
  const dir = mkdtempSync(join(tmpdir(), 'povalloc-bench-'));
  const walls = [];
  const cpus = [];
  for (let run = 0; run < repeat; run++) {
    const command = [join(ROOT, 'bin/povalloc.js'), 'sweep', ...sample, ...grid.set.flatMap((text) => ['--set', text]), '--vary', grid.vary, '--out', join(dir, 'out'), '--force', '--jobs', String(jobs)];
    // GNU time, when there is one, adds the CPU time of the whole process (every thread).
    const timed = existsSync(GNU_TIME);
    const started = process.hrtime.bigint();
    const result = timed
      ? spawnSync(GNU_TIME, ['-f', 'cpu %U %S', process.execPath, ...command], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
      : spawnSync(process.execPath, command, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
    if (result.status !== 0) {
      console.error(result.stderr);
      process.exit(1);
    }
    walls.push(elapsed);
    const cpu = /cpu ([\d.]+) ([\d.]+)/.exec(result.stderr);
    if (cpu) cpus.push((Number.parseFloat(cpu[1]) + Number.parseFloat(cpu[2])) * 1000);
  }
  rmSync(dir, { recursive: true, force: true });
  const best = Math.min(...walls);
  const cpu = cpuPerPoint(grid, Math.min(points, 200));
  console.log(`${grid.name}: --vary ${grid.vary}`);
  console.log(`  end to end (CLI, ${jobs} worker thread(s)): ${(best / 1000).toFixed(2)} s for ${points} points = ${(best / points).toFixed(2)} ms per point (wall)`);
  if (cpus.length > 0) {
    const cpuTotal = Math.min(...cpus);
    console.log(`  CPU time of that process, all threads: ${(cpuTotal / 1000).toFixed(2)} s = ${(cpuTotal / points).toFixed(2)} ms per point; on ${jobs} free cores about ${(cpuTotal / 1000 / jobs).toFixed(2)} s`);
  }
  console.log(`  one thread, inputs loaded once: ${cpu.toFixed(2)} ms CPU per point = ${cpu.toFixed(1)} s CPU per 1,000 points`);
  console.log('');
}
console.log(`load average after: ${loadavg().map((value) => value.toFixed(2)).join(' ')}`);
