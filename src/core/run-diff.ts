/**
 * Where two renderings of a run differ, file by file, in terms a person can
 * act on: the first differing line, and for CSV tables the row's key (county
 * or province code) and the columns that differ; for the audit log the entry's
 * seq, rule and subject. Pure: works on bytes already read.
 */
import { auditLogBytes } from './audit.js';
import { canonicalJson } from './canonical-json.js';
import type { Manifest } from './manifest.js';
import { parseCsvTable } from './table.js';

export interface CellDifference {
  readonly column: string;
  readonly recorded: string;
  readonly replayed: string;
}

export interface FileDifference {
  readonly file: string;
  /** 1-based line of the first difference in the recorded file, when there is one. */
  readonly line?: number;
  /** The key of the differing row or entry: `county_code 520111`, `seq 17`. */
  readonly where?: string;
  readonly cells?: readonly CellDifference[];
  /** Rows (or entries) that differ in all. */
  readonly rowsDiffering?: number;
  readonly message: string;
}

function shorten(text: string, max = 160): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function splitLines(text: string): string[] {
  return text.split(/\r?\n/);
}

function firstDifferingLine(recorded: string, replayed: string, file: string): FileDifference {
  const a = splitLines(recorded);
  const b = splitLines(replayed);
  const count = Math.max(a.length, b.length);
  for (let index = 0; index < count; index++) {
    if (a[index] === b[index]) continue;
    const line = index + 1;
    if (a[index] === undefined) return { file, line, message: `line ${line}: the replay has more lines: ${JSON.stringify(shorten(b[index] ?? ''))}` };
    if (b[index] === undefined) return { file, line, message: `line ${line}: the replay ends before it; recorded ${JSON.stringify(shorten(a[index] ?? ''))}` };
    return { file, line, message: `line ${line}: recorded ${JSON.stringify(shorten(a[index]!))}, replayed ${JSON.stringify(shorten(b[index]!))}` };
  }
  return { file, message: 'the lines match but the bytes differ (line ends, a byte-order mark or the final newline)' };
}

function csvDifference(file: string, recordedText: string, replayedText: string): FileDifference | undefined {
  const recorded = parseCsvTable(file, recordedText).table;
  const replayed = parseCsvTable(file, replayedText).table;
  if (!recorded || !replayed) return undefined;
  if (canonicalJson(recorded.header) !== canonicalJson(replayed.header)) {
    return { file, line: recorded.headerLine, message: `line ${recorded.headerLine}: the header differs: recorded ${recorded.header.join(',')}; replayed ${replayed.header.join(',')}` };
  }
  const header = recorded.header;
  const keyColumn = header[0] ?? 'row';
  let first: FileDifference | undefined;
  let differing = 0;
  const count = Math.max(recorded.rows.length, replayed.rows.length);
  for (let index = 0; index < count; index++) {
    const a = recorded.rows[index];
    const b = replayed.rows[index];
    if (a && b && canonicalJson(a.cells) === canonicalJson(b.cells)) continue;
    differing++;
    if (first) continue;
    if (!a || !b) {
      const row = (a ?? b)!;
      first = {
        file,
        line: a?.line,
        where: `${keyColumn} ${row.cells[0] ?? ''}`,
        message: a ? `line ${a.line} (${keyColumn} ${row.cells[0] ?? ''}): this row is missing from the replay` : `the replay has an extra row (${keyColumn} ${row.cells[0] ?? ''})`,
      };
      continue;
    }
    const where = a.cells[0] === b.cells[0] ? `${keyColumn} ${a.cells[0] ?? ''}` : `${keyColumn} ${a.cells[0] ?? ''} (replayed: ${b.cells[0] ?? ''})`;
    const cells: CellDifference[] = [];
    header.forEach((column, columnIndex) => {
      const recordedCell = a.cells[columnIndex] ?? '';
      const replayedCell = b.cells[columnIndex] ?? '';
      if (recordedCell !== replayedCell) cells.push({ column, recorded: recordedCell, replayed: replayedCell });
    });
    const described = cells.map((cell) => `${cell.column} recorded ${cell.recorded}, replayed ${cell.replayed}`).join('; ');
    first = { file, line: a.line, where, cells, message: `line ${a.line} (${where}): ${described}` };
  }
  if (!first) return undefined;
  return { ...first, rowsDiffering: differing, message: differing > 1 ? `${first.message} (${differing} rows differ in all)` : first.message };
}

function auditDifference(file: string, recordedText: string, replayedText: string): FileDifference | undefined {
  const a = recordedText.split('\n');
  const b = replayedText.split('\n');
  let differing = 0;
  let first: FileDifference | undefined;
  for (let index = 0; index < Math.max(a.length, b.length); index++) {
    if (a[index] === b[index]) continue;
    differing++;
    if (first) continue;
    const line = index + 1;
    let recordedEntry: Record<string, unknown> | undefined;
    let replayedEntry: Record<string, unknown> | undefined;
    try {
      recordedEntry = a[index] ? (JSON.parse(a[index]!) as Record<string, unknown>) : undefined;
      replayedEntry = b[index] ? (JSON.parse(b[index]!) as Record<string, unknown>) : undefined;
    } catch {
      return firstDifferingLine(recordedText, replayedText, file);
    }
    const entry = recordedEntry ?? replayedEntry!;
    const where = `seq ${String(entry['seq'])}, ${String(entry['type'])} ${String(entry['rule'])} ${String(entry['subject'])}`;
    const cells: CellDifference[] = [];
    if (recordedEntry && replayedEntry) {
      for (const key of ['type', 'rule', 'clause', 'subject', 'label']) {
        if (recordedEntry[key] !== replayedEntry[key]) cells.push({ column: key, recorded: String(recordedEntry[key]), replayed: String(replayedEntry[key]) });
      }
      const recordedValues = (recordedEntry['values'] ?? {}) as Record<string, string>;
      const replayedValues = (replayedEntry['values'] ?? {}) as Record<string, string>;
      for (const key of [...new Set([...Object.keys(recordedValues), ...Object.keys(replayedValues)])]) {
        if (recordedValues[key] !== replayedValues[key]) cells.push({ column: `values.${key}`, recorded: recordedValues[key] ?? '(none)', replayed: replayedValues[key] ?? '(none)' });
      }
    }
    const described = cells.length > 0 ? cells.map((cell) => `${cell.column} recorded ${shorten(cell.recorded, 80)}, replayed ${shorten(cell.replayed, 80)}`).join('; ') : recordedEntry ? 'missing from the replay' : 'only in the replay';
    first = { file, line, where, cells, message: `line ${line} (${where}): ${described}` };
  }
  if (!first) return undefined;
  return { ...first, rowsDiffering: differing, message: differing > 1 ? `${first.message} (${differing} lines differ in all; later ones follow from the chain)` : first.message };
}

/** The difference between a recorded file and its replay, or undefined when the bytes are equal. */
export function diffFile(file: string, recorded: Uint8Array | undefined, replayed: Uint8Array | undefined): FileDifference | undefined {
  if (recorded === undefined && replayed === undefined) return undefined;
  if (recorded === undefined) return { file, message: 'is missing from the recorded run folder (the replay wrote it)' };
  if (replayed === undefined) return { file, message: 'was not written by the replay' };
  if (Buffer.compare(Buffer.from(recorded), Buffer.from(replayed)) === 0) return undefined;
  const name = file.split('/').at(-1) ?? file;
  if (name.endsWith('.jsonl.gz')) {
    // A large run's audit log: compared as the text it holds.
    try {
      const recordedLog = auditLogBytes(recorded).toString('utf8');
      const replayedLog = auditLogBytes(replayed).toString('utf8');
      return auditDifference(file, recordedLog, replayedLog) ?? firstDifferingLine(recordedLog, replayedLog, file);
    } catch {
      return { file, message: 'differs (compressed; it could not be read back line by line)' };
    }
  }
  const recordedText = Buffer.from(recorded).toString('utf8');
  const replayedText = Buffer.from(replayed).toString('utf8');
  if (name.endsWith('.csv')) {
    const difference = csvDifference(file, recordedText, replayedText);
    if (difference) return difference;
  } else if (name.endsWith('.jsonl')) {
    const difference = auditDifference(file, recordedText, replayedText);
    if (difference) return difference;
  }
  return firstDifferingLine(recordedText, replayedText, file);
}

/** Members of the manifest that describe the machine or the moment, not the run: never compared. */
export const MANIFEST_ENVIRONMENT = ['created_at', 'command_line', 'povalloc_version', 'node_version', 'manifest_hash', 'signature'] as const;

/** Differences between the recorded manifest and the replay's, outside the environment members. */
export function diffManifests(recorded: Manifest, replayed: Manifest): FileDifference[] {
  const differences: FileDifference[] = [];
  const recordedInputs = new Map(recorded.inputs.map((input) => [input.path, input]));
  for (const input of replayed.inputs) {
    const before = recordedInputs.get(input.path);
    if (!before) differences.push({ file: input.path, message: 'is an input the replay read that the manifest does not record' });
    else if (before.sha256 !== input.sha256) {
      differences.push({ file: input.path, message: `is not the file recorded in manifest.json (SHA-256 ${input.sha256}, recorded ${before.sha256}): the input copy was changed after the run` });
    } else if (before.encoding !== input.encoding) {
      differences.push({ file: input.path, message: `was decoded as ${input.encoding}; the run decoded it as ${before.encoding}` });
    }
  }
  const skip = new Set<string>([...MANIFEST_ENVIRONMENT, 'inputs', 'outputs']);
  const keys = [...new Set([...Object.keys(recorded), ...Object.keys(replayed)])].filter((key) => !skip.has(key)).sort();
  for (const key of keys) {
    const a = (recorded as unknown as Record<string, unknown>)[key];
    const b = (replayed as unknown as Record<string, unknown>)[key];
    if (canonicalJson(a ?? null) !== canonicalJson(b ?? null)) {
      differences.push({ file: 'manifest.json', where: key, message: `${key}: recorded ${shorten(canonicalJson(a ?? null))}, replayed ${shorten(canonicalJson(b ?? null))}` });
    }
  }
  return differences;
}
