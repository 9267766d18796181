/**
 * The files of a run folder, rendered from an allocation result, in a fixed
 * order. `allocate` writes them; `replay` renders them again through this
 * same code and compares.
 *
 * A run folder holds the output tables, byte-exact copies of every input file
 * under inputs/<role>/<file name>, the effective policy as canonical JSON
 * (inputs/policy.json), the hash-chained audit log (audit.jsonl) and, last of
 * all, manifest.json, which records the hashes of everything before it.
 */
import type { Command } from 'commander';
import type { KeyObject } from 'node:crypto';
import { statSync } from 'node:fs';
import type { AllocationResult } from '../core/allocate.js';
import { isLargeRun, withUnitBlocks } from '../core/audit-blocks.js';
import { auditRecords, auditRecordsWithSeries, sha256Hex, writeAuditLog, AUDIT_SCHEMA_VERSION, type ChunkCompressor, type InputRecord, type OutputRecord } from '../core/audit.js';
import { canonicalJson, type JsonValue } from '../core/canonical-json.js';
import { AUDIT_FILE, AUDIT_GZ_FILE, buildManifest, EFFECTIVE_POLICY_FILE, MANIFEST_FILE, MANIFEST_SCHEMA_VERSION, serializeManifest, signManifest } from '../core/manifest.js';
import { countCounties } from '../core/state.js';
import type { KeptInputFile, LoadedInputs } from '../io/load-inputs.js';
import { readPackageText } from '../io/read-inputs.js';
import { isSpooled, measurePieces, writeToFile, type FileContent, type OutputFile } from '../io/run-folder.js';
import { workerCompressor } from '../io/worker-compressor.js';
import { tableWriterAhead, writeTableOnWorker, type PendingTable, type TableWriterAhead } from './table-worker.js';
import { csvPieces, renderCsvPieces, type CsvTable } from '../render/csv.js';
import { ownsItsMemory, spoolOnWorker } from '../io/spool-worker.js';
import { summaryDocument } from '../render/summary.js';
import { checksTable, projectsTable, provincesTable, streamedAllocationsTable } from '../render/tables.js';

export interface RenderedRun {
  readonly summary: Record<string, unknown>;
  readonly files: readonly OutputFile[];
  /** The CSV tables behind the files, by file name (allocations.csv's rows formatted again on each reading, not held). */
  readonly tables: ReadonlyMap<string, RenderedTable>;
}

/** A table of the run: its rows and how many there are. */
interface RenderedTable {
  readonly columns: readonly string[];
  readonly numberColumns?: readonly string[];
  readonly rows: Iterable<readonly string[]>;
  readonly rowCount: number;
}

function held(table: CsvTable): RenderedTable {
  return { ...table, rowCount: table.rows.length };
}

export function renderRun(result: AllocationResult, loaded: LoadedInputs): RenderedRun {
  const { rendered } = renderRunFiles(result, loaded, false);
  return rendered;
}

/**
 * renderRun, with allocations.csv of a large run (`offload`) written on a
 * worker thread when one can be started (to the file `spooledTable`, when
 * given): its file's content is then empty until `pending` has finished (see
 * assembleRunFolder). Also empty when the table is to go to `spooledTable`
 * but no worker could be started: assembleRunFolder writes it there itself.
 */
function renderRunFiles(
  result: AllocationResult,
  loaded: LoadedInputs,
  offload: boolean,
  spooledTable?: string,
  ahead?: TableWriterAhead,
): { rendered: RenderedRun; pending?: PendingTable } {
  const summary = summaryDocument(result, { command: 'allocate', warnings: loaded.warnings, skippedBlankRows: loaded.skippedBlankRows, overrides: loaded.overrides });
  const allocations = streamedAllocationsTable(result);
  // On the worker begun ahead (AHEAD), if there is one.
  const pending = offload ? (ahead?.write(allocations, spooledTable) ?? writeTableOnWorker(allocations, spooledTable)) : undefined;
  const tables = new Map<string, RenderedTable>([
    ['allocations.csv', allocations],
    ['provinces.csv', held(provincesTable(result))],
  ]);
  if (result.inputs.projects) tables.set('projects.csv', held(projectsTable(result)));
  tables.set('checks.csv', held(checksTable(result)));
  const files = [
    ...[...tables].map(([name, table]) => ({ name, content: (pending || spooledTable !== undefined) && name === ALLOCATIONS ? [] : renderCsvPieces(table) })),
    { name: 'summary.json', content: `${JSON.stringify(summary, null, 2)}\n` },
  ];
  return { rendered: { summary, tables, files }, pending };
}

const ALLOCATIONS = 'allocations.csv';

/** What a run records about where and how it was made. */
export interface RunContext {
  readonly povallocVersion: string;
  readonly nodeVersion: string;
  /** The arguments after `povalloc`. */
  readonly commandLine: readonly string[];
  /** ISO time; informational only, outside every hash and comparison. */
  readonly createdAt: string;
  /** Options that shape the outputs besides the input files (see `recordedOptions`). */
  readonly options: Readonly<Record<string, JsonValue>>;
  readonly signingKey?: KeyObject;
  /** Told how many audit entries are written so far, now and then (a progress bar). */
  readonly onAuditProgress?: (entries: number) => void;
  /**
   * Where to write a file of the run folder now, as it is made (see
   * RunFolderWriter.spoolPath): given, a large run's allocations.csv and audit
   * log go to disk as they are made instead of being held to the end.
   */
  readonly spool?: (name: string) => string;
  /** Worker threads begun before the run was made (see workersAhead): a large run uses them rather than begin its own. */
  readonly ahead?: WorkersAhead;
}

/** A county table of at least this many bytes makes a large run, or nearly (20,000 rows of the benchmark's tables are 1.2 MB). */
export const AHEAD_TABLE_BYTES = 1 << 20;

/** A large run's worker threads for its audit log's compression and its allocations.csv, begun before it is made. */
export interface WorkersAhead {
  readonly compressor: ChunkCompressor;
  readonly table: TableWriterAhead | undefined;
  /** Stops those the run did not use, or did not wait for (it failed); those it used are stopped already. */
  close(): void;
}

/**
 * The worker threads of a large run's last phase, begun before its county
 * table (the file at PATH) is read, when the file is large enough for a
 * large run: they start (a thread, its modules) while the second core has
 * little to do, rather than when the audit log is written, when both cores
 * are busy (the log on one; the table's worker and the compressor on the
 * other). Undefined for a smaller table or standard input. The caller
 * closes them, used or not.
 */
export function workersAhead(path: string | undefined): WorkersAhead | undefined {
  if (path === undefined || path === '-') return undefined;
  let bytes: number;
  try {
    bytes = statSync(path).size;
  } catch {
    // Reported when the table is read.
    return undefined;
  }
  if (bytes < AHEAD_TABLE_BYTES) return undefined;
  const compressor = workerCompressor();
  const table = tableWriterAhead();
  return {
    compressor,
    table,
    close() {
      compressor.close?.();
      table?.close();
    },
  };
}

export interface RunFolder {
  readonly summary: Record<string, unknown>;
  /** Every file, manifest.json last. */
  readonly files: readonly OutputFile[];
}

/** The arguments given after `povalloc`, as commander received them (it keeps them, untyped, as rawArgs). */
export function commandLineOf(command: Command): string[] {
  let root: Command = command;
  while (root.parent) root = root.parent;
  const raw = (root as unknown as { rawArgs?: unknown }).rawArgs;
  return Array.isArray(raw) ? raw.map(String) : [];
}

export function povallocVersion(): string {
  return (JSON.parse(readPackageText('package.json')) as { version: string }).version;
}

/** Options never recorded for replay: the input files (replay reads the copies) and presentation. */
const NOT_RECORDED = new Set(['policy', 'out', 'force', 'json', 'color', 'sign', 'lang']);

/**
 * The options replay must pass again: every option of the command except the
 * input files (one option per role), the output folder and presentation.
 * Generic, so that an option another part of povalloc adds is replayed too.
 */
export function recordedOptions(options: object, roles: readonly string[]): Record<string, JsonValue> {
  const recorded: Record<string, JsonValue> = {};
  for (const [key, value] of Object.entries(options).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (NOT_RECORDED.has(key) || roles.includes(key) || value === undefined) continue;
    if (typeof value === 'string' || typeof value === 'boolean' || (Array.isArray(value) && value.every((item) => typeof item === 'string'))) {
      recorded[key] = value as JsonValue;
    }
  }
  return recorded;
}

/** Where the byte-exact copy of an input goes: inputs/<role>/<its file name>. */
export function inputCopyPath(role: string, file: KeptInputFile): string {
  return `inputs/${role}/${file.path === '-' ? 'stdin' : file.displayName}`;
}

/** Every input file read, the policy file included, in a fixed order. */
export function inputFiles(loaded: LoadedInputs): { role: string; file: KeptInputFile }[] {
  return [...loaded.files, { role: 'policy', file: loaded.policyFile }];
}

/**
 * A large run's input files copied into its run folder now, through SPOOL (see
 * `RunContext.spool`), and kept as where they were copied to: a village
 * table's bytes (50 MB for a million villages) are then not held while the
 * run is made. The copies are byte-exact, as `assembleRunFolder` makes them.
 */
export function spoolInputCopies(loaded: LoadedInputs, spool: (name: string) => string): LoadedInputs {
  const files = loaded.files.map(({ role, file }) => {
    if (isSpooled(file.bytes)) return { role, file };
    const bytes = file.bytes;
    const path = spool(inputCopyPath(role, file));
    // A large table is handed to a worker thread to write and hash while this one allocates (see spool-worker.ts).
    if (Buffer.isBuffer(bytes) && bytes.byteLength >= SPOOL_ON_WORKER_BYTES && ownsItsMemory(bytes)) return { role, file: { ...file, bytes: spoolOnWorker(bytes, path) } };
    const measured = writeToFile(path, (sink) => measurePieces([bytes], sink));
    return { role, file: { ...file, bytes: { spooled: path, ...measured } } };
  });
  return { ...loaded, files };
}

/** Input copies of at least this many bytes are written on a worker thread. */
const SPOOL_ON_WORKER_BYTES = 1 << 20;

/**
 * Waits until every input copy spoolInputCopies began is written (before
 * the run folder is given up after a failure): nothing then writes into it
 * while it is removed. A copy that failed is left to the failure at hand.
 */
export function settleInputCopies(loaded: LoadedInputs | undefined): void {
  for (const { file } of loaded?.files ?? []) {
    if (!isSpooled(file.bytes)) continue;
    try {
      void file.bytes.sha256;
    } catch {
      // Reported where the hash is read, if the run gets that far.
    }
  }
}

/** A file's size and SHA-256, its pieces (if any) read one after another. */
function measure(content: FileContent): { bytes: number; sha256: string } {
  if (isSpooled(content)) return { bytes: content.bytes, sha256: content.sha256 };
  if (typeof content === 'string' || Buffer.isBuffer(content)) {
    return { bytes: typeof content === 'string' ? Buffer.byteLength(content, 'utf8') : content.byteLength, sha256: sha256Hex(content) };
  }
  return measurePieces(content as readonly Buffer[]);
}

function outputRecord(file: OutputFile, rows: number | undefined, measured?: { bytes: number; sha256: string }): OutputRecord {
  const record = { path: file.name, ...(measured ?? measure(file.content)) };
  return rows === undefined ? record : { ...record, rows };
}

/** Renders the whole run folder: outputs, input copies, effective policy, audit log, manifest. */
export function assembleRunFolder(result: AllocationResult, loaded: LoadedInputs, context: RunContext): RunFolder {
  // A large run's log is written gzip-compressed (audit.jsonl.gz) with the entries of its units gathered in blocks,
  // and its allocations.csv on a worker thread meanwhile.
  const compressed = isLargeRun(result.counties.length);
  const spool = compressed ? context.spool : undefined;
  const tablePath = spool?.(ALLOCATIONS);
  const { rendered: renderedHere, pending } = renderRunFiles(result, loaded, compressed, tablePath, context.ahead?.table);
  let rendered = renderedHere;
  const copies: OutputFile[] = [];
  const inputs: InputRecord[] = inputFiles(loaded).map(({ role, file }) => {
    const path = inputCopyPath(role, file);
    copies.push({ name: path, content: file.bytes });
    return { role, name: file.displayName, path, ...measure(file.bytes), encoding: file.encoding };
  });
  const policyText = canonicalJson(loaded.run.policy.document);
  const policy = { name: loaded.run.policy.document.name, path: EFFECTIVE_POLICY_FILE, sha256: sha256Hex(policyText) };
  // The output records come last in the log: allocations.csv written elsewhere is waited for only then.
  let outputs: OutputRecord[] | undefined;
  const outputRecords = (): OutputRecord[] => {
    if (outputs) return outputs;
    // Measured where it was written.
    const measured = new Map<string, { bytes: number; sha256: string }>();
    // A large run's table is written to its file here, at the end, when no worker wrote it.
    const table = pending
      ? pending.finish()
      : tablePath !== undefined
        ? { pieces: [], ...writeToFile(tablePath, (sink) => measurePieces(csvPieces(rendered.tables.get(ALLOCATIONS)!), sink)) }
        : undefined;
    if (table) {
      measured.set(ALLOCATIONS, { bytes: table.bytes, sha256: table.sha256 });
      const content: FileContent = tablePath === undefined ? table.pieces : { spooled: tablePath, bytes: table.bytes, sha256: table.sha256 };
      rendered = { ...rendered, files: rendered.files.map((file) => (file.name === ALLOCATIONS ? { name: file.name, content } : file)) };
    }
    outputs = rendered.files.map((file) => outputRecord(file, rendered.tables.get(file.name)?.rowCount, measured.get(file.name)));
    return outputs;
  };

  // Rows recorded one audit entry each, under the county or province they concern (a table absent from this run is skipped).
  // A large run's log records allocations.csv by its hash alone (explain reads the rows from the file): a village table's
  // rows would otherwise be written twice, once in the table and once, block by block, in the log.
  const tables = [
    { path: 'allocations.csv', subjectColumn: 'county_code' },
    { path: 'provinces.csv', subjectColumn: 'province_code' },
    { path: 'projects.csv', subjectColumn: 'county_code' },
  ].flatMap(({ path, subjectColumn }) => {
    const table = rendered.tables.get(path);
    if (compressed && path === 'allocations.csv') return [];
    return table ? [{ path, subjectColumn, columns: table.columns, rows: table.rows }] : [];
  });
  const source = { inputs, policy, result, tables, outputs: { [Symbol.iterator]: () => outputRecords()[Symbol.iterator]() } };
  // Its chunks are compressed on a worker thread while the next entries are written (and written to disk, when spooled).
  // A large run's unit blocks are made straight from the rules' series of steps.
  const auditPath = spool?.(AUDIT_GZ_FILE);
  const audit = compressed
    ? auditPath === undefined
      ? writeAuditLog(withUnitBlocks(auditRecordsWithSeries(source), { readOnce: true }), true, context.onAuditProgress, context.ahead?.compressor ?? workerCompressor())
      : writeToFile(auditPath, (sink) => writeAuditLog(withUnitBlocks(auditRecordsWithSeries(source), { readOnce: true }), true, context.onAuditProgress, context.ahead?.compressor ?? workerCompressor(), sink))
    : writeAuditLog(auditRecords(source), false, context.onAuditProgress);
  const auditFile: OutputFile = {
    name: compressed ? AUDIT_GZ_FILE : AUDIT_FILE,
    content: auditPath === undefined ? audit.pieces : { spooled: auditPath, bytes: audit.bytes, sha256: audit.sha256 },
  };

  const summary = rendered.summary as { totals?: Record<string, string | null>; unallocated?: { total?: string } };
  // A column no rule computed this run (null in summary.json) has no total to record.
  const totals: Record<string, string> = {};
  for (const [column, total] of Object.entries(summary.totals ?? {})) if (total !== null) totals[column] = total;
  if (summary.unallocated?.total !== undefined) totals['unallocated'] = summary.unallocated.total;
  let manifest = buildManifest({
    schema_version: MANIFEST_SCHEMA_VERSION,
    povalloc_version: context.povallocVersion,
    node_version: context.nodeVersion,
    command_line: ['povalloc', ...context.commandLine],
    created_at: context.createdAt,
    options: context.options,
    inputs,
    policy,
    outputs: [...outputRecords(), { path: auditFile.name, bytes: audit.bytes, sha256: audit.sha256, rows: audit.entries }],
    counts: {
      counties: result.counties.length,
      eligible_counties: countCounties(result.counties, (countyState) => countyState.eligible),
      provinces: result.provinces.length,
      budget_lines: result.inputs.budget.lines.length,
      checks: result.checks.length,
    },
    totals,
    audit: { schema_version: AUDIT_SCHEMA_VERSION, entries: audit.entries, head_hash: audit.headHash },
  });
  if (context.signingKey) manifest = signManifest(manifest, context.signingKey);
  return {
    summary: rendered.summary,
    files: [...rendered.files, ...copies, { name: EFFECTIVE_POLICY_FILE, content: policyText }, auditFile, { name: MANIFEST_FILE, content: serializeManifest(manifest) }],
  };
}
