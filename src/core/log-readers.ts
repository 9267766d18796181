/**
 * The entries each reader of a stored log keeps, from their name (KeepSpec):
 * a check of the log made on another thread keeps what the reader here would.
 */
import type { AuditEntry, KeepSpec } from './audit.js';
import { entriesToExplain } from './explain.js';
import { recordsAFile } from './verify-run.js';

export function keepOf(spec: KeepSpec): (entry: AuditEntry) => boolean {
  return spec.kind === 'records-a-file' ? recordsAFile : entriesToExplain(spec.code);
}
