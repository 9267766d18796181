/**
 * Options shared by the commands that read inputs (allocate, validate, and
 * the scenario commands), and the painter for coloured output.
 */
import { Chalk } from 'chalk';
import { Option, type Command } from 'commander';
import { UsageError } from '../core/problems.js';
import { loadInputs, parseOverrides, type LoadedInputs, type LoadOptions } from '../io/load-inputs.js';
import type { EncodingChoice } from '../io/read-inputs.js';
import { PLAIN, type Painter } from '../render/summary.js';
import type { Io } from './io.js';
import { readPreviousOnWorker } from './previous-aside.js';

export interface InputOptions {
  counties: string;
  budget: string;
  policy?: string;
  projects?: string;
  previous?: string;
  encoding: string;
  /** `--set PATH=VALUE`, in the order given. */
  set?: string[];
  json?: boolean;
  color?: boolean;
}

/** Commander collector for repeatable options. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

export const SET_HELP = 'override one policy value, repeatable: a dotted path into the policy, e.g. special_poverty.county.weights.incidence=0.3';

export function encodingOf(value: string): EncodingChoice {
  const lowered = value.toLowerCase();
  if (lowered === 'auto') return 'auto';
  if (lowered === 'utf8' || lowered === 'utf-8') return 'utf8';
  if (lowered === 'gb18030' || lowered === 'gbk') return 'gb18030';
  throw new UsageError(`--encoding ${value}: expected auto, utf8 or gb18030 (gbk)`);
}

export function painterFor(io: Io, options: { color?: boolean }): Painter {
  const enabled = options.color !== false && io.stdoutIsTty && !io.env['NO_COLOR'];
  if (!enabled) return PLAIN;
  const chalk = new Chalk({ level: 1 });
  return { bold: (t) => chalk.bold(t), dim: (t) => chalk.dim(t), yellow: (t) => chalk.yellow(t), green: (t) => chalk.green(t) };
}

/**
 * Adds --counties, --budget, --policy, --projects, --previous, --set, --encoding, --json and
 * --no-color. `inputsRequired: false` for commands that can also work from
 * run folders (compare), which check the combination themselves.
 */
export function addInputOptions(command: Command, { inputsRequired = true }: { inputsRequired?: boolean } = {}): Command {
  const input = (flags: string, description: string): Command => (inputsRequired ? command.requiredOption(flags, description) : command.option(flags, description));
  input('--counties <file>', 'county table (CSV: county_code, county_name, poor_population, rural_population or incidence, ...)');
  input('--budget <file>', 'budget lines (CSV: fund, level, province_code, amount)');
  return command
    .option('--policy <file>', 'policy file (JSON); default: the bundled default policy')
    .option('--projects <file>', 'projects for the matching-fund waiver (CSV: project_id, county_code, name, public_welfare, state_arranged, total_cost[, share_*])')
    .option('--previous <file>', "last year's allocations.csv, for the hold-harmless guarantee and the growth check")
    .option('--set <path=value>', SET_HELP, collect)
    .addOption(new Option('--encoding <name>', 'input encoding: auto, utf8 or gb18030 (gbk)').default('auto'))
    .option('--json', 'print one JSON document on stdout instead of the table')
    .option('--no-color', 'plain text without colour (also when NO_COLOR is set or output is not a terminal)');
}

export function loadFromOptions(options: InputOptions, io: Io, onRowsRead?: (rows: number) => void, onProvinceRead?: LoadOptions['onProvinceRead']): LoadedInputs {
  return loadInputs({
    counties: options.counties,
    budget: options.budget,
    policy: options.policy,
    projects: options.projects,
    previous: options.previous,
    encoding: encodingOf(options.encoding),
    stdin: () => io.readStdin(),
    overrides: parseOverrides(options.set ?? []),
    readPreviousAside: readPreviousOnWorker,
    onRowsRead,
    onProvinceRead,
  });
}
