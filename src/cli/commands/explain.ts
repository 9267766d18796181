import type { Command } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256Hex, type AuditEntry, type ChainCheck } from '../../core/audit.js';
import { explainCounty, explainProvince, fileWrittenEntry, recordsRowsOf, rowsHolding, rowsInProvince, tableRowsOf, withRowsOf, type PickedRow } from '../../core/explain.js';
import { AUDIT_FILE, AUDIT_GZ_FILE, MANIFEST_FILE } from '../../core/manifest.js';
import { UsageError } from '../../core/problems.js';
import { parseManifest } from '../../core/verify-run.js';
import { lenientUtf8Parts } from '../../io/read-inputs.js';
import { readFileShared } from '../../io/read-run-folder.js';
import { explanationDocument, explanationText } from '../../render/explain.js';
import { EXIT_DIFFERENCE, EXIT_OK, type Io } from '../io.js';
import { painterFor } from '../options.js';
import { checkChainOnWorker, type ChainAside } from '../chain-aside.js';
import { checkStoredAuditLogOnTwoThreads } from '../chain-split.js';

interface ExplainOptions {
  county?: string;
  province?: string;
  json?: boolean;
  color?: boolean;
}

const EXAMPLES = `
Examples:
  # how did county 522722 get its amount?
  povalloc explain runs/2017 --county 522722

  # a province: its priority status, its stage-1 share, its pool and its counties
  povalloc explain runs/2017 --province 52

  # the same as data
  povalloc explain runs/2017 --county 522722 --json

The explanation is read from the run's audit log (audit.jsonl), not
recomputed: eligibility and why, the province's priority status and figures,
each factor's value, share and weight, the multipliers and score, the pool
and the county's share of it, any floor or cap that bound, rounding, and the
row written, each step with its audit seq and clause id. The log's hash chain
is checked first: exit 1 if it is broken (povalloc verify tells where).`;

function readOptional(path: string, read: (path: string) => Buffer = readFileSync): Buffer | undefined {
  try {
    return read(path);
  } catch {
    return undefined;
  }
}

const ALLOCATIONS = 'allocations.csv';
const SUBJECT_COLUMN = 'county_code';

type Wanted = { county: string } | { province: string };

/** allocations.csv as explain reads it: its SHA-256 and the rows an explanation wants (see tableRowsOf). */
interface ReadTable {
  readonly sha256: string;
  readonly rows: readonly PickedRow[];
}

/** The wanted rows of allocations.csv and the file's SHA-256; undefined when the file is not there. */
function readTable(dir: string, wanted: Wanted): ReadTable | undefined {
  const bytes = readOptional(join(dir, ALLOCATIONS));
  if (bytes === undefined) return undefined;
  // A village's rows, and a province's, are found in the bytes where they can be; else the whole table is read as
  // text, a part at a time (a million villages' table is some 250 MB as one string).
  const text = ('county' in wanted ? rowsHolding(bytes, SUBJECT_COLUMN, wanted.county) : rowsInProvince(bytes, wanted.province)) ?? lenientUtf8Parts(bytes);
  const rows = tableRowsOf(ALLOCATIONS, text, SUBJECT_COLUMN, 'county' in wanted ? (county) => county === wanted.county : (_, province) => province === wanted.province);
  return { sha256: sha256Hex(bytes), rows };
}

/**
 * The log's entries with the wanted rows of allocations.csv among them. A
 * large run's log records that table by its hash, not row by row: the rows are
 * read from the file (or were, as READ, while the log was checked), once its
 * SHA-256 is the one the log records. A problem (the file is gone or changed)
 * comes back as a message.
 */
function rowsFromTable(dir: string, entries: AuditEntry[], wanted: Wanted, read?: () => ReadTable | undefined): AuditEntry[] | string {
  const written = fileWrittenEntry(entries, ALLOCATIONS);
  if (!written || recordsRowsOf(entries, ALLOCATIONS)) return entries;
  const table = read ? read() : readTable(dir, wanted);
  if (table === undefined) return `${ALLOCATIONS} is missing: the audit log (seq ${written.seq}) records its rows by its hash, and they are needed to explain`;
  if (table.sha256 !== written.values['sha256']) return `${ALLOCATIONS} is not the file the audit log records (seq ${written.seq}): its SHA-256 differs`;
  return withRowsOf(entries, ALLOCATIONS, table.rows);
}

/**
 * The run's audit log with its chain checked against itself and the manifest:
 * the entries an explanation of CODE reads (see entriesToExplain), or why the
 * log cannot be trusted. The log's bytes are not held after it returns. A
 * large run's log may have been checked on a worker thread (ASIDE).
 */
function checkedLog(dir: string, code: string, aside?: ChainAside): { chain: ChainCheck } | { broken: string } {
  const answered = aside?.finish();
  let auditName: string;
  let chain: ChainCheck | undefined;
  if (answered !== undefined && answered !== 'failed') {
    auditName = AUDIT_GZ_FILE;
    chain = answered.chain;
  } else {
    // A large run's log is audit.jsonl.gz.
    // Read into shared memory: a large log's second half is checked on a worker thread (see chain-split.ts).
    const plainBytes = readOptional(join(dir, AUDIT_FILE), readFileShared);
    auditName = plainBytes === undefined && existsSync(join(dir, AUDIT_GZ_FILE)) ? AUDIT_GZ_FILE : AUDIT_FILE;
    const auditBytes = plainBytes ?? readOptional(join(dir, AUDIT_GZ_FILE), readFileShared);
    if (auditBytes === undefined) throw new UsageError(`${dir}: no ${AUDIT_FILE} here (give the run folder that allocate --out wrote)`);
    // Every entry is checked (a large log on two threads, see chain-split.ts); only those the explanation reads are kept.
    chain = checkStoredAuditLogOnTwoThreads(auditBytes, { kind: 'explain', code });
  }
  if (chain === undefined) return { broken: `${auditName}: is not a readable gzip file` };
  if (chain.problem) return { broken: `${auditName}: ${chain.problem.message}` };
  const manifestBytes = readOptional(join(dir, MANIFEST_FILE));
  if (manifestBytes !== undefined) {
    const { manifest } = parseManifest(manifestBytes);
    if (manifest && (manifest.audit.head_hash !== chain.headHash || manifest.audit.entries !== chain.count)) {
      return { broken: `${auditName} has ${chain.count} entries ending in a hash the manifest does not record: entries were removed, added or replaced` };
    }
  }
  return { chain };
}

function run(dir: string, options: ExplainOptions, io: Io): number {
  if ((options.county === undefined) === (options.province === undefined)) throw new UsageError('explain: give exactly one of --county CODE or --province CODE');
  const code = (options.county ?? options.province)!.trim();
  if (options.county !== undefined && !/^\d{6}(\d{6})?$/.test(code)) throw new UsageError(`--county ${code}: a county code is 6 digits (12 for a village table), e.g. 522722`);
  if (options.province !== undefined && !/^\d{2}$/.test(code)) throw new UsageError(`--province ${code}: a province code is 2 digits, e.g. 52`);
  const wanted: Wanted = options.county !== undefined ? { county: code } : { province: code };
  // A large run's log (audit.jsonl.gz alone) is checked on a worker thread while this thread reads a province's rows
  // of allocations.csv, which such a log records by its hash: the rows are then ready when the log is (see
  // chain-aside.ts). A county's row is found in the file's bytes in a moment: there the worker would save nothing.
  const aside = 'province' in wanted && !existsSync(join(dir, AUDIT_FILE)) ? checkChainOnWorker(join(dir, AUDIT_GZ_FILE), code) : undefined;
  try {
    const ahead = aside === undefined ? undefined : readTable(dir, wanted);
    const log = checkedLog(dir, code, aside);
    if ('broken' in log) {
      io.stderr(`povalloc explain: the audit log cannot be trusted: ${log.broken}\nRun povalloc verify ${dir} for details; nothing explained.\n`);
      return EXIT_DIFFERENCE;
    }
    const { chain } = log;
    const withRows = rowsFromTable(dir, chain.entries, wanted, aside === undefined ? undefined : () => ahead);
    if (typeof withRows === 'string') {
      io.stderr(`povalloc explain: ${withRows}\nRun povalloc verify ${dir} for details; nothing explained.\n`);
      return EXIT_DIFFERENCE;
    }
    const explanation = options.county !== undefined ? explainCounty(withRows, code) : explainProvince(withRows, code);
    if (!explanation) throw new UsageError(`${options.county !== undefined ? 'county' : 'province'} ${code} does not appear in this run's audit log`);
    const context = { run: dir, entries: chain.count };
    if (options.json) io.stdout(`${JSON.stringify(explanationDocument(explanation, context), null, 2)}\n`);
    else io.stdout(explanationText(explanation, context, painterFor(io, options)));
    return EXIT_OK;
  } finally {
    aside?.cancel();
  }
}

export function registerExplain(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('explain')
    .description("Show how a county's (or a province's) amounts were derived, step by step with clause ids, from the run's audit log.")
    .argument('<run>', 'the run folder (written by allocate --out)')
    .option('--county <code>', "the county code to explain (6 digits; a village table's 12-digit village code)")
    .option('--province <code>', 'the 2-digit province code to explain')
    .option('--json', 'print one JSON document on stdout instead of the text')
    .option('--no-color', 'plain text without colour')
    .addHelpText('after', EXAMPLES)
    .action((dir: string, options: ExplainOptions) => setExit(run(dir, options, io)));
}
