import type { Command } from 'commander';
import { allocate } from '../../core/allocate.js';
import { InputError, UsageError, type Problem } from '../../core/problems.js';
import { gridPoint, gridSize, MAX_SWEEP_POINTS, parseVary, type VaryAxis } from '../../core/sweep.js';
import { loadInputs, parseOverrides } from '../../io/load-inputs.js';
import { checkOutputDir, writeRunFolder, type OutputFile } from '../../io/run-folder.js';
import { renderCsv } from '../../render/csv.js';
import { sweepDocument, sweepLine, sweepSummary, sweepTable, type SweepContext, type SweepPoint } from '../../render/sweep.js';
import { EXIT_OK, type Io } from '../io.js';
import { addInputOptions, collect, encodingOf, painterFor, type InputOptions } from '../options.js';
import { checkPoints, chooseJobs, runPoints, SweepWorkers, type LoadSpec, type PointResult, type PointTask } from '../sweep-runner.js';
import { reportWarnings } from './allocate.js';

interface SweepOptions extends InputOptions {
  vary?: string[];
  out?: string;
  force?: boolean;
  jobs?: string;
  allocations?: boolean;
}

const EXAMPLES = `
Examples:
  # the stage-2 incidence weight from 0.10 to 0.40 (weights renormalised to sum to 1), one JSON line per point
  povalloc sweep --counties data/sample/counties.csv --budget data/sample/budget.csv \\
    --set special_poverty.renormalise_weights=true --vary special_poverty.county.weights.incidence=0.10:0.40:0.05

  # a grid: 3 floors x 4 cap shares = 12 points, written as sweep.csv and sweep.json
  povalloc sweep --counties counties.csv --budget budget.csv \\
    --vary special_poverty.county.floor=1000000.00,2000000.00,3000000.00 \\
    --vary special_poverty.county.cap_share=0.09:0.15:0.02 --out sweeps/floor-cap

Each point is the policy with that point's values set, exactly as
"allocate --set PATH=VALUE" would run it. START:STOP:STEP counts in exact
decimals and includes STOP when the steps land on it. Without --out, every
point is printed as one JSON line on stdout, in point order; a progress bar
goes to stderr when it is a terminal. Metrics per point: share_priority_provinces,
share_contiguous_area, share_west, per_poor_min/median/max/cv/gini,
counties_at_floor, counties_at_cap, unallocated.`;

function jobsOf(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d{1,3}$/.test(text) || Number.parseInt(text, 10) < 1) throw new UsageError(`--jobs ${text}: expected a whole number of threads, at least 1`);
  return Number.parseInt(text, 10);
}

/** A progress bar on stderr, repainted at most ten times a second; only when stderr is a terminal. */
function progressBar(io: Io, total: number): { tick(done: number): void; end(): void } {
  if (!io.stderrIsTty) return { tick: () => undefined, end: () => undefined };
  const started = Date.now();
  let painted = 0;
  const paint = (done: number): void => {
    const width = 30;
    const filled = Math.round((done / total) * width);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    io.stderr(`\rsweep [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} points, ${seconds} s`);
  };
  return {
    tick(done) {
      const now = Date.now();
      if (now - painted < 100 && done < total) return;
      painted = now;
      paint(done);
    },
    end() {
      paint(total);
      io.stderr('\n');
    },
  };
}

async function run(options: SweepOptions, io: Io): Promise<number> {
  if (!options.vary || options.vary.length === 0) throw new UsageError('sweep: give at least one --vary PATH=START:STOP:STEP or --vary PATH=v1,v2,...');
  if (options.allocations && options.out === undefined) throw new UsageError('--allocations writes into the --out folder: give --out DIR');
  if (options.out !== undefined) checkOutputDir(options.out, Boolean(options.force));
  const requestedJobs = jobsOf(options.jobs);
  const overrides = parseOverrides(options.set ?? []);
  const encoding = encodingOf(options.encoding);
  const usesStdin = options.counties === '-' || options.budget === '-';
  const stdinBytes = usesStdin ? io.readStdin() : undefined;
  const spec: LoadSpec = { counties: options.counties, budget: options.budget, policy: options.policy, encoding, overrides, stdinBytes };
  const loaded = loadInputs({ ...spec, stdin: () => stdinBytes ?? Buffer.alloc(0) });

  const axes: VaryAxis[] = [];
  const problems: Problem[] = [];
  for (const text of options.vary) {
    const { axis, problems: varyProblems } = parseVary(text, loaded.run.policy.document);
    problems.push(...varyProblems);
    if (!axis) continue;
    if (axes.some((other) => other.path === axis.path)) problems.push({ file: '--vary', line: 0, column: axis.path, message: 'is varied twice: give all its values in one --vary' });
    else axes.push(axis);
  }
  if (problems.length > 0) throw new InputError(problems);
  const size = gridSize(axes);
  if (size > MAX_SWEEP_POINTS) throw new InputError([{ file: '--vary', line: 0, message: `the grid has ${size} points, more than ${MAX_SWEEP_POINTS}` }]);
  const tasks: PointTask[] = Array.from({ length: size }, (_, index) => ({ index, overrides: gridPoint(axes, index) }));
  // Workers load the inputs while this thread checks every point; nothing runs until all are valid.
  const jobs = chooseJobs(requestedJobs, size);
  const workers = jobs > 0 ? new SweepWorkers(spec, jobs, Boolean(options.allocations)) : undefined;
  try {
    const pointProblems = checkPoints(loaded, tasks);
    if (pointProblems.length > 0) throw new InputError(pointProblems);
    // Problems only the rules see (a factor dividing by a zero cell) surface here, before any output.
    allocate({ ...loaded.run, trace: false });
  } catch (error) {
    await workers?.terminate();
    throw error;
  }
  reportWarnings(io, loaded.warnings);

  const context: SweepContext = { policy: loaded.policyFile.displayName, set: overrides, axes };
  const results: (PointResult | undefined)[] = new Array(size);
  const stream = options.out === undefined;
  let printed = 0;
  let done = 0;
  const progress = progressBar(io, size);
  await runPoints(loaded, tasks, workers, Boolean(options.allocations), (result) => {
    results[result.index] = result;
    done++;
    progress.tick(done);
    // JSON lines leave in point order, whatever order the threads finish in.
    while (stream && printed < size && results[printed] !== undefined) {
      io.stdout(sweepLine({ point: printed + 1, overrides: tasks[printed]!.overrides, metrics: results[printed]!.metrics }));
      printed++;
    }
  });
  progress.end();
  if (stream) return EXIT_OK;

  const points: SweepPoint[] = tasks.map((task) => ({ point: task.index + 1, overrides: task.overrides, metrics: results[task.index]!.metrics }));
  const document = sweepDocument(context, points);
  const files: OutputFile[] = [
    { name: 'sweep.csv', content: renderCsv(sweepTable(context, points)) },
    { name: 'sweep.json', content: `${JSON.stringify(document, null, 2)}\n` },
  ];
  if (options.allocations) {
    const digits = Math.max(4, String(size).length);
    for (const task of tasks) files.push({ name: `allocations/point-${String(task.index + 1).padStart(digits, '0')}.csv`, content: results[task.index]!.allocationsCsv ?? '' });
  }
  writeRunFolder(options.out!, files, Boolean(options.force));
  if (options.json) io.stdout(`${JSON.stringify(document, null, 2)}\n`);
  else io.stdout(sweepSummary(context, points, painterFor(io, options), options.out!));
  return EXIT_OK;
}

export function registerSweep(program: Command, io: Io, setExit: (code: number) => void): void {
  addInputOptions(
    program
      .command('sweep')
      .description('Run one policy over a grid of parameter values and report how the outcome metrics move.')
      .option('--vary <path=range-or-list>', 'a parameter and its values: PATH=START:STOP:STEP or PATH=v1,v2,...; repeatable (full grid)', collect)
      .option('--out <dir>', 'write sweep.csv and sweep.json to this folder (refused if it exists and is not empty, unless --force)')
      .option('--force', 'replace an existing --out folder')
      .option('--allocations', "also write each point's allocations.csv under --out (allocations/point-0001.csv, ...)")
      .option('--jobs <n>', 'worker threads (default: one per core for 64 points or more, none below)'),
  )
    .addHelpText('after', EXAMPLES)
    .action(async (options: SweepOptions) => setExit(await run(options, io)));
}
