import type { Command } from 'commander';
import { formatProblem } from '../../core/problems.js';
import { countCounties } from '../../core/state.js';
import { allocateOnTwoCores, EarlyStageTwo } from '../group-numbers-helper.js';
import { EXIT_OK, type Io } from '../io.js';
import { addInputOptions, loadFromOptions, painterFor, type InputOptions } from '../options.js';
import { allocationDetails, progressBar, VALIDATE_STAGES } from '../progress.js';
import { reportWarnings } from './allocate.js';

const EXAMPLES = `
Examples:
  povalloc validate --counties counties.csv --budget budget.csv
  povalloc validate --counties 县表.csv --budget budget.csv --encoding gb18030
  povalloc validate --counties counties.csv --budget budget.csv --projects projects.csv --previous runs/2016/allocations.csv
  povalloc validate --counties counties.csv --budget budget.csv --set special_poverty.county.floor=1500000.00

Every problem is listed with file, line and column; exit code 2 when any is
found, 0 when the inputs are valid. Nothing is written. A check that takes
more than a second shows a progress bar on stderr when stderr is a terminal.`;

function run(options: InputOptions, io: Io): number {
  const progress = progressBar(io, undefined, VALIDATE_STAGES);
  let loaded;
  let result;
  const early = new EarlyStageTwo();
  try {
    progress.stage('reading');
    const details = allocationDetails(progress);
    loaded = loadFromOptions(options, io, details.rowsRead, early.onProvinceRead);
    // Allocating in memory finds the problems only the rules can see (a zero denominator). Nothing is written, so
    // no step is recorded; a large table's stage 2 uses both cores, as allocate's does (begun while it is read).
    progress.stage('allocating');
    result = allocateOnTwoCores({ ...loaded.run, trace: false }, details.observer, early);
  } finally {
    early.close();
    progress.done();
  }
  reportWarnings(io, loaded.warnings);
  const document = {
    schema_version: 1,
    command: 'validate',
    valid: true,
    counties: result.counties.length,
    eligible_counties: countCounties(result.counties, (countyState) => countyState.eligible),
    budget_lines: loaded.run.budget.lines.length,
    ...(loaded.run.projects ? { projects: loaded.run.projects.projects.length } : {}),
    ...(loaded.run.previous ? { previous_counties: loaded.run.previous.byCounty.size } : {}),
    policy: loaded.run.policy.document.name,
    overrides: loaded.overrides.map((override) => ({ path: override.path, value: override.value })),
    warnings: loaded.warnings.map(formatProblem),
  };
  if (options.json) {
    io.stdout(`${JSON.stringify(document, null, 2)}\n`);
  } else {
    const paint = painterFor(io, options);
    io.stdout(
      paint.green(
        `valid: ${document.counties} ${loaded.run.counties.counties[0]?.code.length === 12 ? 'villages' : 'counties'} (${document.eligible_counties} eligible), ${document.budget_lines} budget lines, policy ${document.policy}; ${document.warnings.length} warning(s)\n`,
      ),
    );
  }
  return EXIT_OK;
}

export function registerValidate(program: Command, io: Io, setExit: (code: number) => void): void {
  addInputOptions(program.command('validate').description('Check the inputs and the policy and report every problem; write nothing.'))
    .addHelpText('after', EXAMPLES)
    .action((options: InputOptions) => setExit(run(options, io)));
}
