/**
 * manifest.json: what a run folder holds and how to check it. It records the
 * tool and Node versions, the command line, the options replay needs, every
 * input as read (SHA-256 before decoding, detected encoding), the effective
 * policy's hash, every output file's SHA-256 and row count, totals, and the
 * audit log's last hash.
 *
 * `manifest_hash` is the SHA-256 of the canonical JSON (RFC 8785) of the
 * manifest without `created_at`, `manifest_hash` and `signature`; an Ed25519
 * signature, when the run is signed, is over those same canonical bytes.
 * `created_at` is informational: no hash, signature or comparison covers it.
 *
 * Pure: the caller passes the time in; node:crypto only hashes and signs.
 */
import { createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { canonicalJson, type JsonValue } from './canonical-json.js';
import type { InputRecord, OutputRecord } from './audit.js';
import { sha256Hex } from './audit.js';

export const MANIFEST_SCHEMA_VERSION = 1;
export const MANIFEST_FILE = 'manifest.json';
export const AUDIT_FILE = 'audit.jsonl';
/** The audit log of a large run, gzip-compressed (see AUDIT_GZIP_THRESHOLD in audit.ts). */
export const AUDIT_GZ_FILE = 'audit.jsonl.gz';
export const EFFECTIVE_POLICY_FILE = 'inputs/policy.json';

/** Members that no hash, signature or comparison covers. */
const UNHASHED = ['created_at', 'manifest_hash', 'signature'] as const;

export interface ManifestSignature {
  readonly algorithm: 'ed25519';
  /** SHA-256 of the signing key's public key (SPKI, DER): tells keys apart. */
  readonly public_key_sha256: string;
  /** Base64 Ed25519 signature over the manifest's canonical bytes. */
  readonly value: string;
}

export interface Manifest {
  readonly schema_version: number;
  readonly povalloc_version: string;
  readonly node_version: string;
  readonly command_line: readonly string[];
  readonly created_at: string;
  /** Options that shape the outputs, other than the input files: what replay passes again. */
  readonly options: Readonly<Record<string, JsonValue>>;
  readonly inputs: readonly InputRecord[];
  readonly policy: { readonly name: string; readonly path: string; readonly sha256: string };
  readonly outputs: readonly OutputRecord[];
  readonly counts: Readonly<Record<string, number>>;
  readonly totals: Readonly<Record<string, string>>;
  readonly audit: { readonly schema_version: number; readonly entries: number; readonly head_hash: string };
  readonly manifest_hash: string;
  readonly signature?: ManifestSignature;
}

export type ManifestContent = Omit<Manifest, 'manifest_hash' | 'signature'>;

/** The canonical bytes that manifest_hash and the signature cover. */
export function manifestSignedText(manifest: ManifestContent | Manifest): string {
  const covered: Record<string, unknown> = { ...manifest };
  for (const key of UNHASHED) delete covered[key];
  return canonicalJson(covered);
}

export function buildManifest(content: ManifestContent): Manifest {
  return { ...content, manifest_hash: sha256Hex(manifestSignedText(content)) };
}

export function publicKeyFingerprint(key: KeyObject): string {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  return sha256Hex(publicKey.export({ type: 'spki', format: 'der' }));
}

export function signManifest(manifest: Manifest, privateKey: KeyObject): Manifest {
  const value = sign(null, Buffer.from(manifestSignedText(manifest), 'utf8'), privateKey).toString('base64');
  return { ...manifest, signature: { algorithm: 'ed25519', public_key_sha256: publicKeyFingerprint(privateKey), value } };
}

export type SignatureStatus = 'valid' | 'missing' | 'invalid' | 'other_key';

export function checkSignature(manifest: Manifest, publicKey: KeyObject): SignatureStatus {
  const signature = manifest.signature;
  if (!signature || typeof signature.value !== 'string') return 'missing';
  if (signature.algorithm !== 'ed25519') return 'invalid';
  let valid = false;
  try {
    valid = verify(null, Buffer.from(manifestSignedText(manifest), 'utf8'), publicKey, Buffer.from(signature.value, 'base64'));
  } catch {
    valid = false;
  }
  if (valid) return 'valid';
  return signature.public_key_sha256 !== publicKeyFingerprint(publicKey) ? 'other_key' : 'invalid';
}

/** manifest.json's text: indented for people; hashes use the canonical form. */
export function serializeManifest(manifest: Manifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}
