import type { Command } from 'commander';
import { allocate } from '../../core/allocate.js';
import { formatProblem, type Problem } from '../../core/problems.js';
import { checkOutputDir, writeRunFolder } from '../../io/run-folder.js';
import { terminalSummary } from '../../render/summary.js';
import { EXIT_OK, type Io } from '../io.js';
import { addInputOptions, loadFromOptions, painterFor, type InputOptions } from '../options.js';
import { renderRun } from '../run-files.js';

interface AllocateOptions extends InputOptions {
  out: string;
  force?: boolean;
}

const EXAMPLES = `
Examples:
  # allocate the bundled sample and write the tables to runs/2017
  povalloc allocate --counties data/sample/counties.csv --budget data/sample/budget.csv --out runs/2017

  # the same with your own policy, as JSON for scripts
  povalloc allocate --counties counties.csv --budget budget.csv --policy my-policy.json --out runs/test --json

The run folder holds allocations.csv (one row per county), provinces.csv,
checks.csv (compliance findings) and summary.json. Amounts are in yuan with
two decimals; CSV files are UTF-8 with a BOM so Excel shows Chinese correctly.
If anything in the inputs is wrong, every problem is listed with file, line
and column, the exit code is 2 and nothing is written.`;

export function reportWarnings(io: Io, warnings: readonly Problem[]): void {
  for (const warning of warnings) io.stderr(`warning: ${formatProblem(warning)}\n`);
}

function run(options: AllocateOptions, io: Io): number {
  checkOutputDir(options.out, Boolean(options.force));
  const loaded = loadFromOptions(options, io);
  const result = allocate(loaded.run);
  const rendered = renderRun(result, loaded);
  writeRunFolder(options.out, rendered.files, Boolean(options.force), (note) => io.stderr(`note: ${note}\n`));
  reportWarnings(io, loaded.warnings);
  if (options.json) io.stdout(`${JSON.stringify(rendered.summary, null, 2)}\n`);
  else io.stdout(terminalSummary(result, painterFor(io, options), options.out));
  return EXIT_OK;
}

export function registerAllocate(program: Command, io: Io, setExit: (code: number) => void): void {
  addInputOptions(
    program
      .command('allocate')
      .description('Allocate the funds in the budget to the counties by the policy, and write a run folder.')
      .requiredOption('--out <dir>', 'run folder to write (refused if it exists and is not empty, unless --force)')
      .option('--force', 'replace an existing run folder'),
  )
    .addHelpText('after', EXAMPLES)
    .action((options: AllocateOptions) => setExit(run(options, io)));
}
