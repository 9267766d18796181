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
import { createHash } from 'node:crypto';
import type { AllocationResult } from './allocate.js';
import { canonicalJson } from './canonical-json.js';
import { formatYuan } from './money.js';
import type { Step } from './state.js';

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
  readonly rows: readonly (readonly string[])[];
}

export interface AuditSource {
  readonly inputs: readonly InputRecord[];
  /** The effective policy as canonical JSON. */
  readonly policy: { readonly name: string; readonly path: string; readonly sha256: string };
  readonly result: AllocationResult;
  readonly tables: readonly SubjectTable[];
  readonly outputs: readonly OutputRecord[];
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

function stepRecord(step: Step): AuditRecord {
  return { type: step.type, rule: step.rule, clause: step.clause, subject: step.subject, label: step.label, values: { ...step.values } };
}

/** The entries of a run, in order: inputs, the rules' steps, pots and rounding, checks, outputs. */
export function buildAuditRecords(source: AuditSource): AuditRecord[] {
  const { result } = source;
  const records: AuditRecord[] = [];
  for (const input of source.inputs) {
    records.push({
      type: 'input_loaded',
      rule: 'input',
      clause: '',
      subject: 'national',
      label: `${input.role} file read`,
      values: { role: input.role, name: input.name, path: input.path, bytes: String(input.bytes), sha256: input.sha256, encoding: input.encoding },
    });
  }
  records.push({
    type: 'input_loaded',
    rule: 'input',
    clause: '',
    subject: 'national',
    label: 'effective policy',
    values: { role: 'effective_policy', name: source.policy.name, path: source.policy.path, sha256: source.policy.sha256 },
  });
  for (const skipped of result.skippedRules) {
    records.push({ type: 'rule_applied', rule: skipped.rule, clause: skipped.clause, subject: 'national', label: 'rule skipped', values: { reason: skipped.reason } });
  }
  for (const step of result.steps) records.push(stepRecord(step));
  for (const pot of result.pots) {
    const subject = pot.provinceCode === '' ? 'national' : pot.provinceCode;
    records.push({
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
    });
    if (pot.roundingFen > 0n) {
      records.push({
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
      });
    }
  }
  for (const check of result.checks) {
    records.push({
      type: 'check',
      rule: check.rule,
      clause: check.clause,
      subject: check.code === '' ? 'national' : check.code,
      label: check.check,
      values: { check: check.check, severity: check.severity, scope: check.scope, name: check.name, message: check.message, value: check.value, threshold: check.threshold },
    });
  }
  for (const table of source.tables) {
    const subjectIndex = table.columns.indexOf(table.subjectColumn);
    for (const row of table.rows) {
      const values: Record<string, string> = {};
      table.columns.forEach((column, index) => {
        values[column] = row[index] ?? '';
      });
      records.push({ type: 'output_written', rule: 'output', clause: '', subject: row[subjectIndex] ?? '', label: `row of ${table.path}`, values });
    }
  }
  for (const output of source.outputs) {
    const values: Record<string, string> = { path: output.path, bytes: String(output.bytes), sha256: output.sha256 };
    if (output.rows !== undefined) values['rows'] = String(output.rows);
    records.push({ type: 'output_written', rule: 'output', clause: '', subject: 'national', label: `${output.path} written`, values });
  }
  return records;
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

/** Where the chain first fails: the entry's seq (its line number) and why. */
export interface ChainProblem {
  readonly seq: number;
  readonly message: string;
}

export interface ChainCheck {
  /** Entries read and found intact, up to the first problem. */
  readonly entries: AuditEntry[];
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
 * Re-computes the chain of an audit.jsonl text. Stops at the first entry that
 * is malformed, out of sequence, does not point to its predecessor, or whose
 * hash does not match its content.
 */
export function checkAuditChain(text: string): ChainCheck {
  const entries: AuditEntry[] = [];
  let prev = GENESIS_HASH;
  if (text === '') return { entries, headHash: prev };
  const terminated = text.endsWith('\n');
  const lines = (terminated ? text.slice(0, -1) : text).split('\n');
  for (let index = 0; index < lines.length; index++) {
    const seq = index + 1;
    const { entry, problem } = parseEntry(lines[index]!, seq);
    let message: string | undefined;
    if (!entry) message = `line ${seq} ${problem}`;
    else if (entry.prev !== prev) message = `entry seq ${seq} does not point to the entry before it (its prev differs): an entry before it was changed, removed or moved`;
    else if (entryHash(entry) !== entry.hash) message = `entry seq ${seq} does not match its hash: its content was changed`;
    if (message !== undefined || !entry) return { entries, problem: { seq, message: message ?? `line ${seq} is unreadable` }, headHash: prev };
    entries.push(entry);
    prev = entry.hash;
  }
  if (!terminated) return { entries, problem: { seq: lines.length, message: `entry seq ${lines.length} is not ended by a newline: the file was cut short` }, headHash: prev };
  return { entries, headHash: prev };
}
