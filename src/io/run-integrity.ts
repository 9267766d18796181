/**
 * "Does this run verify?" as the report shows it: the same check as
 * `povalloc verify` (file hashes, manifest hash, audit chain). The report
 * takes the checker as a parameter (`IntegrityChecker`).
 *
 * The manifest's exact shape belongs to the audit issue; this reads it
 * tolerantly: outputs/inputs as an array of `{name|path|file, sha256}` or as
 * an object from name to a hash or to `{sha256}`.
 */
import { verifyRun } from '../core/verify-run.js';
import { openRunFolder } from './read-run-folder.js';

export interface HashedFile {
  readonly name: string;
  readonly sha256: string;
  /** Extra facts a manifest records (encoding, role, rows), shown as they are. */
  readonly details: Readonly<Record<string, string>>;
}

export interface ManifestFacts {
  readonly version: string | undefined;
  readonly inputs: readonly HashedFile[];
  readonly outputs: readonly HashedFile[];
  readonly auditHead: string | undefined;
}

export type IntegrityStatus = 'no_manifest' | 'unreadable' | 'no_outputs' | 'verified' | 'differs';

export interface FileDifference {
  readonly file: string;
  readonly reason: 'missing' | 'hash' | 'outside' | 'finding';
  /** What `verify` found, for reason 'finding'. */
  readonly detail?: string;
}

export interface Integrity {
  readonly status: IntegrityStatus;
  readonly checkedFiles: number;
  readonly differences: readonly FileDifference[];
  readonly manifest: ManifestFacts | undefined;
}

/** The pluggable check: a run folder and its parsed manifest.json (undefined when absent). */
export type IntegrityChecker = (dir: string, manifest: unknown, manifestPresent: boolean) => Integrity;

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
}

function scalarDetails(entry: Record<string, unknown>, skip: readonly string[]): Record<string, string> {
  const details: Record<string, string> = {};
  for (const [key, value] of Object.entries(entry)) {
    if (skip.includes(key)) continue;
    const shown = text(value) ?? (typeof value === 'boolean' ? String(value) : undefined);
    if (shown !== undefined) details[key] = shown;
  }
  return details;
}

const NAME_KEYS = ['name', 'path', 'file', 'role'];
const HASH_KEYS = ['sha256', 'hash', 'sha256_hex'];

/** Files with hashes from a manifest section, whichever of the tolerated shapes it has. */
export function hashedFilesOf(section: unknown): HashedFile[] {
  const files: HashedFile[] = [];
  if (Array.isArray(section)) {
    for (const item of section) {
      const entry = asRecord(item);
      if (!entry) continue;
      const name = NAME_KEYS.map((key) => text(entry[key])).find((value) => value !== undefined);
      const sha256 = HASH_KEYS.map((key) => text(entry[key])).find((value) => value !== undefined);
      if (name !== undefined && sha256 !== undefined) files.push({ name, sha256, details: scalarDetails(entry, [...NAME_KEYS.slice(0, 3), ...HASH_KEYS]) });
    }
    return files;
  }
  const object = asRecord(section);
  if (!object) return files;
  for (const [key, value] of Object.entries(object)) {
    const direct = text(value);
    if (direct !== undefined) {
      files.push({ name: key, sha256: direct, details: {} });
      continue;
    }
    const entry = asRecord(value);
    if (!entry) continue;
    const sha256 = HASH_KEYS.map((hashKey) => text(entry[hashKey])).find((found) => found !== undefined);
    const name = ['path', 'file', 'name'].map((nameKey) => text(entry[nameKey])).find((found) => found !== undefined) ?? key;
    if (sha256 !== undefined) files.push({ name, sha256, details: { ...(name !== key ? { role: key } : {}), ...scalarDetails(entry, ['path', 'file', 'name', ...HASH_KEYS]) } });
  }
  return files;
}

/** What the report shows from a manifest: version, input and output hashes, audit head. */
export function manifestFacts(manifest: unknown): ManifestFacts | undefined {
  const root = asRecord(manifest);
  if (!root) return undefined;
  const tool = asRecord(root['tool']) ?? asRecord(root['povalloc']);
  const audit = asRecord(root['audit']) ?? asRecord(root['audit_log']);
  return {
    version: text(root['version']) ?? text(root['povalloc_version']) ?? text(tool?.['version']),
    inputs: hashedFilesOf(root['inputs']),
    outputs: hashedFilesOf(root['outputs']),
    auditHead: text(root['audit_head']) ?? text(audit?.['head']) ?? text(audit?.['last_hash']) ?? text(audit?.['head_hash']),
  };
}


/**
 * The full check, as `povalloc verify` makes it: every file hash in the
 * manifest, the manifest's own hash and the audit log's chain.
 */
export const checkWithVerify: IntegrityChecker = (dir, manifest, manifestPresent) => {
  if (!manifestPresent) return { status: 'no_manifest', checkedFiles: 0, differences: [], manifest: undefined };
  const facts = manifestFacts(manifest);
  const report = verifyRun(openRunFolder(dir));
  const differences: FileDifference[] = report.findings.map((finding) => ({
    file: finding.seq === undefined ? finding.file : `${finding.file} (seq ${finding.seq})`,
    reason: 'finding',
    detail: finding.message,
  }));
  return { status: report.ok ? 'verified' : 'differs', checkedFiles: report.files.length, differences, manifest: facts };
};
