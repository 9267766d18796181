/**
 * The audit log: every step of a run as one entry, hash-chained so that no
 * entry can be changed, dropped, added or moved without it showing.
 *
 * An entry is one JSON object a line (audit.jsonl):
 *   schema_version  AUDIT_SCHEMA_VERSION
 *   seq             1, 2, 3, ... (equal to the line number)
 *   type            input_loaded | rule_applied | pot_allocated | rounding | check | output_written
 *   rule, clause    the rule id and the policy clause id ('' for bookkeeping entries)
 *   subject         'national', a province code (2 digits) or a county code (6 digits)
 *   label           what the step did, in words
 *   values          the values in and out, every one a string (money in yuan with two decimals)
 *   prev            the previous entry's hash (64 zeros for the first)
 *   hash            SHA-256 (hex) of the canonical JSON (RFC 8785) of the entry without `hash`
 * Because `prev` is inside what is hashed, each hash covers the whole log up to it.
 *
 * Pure: builds entries from the allocation result and records of the files
 * read and written; node:crypto only hashes.
 */
import * as cryptoModule from 'node:crypto';
import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { AllocationResult } from './allocate.js';
import { LARGE_RUN_UNITS } from './audit-blocks.js';
import { canonicalJson, isArrayIndex } from './canonical-json.js';
import { formatYuan } from './money.js';
import { eachStep, type StepSeries } from './state.js';

export const AUDIT_SCHEMA_VERSION = 1;
export const GENESIS_HASH = '0'.repeat(64);
export const AUDIT_ENTRY_TYPES = ['input_loaded', 'rule_applied', 'pot_allocated', 'rounding', 'check', 'output_written'] as const;
export type AuditEntryType = (typeof AUDIT_ENTRY_TYPES)[number];

/** What one entry says, before it is numbered and chained. */
export interface AuditRecord {
  readonly type: AuditEntryType;
  readonly rule: string;
  readonly clause: string;
  readonly subject: string;
  readonly label: string;
  readonly values: Readonly<Record<string, string>>;
  /**
   * The values once more as two lists in step, names and values, when the
   * record has them so (a row of a table): a reader that can take them
   * (unit blocks) need not build `values`.
   */
  readonly columns?: readonly string[];
  readonly cells?: readonly string[];
  /**
   * Set when the maker of `cells` vouches that none holds a character JSON
   * escapes (a control character such as a tab or a line feed, a quote, a
   * backslash) or a surrogate: unit blocks and the log's writer need not look.
   */
  readonly cellsPlain?: boolean;
  /**
   * A long value (a unit block's rows) given once more in pieces, when the
   * record has it so: its text is the pieces joined, each piece whole
   * characters, and it is the last of `values`. The audit log writes and
   * hashes it piece by piece instead of reading it from `values`: a text of
   * hundreds of kilobytes would be made, and copied to be escaped, hashed and
   * written, in the large-object space, which only a full collection empties.
   */
  readonly pieced?: PiecedValue;
}

/** A value in pieces (see AuditRecord.pieced), with the other values. */
export interface PiecedValue {
  readonly name: string;
  readonly pieces: readonly string[];
  /** The record's values other than this one, in order. */
  readonly others: Readonly<Record<string, string>>;
  /** The pieces are as JSON writes the text between its quotes (already escaped). */
  readonly escaped?: boolean;
}

export interface AuditEntry extends AuditRecord {
  readonly schema_version: number;
  readonly seq: number;
  readonly prev: string;
  readonly hash: string;
}

/** An input file as read (before decoding) and where its copy lies in the run folder. */
export interface InputRecord {
  readonly role: string;
  /** The file's name as the user gave it (base name; '<stdin>' for standard input). */
  readonly name: string;
  /** Path of the byte-exact copy inside the run folder. */
  readonly path: string;
  readonly bytes: number;
  readonly sha256: string;
  readonly encoding: string;
}

/** An output file of the run folder. */
export interface OutputRecord {
  readonly path: string;
  readonly bytes: number;
  readonly sha256: string;
  /** Data rows (CSV rows without the header, lines of a JSON-lines file), when it has rows. */
  readonly rows?: number;
}

/** A table written to the run folder whose rows each concern one subject (a county or a province). */
export interface SubjectTable {
  readonly path: string;
  /** The column holding the subject's code. */
  readonly subjectColumn: string;
  readonly columns: readonly string[];
  /** Read once, in order. */
  readonly rows: Iterable<readonly string[]>;
}

export interface AuditSource {
  readonly inputs: readonly InputRecord[];
  /** The effective policy as canonical JSON. */
  readonly policy: { readonly name: string; readonly path: string; readonly sha256: string };
  readonly result: AllocationResult;
  readonly tables: readonly SubjectTable[];
  /** Read once, after everything else (a file written elsewhere may be waited for then). */
  readonly outputs: Iterable<OutputRecord>;
}

/** crypto.hash (Node 20.12+): a one-shot digest without a Hash object, markedly faster for the many small audit entries. */
const oneShotHash = (cryptoModule as unknown as { hash?: (algorithm: string, data: string | Uint8Array, encoding: 'hex') => string }).hash;

export function sha256Hex(data: string | Uint8Array): string {
  return oneShotHash ? oneShotHash('sha256', data, 'hex') : createHash('sha256').update(data).digest('hex');
}

function stepRecord(step: AuditRecord): AuditRecord {
  return { type: step.type, rule: step.rule, clause: step.clause, subject: step.subject, label: step.label, values: { ...step.values } };
}

/** The entries of a run, in order: inputs, the rules' steps, pots and rounding, checks, outputs. */
export function buildAuditRecords(source: AuditSource): AuditRecord[] {
  return [...auditRecords(source)].map(stepRecord);
}

/**
 * The entries of a run one at a time (what `buildAuditRecords` lists), so that
 * a large run's log can be hashed and written without holding every entry.
 */
export function auditRecords(source: AuditSource): Generator<AuditRecord> {
  return auditEntries(source, false) as Generator<AuditRecord>;
}

/**
 * `auditRecords` with each series of steps (StepSeries) as it is, standing for
 * its steps in order: for `withUnitBlocks`, which reads a series' steps itself.
 */
export function auditRecordsWithSeries(source: AuditSource): Generator<AuditRecord | StepSeries> {
  return auditEntries(source, true);
}

function* auditEntries(source: AuditSource, keepSeries: boolean): Generator<AuditRecord | StepSeries> {
  const { result } = source;
  for (const input of source.inputs) {
    yield {
      type: 'input_loaded',
      rule: 'input',
      clause: '',
      subject: 'national',
      label: `${input.role} file read`,
      values: { role: input.role, name: input.name, path: input.path, bytes: String(input.bytes), sha256: input.sha256, encoding: input.encoding },
    };
  }
  yield {
    type: 'input_loaded',
    rule: 'input',
    clause: '',
    subject: 'national',
    label: 'effective policy',
    values: { role: 'effective_policy', name: source.policy.name, path: source.policy.path, sha256: source.policy.sha256 },
  };
  for (const skipped of result.skippedRules) {
    yield { type: 'rule_applied', rule: skipped.rule, clause: skipped.clause, subject: 'national', label: 'rule skipped', values: { reason: skipped.reason } };
  }
  if (keepSeries) yield* result.steps;
  else yield* eachStep(result.steps);
  for (const pot of result.pots) {
    const subject = pot.provinceCode === '' ? 'national' : pot.provinceCode;
    yield {
      type: 'pot_allocated',
      rule: pot.rule,
      clause: pot.clause,
      subject,
      label: `pot ${pot.id}`,
      values: {
        pot: pot.id,
        fund: pot.fund,
        level: pot.level,
        amount: formatYuan(pot.amount),
        recipients: String(pot.recipients),
        allocated: formatYuan(pot.allocated),
        unallocated: formatYuan(pot.unallocated),
        unallocated_reason: pot.unallocatedReason,
        rounding_fen: pot.roundingFen.toString(),
      },
    };
    if (pot.roundingFen > 0n) {
      yield {
        type: 'rounding',
        rule: pot.rule,
        clause: pot.clause,
        subject,
        label: `largest-remainder rounding of pot ${pot.id}`,
        values: {
          pot: pot.id,
          rounding_fen: pot.roundingFen.toString(),
          method: 'each part rounded down to the fen; the fen left over go one each to the largest remainders, ties to the ascending code',
        },
      };
    }
  }
  for (const check of result.checks) {
    yield {
      type: 'check',
      rule: check.rule,
      clause: check.clause,
      subject: check.code === '' ? 'national' : check.code,
      label: check.check,
      values: { check: check.check, severity: check.severity, scope: check.scope, name: check.name, message: check.message, value: check.value, threshold: check.threshold },
    };
  }
  for (const table of source.tables) {
    const columns = table.columns;
    const subjectIndex = columns.indexOf(table.subjectColumn);
    const label = `row of ${table.path}`;
    for (const row of table.rows) yield new RowRecord(row[subjectIndex] ?? '', label, columns, row);
  }
  for (const output of source.outputs) {
    const values: Record<string, string> = { path: output.path, bytes: String(output.bytes), sha256: output.sha256 };
    if (output.rows !== undefined) values['rows'] = String(output.rows);
    yield { type: 'output_written', rule: 'output', clause: '', subject: 'national', label: `${output.path} written`, values };
  }
}

/**
 * A row of an output table as an audit record: its values built when read.
 * A class, so that the getter is the prototype's rather than a closure made
 * for each of a million rows.
 */
class RowRecord implements AuditRecord {
  readonly type = 'output_written';
  readonly rule = 'output';
  readonly clause = '';
  constructor(
    readonly subject: string,
    readonly label: string,
    readonly columns: readonly string[],
    readonly cells: readonly string[],
  ) {}

  get values(): Record<string, string> {
    const values: Record<string, string> = {};
    for (let index = 0; index < this.columns.length; index++) values[this.columns[index]!] = this.cells[index] ?? '';
    return values;
  }
}

/** The part of an entry its hash is computed over: everything but `hash`. */
function hashedPart(entry: Omit<AuditEntry, 'hash'>): Record<string, unknown> {
  return {
    schema_version: entry.schema_version,
    seq: entry.seq,
    prev: entry.prev,
    type: entry.type,
    rule: entry.rule,
    clause: entry.clause,
    subject: entry.subject,
    label: entry.label,
    values: entry.values,
  };
}

export function entryHash(entry: Omit<AuditEntry, 'hash'>): string {
  return sha256Hex(canonicalJson(hashedPart(entry)));
}

/** Numbers the records from 1 and chains them by hash. */
export function chainAuditRecords(records: readonly AuditRecord[]): AuditEntry[] {
  const entries: AuditEntry[] = [];
  let prev = GENESIS_HASH;
  records.forEach((record, index) => {
    const unhashed = { schema_version: AUDIT_SCHEMA_VERSION, seq: index + 1, prev, ...record };
    const hash = entryHash(unhashed);
    entries.push({ ...unhashed, hash });
    prev = hash;
  });
  return entries;
}

/** audit.jsonl: one entry a line, members in a reading order (the hash does not depend on it). */
export function serializeAuditLog(entries: readonly AuditEntry[]): string {
  return entries
    .map((entry) =>
      JSON.stringify({
        seq: entry.seq,
        type: entry.type,
        rule: entry.rule,
        clause: entry.clause,
        subject: entry.subject,
        label: entry.label,
        values: entry.values,
        schema_version: entry.schema_version,
        prev: entry.prev,
        hash: entry.hash,
      }),
    )
    .map((line) => `${line}\n`)
    .join('');
}

/** JSON.stringify of a string, refusing a lone surrogate as canonicalJson does (it has no UTF-8 form). */
function quoted(text: string): string {
  if (!(text as unknown as { isWellFormed(): boolean }).isWellFormed()) throw new TypeError(`canonical JSON: string contains a lone surrogate: ${JSON.stringify(text)}`);
  return JSON.stringify(text);
}

/** Types, rules, clauses, labels and value names repeat across entries: each is escaped once. */
const quotedNames = new Map<string, string>();
const QUOTED_NAMES_LIMIT = 10_000;

function quotedName(text: string): string {
  let result = quotedNames.get(text);
  if (result === undefined) {
    result = quoted(text);
    if (quotedNames.size < QUOTED_NAMES_LIMIT) quotedNames.set(text, result);
  }
  return result;
}

/**
 * One entry, chained after `prev`: its line of audit.jsonl and its hash. The
 * same bytes as `serializeAuditLog(chainAuditRecords(...))` and the same hash
 * as `entryHash`, but each string is escaped once for both the canonical text
 * (members sorted: clause, label, prev, rule, schema_version, seq, subject,
 * type, values) and the line (reading order), and no entry object is kept.
 * The values' members are joined by Array.prototype.join, which makes one flat
 * string, rather than by `+`, which makes a rope of many small strings that
 * hashing and the log's join must each walk and copy.
 */
export function chainedAuditLine(record: AuditRecord, seq: number, prev: string): { line: string; hash: string } {
  const header = quotedHeader(record, seq, prev);
  const { columns, cells } = record;
  const members = columns !== undefined && cells !== undefined ? rowMembers(record, columns, cells, record instanceof RowRecord) : valueMembers(record);
  const inOrder = members.inOrder.join(',');
  const sorted = members.sorted === undefined ? inOrder : members.sorted.join(',');
  const hash = sha256Hex(`${canonicalOpening(header)}${sorted}${CANONICAL_CLOSING}`);
  return { line: `${lineOpening(header)}${inOrder}${lineClosing(header, hash)}`, hash };
}

/** An entry's fields other than its values, quoted as JSON, with its seq. */
interface QuotedHeader {
  readonly seq: number;
  readonly type: string;
  readonly rule: string;
  readonly clause: string;
  readonly subject: string;
  readonly label: string;
  readonly prev: string;
}

function quotedHeader(record: AuditRecord, seq: number, prev: string): QuotedHeader {
  return {
    seq,
    type: quotedName(record.type),
    rule: quotedName(record.rule),
    clause: quotedName(record.clause),
    subject: quoted(record.subject),
    label: quotedName(record.label),
    prev: quoted(prev),
  };
}

/** The canonical text an entry's hash is taken of, up to its values' members (sorted by name), and after them. */
function canonicalOpening(h: QuotedHeader): string {
  return `{"clause":${h.clause},"label":${h.label},"prev":${h.prev},"rule":${h.rule},"schema_version":${AUDIT_SCHEMA_VERSION},"seq":${h.seq},"subject":${h.subject},"type":${h.type},"values":{`;
}
const CANONICAL_CLOSING = '}}';

/** The entry's line of audit.jsonl, up to its values' members (in the order written), and after them. */
function lineOpening(h: QuotedHeader): string {
  return `{"seq":${h.seq},"type":${h.type},"rule":${h.rule},"clause":${h.clause},"subject":${h.subject},"label":${h.label},"values":{`;
}
function lineClosing(h: QuotedHeader, hash: string): string {
  return `},"schema_version":${AUDIT_SCHEMA_VERSION},"prev":${h.prev},"hash":"${hash}"}\n`;
}

/**
 * chainedAuditLine written straight into `out`, its hash returned. A record
 * with a value in pieces (AuditRecord.pieced) is hashed and written piece by
 * piece: the same bytes and hash as chainedAuditLine gives, without its text
 * ever in one string.
 */
function appendChainedAuditLine(record: AuditRecord, seq: number, prev: string, out: ByteChunk): string {
  const pieced = record.pieced;
  if (pieced === undefined) {
    const { line, hash } = chainedAuditLine(record, seq, prev);
    out.write(line);
    return hash;
  }
  const header = quotedHeader(record, seq, prev);
  const values = pieced.others;
  const names = Object.keys(values).filter((name) => values[name] !== undefined);
  const members = names.map((name) => `${quotedName(name)}:${quoted(values[name]!)}`);
  // The pieces' text escaped piece by piece: JSON escapes character by character, and no piece splits one.
  const escaped = pieced.escaped === true ? pieced.pieces : pieced.pieces.map((piece) => quoted(piece).slice(1, -1));
  const head = `${quotedName(pieced.name)}:"`;
  // Canonical order: by name, the pieced value among the others.
  const all = [...names, pieced.name];
  const order = sortOrder(all) ?? all.map((_, index) => index);
  // The line is written up to its hash first; the pieces are then hashed as the bytes written (encoded once).
  out.write(lineOpening(header));
  for (const member of members) {
    out.write(member);
    out.write(',');
  }
  out.write(head);
  const start = out.length;
  for (const piece of escaped) out.write(piece);
  const piecesBytes = out.bytesFrom(start);
  const digest = createHash('sha256');
  digest.update(canonicalOpening(header));
  order.forEach((index, position) => {
    if (position > 0) digest.update(',');
    if (index < members.length) digest.update(members[index]!);
    else {
      digest.update(head);
      digest.update(piecesBytes);
      digest.update('"');
    }
  });
  digest.update(CANONICAL_CLOSING);
  const hash = digest.digest('hex');
  out.write('"');
  out.write(lineClosing(header, hash));
  return hash;
}

/**
 * Text gathered as UTF-8 bytes in one buffer, grown as needed: the log's
 * lines are written into it as they come and die young, instead of being
 * held as strings until a chunk is joined.
 */
class ByteChunk {
  private buffer: Buffer;
  private used = 0;
  /** UTF-16 code units written (the length of the text). */
  chars = 0;

  /** `spare` may give memory to reuse (a chunk handed over earlier and given back). */
  constructor(
    private readonly capacity: number,
    private readonly spare: () => Buffer | undefined = () => undefined,
  ) {
    this.buffer = Buffer.allocUnsafeSlow(0);
  }

  write(text: string): void {
    // At most three bytes of UTF-8 per UTF-16 code unit.
    const most = text.length * 3;
    if (this.used + most > this.buffer.length) {
      const size = Math.max(this.capacity, this.buffer.length * 2, this.used + most);
      const reused = this.used === 0 ? this.spare() : undefined;
      if (reused !== undefined && reused.length >= size) {
        this.buffer = reused;
        return this.write(text);
      }
      const grown = Buffer.allocUnsafeSlow(size);
      this.buffer.copy(grown, 0, 0, this.used);
      this.buffer = grown;
    }
    this.used += this.buffer.write(text, this.used, 'utf8');
    this.chars += text.length;
  }

  /** Bytes written so far. */
  get length(): number {
    return this.used;
  }

  /** The bytes written since `start` (a length read earlier), in place: valid until the next write. */
  bytesFrom(start: number): Buffer {
    return this.buffer.subarray(start, this.used);
  }

  /** The bytes written, copied into a buffer of their size, and a fresh start in the same memory. */
  copy(): Buffer {
    const bytes = Buffer.allocUnsafeSlow(this.used);
    this.buffer.copy(bytes, 0, 0, this.used);
    this.used = 0;
    this.chars = 0;
    return bytes;
  }

  /** The bytes written, in a buffer of their own (to hand over, memory and all), and a fresh start. */
  take(): Buffer {
    const bytes = this.buffer.subarray(0, this.used);
    this.buffer = Buffer.allocUnsafeSlow(0);
    this.used = 0;
    this.chars = 0;
    return bytes;
  }
}

/** The `"name":"value"` members of an entry's values, in the order written and (when that differs) sorted. */
interface Members {
  readonly inOrder: string[];
  readonly sorted: string[] | undefined;
}

function valueMembers(record: AuditRecord): Members {
  // Read once: a rule may hand its values as a getter that formats them on demand.
  const values = record.values;
  const inOrder: string[] = [];
  const present: string[] = [];
  for (const key of Object.keys(values)) {
    const value = values[key];
    if (value === undefined) continue;
    inOrder.push(`${quotedName(key)}:${quoted(value)}`);
    present.push(key);
  }
  // Object.keys order is JSON.stringify's order; the canonical text sorts by UTF-16 code units.
  const order = inOrder.length > 1 ? sortOrder(present) : undefined;
  return { inOrder, sorted: order === undefined ? undefined : order.map((index) => inOrder[index]!) };
}

/**
 * The members of a record given as columns and cells (a table row, a unit's
 * step) straight from them, without the values object its getter builds: the
 * columns' quoted names and their order are worked out once per list of
 * columns. Only for columns the getter's object keeps as they are (no name
 * twice, no __proto__, none an array index, which objects put first). A
 * table row's missing cell is '' (RowRecord); any other record with a cell
 * missing is read through its values.
 */
function rowMembers(record: AuditRecord, columns: readonly string[], cells: readonly string[], blankMissing: boolean): Members {
  const plan = rowPlan(columns);
  if (plan === undefined || (!blankMissing && cells.length !== plan.names.length)) return valueMembers(record);
  const inOrder = new Array<string>(plan.names.length);
  // Cells their maker vouches hold nothing JSON escapes (AuditRecord.cellsPlain) are put between quotes as they are.
  const plain = record.cellsPlain === true;
  for (let index = 0; index < plan.names.length; index++) {
    const cell = cells[index];
    if (cell === undefined && !blankMissing) return valueMembers(record);
    inOrder[index] = plain ? `${plan.names[index]!}"${cell!}"` : plan.names[index]! + quoted(cell ?? '');
  }
  return { inOrder, sorted: plan.order === undefined ? undefined : plan.order.map((index) => inOrder[index]!) };
}

interface RowPlan {
  /** `"name":` of each column. */
  readonly names: readonly string[];
  readonly order: readonly number[] | undefined;
}

const rowPlans = new WeakMap<readonly string[], RowPlan | undefined>();

function rowPlan(columns: readonly string[]): RowPlan | undefined {
  if (rowPlans.has(columns)) return rowPlans.get(columns);
  const plain =
    new Set(columns).size === columns.length && !columns.some((column) => column === '__proto__' || isArrayIndex(column));
  const plan = plain ? { names: columns.map((column) => `${quotedName(column)}:`), order: columns.length > 1 ? sortOrder(columns) : undefined } : undefined;
  rowPlans.set(columns, plan);
  return plan;
}

/** Value names in the order a rule writes them, to the order canonical JSON sorts them in (undefined when already sorted). */
const sortOrders = new Map<string, readonly number[] | undefined>();
const SORT_ORDERS_LIMIT = 1_000;

function sortOrder(keys: readonly string[]): readonly number[] | undefined {
  const signature = keys.join('\u0000');
  if (sortOrders.has(signature)) return sortOrders.get(signature);
  const order = keys.map((_, index) => index).sort((a, b) => (keys[a]! < keys[b]! ? -1 : keys[a]! > keys[b]! ? 1 : 0));
  const result = order.every((position, index) => position === index) ? undefined : order;
  if (sortOrders.size < SORT_ORDERS_LIMIT) sortOrders.set(signature, result);
  return result;
}

/** Above this many counties (or villages) in the table, the audit log is written gzip-compressed as audit.jsonl.gz, with unit blocks (see audit-blocks.ts). */
export const AUDIT_GZIP_THRESHOLD = LARGE_RUN_UNITS;

/** Uncompressed text gathered before it is compressed (a gzip member each): chunk boundaries fall after the line that reaches this many UTF-16 code units. */
const AUDIT_CHUNK_CHARS = 4 << 20;
/** The chunk's buffer to begin with: room for its text in UTF-8 when most of it is ASCII (it grows when not). */
const AUDIT_CHUNK_BYTES = 6 << 20;

/**
 * Uncompressed, the log is kept in pieces of about this many characters
 * (until the run folder is written): each line is written as bytes into one
 * buffer as it comes, and every piece is copied out of it at its size.
 */
const PLAIN_PIECE_CHARS = 1 << 17;
/** The buffer plain pieces are written into (it grows when a piece needs more). */
const PLAIN_PIECE_BYTES = 1 << 18;

/** zlib's fastest level: the log is mostly digits and repeated names, and compresses well even so. */
export const AUDIT_GZIP_LEVEL = 1;

/**
 * gzip of one chunk as a gzip member of its own: a gzip file may hold several
 * members one after another, and gunzip reads them as one text. The header
 * carries no name and mtime 0 (zlib's default); its OS byte is set to 255
 * (unknown) so that the bytes do not depend on the platform.
 */
export function gzipMember(chunk: string | Uint8Array): Buffer {
  const member = gzipSync(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk, { level: AUDIT_GZIP_LEVEL });
  member[9] = 255;
  return member;
}

/**
 * Turns the log's chunks (UTF-8 bytes) into gzip members (`gzipMember` of
 * each), in the order they were added. One that works on another thread lets
 * the log be compressed while the next entries are formatted and hashed.
 */
export interface ChunkCompressor {
  /**
   * Takes the next chunk, which is the compressor's from then on (it may hand
   * its memory to another thread); returns the members finished meanwhile (of
   * this chunk or earlier ones), in order.
   */
  add(chunk: Buffer): Buffer[];
  /** The members not yet returned, in order: one per chunk added in all. */
  finish(): Buffer[];
  /** Memory of a chunk added earlier that the compressor is done with, to write the next chunk into, if any. */
  spare?(): Buffer | undefined;
  /** Stops it without waiting for what it has not finished (a run that failed, or never used it); nothing after. */
  close?(): void;
}

/** Compresses each chunk when it is added, on this thread. */
export function inThreadCompressor(): ChunkCompressor {
  return {
    add: (chunk) => [gzipMember(chunk)],
    finish: () => [],
  };
}

/** The audit log as written: its content, entry count and last hash. */
export interface WrittenAuditLog {
  /** The bytes in one buffer (joined from `pieces` when first read). */
  readonly content: Buffer;
  /** The bytes in the pieces they were made in (gzip members, or joined lines): for writing without joining them first. Empty when they went to a sink. */
  readonly pieces: readonly Buffer[];
  readonly entries: number;
  readonly headHash: string;
  readonly bytes: number;
  readonly sha256: string;
}

/**
 * Chains records one by one into the audit log's bytes, holding only the
 * written text (or, compressed, only the compressed bytes) rather than entry
 * objects. Deterministic: same records, same bytes (whichever compressor).
 * The content is UTF-8 bytes either way: each piece of text is encoded once,
 * as it is joined, and the bytes are hashed and written as they are (a text
 * would be encoded again to be counted, hashed and written).
 * `onChunk` hears how many entries are written so far (for a progress bar).
 * With a `sink`, each piece of bytes is handed to it, in order, as soon as it
 * is made, and none is kept (a large run's log goes to its file as it is written).
 */
export function writeAuditLog(
  records: Iterable<AuditRecord>,
  compressed: boolean,
  onChunk: (entries: number) => void = () => {},
  compressor: ChunkCompressor = inThreadCompressor(),
  sink?: (piece: Buffer) => void,
): WrittenAuditLog {
  const pieces: Buffer[] = [];
  const digest = createHash('sha256');
  let bytes = 0;
  const emit = (piece: Buffer): void => {
    digest.update(piece);
    bytes += piece.byteLength;
    if (sink) sink(piece);
    else pieces.push(piece);
  };
  let prev = GENESIS_HASH;
  let seq = 0;
  // Lines go into a buffer of bytes as they are made. Compressed, each full chunk is handed to the compressor;
  // plain, each piece is copied out at its size and the buffer written again.
  const chunk = compressed ? new ByteChunk(AUDIT_CHUNK_BYTES, () => compressor.spare?.()) : new ByteChunk(PLAIN_PIECE_BYTES);
  const chunkChars = compressed ? AUDIT_CHUNK_CHARS : PLAIN_PIECE_CHARS;
  const flush = (): void => {
    if (chunk.chars === 0) return;
    if (compressed) for (const member of compressor.add(chunk.take())) emit(member);
    else emit(chunk.copy());
  };
  for (const record of records) {
    seq++;
    prev = appendChainedAuditLine(record, seq, prev, chunk);
    if (chunk.chars >= chunkChars) {
      flush();
      onChunk(seq);
    }
  }
  flush();
  if (compressed) for (const member of compressor.finish()) emit(member);
  let joined: Buffer | undefined;
  return {
    get content(): Buffer {
      return (joined ??= Buffer.concat(pieces));
    },
    pieces,
    entries: seq,
    headHash: seq === 0 ? '' : prev,
    bytes,
    sha256: digest.digest('hex'),
  };
}

/** The text of an audit log as stored: gunzipped when it is gzip (audit.jsonl.gz). */
export function auditLogBytes(stored: Uint8Array): Buffer {
  const buffer = Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength);
  return isGzip(buffer) ? gunzipSync(buffer) : buffer;
}

function isGzip(buffer: Buffer): boolean {
  return buffer.length >= 2 && buffer[0] === 0x1f && buffer[1] === 0x8b;
}

/** The first 10 bytes of each member `gzipMember` writes: magic, deflate, no flags, mtime 0 (then XFL, any), OS 255. */
const MEMBER_HEADER = [0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, -1, 0xff] as const;

/**
 * The member header where a povalloc log's text is about halved, or -1 (no
 * second member): where to split a large log's check in two (chain-split.ts).
 * Each member holds about as much text (a chunk of the log), but they
 * compress very differently (the eligibility blocks to under a tenth, the
 * stage-2 rows to two fifths), so that half the stored bytes held two thirds
 * of a million villages' text and the thread checking them took twice as long
 * as the other. A member's text length is its trailer's last four bytes, just
 * before the next header. A header found inside a member (bytes that look like
 * one) can only misplace the split: the parts then do not meet, and the whole
 * is checked on one thread.
 */
export function memberHalvingText(stored: Uint8Array): number {
  const buffer = Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength);
  if (!isGzip(buffer) || buffer.length < 4) return -1;
  const headers: number[] = [];
  const textBefore: number[] = [];
  let text = 0;
  for (let at = nextMemberHeader(buffer, 4); at >= 0; at = nextMemberHeader(buffer, at + 1)) {
    text += buffer.readUInt32LE(at - 4);
    headers.push(at);
    textBefore.push(text);
  }
  const half = (text + buffer.readUInt32LE(buffer.length - 4)) / 2;
  let best = -1;
  let bestGap = Infinity;
  for (let index = 0; index < headers.length; index++) {
    const gap = Math.abs(textBefore[index]! - half);
    if (gap < bestGap) {
      best = headers[index]!;
      bestGap = gap;
    }
  }
  return best;
}

/** The bytes every povalloc member header begins with (MEMBER_HEADER up to its XFL byte). */
const MEMBER_HEADER_START = Buffer.from(MEMBER_HEADER.slice(0, 8));

/** Where the next povalloc member header begins at or after FROM, or -1. */
function nextMemberHeader(buffer: Buffer, from: number): number {
  for (let at = buffer.indexOf(MEMBER_HEADER_START, from); at >= 0 && at + MEMBER_HEADER.length <= buffer.length; at = buffer.indexOf(MEMBER_HEADER_START, at + 1)) {
    if (MEMBER_HEADER.every((byte, offset) => byte < 0 || buffer[at + offset] === byte)) return at;
  }
  return -1;
}

/**
 * The text of an audit log as stored, in pieces that joined are
 * `auditLogBytes(stored)`: a large run's audit.jsonl.gz is gunzipped member by
 * member (one per chunk of the log, see writeAuditLog), so that a reader
 * never holds all of its text at once. A member is taken alone only when it
 * is certain to end where the next member's header begins: it gunzips, to
 * text of the length its last four bytes record. Else what remains is
 * gunzipped in one, as auditLogBytes does. Throws as auditLogBytes throws
 * when the gzip is damaged, after the pieces before the damage.
 */
export function* auditLogPieces(stored: Uint8Array): Generator<Buffer> {
  const buffer = Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength);
  if (!isGzip(buffer)) {
    yield buffer;
    return;
  }
  let start = 0;
  for (;;) {
    const end = nextMemberHeader(buffer, start + 1);
    if (end < 0) break;
    let text: Buffer | undefined;
    try {
      text = gunzipSync(buffer.subarray(start, end), { chunkSize: memberChunkSize(buffer, end) });
    } catch {
      text = undefined;
    }
    // ISIZE, the gzip trailer's last field: the member's text length (mod 2^32).
    if (text === undefined || text.length === 0 || buffer.readUInt32LE(end - 4) !== text.length % 2 ** 32) break;
    yield text;
    start = end;
  }
  yield gunzipSync(buffer.subarray(start), { chunkSize: memberChunkSize(buffer, buffer.length) });
}

/** zlib's smallest and largest output buffer asked for here (see memberChunkSize). */
const MIN_MEMBER_CHUNK = 64 * 1024;
const MAX_MEMBER_CHUNK = 64 * 1024 * 1024;

/**
 * The output buffer to gunzip the member that ends at END with: room for
 * the text length its trailer records (ISIZE, the last four bytes), within
 * bounds (a damaged trailer may say anything). zlib otherwise writes 16 KB
 * buffers and joins them, a copy of every member's text: at a million
 * villages, some 230 MB copied into memory the system first had to clear.
 * Only how the text is gathered depends on it, never the text.
 */
function memberChunkSize(buffer: Buffer, end: number): number {
  const recorded = end >= 4 ? buffer.readUInt32LE(end - 4) : 0;
  return Math.min(MAX_MEMBER_CHUNK, Math.max(MIN_MEMBER_CHUNK, recorded + 1));
}

/**
 * checkAuditChain of a log as stored (audit.jsonl, or audit.jsonl.gz read
 * member by member, see auditLogPieces): the chain, or undefined when the
 * gzip is damaged (wherever the chain breaks: the rest is read to know).
 */
export function checkStoredAuditLog(stored: Uint8Array, keep?: (entry: AuditEntry) => boolean): ChainCheck | undefined {
  const pieces = auditLogPieces(stored);
  try {
    const chain = checkAuditChain(pieces, keep);
    if (chain.problem) for (let piece = pieces.next(); !piece.done; piece = pieces.next());
    return chain;
  } catch {
    return undefined;
  }
}

/**
 * Which entries a reader of a stored log keeps, by name: a check made on
 * another thread keeps the same ones (see keepOf in log-readers.ts).
 * `records-a-file`: the entries verify reads; `explain`: those an
 * explanation of CODE reads.
 */
export type KeepSpec = { readonly kind: 'records-a-file' } | { readonly kind: 'explain'; readonly code: string };

/** Where the chain first fails: the entry's seq (its line number) and why. */
export interface ChainProblem {
  readonly seq: number;
  readonly message: string;
}

export interface ChainCheck {
  /** Entries read and found intact, up to the first problem: all of them, or those `keep` kept. */
  readonly entries: AuditEntry[];
  /** How many entries were read and found intact, kept or not (the seq of the last). */
  readonly count: number;
  readonly problem?: ChainProblem;
  /** Hash of the last intact entry (GENESIS_HASH when none). */
  readonly headHash: string;
}

const HEX64 = /^[0-9a-f]{64}$/;

function parseEntry(line: string, expectedSeq: number): { entry?: AuditEntry; problem?: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return { problem: 'is not valid JSON' };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { problem: 'is not a JSON object' };
  const raw = parsed as Record<string, unknown>;
  const expected = ['schema_version', 'seq', 'prev', 'hash', 'type', 'rule', 'clause', 'subject', 'label', 'values'];
  const extra = Object.keys(raw).filter((key) => !expected.includes(key));
  if (extra.length > 0) return { problem: `has unexpected member(s) ${extra.join(', ')}` };
  if (raw['schema_version'] !== AUDIT_SCHEMA_VERSION) return { problem: `has schema_version ${JSON.stringify(raw['schema_version'])}; this povalloc reads version ${AUDIT_SCHEMA_VERSION}` };
  if (typeof raw['seq'] !== 'number' || !Number.isInteger(raw['seq'])) return { problem: 'has no whole-number seq' };
  if (raw['seq'] !== expectedSeq) {
    return { problem: `carries seq ${raw['seq']} where seq ${expectedSeq} was expected: an entry is missing, added or moved here` };
  }
  for (const key of ['prev', 'hash'] as const) {
    if (typeof raw[key] !== 'string' || !HEX64.test(raw[key])) return { problem: `has a malformed ${key}` };
  }
  if (typeof raw['type'] !== 'string' || !(AUDIT_ENTRY_TYPES as readonly string[]).includes(raw['type'])) return { problem: `has an unknown type ${JSON.stringify(raw['type'])}` };
  for (const key of ['rule', 'clause', 'subject', 'label'] as const) {
    if (typeof raw[key] !== 'string') return { problem: `has a ${key} that is not a string` };
  }
  const values = raw['values'];
  if (typeof values !== 'object' || values === null || Array.isArray(values) || Object.values(values).some((value) => typeof value !== 'string')) {
    return { problem: 'has values that are not an object of strings' };
  }
  return { entry: raw as unknown as AuditEntry };
}

/**
 * The lines of UTF-8 bytes in pieces (see auditLogPieces), as bytes: a line
 * may run from one piece into the next. Returns whether the last line was
 * ended by a newline (undefined: there were no bytes at all).
 */
export function* byteLinesOf(pieces: Iterable<Uint8Array>): Generator<Buffer, boolean | undefined> {
  // A line's start is kept until its end comes.
  let rest: Buffer | undefined;
  let any = false;
  for (const piece of pieces) {
    const buffer = Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
    if (buffer.length === 0) continue;
    any = true;
    let start = 0;
    for (let end = buffer.indexOf(0x0a); end >= 0; end = buffer.indexOf(0x0a, start)) {
      yield rest === undefined ? buffer.subarray(start, end) : Buffer.concat([rest, buffer.subarray(start, end)]);
      rest = undefined;
      start = end + 1;
    }
    if (start < buffer.length) rest = rest === undefined ? Buffer.from(buffer.subarray(start)) : Buffer.concat([rest, buffer.subarray(start)]);
  }
  if (rest !== undefined) {
    yield rest;
    return false;
  }
  return any ? true : undefined;
}

/**
 * The lines of a text, of UTF-8 bytes (a gunzipped log may be too long for one
 * string) or of UTF-8 bytes in pieces, and whether the last one was ended by a
 * newline (undefined: there was no text at all).
 */
function* linesOf(text: string | Uint8Array | Iterable<Uint8Array>): Generator<string | Buffer, boolean | undefined> {
  if (typeof text === 'string') {
    if (text.length === 0) return undefined;
    const terminated = text.endsWith('\n');
    for (const line of (terminated ? text.slice(0, -1) : text).split('\n')) yield line;
    return terminated;
  }
  return yield* byteLinesOf(text instanceof Uint8Array ? [text] : text);
}

/** A line as text: bytes are UTF-8. */
function lineText(line: string | Buffer): string {
  return typeof line === 'string' ? line : line.toString('utf8');
}

/**
 * Re-computes the chain of an audit.jsonl text (or its UTF-8 bytes). Stops at
 * the first entry that is malformed, out of sequence, does not point to its
 * predecessor, or whose hash does not match its content. Every entry is
 * checked; only those `keep` accepts are kept (a reader that needs a few
 * entries of a large run's log need not hold them all).
 */
export function checkAuditChain(text: string | Uint8Array | Iterable<Uint8Array>, keep?: (entry: AuditEntry) => boolean): ChainCheck {
  return checkLines(linesOf(text), keep, 0, GENESIS_HASH);
}

/**
 * Whether ENTRY, parsed from LINE, has the hash chainedAuditLine gives it
 * after PREV. The canonical text is first taken from the line itself (its
 * header re-quoted, its members cut from the line as written and put in
 * canonical order), which escapes nothing again and makes no string of a
 * member's length: the rows of a large run's unit blocks are hundreds of
 * kilobytes a line. Only where that text does not give the entry's hash is
 * the entry quoted again as chainedAuditLine quotes it, which decides.
 *
 * Taken from the line, a hash can only match where quoting again would: a
 * text with the entry's hash is the canonical text it was written with (SHA-256
 * has no known collisions), whose members are unique, sorted and quoted as
 * JSON.stringify quotes them; the members cut from the line, in the line's
 * order of value names, are each the line's text of that name and its value,
 * so they hold the values the line was parsed to. A line the writer did not
 * write (other escapes, white space, a name twice) misses here and is checked
 * as before; members in another order are put in canonical order all the same.
 */
function hashMatches(line: string, entry: AuditEntry, seq: number, prev: string): boolean {
  let fromLine: string | undefined;
  try {
    fromLine = hashFromLine(line, entry, seq, prev);
  } catch {
    fromLine = undefined;
  }
  return fromLine === entry.hash || chainedAuditLine(entry, seq, prev).hash === entry.hash;
}

/** The hash of ENTRY's canonical text made from LINE's own text (see hashMatches); undefined when the line is not as chainedAuditLine writes it. Exported for tests. */
export function hashFromLine(line: string, entry: AuditEntry, seq: number, prev: string): string | undefined {
  const header = quotedHeader(entry, seq, prev);
  const opening = lineOpening(header);
  // The line as linesOf gives it: without its line feed.
  const closing = lineClosing(header, entry.hash).slice(0, -1);
  const end = line.length - closing.length;
  if (end < opening.length || !line.startsWith(opening) || !line.endsWith(closing)) return undefined;
  const names = Object.keys(entry.values);
  const count = names.length;
  if (count === 0) return end === opening.length ? sha256Hex(`${canonicalOpening(header)}${CANONICAL_CLOSING}`) : undefined;
  // Where each member begins: the first right after the opening, each other after a comma. A comma followed by a
  // quote lies between two members only: in a JSON string every quote is escaped.
  const starts = new Array<number>(count + 1);
  if (!line.startsWith(`${quotedName(names[0]!)}:`, opening.length)) return undefined;
  starts[0] = opening.length;
  for (let index = 1; index < count; index++) {
    const found = line.indexOf(`,${quotedName(names[index]!)}:`, starts[index - 1]! + 1);
    if (found === -1 || found >= end) return undefined;
    starts[index] = found + 1;
  }
  starts[count] = end + 1;
  return membersHash(header, names, (index) => line.slice(starts[index]!, starts[index + 1]! - 1));
}

/** The hash of the canonical text of an entry with HEADER whose values' members (NAMES, in the order given) are MEMBER's texts (`"name":"value"`): the members put in canonical order. */
function membersHash(header: QuotedHeader, names: readonly string[], member: (index: number) => string | Uint8Array): string {
  const order = names.length > 1 ? sortOrder(names) : undefined;
  const digest = createHash('sha256');
  digest.update(canonicalOpening(header));
  for (let position = 0; position < names.length; position++) {
    if (position > 0) digest.update(',');
    digest.update(member(order === undefined ? position : order[position]!));
  }
  digest.update(CANONICAL_CLOSING);
  return digest.digest('hex');
}

/**
 * Lines of at least this many bytes (a large run's unit blocks, tens to
 * hundreds of kilobytes each) are first checked from their bytes
 * (intactLineNotKept): reading them as text took most of `verify`'s time.
 */
const BYTE_CHECKED_LINE = 8 * 1024;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const VALUES_OPENING = Buffer.from('"values":{');
/** The bytes of lineClosing without its line feed: `},"schema_version":1,"prev":"<64 hex>","hash":"<64 hex>"}`. */
const CLOSING_BYTES = lineClosing({ seq: 0, type: '', rule: '', clause: '', subject: '', label: '', prev: `"${'0'.repeat(64)}"` }, '0'.repeat(64)).length - 1;

/** Where the JSON string whose text begins at FROM ends (its closing quote), before LIMIT; -1 when it does not. */
function stringEnd(bytes: Buffer, from: number, limit: number): number {
  for (let at = bytes.indexOf(QUOTE, from); at >= 0 && at < limit; at = bytes.indexOf(QUOTE, at + 1)) {
    // A quote preceded by an odd number of backslashes is escaped (the string's opening quote stops the count).
    let backslashes = 0;
    while (bytes[at - 1 - backslashes] === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return at;
  }
  return -1;
}

/**
 * The hash of entry SEQ, when its line (LINE, UTF-8 bytes) is as the log's
 * writer writes it after PREV, its hash matches, and KEEP does not keep it;
 * else undefined, and the line is checked as text (which then decides, and
 * says what is wrong). Nothing of the values is made a string: their members
 * are found in the bytes (each a name and a string, as the writer writes
 * them), put in canonical order and hashed as they stand, as hashFromLine
 * hashes them from the text. The entry's other members are parsed from the
 * line's opening and closing, which must be those the writer gives them.
 * Taken this way, a hash can only match where the text's would: the members
 * are the same bytes, split where the text's are (a quote ends a JSON string
 * unless an odd number of backslashes escapes it), and a text with the
 * entry's hash is the one it was written with (SHA-256 has no known
 * collisions), valid JSON in valid UTF-8. KEEP is shown the entry with each
 * value empty: keepers look at the entry's other members and its value
 * names only (log-readers.ts). Exported for tests.
 */
export function intactLineNotKept(line: Buffer, seq: number, prev: string, keep: (entry: AuditEntry) => boolean): string | undefined {
  const opening = line.indexOf(VALUES_OPENING);
  if (opening < 0) return undefined;
  const valuesStart = opening + VALUES_OPENING.length;
  const valuesEnd = line.length - CLOSING_BYTES;
  if (valuesEnd < valuesStart) return undefined;
  const head = line.toString('utf8', 0, valuesStart);
  const tail = line.toString('latin1', valuesEnd);
  // The entry with no values: its other members as the line gives them, checked as parseEntry checks a line.
  const { entry } = parseEntry(`${head}${tail}`, seq);
  if (entry === undefined || entry.prev !== prev) return undefined;
  let header: QuotedHeader;
  try {
    header = quotedHeader(entry, seq, prev);
  } catch {
    return undefined;
  }
  if (head !== lineOpening(header) || tail !== lineClosing(header, entry.hash).slice(0, -1)) return undefined;
  const names: string[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  for (let at = valuesStart; at < valuesEnd; ) {
    if (line[at] !== QUOTE) return undefined;
    const nameEnd = stringEnd(line, at + 1, valuesEnd);
    if (nameEnd < 0 || line[nameEnd + 1] !== COLON || line[nameEnd + 2] !== QUOTE) return undefined;
    const valueEnd = stringEnd(line, nameEnd + 3, valuesEnd);
    if (valueEnd < 0) return undefined;
    let name: unknown;
    try {
      name = JSON.parse(line.toString('utf8', at, nameEnd + 1));
    } catch {
      return undefined;
    }
    names.push(name as string);
    starts.push(at);
    ends.push(valueEnd + 1);
    at = valueEnd + 1;
    if (at < valuesEnd && line[at++] !== COMMA) return undefined;
    if (at === valuesEnd && line[at - 1] === COMMA) return undefined;
  }
  if (new Set(names).size !== names.length) return undefined;
  if (membersHash(header, names, (index) => line.subarray(starts[index]!, ends[index]!)) !== entry.hash) return undefined;
  const values: Record<string, string> = {};
  for (const name of names) values[name] = '';
  return keep({ ...entry, values }) ? undefined : entry.hash;
}

/**
 * checkAuditChain of the lines after entry START_SEQ, whose hash is START_PREV:
 * the seq and hash of the last intact entry and the count of entries are
 * counted from there (a log's first line follows entry 0, the genesis hash).
 */
function checkLines(lines: Generator<string | Buffer, boolean | undefined>, keep: ((entry: AuditEntry) => boolean) | undefined, startSeq: number, startPrev: string): ChainCheck {
  const entries: AuditEntry[] = [];
  let prev = startPrev;
  let seq = startSeq;
  for (;;) {
    const next = lines.next();
    if (next.done) {
      if (next.value === undefined) return { entries, count: seq, headHash: prev };
      if (!next.value) return { entries, count: seq, problem: { seq, message: `entry seq ${seq} is not ended by a newline: the file was cut short` }, headHash: prev };
      return { entries, count: seq, headHash: prev };
    }
    seq++;
    const bytes = next.value;
    if (keep !== undefined && typeof bytes !== 'string' && bytes.length >= BYTE_CHECKED_LINE) {
      const hash = intactLineNotKept(bytes, seq, prev, keep);
      if (hash !== undefined) {
        prev = hash;
        continue;
      }
    }
    const line = lineText(bytes);
    const { entry, problem } = parseEntry(line, seq);
    let message: string | undefined;
    if (!entry) message = `line ${seq} ${problem}`;
    else if (entry.prev !== prev) message = `entry seq ${seq} does not point to the entry before it (its prev differs): an entry before it was changed, removed or moved`;
    else if (!hashMatches(line, entry, seq, prev)) message = `entry seq ${seq} does not match its hash: its content was changed`;
    if (message !== undefined || !entry) return { entries, count: seq - 1, problem: { seq, message: message ?? `line ${seq} is unreadable` }, headHash: prev };
    if (keep === undefined || keep(entry)) entries.push(entry);
    prev = entry.hash;
  }
}

/**
 * The chain of a part of a log that begins at an entry other than the first
 * (the text from a gzip member on, see memberHalvingText): its first entry is taken
 * to be what it says it is, the entry after seq - 1 whose hash is its prev,
 * and every entry is checked from there as checkAuditChain checks them. The
 * caller compares that START with the end of the part before: when the two
 * meet (and the part before is intact), the chain of the whole is the chain
 * of the part before followed by this one, with this one's count and head.
 * Undefined when the part's first line does not say where it begins (not an
 * entry with a whole-number seq and a prev), or there is no text.
 */
export function checkAuditChainPart(
  text: Iterable<Uint8Array>,
  keep?: (entry: AuditEntry) => boolean,
): { readonly start: { readonly seq: number; readonly prev: string }; readonly chain: ChainCheck } | undefined {
  const lines = linesOf(text);
  const first = lines.next();
  if (first.done) return undefined;
  let start: { seq: number; prev: string } | undefined;
  try {
    const parsed = JSON.parse(lineText(first.value)) as { seq?: unknown; prev?: unknown };
    if (typeof parsed.seq === 'number' && Number.isInteger(parsed.seq) && parsed.seq >= 1 && typeof parsed.prev === 'string') start = { seq: parsed.seq, prev: parsed.prev };
  } catch {
    start = undefined;
  }
  if (start === undefined) return undefined;
  const again = (function* (): Generator<string | Buffer, boolean | undefined> {
    yield first.value;
    return yield* lines;
  })();
  return { start, chain: checkLines(again, keep, start.seq - 1, start.prev) };
}
