/**
 * Loads everything a run needs: reference tables, the policy, the county
 * table, the budget and, when given, the projects and last year's
 * allocations. Every problem in every input is collected before
 * anything is reported, so the user sees them all at once.
 */
import { readBudget, type Budget } from '../core/budget.js';
import { readCountiesCsv, type County, type CountyTable } from '../core/counties.js';
import { compileCheckedPolicy, compilePolicy, type Policy, type PolicyDocument } from '../core/policy.js';
import type { PreviousAllocations } from '../core/previous.js';
import { appendAll, InputError, sortProblems, type Problem } from '../core/problems.js';
import { readProjects, type ProjectTable } from '../core/projects.js';
import { parseReference, type Reference } from '../core/reference.js';
import type { RunInputs } from '../core/state.js';
import { applyOverrides, explainOverrideProblems, isParameterValue, parseOverride, type Override } from '../core/scenario.js';
import { parseCsvTable } from '../core/table.js';
import { readInputFile, readInputFileInParts, readPackageText, packagePath, type EncodingChoice, type InputFile } from './read-inputs.js';
import { readPreviousFile, type PreviousRead } from './read-previous.js';
import type { SpooledFile } from './run-folder.js';

export const DEFAULT_POLICY = 'data/policies/default.json';

export interface LoadOptions {
  readonly counties: string;
  readonly budget: string;
  readonly policy?: string;
  /** projects.csv for matching_waiver (--projects). */
  readonly projects?: string;
  /** Last year's allocations.csv (--previous). */
  readonly previous?: string;
  readonly encoding: EncodingChoice;
  readonly stdin?: () => Buffer;
  /** `--set PATH=VALUE` overrides applied to the policy before anything else uses it. */
  readonly overrides?: readonly Override[];
  /** How problems name the overrides: `--set` (default) or e.g. `--scenario NAME`. */
  readonly overrideSource?: string;
  /**
   * Starts reading last year's allocations.csv elsewhere (a worker thread,
   * while this thread reads the county table), or declines (undefined).
   * `finish` gives what `readPreviousFile` gives, or undefined when it could
   * not be read there (then it is read here); `cancel` stops it unread.
   */
  readonly readPreviousAside?: (path: string, encoding: EncodingChoice) => PreviousAside | undefined;
  /** Told the county table's rows read so far, after each part of some 8 MB (a progress bar). */
  readonly onRowsRead?: (rows: number) => void;
  /**
   * Told, when the policy was read, of each run of the county table's rows in
   * one province as it ends (see ProvinceRunListener), with the policy the
   * run will use: a large run begins its stage-2 numbers on another thread.
   */
  readonly onProvinceRead?: (counties: readonly County[], start: number, end: number, policy: Policy) => void;
}

/** Last year's allocations.csv being read elsewhere (see LoadOptions.readPreviousAside). */
export interface PreviousAside {
  finish(): PreviousRead | undefined;
  cancel(): void;
}

/**
 * An input file as kept once it is read: its bytes (to copy and hash), not its
 * decoded text; or, once a large run has copied it into its run folder (see
 * `spoolInputCopies`), where the copy is, with its size and SHA-256.
 */
export interface KeptInputFile {
  readonly path: string;
  readonly displayName: string;
  readonly bytes: Buffer | SpooledFile;
  readonly encoding: InputFile['encoding'];
}

/** An input file and the part it plays in the run (counties, budget, ...). */
export interface RoleFile {
  readonly role: string;
  readonly file: KeptInputFile;
}

/**
 * The file without its text: a village table's text (over 100 MB as a
 * string) is not held for the rest of the run once its rows are read.
 */
function kept(file: Pick<InputFile, 'path' | 'displayName' | 'bytes' | 'encoding'>): KeptInputFile {
  return { path: file.path, displayName: file.displayName, bytes: file.bytes, encoding: file.encoding };
}

export interface LoadedInputs {
  readonly run: RunInputs;
  /** Every input read, in a fixed order of roles: counties, budget, then optional ones. */
  readonly files: readonly RoleFile[];
  readonly policyFile: InputFile;
  /** The `--set` overrides applied to the policy file, in order (empty when none). */
  readonly overrides: readonly Override[];
  /** Warnings about the inputs (unknown columns, ...), with the role of the input. */
  readonly warnings: readonly (Problem & { readonly role: string })[];
  /** Blank rows skipped, by input role. */
  readonly skippedBlankRows: Readonly<Record<string, number>>;
}

let cachedReference: Reference | undefined;

export function loadReference(): Reference {
  cachedReference ??= parseReference(readPackageText('data/provinces.csv'), readPackageText('data/contiguous_areas.csv'));
  return cachedReference;
}

/**
 * Reads and validates the policy file (the bundled default when none is
 * given), then applies the `--set` overrides, if any, to a copy of it: the
 * compiled policy (and so the run's effective policy) carries them.
 */
export function loadPolicy(path: string | undefined, overrides: readonly Override[] = [], overrideSource = '--set'): { policy?: Policy; file?: InputFile; problems: Problem[] } {
  const policyPath = path ?? packagePath(DEFAULT_POLICY);
  const { file, problem } = readInputFile(policyPath, 'utf8', () => Buffer.alloc(0));
  if (!file) return { problems: [problem!] };
  let raw: unknown;
  try {
    raw = JSON.parse(file.text);
  } catch (error) {
    return { file, problems: [{ file: file.displayName, line: 0, message: `is not valid JSON: ${(error as Error).message}` }] };
  }
  const { policy, problems } = compilePolicy(file.displayName, raw);
  if (!policy || overrides.length === 0) return { policy, file, problems };
  return { ...compileWithOverrides(file.displayName, policy, overrides, overrideSource), file };
}

/** A compiled policy with overrides applied to (a copy of) its document; problems name the overrides. */
export function compileWithOverrides(displayName: string, policy: Policy, overrides: readonly Override[], source = '--set'): { policy?: Policy; problems: Problem[] } {
  const applied = applyOverrides(policy.document, overrides, source);
  if (!applied.document) return { problems: applied.problems };
  // Parameter values were checked against the same grammar the schema has: the document still
  // matches it, and only the checks beyond the schema need to run (this is most of a sweep point).
  const compiled = overrides.every((override) => isParameterValue(policy.document, override.path))
    ? compileCheckedPolicy(displayName, applied.document as PolicyDocument)
    : compilePolicy(displayName, applied.document);
  return { policy: compiled.policy, problems: explainOverrideProblems(compiled.problems, overrides, source) };
}

/** Parses `--set PATH=VALUE` arguments; problems for any without `=`. */
export function parseOverrides(texts: readonly string[], source = '--set'): Override[] {
  const overrides: Override[] = [];
  const problems: Problem[] = [];
  for (const text of texts) {
    const { override, problem } = parseOverride(text, source);
    if (override) overrides.push(override);
    if (problem) problems.push(problem);
  }
  if (problems.length > 0) throw new InputError(problems);
  return overrides;
}

export function loadInputs(options: LoadOptions): LoadedInputs {
  // Begun first: it is read while the policy, the county table and the budget are.
  let previousAside = options.previous !== undefined && options.previous !== '-' ? options.readPreviousAside?.(options.previous, options.encoding) : undefined;
  try {
    return loadAll(options, () => {
      const aside = previousAside;
      previousAside = undefined;
      return aside?.finish();
    });
  } finally {
    previousAside?.cancel();
  }
}

function loadAll(options: LoadOptions, previousReadAside: () => PreviousRead | undefined): LoadedInputs {
  const problems: Problem[] = [];
  let stdinUsed = false;
  const stdin = (): Buffer => {
    if (stdinUsed) throw new InputError([{ file: '-', line: 0, message: 'standard input can be read by only one input' }]);
    stdinUsed = true;
    return options.stdin ? options.stdin() : Buffer.alloc(0);
  };
  const reference = loadReference();
  const { policy, file: policyFile, problems: policyProblems } = loadPolicy(options.policy, options.overrides ?? [], options.overrideSource);
  appendAll(problems, policyProblems);

  /**
   * Reads an input file and hands it to PARSE; keeps the file without its text. The text (a million
   * villages' table is some 120 MB of UTF-16, last year's allocations.csv twice that) can be freed as
   * soon as it is parsed, before the next file is read.
   */
  const readAndParse = (path: string, limit: number | undefined, parse: (file: InputFile) => void): KeptInputFile | undefined => {
    const read = readInputFile(path, options.encoding, stdin, limit);
    if (read.problem) problems.push(read.problem);
    if (!read.file) return undefined;
    parse(read.file);
    return kept(read.file);
  };

  let counties: CountyTable | undefined;
  let budget: Budget | undefined;
  const warnings: (Problem & { role: string })[] = [];
  const skippedBlankRows: Record<string, number> = {};
  // Read row by row, its text a part at a time: a million-row table never sits in memory as cells, nor as one string.
  const countiesRead = readInputFileInParts(options.counties, options.encoding, stdin);
  if (countiesRead.problem) problems.push(countiesRead.problem);
  const countiesFile = countiesRead.file === undefined ? undefined : kept(countiesRead.file);
  if (countiesRead.file) {
    const file = countiesRead.file;
    const onProvinceRead = options.onProvinceRead;
    const onProvinceRun =
      policy === undefined || onProvinceRead === undefined ? undefined : (read: readonly County[], start: number, end: number) => onProvinceRead(read, start, end, policy);
    const read = readCountiesCsv(file.displayName, file.parts, reference, policy?.factorColumns ?? [], options.onRowsRead, onProvinceRun);
    for (const problem of [...read.tableProblems, ...read.problems]) problems.push(problem);
    if (read.skippedBlankRows !== undefined) skippedBlankRows['counties'] = read.skippedBlankRows;
    counties = read.result;
    if (counties) appendAll(warnings, counties.warnings.map((warning) => ({ ...warning, role: 'counties' })));
  }
  const budgetFile = readAndParse(options.budget, undefined, (file) => {
    const { table, problems: tableProblems } = parseCsvTable(file.displayName, file.text);
    appendAll(problems, tableProblems);
    if (table) {
      skippedBlankRows['budget'] = table.skippedBlankRows;
      const read = readBudget(table, reference, policy?.funds ?? ['special_poverty', 'relocation']);
      appendAll(problems, read.problems);
      budget = read.result;
      if (budget) appendAll(warnings, budget.warnings.map((warning) => ({ ...warning, role: 'budget' })));
    }
  });
  let projects: ProjectTable | undefined;
  const projectsFile = options.projects === undefined ? undefined : readAndParse(options.projects, undefined, (file) => {
    const { table, problems: tableProblems } = parseCsvTable(file.displayName, file.text);
    appendAll(problems, tableProblems);
    if (table) {
      skippedBlankRows['projects'] = table.skippedBlankRows;
      const countyCodes = counties ? new Set(counties.counties.map((county) => county.code)) : undefined;
      const read = readProjects(table, countyCodes);
      appendAll(problems, read.problems);
      projects = read.result;
      if (projects) appendAll(warnings, projects.warnings.map((warning) => ({ ...warning, role: 'projects' })));
    }
  });
  let previous: PreviousAllocations | undefined;
  let previousFile: KeptInputFile | undefined;
  if (options.previous !== undefined) {
    const read = previousReadAside() ?? readPreviousFile(options.previous, options.encoding, stdin);
    appendAll(problems, read.problems);
    if (read.file) previousFile = kept(read.file);
    if (read.skippedBlankRows !== undefined) skippedBlankRows['previous'] = read.skippedBlankRows;
    previous = read.previous;
    const thisYear = counties?.counties[0]?.code.length;
    if (previous?.codeLength !== undefined && thisYear !== undefined && previous.codeLength.length !== thisYear) {
      problems.push({
        file: read.file!.displayName,
        line: previous.codeLength.line,
        column: 'county_code',
        message: `has ${previous.codeLength.length}-digit codes but the county table has ${thisYear}-digit ones: give last year's allocations.csv of the same kind of table (${thisYear === 12 ? 'villages' : 'counties'})`,
      });
    }
  }
  if (problems.length > 0 || !policy || !counties || !budget || !countiesFile || !budgetFile || !policyFile) {
    throw new InputError(sortProblems(problems));
  }
  const files: RoleFile[] = [
    { role: 'counties', file: countiesFile },
    { role: 'budget', file: budgetFile },
  ];
  if (projectsFile) files.push({ role: 'projects', file: projectsFile });
  if (previousFile) files.push({ role: 'previous', file: previousFile });
  return {
    run: {
      counties,
      budget,
      policy,
      reference,
      ...(projects ? { projects } : {}),
      ...(previous ? { previous } : {}),
      files: {
        counties: countiesFile.displayName,
        budget: budgetFile.displayName,
        ...(projectsFile ? { projects: projectsFile.displayName } : {}),
        ...(previousFile ? { previous: previousFile.displayName } : {}),
      },
    },
    files,
    policyFile,
    overrides: options.overrides ?? [],
    warnings,
    skippedBlankRows,
  };
}
