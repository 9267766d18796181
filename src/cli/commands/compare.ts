import { basename, extname } from 'node:path';
import type { Command } from 'commander';
import { isLargeRun } from '../../core/audit-blocks.js';
import { BASE_NAME, compareOutcomes, type Comparison, type CompareSide } from '../../core/compare.js';
import { outcomeFromResult } from '../../core/outcome.js';
import { InputError, UsageError, type Problem } from '../../core/problems.js';
import { parseOverride, type Override } from '../../core/scenario.js';
import { loadInputs, loadPolicy, parseOverrides, type LoadedInputs } from '../../io/load-inputs.js';
import { writePiecesOnWorker, type PieceWriter } from '../../io/piece-writer.js';
import { checkOutputDir, measurePieces, RunFolderWriter, writeToFile, type SpooledFile } from '../../io/run-folder.js';
import { readRunOutcome } from '../../io/run-outcome.js';
import { compareFiles, compareJsonPieces, compareSummary } from '../../render/compare.js';
import { writeCsvRowsOnWorker } from '../csv-rows-aside.js';
import { allocateOnTwoCores, EarlyStageTwo } from '../group-numbers-helper.js';
import { EXIT_OK, type Io } from '../io.js';
import { addInputOptions, collect, encodingOf, painterFor, type InputOptions } from '../options.js';
import { allocationDetails, COMPARE_STAGES, groupThousands, progressBar } from '../progress.js';
import { reportWarnings } from './allocate.js';

interface CompareOptions extends Partial<InputOptions> {
  encoding: string;
  scenario?: string[];
  out?: string;
  force?: boolean;
}

const EXAMPLES = `
Examples:
  # what if the incidence weight of stage 2 were 0.30 (and poverty scale 0.35)?
  povalloc compare --counties data/sample/counties.csv --budget data/sample/budget.csv \\
    --scenario incidence-up:special_poverty.county.weights.incidence=0.30,special_poverty.county.weights.poverty_scale=0.35

  # two policy files against the default, tables written to a folder
  povalloc compare --counties counties.csv --budget budget.csv --scenario policy-b.json --scenario policy-c.json --out compare-2017

  # two run folders written earlier by allocate
  povalloc compare runs/2017-default runs/2017-floor-up --json

A scenario is a policy file, or NAME:PATH=VALUE,PATH=VALUE,... (overrides of
the base policy, which is --policy or the bundled default). --set changes
every policy compared. Counties are in bands by the percent change of their
total: lose >5%, lose up to 5%, no change (within 0.1%), gain up to 5%, gain >5%.
--out writes compare.json, counties.csv, provinces.csv, bands.csv,
metrics.csv and policy_diff.csv.`;

const INLINE_SCENARIO = /^([A-Za-z0-9][A-Za-z0-9_.-]*):(.*=.*)$/s;
/** Splits inline overrides on commas that start a new PATH= (values such as lists may contain commas). */
const OVERRIDE_SEPARATOR = /,(?=\s*[A-Za-z_][A-Za-z0-9_.]*\s*=)/;

interface ScenarioSpec {
  readonly name: string;
  readonly policyPath: string | undefined;
  readonly overrides: readonly Override[];
  readonly overrideSource: string;
}

function uniqueName(wanted: string, taken: Set<string>): string {
  let name = wanted;
  for (let suffix = 2; taken.has(name); suffix++) name = `${wanted}-${suffix}`;
  taken.add(name);
  return name;
}

/** Parses each --scenario: a policy file, or NAME:PATH=VALUE,... */
export function parseScenarios(texts: readonly string[], basePolicy: string | undefined, globalOverrides: readonly Override[]): ScenarioSpec[] {
  const taken = new Set([BASE_NAME]);
  const problems: Problem[] = [];
  const specs: ScenarioSpec[] = [];
  for (const text of texts) {
    const inline = INLINE_SCENARIO.exec(text);
    if (inline) {
      const name = uniqueName(inline[1]!, taken);
      const source = `--scenario ${name}`;
      const overrides: Override[] = [];
      for (const part of inline[2]!.split(OVERRIDE_SEPARATOR)) {
        const { override, problem } = parseOverride(part, source);
        if (override) overrides.push(override);
        if (problem) problems.push(problem);
      }
      specs.push({
        name,
        policyPath: basePolicy,
        overrides: [...globalOverrides, ...overrides],
        overrideSource: source,
      });
    } else {
      const name = uniqueName(basename(text, extname(text)) || 'scenario', taken);
      specs.push({ name, policyPath: text, overrides: globalOverrides, overrideSource: '--set' });
    }
  }
  if (problems.length > 0) throw new InputError(problems);
  return specs;
}

function describePolicy(loaded: LoadedInputs): string {
  const overrides = loaded.overrides.map((override) => `${override.path}=${override.value}`);
  return overrides.length === 0 ? loaded.policyFile.displayName : `${loaded.policyFile.displayName} with ${overrides.join(', ')}`;
}

/**
 * A scenario's inputs with the base's county table and budget, when its policy reads the same columns of the
 * table and the same funds of the budget (what reading them depends on), as a sweep's points share theirs: the
 * table is read and held once, not once for each scenario (a million villages: some 300 MB each). Undefined
 * otherwise, and when its policy has problems: it is then read with its own policy, which reports them as before.
 */
export function withTablesOf(base: LoadedInputs, spec: Pick<ScenarioSpec, 'policyPath' | 'overrides' | 'overrideSource'>): LoadedInputs | undefined {
  const { policy, file, problems } = loadPolicy(spec.policyPath, spec.overrides, spec.overrideSource);
  if (!policy || !file || problems.length > 0) return undefined;
  const same = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((item, index) => item === b[index]);
  if (!same(policy.factorColumns, base.run.policy.factorColumns) || !same(policy.funds, base.run.policy.funds)) return undefined;
  return { ...base, run: { ...base.run, policy }, policyFile: file, overrides: spec.overrides };
}

/** compare --counties ... --budget ... [--policy A] --scenario B [--scenario C ...] */
function sidesFromPolicies(options: CompareOptions, io: Io, tell: (text: string) => void): { base: CompareSide; scenarios: CompareSide[]; warnings: Problem[] } {
  if (!options.counties || !options.budget) throw new UsageError('compare: give --counties and --budget with --scenario, or two run folders (compare RUN_A RUN_B)');
  if (!options.scenario || options.scenario.length === 0) throw new UsageError('compare: give at least one --scenario (a policy file or NAME:PATH=VALUE,...)');
  const globalOverrides = parseOverrides(options.set ?? []);
  const specs = parseScenarios(options.scenario, options.policy, globalOverrides);
  // stdin can be read once: keep the bytes for every scenario's load.
  let stdinBytes: Buffer | undefined;
  const stdin = (): Buffer => (stdinBytes ??= io.readStdin());
  // The base's stage-2 numbers begin on another thread while its table is read, as allocate's do.
  const early = new EarlyStageTwo();
  const load = (policy: string | undefined, overrides: readonly Override[], overrideSource: string, onProvinceRead?: EarlyStageTwo['onProvinceRead']): LoadedInputs =>
    loadInputs({ counties: options.counties!, budget: options.budget!, policy, encoding: encodingOf(options.encoding), stdin, overrides, overrideSource, onProvinceRead });

  const problems: Problem[] = [];
  const attempt = (run: () => LoadedInputs): LoadedInputs | undefined => {
    try {
      return run();
    } catch (error) {
      if (error instanceof InputError) {
        for (const problem of error.problems) if (!problems.some((seen) => JSON.stringify(seen) === JSON.stringify(problem))) problems.push(problem);
        return undefined;
      }
      throw error;
    }
  };
  try {
    tell(options.counties);
    const baseLoaded = attempt(() => load(options.policy, globalOverrides, '--set', early.onProvinceRead));
    const scenarioLoaded = specs.map((spec) => attempt(() => (baseLoaded && withTablesOf(baseLoaded, spec)) ?? load(spec.policyPath, spec.overrides, spec.overrideSource)));
    if (problems.length > 0 || !baseLoaded) throw new InputError(problems);

    const side = (name: string, loaded: LoadedInputs, source: string): CompareSide => {
      tell(`${name}: allocating`);
      // The bar names the side, then the rule and stage 2's provinces, as allocate's does.
      const { observer } = allocationDetails({ detail: (text) => tell(`${name}: ${text}`) });
      return {
        name,
        // Scenarios need amounts, not derivations: no step tracing. A large table's stage 2 on both cores, as allocate's.
        outcome: outcomeFromResult(allocateOnTwoCores({ ...loaded.run, trace: false }, observer, early)),
        policyDocument: loaded.run.policy.document,
        source,
      };
    };
    return {
      base: side(BASE_NAME, baseLoaded, describePolicy(baseLoaded)),
      scenarios: specs.map((spec, index) => side(spec.name, scenarioLoaded[index]!, describePolicy(scenarioLoaded[index]!))),
      warnings: [...baseLoaded.warnings],
    };
  } finally {
    early.close();
  }
}

/** compare RUN_A RUN_B */
function sidesFromRuns(runs: readonly string[], options: CompareOptions, tell: (text: string) => void): { base: CompareSide; scenarios: CompareSide[]; warnings: Problem[] } {
  if (runs.length !== 2) throw new UsageError(`compare: give exactly two run folders (RUN_A RUN_B), got ${runs.length}`);
  const conflicting = (['counties', 'budget', 'policy', 'scenario', 'set'] as const).filter((name) => options[name] !== undefined);
  if (conflicting.length > 0) {
    throw new UsageError(`compare RUN_A RUN_B reads everything from the run folders: drop ${conflicting.map((name) => `--${name}`).join(', ')}`);
  }
  const [baseDir, scenarioDir] = runs as [string, string];
  tell(`${baseDir} (1 of 2)`);
  const base = readRunOutcome(baseDir);
  tell(`${scenarioDir} (2 of 2)`);
  const scenario = readRunOutcome(scenarioDir);
  const taken = new Set([BASE_NAME]);
  return {
    base: { name: BASE_NAME, outcome: base.outcome, policyDocument: base.policyDocument, source: baseDir },
    scenarios: [{ name: uniqueName(basename(scenarioDir.replace(/[\\/]+$/, '')) || 'scenario', taken), outcome: scenario.outcome, policyDocument: scenario.policyDocument, source: scenarioDir }],
    warnings: [],
  };
}

/**
 * The comparison's folder, its long files (compare.json, counties.csv) written into it as they are made, not held.
 * A large one's are written on worker threads while this thread makes compare.json: that document's bytes as they
 * come (see piece-writer.ts), and counties.csv from its rows (see csv-rows-aside.ts).
 */
function writeComparison(dir: string, comparison: Comparison, force: boolean, tell: (text: string) => void): void {
  const writer = RunFolderWriter.open(dir, force);
  const large = isLargeRun(comparison.counties.length);
  /** Writes a file's pieces on a worker thread, each handed over by HAND. */
  const onWorker = <T>(name: string, pieces: Iterable<T>, hand: (worker: PieceWriter, piece: T) => void): SpooledFile => {
    const worker = writePiecesOnWorker(writer.spoolPath(name));
    try {
      for (const piece of pieces) hand(worker, piece);
      return worker.finish();
    } finally {
      worker.cancel();
    }
  };
  try {
    writer.finish(
      compareFiles(
        comparison,
        (name, made) => {
          const pieces = toldPieces(name, made, tell, (piece) => piece.length);
          if (large) return onWorker(name, pieces, (worker, piece) => worker.write(piece));
          const spooled = writer.spoolPath(name);
          return { spooled, ...writeToFile(spooled, (sink) => measurePieces(pieces, sink)) };
        },
        (columns) => (large ? writeCsvRowsOnWorker(writer.spoolPath('counties.csv'), columns) : undefined),
        // A large compare.json goes over as text, encoded by the worker that writes it.
        large ? (name, texts) => onWorker(name, toldPieces(name, texts, tell, (text) => text.length), (worker, text) => worker.writeText(text)) : undefined,
      ),
    );
  } finally {
    writer.abandon();
  }
}

/**
 * PIECES of a file as they are made, telling the megabytes made so far every
 * MB_TOLD (a progress bar); SIZE is a piece's bytes (for text, its length: the
 * document is nearly all ASCII).
 */
function* toldPieces<T>(name: string, pieces: Iterable<T>, tell: (text: string) => void, size: (piece: T) => number): Generator<T> {
  let bytes = 0;
  let next = 0;
  for (const piece of pieces) {
    if (bytes >= next) {
      tell(`${name}: ${groupThousands(Math.floor(bytes / 1e6))} MB`);
      next = bytes + MB_TOLD;
    }
    bytes += size(piece);
    yield piece;
  }
}

/** How often toldPieces tells (compare.json of a million villages is some 800 MB). */
const MB_TOLD = 8e6;

function run(runs: string[], options: CompareOptions, io: Io): number {
  if (options.out !== undefined) checkOutputDir(options.out, Boolean(options.force));
  // A bar on stderr when a terminal waits more than a second (two runs of a million villages take 16 to 19 s).
  const progress = progressBar(io, undefined, COMPARE_STAGES);
  let comparison: Comparison;
  let warnings: Problem[];
  try {
    progress.stage('reading');
    const tell = (text: string): void => progress.detail(text);
    const sides = runs.length > 0 ? sidesFromRuns(runs, options, tell) : sidesFromPolicies(options, io, tell);
    warnings = sides.warnings;
    progress.stage('comparing');
    comparison = compareOutcomes(sides.base, sides.scenarios);
    if (options.out !== undefined) {
      progress.stage('writing');
      writeComparison(options.out, comparison, Boolean(options.force), tell);
    }
  } finally {
    progress.done();
  }
  reportWarnings(io, warnings);
  if (options.json) {
    // A village table's comparison is too long for one string: printed as it is made.
    for (const piece of compareJsonPieces(comparison)) io.stdout(piece);
    io.stdout('\n');
  } else {
    io.stdout(compareSummary(comparison, painterFor(io, options), options.out));
  }
  return EXIT_OK;
}

export function registerCompare(program: Command, io: Io, setExit: (code: number) => void): void {
  addInputOptions(
    program
      .command('compare')
      .description('Compare policies (or two run folders): per-county and per-province changes, winners and losers, outcome metrics.')
      .argument('[runs...]', 'two run folders written by allocate (instead of --counties/--budget/--scenario)')
      .option('--scenario <policy-or-overrides>', 'a scenario: a policy file, or NAME:PATH=VALUE,PATH=VALUE,...; repeatable', collect)
      .option('--out <dir>', 'folder to write the comparison tables to (refused if it exists and is not empty, unless --force)')
      .option('--force', 'replace an existing --out folder'),
    { inputsRequired: false },
  )
    .addHelpText('after', EXAMPLES)
    .action((runs: string[], options: CompareOptions) => setExit(run(runs, options, io)));
}
