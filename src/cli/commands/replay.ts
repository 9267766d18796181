import type { Command } from 'commander';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allocateOnTwoCores, EarlyStageTwo } from '../group-numbers-helper.js';
import { growHeapFreely, growHeapAsStarted } from '../heap-growth.js';
import { sha256Hex } from '../../core/audit.js';
import { AUDIT_FILE, AUDIT_GZ_FILE, MANIFEST_FILE, manifestSignedText, type Manifest } from '../../core/manifest.js';
import { formatProblem, InputError, UsageError } from '../../core/problems.js';
import { diffFile, diffManifests, type FileDifference } from '../../core/run-diff.js';
import { parseManifest } from '../../core/verify-run.js';
import { openRunFolder, sameFileBytes, type RunFolderFiles } from '../../io/read-run-folder.js';
import { RunFolderWriter } from '../../io/run-folder.js';
import { EXIT_DIFFERENCE, EXIT_OK, type Io } from '../io.js';
import { loadFromOptions, painterFor, type InputOptions } from '../options.js';
import { allocationDetails, groupThousands, progressBar, REPLAY_STAGES, type Progress } from '../progress.js';
import { assembleRunFolder, povallocVersion, recordedOptions, workersAhead } from '../run-files.js';

interface ReplayOptions {
  keep?: boolean;
  json?: boolean;
  color?: boolean;
}

const EXAMPLES = `
Examples:
  # recompute a run someone gave you and compare every output byte for byte
  povalloc replay runs/2017

  # keep the replayed folder to look at it
  povalloc replay runs/2017 --keep

replay reads only the run folder: the copies of the inputs in RUN/inputs/,
the policy file recorded there and the options recorded in manifest.json. It
allocates again into a temporary folder and compares every file. Exit 0 when
all are identical; exit 1 listing each file that differs with its first
differing line (for CSV files the county or province code and the column);
exit 2 when RUN is not a run folder. It says so when this povalloc is not the
version that made the run. A replay that takes more than a second shows a
progress bar on stderr when stderr is a terminal (never on stdout).`;

interface ReplayOutcome {
  readonly recordedVersion: string;
  readonly replayVersion: string;
  readonly compared: readonly string[];
  readonly differences: readonly FileDifference[];
  readonly loadProblems: readonly string[];
  readonly kept?: string;
  /** The manifest does not match its own hash: it was edited (verify tells more). */
  readonly manifestEdited: boolean;
}

/** The options allocate ran with, pointing at the copies inside the run folder. */
function replayInputOptions(dir: string, manifest: Manifest): { options: InputOptions; stdin?: Buffer; stdinPath?: string } {
  const options: Record<string, unknown> = { ...manifest.options };
  let stdinPath: string | undefined;
  for (const input of manifest.inputs) {
    // The manifest comes from someone else: read nothing outside the run folder, set no odd option.
    const segments = input.path.split('/');
    if (!/^[a-z][a-z0-9_]*$/.test(input.role) || segments[0] !== 'inputs' || segments.some((segment) => segment === '' || segment === '.' || segment === '..')) {
      throw new UsageError(`${dir}: cannot replay: manifest.json records an input (role ${JSON.stringify(input.role)}, path ${JSON.stringify(input.path)}) outside inputs/`);
    }
    if (input.name === '<stdin>') stdinPath = input.path;
    options[input.role] = input.name === '<stdin>' ? '-' : join(dir, ...input.path.split('/'));
  }
  return { options: options as unknown as InputOptions, stdinPath };
}

/**
 * Allocates again from the run's recorded inputs and options into a new
 * temporary folder: where it is, or the problems that stop the inputs from
 * loading. Only the folder's path comes back: a large run's state is let go
 * before its files are compared.
 */
function replayInto(
  dir: string,
  files: RunFolderFiles,
  manifest: Manifest,
  replayVersion: string,
  io: Io,
  progress: Progress<ReplayStage>,
): { temporary: string; target: string } | { loadProblems: string[] } {
  const { options, stdinPath } = replayInputOptions(dir, manifest);
  // The workers of a large run's last phase are begun before its table is read, as in allocate; stopped at the end if unused.
  const ahead = workersAhead(options.counties);
  try {
    const replayIo: Io = { ...io, readStdin: () => (stdinPath ? (files.get(stdinPath) ?? Buffer.alloc(0)) : Buffer.alloc(0)) };
    const details = allocationDetails(progress);
    let loaded;
    let result;
    // A large table's stage-2 numbers begin on another thread while it is read, as in allocate.
    const early = new EarlyStageTwo();
    try {
      // As allocate: V8's own heap growth while reading and allocating, as started while writing and after a
      // failure (heap-growth.ts).
      growHeapFreely();
      try {
        loaded = loadFromOptions(options, replayIo, details.rowsRead, early.onProvinceRead);
      } catch (error) {
        if (!(error instanceof InputError)) throw error;
        return { loadProblems: error.problems.map(formatProblem) };
      }
      progress.stage('allocating');
      result = allocateOnTwoCores(loaded.run, details.observer, early);
    } finally {
      growHeapAsStarted();
      early.close();
    }
    const roles = loaded.files.map(({ role }) => role);
    progress.stage('writing');
    const temporary = mkdtempSync(join(tmpdir(), 'povalloc-replay-'));
    const target = join(temporary, 'run');
    try {
      // Begun first: a large run's table and audit log go into it as they are made, as in allocate.
      const writer = RunFolderWriter.open(target, false);
      try {
        const folder = assembleRunFolder(result, loaded, {
          povallocVersion: replayVersion,
          nodeVersion: process.version,
          commandLine: manifest.command_line.slice(1),
          createdAt: new Date().toISOString(),
          options: recordedOptions(options, roles),
          onAuditProgress: (entries) => progress.detail(`${groupThousands(entries)} audit entries`),
          spool: (name) => writer.spoolPath(name),
          ahead,
        });
        progress.detail('files');
        writer.finish(folder.files);
      } finally {
        writer.abandon();
      }
    } catch (error) {
      rmSync(temporary, { recursive: true, force: true });
      throw error;
    }
    return { temporary, target };
  } finally {
    ahead?.close();
  }
}

/**
 * The difference between the recorded and the replayed copy of a file, if
 * any: files of the same bytes (compared a piece at a time) are not read
 * whole; only a file that differs is, to say where.
 */
function differenceOf(path: string, recorded: RunFolderFiles, replayed: RunFolderFiles): FileDifference | undefined {
  const recordedFile = recorded.pathOf(path);
  const replayedFile = replayed.pathOf(path);
  if (recordedFile !== undefined && replayedFile !== undefined && sameFileBytes(recordedFile, replayedFile)) return undefined;
  return diffFile(path, recorded.get(path), replayed.get(path));
}

type ReplayStage = (typeof REPLAY_STAGES)[number];

function replay(dir: string, files: RunFolderFiles, manifest: Manifest, keep: boolean, io: Io, progress: Progress<ReplayStage>): ReplayOutcome {
  const base = {
    recordedVersion: manifest.povalloc_version,
    replayVersion: povallocVersion(),
    manifestEdited: sha256Hex(manifestSignedText(manifest)) !== manifest.manifest_hash,
  };
  const made = replayInto(dir, files, manifest, base.replayVersion, io, progress);
  if ('loadProblems' in made) return { ...base, compared: [], differences: [], loadProblems: made.loadProblems };
  const { temporary, target } = made;
  try {
    const replayed = openRunFolder(target);
    const paths = [...new Set([...manifest.inputs.map((input) => input.path), manifest.policy.path, ...manifest.outputs.map((output) => output.path), ...replayed.keys()])]
      .filter((path) => path !== MANIFEST_FILE)
      .sort((a, b) => order(a) - order(b) || (a < b ? -1 : a > b ? 1 : 0));
    const differences: FileDifference[] = [];
    progress.stage('comparing');
    for (const path of paths) {
      progress.detail(path);
      const difference = differenceOf(path, files, replayed);
      if (difference) differences.push(difference);
    }
    const replayedManifest = parseManifest(replayed.get(MANIFEST_FILE)).manifest;
    if (replayedManifest) differences.unshift(...diffManifests(manifest, replayedManifest));
    return { ...base, compared: [...paths, MANIFEST_FILE], differences, loadProblems: [], kept: keep ? target : undefined };
  } finally {
    if (!keep) rmSync(temporary, { recursive: true, force: true });
  }
}

/** Outputs first, then the audit log, then the inputs: the order a reader wants. */
function order(path: string): number {
  if (path.startsWith('inputs/')) return 2;
  return path === AUDIT_FILE || path === AUDIT_GZ_FILE ? 1 : 0;
}

function replayDocument(dir: string, outcome: ReplayOutcome): Record<string, unknown> {
  return {
    schema_version: 1,
    command: 'replay',
    run: dir,
    identical: outcome.differences.length === 0 && outcome.loadProblems.length === 0,
    recorded_povalloc_version: outcome.recordedVersion,
    replay_povalloc_version: outcome.replayVersion,
    version_differs: outcome.recordedVersion !== outcome.replayVersion,
    manifest_edited: outcome.manifestEdited,
    compared: outcome.compared,
    load_problems: outcome.loadProblems,
    differences: outcome.differences.map((difference) => ({
      file: difference.file,
      line: difference.line ?? null,
      where: difference.where ?? null,
      cells: difference.cells ?? [],
      rows_differing: difference.rowsDiffering ?? null,
      message: difference.message,
    })),
    kept: outcome.kept ?? null,
  };
}

function replayText(dir: string, outcome: ReplayOutcome, io: Io, options: ReplayOptions): string {
  const paint = painterFor(io, options);
  const lines: string[] = [paint.bold(`povalloc replay ${dir}`)];
  if (outcome.recordedVersion !== outcome.replayVersion) {
    lines.push(paint.yellow(`note: the run was made with povalloc ${outcome.recordedVersion}; this is povalloc ${outcome.replayVersion}: a difference may come from a change in povalloc, not in the run.`));
  }
  if (outcome.manifestEdited) {
    lines.push(paint.yellow(`warning: manifest.json does not match its own hash: it was edited after the run (povalloc verify ${dir} tells more).`));
  }
  if (outcome.loadProblems.length > 0) {
    lines.push(paint.yellow('DIFFERS: the recorded inputs no longer load:'));
    for (const problem of outcome.loadProblems) lines.push(`  ${problem}`);
    return `${lines.join('\n')}\n`;
  }
  lines.push(`re-ran the allocation from ${join(dir, 'inputs')} with the recorded options and compared ${outcome.compared.length} files`);
  const differing = new Map<string, FileDifference[]>();
  for (const difference of outcome.differences) differing.set(difference.file, [...(differing.get(difference.file) ?? []), difference]);
  const width = Math.max(...outcome.compared.map((path) => path.length));
  for (const path of outcome.compared) {
    const found = differing.get(path);
    if (!found) lines.push(`  ${path.padEnd(width)}  identical`);
    else for (const difference of found) lines.push(paint.yellow(`  ${path.padEnd(width)}  DIFFERS ${difference.message}`));
  }
  for (const [path, found] of differing) {
    if (outcome.compared.includes(path)) continue;
    for (const difference of found) lines.push(paint.yellow(`  ${path.padEnd(width)}  DIFFERS ${difference.message}`));
  }
  if (outcome.kept) lines.push(`replayed folder kept at ${outcome.kept}`);
  lines.push('');
  lines.push(
    outcome.differences.length === 0
      ? paint.green(`identical: every file of the replay matches the run byte for byte.`)
      : `replay: ${differing.size} file(s) differ; the first: ${outcome.differences[0]!.file}${outcome.differences[0]!.line !== undefined ? ` line ${outcome.differences[0]!.line}` : ''}.`,
  );
  return `${lines.join('\n')}\n`;
}

function run(dir: string, options: ReplayOptions, io: Io): number {
  const files = openRunFolder(dir);
  const { manifest, finding } = parseManifest(files.get(MANIFEST_FILE));
  if (!manifest) throw new UsageError(`${dir}: cannot replay: ${finding!.file} ${finding!.message} (povalloc verify ${dir} tells more)`);
  // On stderr, only on a terminal and only once the replay has taken a second; wiped before the report.
  const progress = progressBar(io, undefined, REPLAY_STAGES);
  let outcome: ReplayOutcome;
  try {
    progress.stage('reading');
    outcome = replay(dir, files, manifest, Boolean(options.keep), io, progress);
  } finally {
    progress.done();
  }
  if (options.json) io.stdout(`${JSON.stringify(replayDocument(dir, outcome), null, 2)}\n`);
  else io.stdout(replayText(dir, outcome, io, options));
  return outcome.differences.length === 0 && outcome.loadProblems.length === 0 ? EXIT_OK : EXIT_DIFFERENCE;
}

export function registerReplay(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('replay')
    .description('Recompute a run from the inputs recorded in it and compare every output byte for byte.')
    .argument('<run>', 'the run folder (written by allocate --out)')
    .option('--keep', 'keep the replayed folder and print where it is')
    .option('--json', 'print one JSON document on stdout instead of the text report')
    .option('--no-color', 'plain text without colour')
    .addHelpText('after', EXAMPLES)
    .action((dir: string, options: ReplayOptions) => setExit(run(dir, options, io)));
}
