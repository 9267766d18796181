/**
 * The command line: wires commander to the io and core layers. The only place
 * that decides exit codes: 0 success, 1 a difference found (verify, replay),
 * 2 bad usage or invalid input (nothing written), 3 internal error.
 */
import { Command, CommanderError, Option } from 'commander';
import { Chalk } from 'chalk';
import { readFileSync } from 'node:fs';
import { allocate, type AllocationResult } from '../core/allocate.js';
import { InputError, InternalError, UsageError, formatProblem, type Problem } from '../core/problems.js';
import { loadInputs, type LoadedInputs } from '../io/load-inputs.js';
import { checkOutputDir, writeRunFolder, type OutputFile } from '../io/run-folder.js';
import { packagePath, type EncodingChoice } from '../io/read-inputs.js';
import { renderCsv } from '../render/csv.js';
import { summaryDocument, terminalSummary, type Painter, PLAIN } from '../render/summary.js';
import { allocationsTable, checksTable, provincesTable } from '../render/tables.js';

export const EXIT_OK = 0;
export const EXIT_DIFFERENCE = 1;
export const EXIT_INVALID = 2;
export const EXIT_INTERNAL = 3;

export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
  readonly stdoutIsTty: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
  readStdin(): Buffer;
}

const processIo: Io = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  stdoutIsTty: Boolean(process.stdout.isTTY),
  env: process.env,
  readStdin: () => readFileSync(0),
};

interface InputOptions {
  counties: string;
  budget: string;
  policy?: string;
  encoding: string;
  json?: boolean;
  color?: boolean;
}

interface AllocateOptions extends InputOptions {
  out: string;
  force?: boolean;
}

function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { version: string };
  return manifest.version;
}

function encodingOf(value: string): EncodingChoice {
  const lowered = value.toLowerCase();
  if (lowered === 'auto') return 'auto';
  if (lowered === 'utf8' || lowered === 'utf-8') return 'utf8';
  if (lowered === 'gb18030' || lowered === 'gbk') return 'gb18030';
  throw new UsageError(`--encoding ${value}: expected auto, utf8 or gb18030 (gbk)`);
}

function painterFor(io: Io, options: { color?: boolean }): Painter {
  const enabled = options.color !== false && io.stdoutIsTty && !io.env['NO_COLOR'];
  if (!enabled) return PLAIN;
  const chalk = new Chalk({ level: 1 });
  return { bold: (t) => chalk.bold(t), dim: (t) => chalk.dim(t), yellow: (t) => chalk.yellow(t), green: (t) => chalk.green(t) };
}

function addInputOptions(command: Command): Command {
  return command
    .requiredOption('--counties <file>', 'county table (CSV: county_code, county_name, poor_population, rural_population or incidence, ...)')
    .requiredOption('--budget <file>', 'budget lines (CSV: fund, level, province_code, amount)')
    .option('--policy <file>', 'policy file (JSON); default: the bundled default policy')
    .addOption(new Option('--encoding <name>', 'input encoding: auto, utf8 or gb18030 (gbk)').default('auto'))
    .option('--json', 'print one JSON document on stdout instead of the table')
    .option('--no-color', 'plain text without colour (also when NO_COLOR is set or output is not a terminal)');
}

function loadFrom(options: InputOptions, io: Io): LoadedInputs {
  return loadInputs({
    counties: options.counties,
    budget: options.budget,
    policy: options.policy,
    encoding: encodingOf(options.encoding),
    stdin: () => io.readStdin(),
  });
}

/** The files of a run folder, in a fixed order. */
export function runFiles(result: AllocationResult, summary: Record<string, unknown>): OutputFile[] {
  return [
    { name: 'allocations.csv', content: renderCsv(allocationsTable(result)) },
    { name: 'provinces.csv', content: renderCsv(provincesTable(result)) },
    { name: 'checks.csv', content: renderCsv(checksTable(result)) },
    { name: 'summary.json', content: `${JSON.stringify(summary, null, 2)}\n` },
  ];
}

function reportWarnings(io: Io, warnings: readonly Problem[]): void {
  for (const warning of warnings) io.stderr(`warning: ${formatProblem(warning)}\n`);
}

function runAllocate(options: AllocateOptions, io: Io): number {
  checkOutputDir(options.out, Boolean(options.force));
  const loaded = loadFrom(options, io);
  const result = allocate(loaded.run);
  const summary = summaryDocument(result, { command: 'allocate', warnings: loaded.warnings, skippedBlankRows: loaded.skippedBlankRows });
  writeRunFolder(options.out, runFiles(result, summary), Boolean(options.force));
  reportWarnings(io, loaded.warnings);
  if (options.json) io.stdout(`${JSON.stringify(summary, null, 2)}\n`);
  else io.stdout(terminalSummary(result, painterFor(io, options), options.out));
  return EXIT_OK;
}

function runValidate(options: InputOptions, io: Io): number {
  const loaded = loadFrom(options, io);
  const result = allocate(loaded.run);
  reportWarnings(io, loaded.warnings);
  const document = {
    schema_version: 1,
    command: 'validate',
    valid: true,
    counties: result.counties.length,
    eligible_counties: result.counties.filter((countyState) => countyState.eligible).length,
    budget_lines: loaded.run.budget.lines.length,
    policy: loaded.run.policy.document.name,
    warnings: loaded.warnings.map(formatProblem),
  };
  if (options.json) io.stdout(`${JSON.stringify(document, null, 2)}\n`);
  else {
    const paint = painterFor(io, options);
    io.stdout(
      paint.green(
        `valid: ${document.counties} counties (${document.eligible_counties} eligible), ${document.budget_lines} budget lines, policy ${document.policy}; ${document.warnings.length} warning(s)\n`,
      ),
    );
  }
  return EXIT_OK;
}

const ALLOCATE_EXAMPLES = `
Examples:
  # allocate the bundled sample and write the tables to runs/2017
  povalloc allocate --counties data/sample/counties.csv --budget data/sample/budget.csv --out runs/2017

  # the same with your own policy, as JSON for scripts
  povalloc allocate --counties counties.csv --budget budget.csv --policy my-policy.json --out runs/test --json

The run folder holds allocations.csv (one row per county), provinces.csv,
checks.csv (compliance findings) and summary.json. Amounts are in yuan with
two decimals; CSV files are UTF-8 with a BOM so Excel shows Chinese correctly.`;

const VALIDATE_EXAMPLES = `
Examples:
  povalloc validate --counties counties.csv --budget budget.csv
  povalloc validate --counties 县表.csv --budget budget.csv --encoding gb18030

Every problem is listed with file, line and column; exit code 2 when any is
found, 0 when the inputs are valid. Nothing is written.`;

export function buildProgram(io: Io, setExit: (code: number) => void): Command {
  const program = new Command();
  program
    .name('povalloc')
    .description('Allocates poverty-alleviation funds by the 13th Five-Year Plan rules, to the fen, with compliance checks.')
    .version(packageVersion(), '-V, --version')
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.stdout(text), writeErr: (text) => io.stderr(text) })
    .showHelpAfterError('(run with --help for usage)');
  program.addHelpText(
    'after',
    `
Quick start:
  povalloc allocate --counties data/sample/counties.csv --budget data/sample/budget.csv --out runs/sample

Exit codes: 0 success, 1 verify/replay found a difference, 2 bad usage or invalid input (nothing written), 3 internal error.`,
  );

  addInputOptions(
    program
      .command('allocate')
      .description('Allocate the funds in the budget to the counties by the policy, and write a run folder.')
      .requiredOption('--out <dir>', 'run folder to write (refused if it exists and is not empty, unless --force)')
      .option('--force', 'replace an existing run folder'),
  )
    .addHelpText('after', ALLOCATE_EXAMPLES)
    .action((options: AllocateOptions) => setExit(runAllocate(options, io)));

  addInputOptions(program.command('validate').description('Check the inputs and the policy and report every problem; write nothing.'))
    .addHelpText('after', VALIDATE_EXAMPLES)
    .action((options: InputOptions) => setExit(runValidate(options, io)));

  return program;
}

/** Runs the CLI and returns the exit code. */
export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  let exitCode = EXIT_OK;
  const program = buildProgram(io, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    return handleError(error, io);
  }
}

function handleError(error: unknown, io: Io): number {
  if (error instanceof CommanderError) {
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return EXIT_OK;
    return EXIT_INVALID;
  }
  if (error instanceof InputError) {
    for (const problem of error.problems) io.stderr(`${formatProblem(problem)}\n`);
    io.stderr(`povalloc: ${error.problems.length} problem(s) found; nothing was written.\n`);
    return EXIT_INVALID;
  }
  if (error instanceof UsageError) {
    io.stderr(`povalloc: ${error.message}\n`);
    return EXIT_INVALID;
  }
  const message = error instanceof Error ? error.message : String(error);
  io.stderr(`povalloc: ${error instanceof InternalError ? message : `internal error: ${message}`}\n`);
  io.stderr('This is a bug in povalloc, not a problem with your input. Please report it with the command line you ran.\n');
  if (io.env['POVALLOC_DEBUG'] && error instanceof Error && error.stack) io.stderr(`${error.stack}\n`);
  return EXIT_INTERNAL;
}
