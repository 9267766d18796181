import type { Command } from 'commander';
import { closeSync, existsSync, openSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from '../../core/problems.js';
import { loadReference } from '../../io/load-inputs.js';
import { readReportFolder, readRunAuditLogInfo } from '../../io/report-folder.js';
import { checkWithVerify, type IntegrityChecker } from '../../io/run-integrity.js';
import { checkIntegrityOnWorker } from '../integrity-aside.js';
import { message, type Lang } from '../../render/messages.js';
import { renderRunReportHtml } from '../../render/report-html.js';
import { renderCompareReportHtml, renderSweepReportHtml } from '../../render/scenario-report-html.js';
import { EXIT_OK, type Io } from '../io.js';
import { langOption, resolveLang } from '../lang.js';
import { importPackageModule } from '../module-import.js';
import { groupThousands, progressBar, REPORT_STAGES } from '../progress.js';

interface ReportOptions {
  html?: string;
  xlsx?: string;
  lang?: string;
}

const EXAMPLES = `
Examples:
  # a report to open in a browser or print, and a workbook for Excel, in Chinese
  povalloc allocate --counties data/sample/counties.csv --budget data/sample/budget.csv --out runs/2017
  povalloc report runs/2017 --html runs/2017-report.html --xlsx runs/2017.xlsx --lang zh

  # the winners and losers of a comparison (a folder written by compare --out)
  povalloc report runs/compare-incidence --html compare.html

RUN is a folder written by allocate (allocations.csv, provinces.csv,
checks.csv, summary.json), compare (compare.json) or sweep (sweep.json).
The HTML file is self-contained: it loads nothing from the network, so it
opens offline and can be mailed as one file; print it on A4 from the browser.
The workbook has sheets for the counties, provinces, projects (when present),
checks and a summary; amounts are numbers in yuan formatted #,##0.00, with the
total also in 万元. The run folder itself is not changed.

A large table (a province's villages, more than 20,000 rows): the page shows
the first 20,000 rows and draws at most 5,000 points, and says so; the
workbook has every row (over several sheets beyond Excel's 1,048,576).`;

/** Where a file is written first: a temporary sibling, renamed over it once whole (a failed write leaves no half file). */
function temporarySibling(path: string, option: string): { target: string; temporary: string } {
  const target = resolve(path);
  if (existsSync(target) && statSync(target).isDirectory()) throw new UsageError(`${option} ${path}: is a folder; give a file name`);
  return { target, temporary: join(dirname(target), `.${basename(target)}.povalloc-tmp-${process.pid}`) };
}

/** A failure to write PATH as a usage problem (exit code 2) where the file system refused it; anything else as it is. */
function writeFailure(error: unknown, path: string, option: string): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'EACCES' || code === 'EPERM' || code === 'EROFS' || code === 'ENOTDIR' || code === 'ENOSPC' || code === 'EISDIR') {
    return new UsageError(`${option} ${path}: cannot write the file (${code})`);
  }
  return error;
}

/** Writes a file through a temporary sibling, so a failed write leaves no half file. */
export function writeFileAtomically(path: string, content: string | Buffer, option: string): void {
  const { target, temporary } = temporarySibling(path, option);
  try {
    writeFileSync(temporary, content);
    renameSync(temporary, target);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw writeFailure(error, path, option);
  }
}

/** A file written as it was made, into its temporary sibling: renamed into place by `place`, or removed by `discard`. */
interface SpooledFile {
  readonly bytes: number;
  place(): void;
  discard(): void;
}

/**
 * The bytes MAKE hands over, written as they come into PATH's temporary
 * sibling: a million villages' workbook (some 120 MB) is not held in memory,
 * nor copied into one buffer, before it is written.
 */
async function spoolFile(path: string, option: string, make: (write: (piece: Buffer) => void) => Promise<void>): Promise<SpooledFile> {
  const { target, temporary } = temporarySibling(path, option);
  let fd: number | undefined;
  let bytes = 0;
  try {
    fd = openSync(temporary, 'w');
    const open = fd;
    await make((piece) => {
      for (let written = 0; written < piece.length; ) written += writeSync(open, piece, written, piece.length - written);
      bytes += piece.length;
    });
    closeSync(fd);
    fd = undefined;
  } catch (error) {
    if (fd !== undefined) closeSync(fd);
    rmSync(temporary, { force: true });
    throw writeFailure(error, path, option);
  }
  return {
    bytes,
    place: () => {
      try {
        renameSync(temporary, target);
      } catch (error) {
        rmSync(temporary, { force: true });
        throw writeFailure(error, path, option);
      }
    },
    discard: () => rmSync(temporary, { force: true }),
  };
}

function sizeText(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

export async function runReport(folderArgument: string, options: ReportOptions, io: Io, checkIntegrity: IntegrityChecker = checkWithVerify): Promise<number> {
  const lang: Lang = resolveLang(options.lang, io.env);
  if (!options.html && !options.xlsx) throw new UsageError('report: give --html FILE, --xlsx FILE or both');
  // A bar on stderr when a terminal waits more than a second (a million villages' workbook takes about 41 s).
  const progress = progressBar(io, undefined, REPORT_STAGES);
  // The workbook's rows as they are written (a million villages' sheet takes most of a minute).
  const onRows = (rows: number): void => progress.detail(`${groupThousands(rows)} workbook rows`);
  // The HTML as text; the workbook written as it is made into a temporary file beside its place.
  const outputs: { path: string; option: string; content: string | SpooledFile }[] = [];
  const written: string[] = [];
  // A large run folder is checked on a worker thread while this one reads it (the default check only: see integrity-aside.ts).
  const integrityAside = checkIntegrity === checkWithVerify ? checkIntegrityOnWorker(folderArgument) : undefined;
  try {
    progress.stage('reading');
    // A run folder checked on a worker thread has its audit log's entries and head read there too.
    const read = readReportFolder(folderArgument, { auditLogInfo: integrityAside === undefined });
    const reference = loadReference();
    const createdAt = new Date();
    // exceljs is large: load it only when a workbook is asked for, so other commands start fast.
    const workbooks = options.xlsx ? await importPackageModule<typeof import('../../render/workbook.js')>('dist/render/workbook.js') : undefined;
    if (read.kind === 'run') {
      progress.stage('checking');
      const checked = integrityAside?.finish();
      const integrity = checked?.integrity ?? checkIntegrity(read.dir, read.manifest, read.manifestPresent);
      const folder = integrityAside === undefined ? read : { ...read, audit: checked ? checked.audit : readRunAuditLogInfo(read.dir) };
      progress.stage('writing');
      if (options.html) outputs.push({ path: options.html, option: '--html', content: renderRunReportHtml({ folder, integrity, reference, lang, folderLabel: folderArgument }) });
      if (options.xlsx && workbooks) {
        const content = await spoolFile(options.xlsx, '--xlsx', (write) => workbooks.writeRunWorkbook({ folder, integrity, reference, lang, createdAt, onRows }, write));
        outputs.push({ path: options.xlsx, option: '--xlsx', content });
      }
    } else {
      const folder = read;
      progress.stage('writing');
      if (options.html) {
        const html = folder.kind === 'compare' ? renderCompareReportHtml({ folder, reference, lang, folderLabel: folderArgument }) : renderSweepReportHtml({ folder, reference, lang, folderLabel: folderArgument });
        outputs.push({ path: options.html, option: '--html', content: html });
      }
      if (options.xlsx && workbooks) {
        const content = await spoolFile(options.xlsx, '--xlsx', (write) => workbooks.writeScenarioWorkbook({ folder, reference, lang, createdAt, onRows }, write));
        outputs.push({ path: options.xlsx, option: '--xlsx', content });
      }
    }
    // Everything is made before anything is put in place: a bad folder writes nothing.
    for (const output of outputs) {
      const { content } = output;
      if (typeof content === 'string') writeFileAtomically(output.path, content, output.option);
      else content.place();
      const bytes = typeof content === 'string' ? Buffer.byteLength(content) : content.bytes;
      written.push(`${message(lang, 'report.written', { file: output.path, size: sizeText(bytes) })}\n`);
    }
  } finally {
    integrityAside?.cancel();
    progress.done();
    // A workbook not put in place (something failed first) leaves nothing behind.
    for (const output of outputs) if (typeof output.content !== 'string') output.content.discard();
  }
  for (const line of written) io.stdout(line);
  return EXIT_OK;
}

export function registerReport(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('report')
    .description('Write a human report of a run (or compare/sweep) folder: a self-contained HTML page with charts, and/or an Excel workbook.')
    .argument('<run>', 'folder written by allocate, compare or sweep')
    .option('--html <file>', 'write the HTML report (one self-contained file, printable on A4)')
    .option('--xlsx <file>', 'write the Excel workbook')
    .addOption(langOption())
    .addHelpText('after', EXAMPLES)
    .action(async (folder: string, options: ReportOptions) => setExit(await runReport(folder, options, io)));
}
