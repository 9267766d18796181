/**
 * Checks a run folder without recomputing the allocation: the manifest's own
 * hash, the audit log's chain and its agreement with the manifest, the
 * SHA-256 of every file the manifest lists, and (given a public key) the
 * signature. Pure: it is handed the folder's files as bytes.
 *
 * Findings come in the order an auditor needs them: the manifest, then the
 * audit log (naming the first broken entry by its seq), then each file whose
 * bytes differ from what the manifest recorded, then the signature.
 */
import type { KeyObject } from 'node:crypto';
import * as z from 'zod';
import { auditLogPieces, AUDIT_SCHEMA_VERSION, checkStoredAuditLog, sha256Hex, type AuditEntry, type ChainCheck, type KeepSpec } from './audit.js';
import { AUDIT_FILE, AUDIT_GZ_FILE, checkSignature, manifestSignedText, MANIFEST_FILE, MANIFEST_SCHEMA_VERSION, serializeManifest, type Manifest, type SignatureStatus } from './manifest.js';

export interface Finding {
  /** The file concerned, as a path inside the run folder. */
  readonly file: string;
  /** The audit entry concerned, when the finding is about one. */
  readonly seq?: number;
  readonly message: string;
}

export interface FileCheck {
  readonly path: string;
  readonly status: 'ok' | 'differs' | 'missing';
  readonly recorded: string;
  readonly found?: string;
}

export interface VerifyReport {
  readonly ok: boolean;
  readonly findings: readonly Finding[];
  /** Files in the folder that the manifest does not list (reported, not a failure). */
  readonly unlisted: readonly string[];
  readonly manifest?: Manifest;
  readonly files: readonly FileCheck[];
  readonly audit: { readonly entries: number; readonly intact: boolean; readonly headHash: string };
  /** `not_checked`: no public key given; `unsigned`: no key given and no signature present. */
  readonly signature: SignatureStatus | 'not_checked' | 'unsigned';
}

const HEX64 = z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 in hex');
const inputRecord = z.object({ role: z.string(), name: z.string(), path: z.string(), bytes: z.number().int(), sha256: HEX64, encoding: z.string() });
const outputRecord = z.object({ path: z.string(), bytes: z.number().int(), sha256: HEX64, rows: z.number().int().optional() });
const JSON_VALUE: z.ZodType<unknown> = z.unknown();

export const manifestSchema = z.object({
  schema_version: z.literal(MANIFEST_SCHEMA_VERSION),
  povalloc_version: z.string(),
  node_version: z.string(),
  command_line: z.array(z.string()),
  created_at: z.string(),
  options: z.record(z.string(), JSON_VALUE),
  inputs: z.array(inputRecord),
  policy: z.object({ name: z.string(), path: z.string(), sha256: HEX64 }),
  outputs: z.array(outputRecord),
  counts: z.record(z.string(), z.number()),
  totals: z.record(z.string(), z.string()),
  audit: z.object({ schema_version: z.number().int(), entries: z.number().int(), head_hash: z.string() }),
  manifest_hash: HEX64,
  signature: z.object({ algorithm: z.string(), public_key_sha256: z.string(), value: z.string() }).optional(),
});

/** Parses manifest.json's bytes; a finding when it is not a manifest this povalloc reads. */
export function parseManifest(bytes: Uint8Array | undefined): { manifest?: Manifest; finding?: Finding } {
  if (bytes === undefined) return { finding: { file: MANIFEST_FILE, message: 'is missing: this is not a povalloc run folder, or the manifest was removed' } };
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (error) {
    return { finding: { file: MANIFEST_FILE, message: `is not valid JSON (${(error as Error).message}): it was changed or cut short` } };
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { finding: { file: MANIFEST_FILE, message: `is not a povalloc manifest this version reads: ${issue.path.join('.') || '(top level)'}: ${issue.message}` } };
  }
  // Keep the raw object, not zod's copy: a member zod does not know must still count in the hash.
  return { manifest: raw as Manifest };
}

/** Cross-checks the audit log's file records against the manifest's. */
function compareLogWithManifest(entries: readonly AuditEntry[], manifest: Manifest, auditName: string): Finding | undefined {
  const recorded = new Map<string, string>();
  for (const input of manifest.inputs) recorded.set(input.path, input.sha256);
  recorded.set(manifest.policy.path, manifest.policy.sha256);
  for (const output of manifest.outputs) recorded.set(output.path, output.sha256);
  for (const entry of entries) {
    if (!recordsAFile(entry)) continue;
    const path = entry.values['path'];
    const sha256 = entry.values['sha256'];
    if (path === undefined || sha256 === undefined) continue;
    const manifestHash = recorded.get(path);
    if (manifestHash === undefined) return { file: auditName, seq: entry.seq, message: `entry seq ${entry.seq} records ${path}, which the manifest does not list` };
    if (manifestHash !== sha256) return { file: auditName, seq: entry.seq, message: `entry seq ${entry.seq} records a different SHA-256 for ${path} than the manifest does` };
  }
  return undefined;
}

/** Whether a stored log can be read (gunzipped, when it is gzip). */
function readable(stored: Uint8Array): boolean {
  try {
    for (const piece of auditLogPieces(stored)) void piece;
    return true;
  } catch {
    return false;
  }
}

/** Whether compareLogWithManifest looks at an entry, and so which entries verify keeps of a log: those that record a file by its hash (an input read, an output written). */
export function recordsAFile(entry: AuditEntry): boolean {
  return entry.type === 'input_loaded' || (entry.type === 'output_written' && entry.subject === 'national');
}

/** How a stored log's chain is checked (checkStoredAuditLog, or the same made on two threads), keeping the entries KEEP names. */
export type LogChecker = (stored: Uint8Array, keep: KeepSpec) => ChainCheck | undefined;

const checkOnThisThread: LogChecker = (stored) => checkStoredAuditLog(stored, recordsAFile);

function checkAudit(stored: Uint8Array | undefined, manifest: Manifest, findings: Finding[], auditName: string, checkLog: LogChecker): VerifyReport['audit'] {
  if (stored === undefined) {
    findings.push({ file: auditName, seq: 1, message: 'is missing' });
    return { entries: 0, intact: false, headHash: '' };
  }
  const unreadable = (): VerifyReport['audit'] => {
    findings.push({ file: auditName, seq: 1, message: 'is not a readable gzip file: it was cut short or changed' });
    return { entries: 0, intact: false, headHash: '' };
  };
  if (manifest.audit.schema_version !== AUDIT_SCHEMA_VERSION) {
    if (!readable(stored)) return unreadable();
    findings.push({ file: auditName, message: `has schema version ${manifest.audit.schema_version}; this povalloc reads version ${AUDIT_SCHEMA_VERSION}` });
    return { entries: 0, intact: false, headHash: '' };
  }
  // Every entry's hash is checked; only those that record a file are kept (a large run's log is read a member at a time).
  const chain = checkLog(stored, { kind: 'records-a-file' });
  if (chain === undefined) return unreadable();
  const count = chain.count;
  const before = findings.length;
  if (chain.problem) {
    findings.push({ file: auditName, seq: chain.problem.seq, message: chain.problem.message });
  } else if (count < manifest.audit.entries) {
    findings.push({
      file: auditName,
      seq: count + 1,
      message: `ends after entry seq ${count}, but the manifest records ${manifest.audit.entries} entries: entries from seq ${count + 1} on are missing (the log was cut short)`,
    });
  } else if (count > manifest.audit.entries) {
    findings.push({
      file: auditName,
      seq: manifest.audit.entries + 1,
      message: `has ${count} entries, but the manifest records ${manifest.audit.entries}: entries from seq ${manifest.audit.entries + 1} on were added`,
    });
  } else if (chain.headHash !== manifest.audit.head_hash) {
    findings.push({ file: auditName, seq: count, message: `the hash of its last entry (seq ${count}) is not the one the manifest records: the log was replaced` });
  } else {
    const disagreement = compareLogWithManifest(chain.entries, manifest, auditName);
    if (disagreement) findings.push(disagreement);
  }
  return { entries: count, intact: findings.length === before, headHash: chain.headHash };
}

/**
 * A run folder's files, by their '/'-separated paths inside it: a map of
 * bytes, or files read only when asked for (see io/read-run-folder.ts), with
 * a file's SHA-256 taken as it is read rather than from all of it in memory.
 */
export interface RunFiles {
  keys(): Iterable<string>;
  has(path: string): boolean;
  get(path: string): Uint8Array | undefined;
  /** The file's SHA-256 in hex (undefined when it is not there); without it, that of `get(path)`. */
  sha256?(path: string): string | undefined;
}

function sha256Of(files: RunFiles, path: string): string | undefined {
  if (files.sha256) return files.sha256(path);
  const bytes = files.get(path);
  return bytes === undefined ? undefined : sha256Hex(bytes);
}

export function verifyRun(files: RunFiles, options: { publicKey?: KeyObject; checkLog?: LogChecker } = {}): VerifyReport {
  const findings: Finding[] = [];
  const manifestBytes = files.get(MANIFEST_FILE);
  const { manifest, finding } = parseManifest(manifestBytes);
  const noAudit = { entries: 0, intact: false, headHash: '' };
  if (!manifest) {
    return { ok: false, findings: [finding!], unlisted: [], files: [], audit: noAudit, signature: options.publicKey ? 'missing' : 'not_checked' };
  }
  if (sha256Hex(manifestSignedText(manifest)) !== manifest.manifest_hash) {
    findings.push({ file: MANIFEST_FILE, message: 'its content does not match its manifest_hash: the manifest was changed after it was written' });
  } else if (serializeManifest(manifest) !== Buffer.from(manifestBytes!).toString('utf8')) {
    // Same content, other bytes: spacing, line ends or the final newline were edited.
    findings.push({ file: MANIFEST_FILE, message: 'is not laid out as povalloc wrote it (spacing, line ends or the final newline were edited), though its content still matches its manifest_hash' });
  }

  // A large run's log is audit.jsonl.gz; its entries are checked on the gunzipped text.
  const auditName = files.has(AUDIT_FILE) || !files.has(AUDIT_GZ_FILE) ? AUDIT_FILE : AUDIT_GZ_FILE;
  const audit = checkAudit(files.get(auditName), manifest, findings, auditName, options.checkLog ?? checkOnThisThread);

  const recorded = [...manifest.inputs.map(({ path, sha256 }) => ({ path, sha256 })), { path: manifest.policy.path, sha256: manifest.policy.sha256 }, ...manifest.outputs];
  const fileChecks: FileCheck[] = recorded.map(({ path, sha256 }) => {
    const found = sha256Of(files, path);
    if (found === undefined) {
      findings.push({ file: path, message: 'is missing' });
      return { path, status: 'missing', recorded: sha256 };
    }
    if (found !== sha256) {
      findings.push({ file: path, message: `differs from the manifest: SHA-256 ${found}, recorded ${sha256}` });
      return { path, status: 'differs', recorded: sha256, found };
    }
    return { path, status: 'ok', recorded: sha256, found };
  });
  const listed = new Set([MANIFEST_FILE, ...recorded.map(({ path }) => path)]);
  const unlisted = [...files.keys()].filter((path) => !listed.has(path)).sort();

  let signature: VerifyReport['signature'] = manifest.signature ? 'not_checked' : 'unsigned';
  if (options.publicKey) {
    signature = checkSignature(manifest, options.publicKey);
    if (signature === 'missing') findings.push({ file: MANIFEST_FILE, message: 'is not signed, but a signature was asked for (--public-key)' });
    if (signature === 'invalid') findings.push({ file: MANIFEST_FILE, message: 'its signature is not valid for this public key: the manifest was changed after it was signed' });
    if (signature === 'other_key') findings.push({ file: MANIFEST_FILE, message: `is signed with another key (public key SHA-256 ${manifest.signature?.public_key_sha256 ?? '?'}), not with the one given` });
  }
  return { ok: findings.length === 0, findings, unlisted, manifest, files: fileChecks, audit, signature };
}
