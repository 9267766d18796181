/**
 * The command line: wires commander to the io and core layers. The only place
 * that decides exit codes: 0 success, 1 a difference found (verify, replay),
 * 2 bad usage or invalid input (nothing written), 3 internal error.
 */
import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { InputError, InternalError, UsageError, formatProblem } from '../core/problems.js';
import { packagePath } from '../io/read-inputs.js';
import { registerAllocate } from './commands/allocate.js';
import { registerExplain } from './commands/explain.js';
import { registerKeygen } from './commands/keygen.js';
import { registerReplay } from './commands/replay.js';
import { registerReport } from './commands/report.js';
import { registerCompare } from './commands/compare.js';
import { registerSweep } from './commands/sweep.js';
import { registerValidate } from './commands/validate.js';
import { registerVerify } from './commands/verify.js';
import { EXIT_INTERNAL, EXIT_INVALID, EXIT_OK, processIo, type Io } from './io.js';

/** Each command registers itself; adding a command is adding a file and a line. */
const COMMANDS = [
  registerAllocate,
  registerValidate,
  registerCompare,
  registerSweep,
  registerVerify,
  registerReplay,
  registerExplain,
  registerKeygen,
  registerReport,
];

export function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { version: string };
  return manifest.version;
}

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
  for (const register of COMMANDS) register(program, io, setExit);
  return program;
}

export { setModuleImporter } from './module-import.js';

/** Runs the CLI and returns the exit code. */
export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  let exitCode = EXIT_OK;
  const program = buildProgram(io, (code) => {
    exitCode = code;
  });
  try {
    if (argv.length === 0) {
      program.outputHelp();
      return EXIT_INVALID;
    }
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
