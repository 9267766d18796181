import type { Command } from 'commander';
import { allocateOnTwoCores, EarlyStageTwo } from '../group-numbers-helper.js';
import { growHeapFreely, growHeapAsStarted } from '../heap-growth.js';
import { readSigningKey } from '../../io/keys.js';
import { formatProblem, type Problem } from '../../core/problems.js';
import { checkOutputDir, RunFolderWriter } from '../../io/run-folder.js';
import { terminalSummary } from '../../render/summary.js';
import { EXIT_OK, type Io } from '../io.js';
import { langOption, resolveLang } from '../lang.js';
import { addInputOptions, loadFromOptions, painterFor, type InputOptions } from '../options.js';
import { allocationDetails, groupThousands, progressBar } from '../progress.js';
import { isLargeRun } from '../../core/audit-blocks.js';
import { assembleRunFolder, commandLineOf, povallocVersion, recordedOptions, settleInputCopies, spoolInputCopies, workersAhead } from '../run-files.js';

interface AllocateOptions extends InputOptions {
  out: string;
  force?: boolean;
  lang?: string;
  sign?: string;
}

const EXAMPLES = `
Examples:
  # allocate the bundled sample and write the tables to runs/2017
  povalloc allocate --counties data/sample/counties.csv --budget data/sample/budget.csv --out runs/2017

  # with the projects for the matching-fund waiver and last year's allocations.csv
  # (hold-harmless guarantee, growth check); writes projects.csv too
  povalloc allocate --counties data/sample/counties.csv --budget data/sample/budget.csv --projects data/sample/projects.csv --previous data/sample/previous-allocations.csv --out runs/2017

  # the summary table in Chinese (labels only: the CSV files are the same)
  povalloc allocate --counties data/sample/counties.csv --budget data/sample/budget.csv --out runs/2017 --lang zh

  # the same with your own policy, as JSON for scripts
  povalloc allocate --counties counties.csv --budget budget.csv --policy my-policy.json --out runs/test --json

  # sign the run with your key (make one with: povalloc keygen --out my.key)
  povalloc allocate --counties counties.csv --budget budget.csv --out runs/2017 --sign my.key

  # change policy values for this run only (recorded in the run's effective policy)
  povalloc allocate --counties data/sample/counties.csv --budget data/sample/budget.csv --out runs/incidence-up \
    --set special_poverty.county.weights.incidence=0.30 --set special_poverty.county.weights.poverty_scale=0.35

The run folder holds allocations.csv (one row per county), provinces.csv,
projects.csv (with --projects), checks.csv (compliance findings),
summary.json, copies of every input under inputs/, the hash-chained audit
log audit.jsonl (audit.jsonl.gz, gzip-compressed and with each
village's steps gathered in blocks, when the table has more than 20,000
counties or villages) and manifest.json (hashes of everything; signed with
--sign). Check it later with povalloc verify, replay and explain. Amounts
are in yuan with two decimals; CSV files are UTF-8 with a BOM so Excel
shows Chinese correctly.
A run that takes more than a second shows a progress bar on stderr when
stderr is a terminal (never on stdout, never in a pipe or a file).
If anything in the inputs is wrong, every problem is listed with file, line
and column, the exit code is 2 and nothing is written.`;

export function reportWarnings(io: Io, warnings: readonly Problem[]): void {
  for (const warning of warnings) io.stderr(`warning: ${formatProblem(warning)}\n`);
}

function run(options: AllocateOptions, commandLine: readonly string[], io: Io): number {
  const lang = resolveLang(options.lang, io.env);
  checkOutputDir(options.out, Boolean(options.force));
  const signingKey = options.sign === undefined ? undefined : readSigningKey(options.sign);
  // On stderr, only on a terminal and only once the run has taken a second.
  const progress = progressBar(io);
  let rendered;
  let result;
  let loaded;
  // A large table's stage-2 numbers begin on another thread while it is read; the workers of its last phase, before.
  const early = new EarlyStageTwo();
  const ahead = workersAhead(options.counties);
  try {
    progress.stage('reading');
    const details = allocationDetails(progress);
    // The old generation grows as V8 likes while the table is read and allocated, as the process was started
    // with (the #! line's 30%) while the files are written, and after a failure (heap-growth.ts).
    growHeapFreely();
    loaded = loadFromOptions(options, io, details.rowsRead, early.onProvinceRead);
    // The folder is begun before the run is made: a large run's input copies go into it at once (their bytes are
    // then not held meanwhile), and its table and audit log as they are made. A failure leaves nothing behind.
    const writer = RunFolderWriter.open(options.out, Boolean(options.force), (note) => {
      progress.done();
      io.stderr(`note: ${note}\n`);
    });
    try {
      if (isLargeRun(loaded.run.counties.counties.length)) loaded = spoolInputCopies(loaded, (name) => writer.spoolPath(name));
      progress.stage('allocating');
      result = allocateOnTwoCores(loaded.run, details.observer, early);
      progress.stage('writing');
      growHeapAsStarted();
      rendered = assembleRunFolder(result, loaded, {
        povallocVersion: povallocVersion(),
        nodeVersion: process.version,
        commandLine,
        createdAt: new Date().toISOString(),
        options: recordedOptions(options, loaded.files.map(({ role }) => role)),
        signingKey,
        onAuditProgress: (entries) => progress.detail(`${groupThousands(entries)} audit entries`),
        spool: (name) => writer.spoolPath(name),
        ahead,
      });
      progress.detail('files');
      writer.finish(rendered.files);
    } finally {
      settleInputCopies(loaded);
      writer.abandon();
    }
  } finally {
    growHeapAsStarted();
    early.close();
    // Those the run did not use (a small run, or a failure) are stopped; those it did are already.
    ahead?.close();
    progress.done();
  }
  reportWarnings(io, loaded.warnings);
  if (options.json) io.stdout(`${JSON.stringify(rendered.summary, null, 2)}\n`);
  else io.stdout(terminalSummary(result, painterFor(io, options), options.out, lang));
  return EXIT_OK;
}

export function registerAllocate(program: Command, io: Io, setExit: (code: number) => void): void {
  addInputOptions(
    program
      .command('allocate')
      .description('Allocate the funds in the budget to the counties by the policy, and write a run folder.')
      .requiredOption('--out <dir>', 'run folder to write (refused if it exists and is not empty, unless --force)')
      .option('--force', 'replace an existing run folder')
      .addOption(langOption())
      .option('--sign <keyfile>', 'sign manifest.json with this Ed25519 private key (from povalloc keygen)'),
  )
    .addHelpText('after', EXAMPLES)
    .action((options: AllocateOptions, command: Command) => setExit(run(options, commandLineOf(command), io)));
}
