/**
 * Reads the folder `povalloc report` is pointed at: a run folder (from
 * `allocate`), a compare folder or a sweep folder, told apart by their files.
 * CSVs are read by column name (BOM and CRLF tolerated, extra columns kept),
 * so columns that later rules add show up without changes here.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { auditLogPieces, byteLinesOf } from '../core/audit.js';
import { InputError, UsageError, type Problem } from '../core/problems.js';
import { ownText, visitCsvParts, type CsvText } from '../core/table.js';
import { lenientUtf8Parts } from './read-inputs.js';

/** A CSV file read by column name. */
export interface CsvFile {
  readonly file: string;
  readonly columns: readonly string[];
  readonly rows: readonly Readonly<Record<string, string>>[];
  /** The 1-based line each row starts on, for problems. */
  readonly lines: readonly number[];
}

export interface AuditLogInfo {
  readonly entries: number;
  /** The `hash` of the last entry, when it has one. */
  readonly head: string | undefined;
}

export interface RunFolderFiles {
  readonly kind: 'run';
  readonly dir: string;
  readonly allocations: CsvFile;
  readonly provinces: CsvFile;
  readonly checks: CsvFile;
  readonly summary: Readonly<Record<string, unknown>>;
  readonly projects: CsvFile | undefined;
  /** Parsed manifest.json; undefined when absent. */
  readonly manifest: unknown;
  readonly manifestPresent: boolean;
  readonly audit: AuditLogInfo | undefined;
}

export interface CompareFolderFiles {
  readonly kind: 'compare';
  readonly dir: string;
  readonly compare: Readonly<Record<string, unknown>>;
  readonly counties: CsvFile | undefined;
  readonly provinces: CsvFile | undefined;
  readonly bands: CsvFile;
  readonly metrics: CsvFile;
  readonly policyDiff: CsvFile | undefined;
}

export interface SweepFolderFiles {
  readonly kind: 'sweep';
  readonly dir: string;
  readonly sweep: Readonly<Record<string, unknown>>;
  readonly points: CsvFile;
}

export type ReportFolder = RunFolderFiles | CompareFolderFiles | SweepFolderFiles;

/** Columns each file must have; others are kept and shown when the report knows them. */
export const REQUIRED_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  'allocations.csv': ['county_code', 'county_name', 'province_code', 'poor_population', 'incidence', 'special_poverty_central', 'special_poverty_provincial', 'total'],
  'provinces.csv.run': ['province_code', 'province_name', 'priority_province', 'special_poverty_central', 'special_poverty_provincial', 'total'],
  'checks.csv': ['check', 'severity', 'clause', 'message'],
  'projects.csv': ['project_id', 'county_code'],
  'bands.csv': ['scenario', 'dimension', 'group', 'band', 'counties', 'poor_population'],
  'metrics.csv': ['scenario', 'metric', 'value'],
  'policy_diff.csv': ['scenario', 'path', 'base_value', 'scenario_value'],
  'sweep.csv': ['point'],
};

/**
 * Distinct values of a column kept once each, up to this many: a village
 * table repeats its provinces, regions, areas, flags and empty cells a
 * million times, while its codes, names and amounts are mostly distinct.
 */
const SHARED_VALUES_PER_COLUMN = 1_024;

/**
 * Parses CSV text (whole or in parts, see visitCsvParts) by header, with
 * the tokenizer povalloc reads its inputs with (several times faster than csv-parse on a million
 * rows, and the same cells for the files povalloc writes); problems for
 * quoting errors, ragged rows and duplicate headers. Each record becomes its
 * row as it is read (a million rows are not held twice), with the values a
 * column repeats kept once, and every value as text of its own (not a view
 * into the file's text, which one kept value would keep whole).
 */
export function parseCsvText(file: string, text: CsvText): { csv?: CsvFile; problems: Problem[] } {
  let columns: string[] | undefined;
  let shared: Map<string, string>[] = [];
  // Every row starts as a copy of this (same properties in the same order: one hidden class) and is then filled in:
  // four times faster than Object.fromEntries of name-value pairs, which makes a pair per cell.
  let template: Record<string, string> = {};
  let rows: Record<string, string>[] = [];
  let lines: number[] = [];
  const once = (values: Map<string, string>, value: string): string => {
    const known = values.get(value);
    if (known !== undefined) return known;
    const own = ownText(value);
    if (values.size < SHARED_VALUES_PER_COLUMN) values.set(own, own);
    return own;
  };
  // A visitor for each pass: the fast tokenizer hands a text it cannot read to csv-parse, which reads it again from the start.
  const visited = visitCsvParts(file, text, () => {
    columns = undefined;
    rows = [];
    lines = [];
    return {
      header(header) {
        columns = [...header];
        shared = columns.map(() => new Map());
        template = Object.fromEntries(columns.map((name) => [name, '']));
      },
      row(row) {
        const names = columns!;
        const values = { ...template };
        for (let index = 0; index < names.length; index++) values[names[index]!] = once(shared[index]!, row.cells[index]!);
        rows.push(values);
        lines.push(row.line);
      },
    };
  });
  if (visited.problems.length > 0) return { problems: visited.problems.map((problem) => ({ ...problem, message: `cannot be read as CSV: ${problem.message}` })) };
  if (columns === undefined) return { problems: [{ file, line: 0, message: 'is empty: expected a header row' }] };
  const problems: Problem[] = [];
  const seen = new Set<string>();
  for (const name of columns as string[]) {
    if (seen.has(name)) problems.push({ file, line: visited.headerLine, column: name, message: 'appears twice in the header' });
    seen.add(name);
  }
  return problems.length > 0 ? { problems } : { csv: { file, columns, rows, lines }, problems };
}

/** A file of the folder as bytes, or undefined (and a problem) when it is missing. */
function readBytes(dir: string, file: string, problems: Problem[]): Buffer | undefined {
  const path = join(dir, file);
  if (!existsSync(path)) {
    problems.push({ file, line: 0, message: `is missing from ${dir}` });
    return undefined;
  }
  return readFileSync(path);
}

function readCsv(dir: string, file: string, problems: Problem[], requiredKey = file): CsvFile | undefined {
  const bytes = readBytes(dir, file, problems);
  if (bytes === undefined) return undefined;
  // Decoded a part at a time: a million villages' allocations.csv is some 250 MB as one string.
  const { csv, problems: found } = parseCsvText(file, lenientUtf8Parts(bytes));
  problems.push(...found);
  if (!csv) return undefined;
  for (const column of REQUIRED_COLUMNS[requiredKey] ?? []) {
    if (!csv.columns.includes(column)) problems.push({ file, line: 1, column, message: 'required column is missing' });
  }
  return csv;
}

function readOptionalCsv(dir: string, file: string, problems: Problem[]): CsvFile | undefined {
  return existsSync(join(dir, file)) ? readCsv(dir, file, problems) : undefined;
}

function readJsonObject(dir: string, file: string, problems: Problem[]): Record<string, unknown> | undefined {
  const text = readBytes(dir, file, problems)?.toString('utf8');
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text.replace(/^\uFEFF/, '')) as unknown;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
    problems.push({ file, line: 0, message: 'is not a JSON object' });
  } catch (error) {
    problems.push({ file, line: 0, message: `is not valid JSON: ${(error as Error).message}` });
  }
  return undefined;
}

/** Entries and head of audit.jsonl, without checking the chain (that is `verify`'s job). */
export function readAuditLogInfo(text: string): AuditLogInfo {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  let head: string | undefined;
  const last = lines[lines.length - 1];
  if (last !== undefined) {
    try {
      const entry = JSON.parse(last) as { hash?: unknown };
      if (typeof entry.hash === 'string') head = entry.hash;
    } catch {
      head = undefined;
    }
  }
  return { entries: lines.length, head };
}

/**
 * readAuditLogInfo for a large log's text, which may not fit in one string,
 * in pieces (see auditLogPieces: a gzip member at a time): counts the lines
 * that are not empty, and reads the last one.
 */
export function readAuditLogInfoPieces(pieces: Iterable<Uint8Array>): AuditLogInfo {
  let entries = 0;
  let last: Buffer | undefined;
  for (const line of byteLinesOf(pieces)) {
    if (line.length === 0) continue;
    entries++;
    last = line;
  }
  return { entries, head: last === undefined ? undefined : readAuditLogInfo(last.toString('utf8')).head };
}

/** Which kind of folder this is, by the files it holds. */
export function detectFolderKind(dir: string): ReportFolder['kind'] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`${dir}: no such folder`);
  if (existsSync(join(dir, 'compare.json'))) return 'compare';
  if (existsSync(join(dir, 'sweep.json'))) return 'sweep';
  if (existsSync(join(dir, 'allocations.csv'))) return 'run';
  throw new UsageError(
    `${dir}: not a run, compare or sweep folder (expected allocations.csv and summary.json from allocate, compare.json from compare, or sweep.json from sweep)`,
  );
}

/** A run folder's manifest.json, parsed (undefined when absent or not JSON), and whether the file is there. */
export function readRunManifest(dir: string): { manifest: unknown; manifestPresent: boolean } {
  const manifestPresent = existsSync(join(dir, 'manifest.json'));
  let manifest: unknown;
  if (manifestPresent) {
    try {
      manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8').replace(/^\uFEFF/, '')) as unknown;
    } catch {
      manifest = undefined;
    }
  }
  return { manifest, manifestPresent };
}

/**
 * The entries and head of a run folder's audit log (audit.jsonl, or
 * audit.jsonl.gz read a gzip member at a time), undefined when it has none
 * or its compressed log cannot be read.
 */
export function readRunAuditLogInfo(dir: string): AuditLogInfo | undefined {
  const auditPath = join(dir, 'audit.jsonl');
  const gzipPath = join(dir, 'audit.jsonl.gz');
  if (existsSync(auditPath)) return readAuditLogInfo(readFileSync(auditPath, 'utf8'));
  if (!existsSync(gzipPath)) return undefined;
  try {
    return readAuditLogInfoPieces(auditLogPieces(readFileSync(gzipPath)));
  } catch {
    return undefined;
  }
}

/**
 * Reads the whole folder (a run's, a compare's or a sweep's); every problem
 * in it is reported together. With
 * `auditLogInfo: false` a run folder's audit log is not read (`audit` is
 * undefined): the caller has it read elsewhere (see integrity-aside.ts).
 */
export function readReportFolder(dir: string, options: { readonly auditLogInfo?: boolean } = {}): ReportFolder {
  const kind = detectFolderKind(dir);
  const problems: Problem[] = [];
  let folder: ReportFolder | undefined;
  if (kind === 'run') {
    const allocations = readCsv(dir, 'allocations.csv', problems);
    const provinces = readCsv(dir, 'provinces.csv', problems, 'provinces.csv.run');
    const checks = readCsv(dir, 'checks.csv', problems);
    const summary = readJsonObject(dir, 'summary.json', problems);
    const projects = readOptionalCsv(dir, 'projects.csv', problems);
    const { manifest, manifestPresent } = readRunManifest(dir);
    const audit = options.auditLogInfo === false ? undefined : readRunAuditLogInfo(dir);
    if (allocations && provinces && checks && summary) {
      folder = { kind, dir, allocations, provinces, checks, summary, projects, manifest, manifestPresent, audit };
    }
  } else if (kind === 'compare') {
    const compare = readJsonObject(dir, 'compare.json', problems);
    const bands = readCsv(dir, 'bands.csv', problems);
    const metrics = readCsv(dir, 'metrics.csv', problems);
    const counties = readOptionalCsv(dir, 'counties.csv', problems);
    const provinces = readOptionalCsv(dir, 'provinces.csv', problems);
    const policyDiff = readOptionalCsv(dir, 'policy_diff.csv', problems);
    if (compare && bands && metrics) folder = { kind, dir, compare, bands, metrics, counties, provinces, policyDiff };
  } else {
    const sweep = readJsonObject(dir, 'sweep.json', problems);
    const points = readCsv(dir, 'sweep.csv', problems);
    if (sweep && points) folder = { kind, dir, sweep, points };
  }
  if (problems.length > 0 || !folder) throw new InputError(problems);
  return folder;
}
