/**
 * Unit blocks: the audit log of a large run (more than AUDIT_GZIP_THRESHOLD
 * counties or villages) writes each run of consecutive per-unit entries of
 * one kind in one province as a single entry with one row per unit.
 *
 * A village table of a million rows makes four or five entries per village
 * (eligibility, assessment, the stage-2 share, the row written), each
 * repeating its type, rule, clause, label, every value name and two hashes:
 * about 2.3 kB a village, most of it the same text again and again. A block
 * says the shared part once:
 *
 *   subject  the province code
 *   label    `block of N units: <label>` (or `block of N units` when labels differ)
 *   values   block.units    N
 *            block.keys     the value names of each unit's entry, in order, joined by tabs
 *            block.label    the units' label, when every unit has the same one
 *            block.columns  what each row holds, joined by tabs: `block.subject`, then
 *                           `block.unit_label` when labels differ, then every value that differs
 *            block.rows     one row per unit, fields joined by tabs, rows by line feeds
 *                           (a tab-separated table: `jq -r '.values["block.rows"]'` prints it)
 *            <name>         a value every unit has alike, once
 *
 * It is an ordinary entry, hashed and chained like any other, so verify reads
 * it unchanged; `expandAuditBlocks` gives back each unit's entry exactly (same
 * type, rule, clause, subject, label, values in the same order, the block's
 * seq) for explain. Entries whose label or values hold a tab or a line feed
 * are never put in a block, so splitting the rows is unambiguous.
 */
import type { AuditEntry, AuditRecord, PiecedValue } from './audit.js';
import { escapedInJson } from './canonical-json.js';
import { isUnitCode } from './grammar.js';
import { StepSeries, UniformSeries } from './state.js';

/**
 * Above this many counties (or villages) a run is large: its audit log is
 * written gzip-compressed, with unit blocks, and leaves out what its
 * entries' other values determine (the stage-2 exact amount as a fraction).
 */
export const LARGE_RUN_UNITS = 20_000;

export function isLargeRun(units: number): boolean {
  return units > LARGE_RUN_UNITS;
}

export const BLOCK_VALUE_PREFIX = 'block.';
const FIELD_SEPARATOR = '\t';
const ROW_SEPARATOR = '\n';
/** The separators as JSON writes them in a string. */
const ESCAPED_FIELD_SEPARATOR = '\\t';
const ESCAPED_ROW_SEPARATOR = '\\n';
/** A block needs at least this many units; fewer are written as they are. */
const MIN_BLOCK_UNITS = 2;
/**
 * A block holds at most this many units; a longer run of entries is split.
 * The entries of a block are held until it is written: kept few, they die
 * young and cost the garbage collector little.
 */
const MAX_BLOCK_UNITS = 1_000;
/** The row columns that hold a unit's subject and (when labels differ) its label. */
const SUBJECT_COLUMN = 'block.subject';
const LABEL_COLUMN = 'block.unit_label';

const SEPARATORS = /[\t\n]/;

function blockable(text: string): boolean {
  return !SEPARATORS.test(text);
}

/**
 * How a field may go into a block's rows: PLAIN as it is, even between the
 * quotes of a JSON string (nothing in it is escaped); ESCAPED once the rows
 * are escaped as JSON; not at all (a tab or a line feed).
 */
const PLAIN = 0;
const ESCAPED = 1;
const NOT_BLOCKABLE = 2;
type FieldKind = typeof PLAIN | typeof ESCAPED | typeof NOT_BLOCKABLE;

function fieldKind(text: string): FieldKind {
  // Almost every field is plain: one test tells.
  if (!escapedInJson(text)) return PLAIN;
  return blockable(text) ? ESCAPED : NOT_BLOCKABLE;
}

/** The kind of a list of fields: the worst of theirs. */
function fieldsKind(fields: readonly string[]): FieldKind {
  let kind: FieldKind = PLAIN;
  for (const field of fields) {
    const own = fieldKind(field);
    if (own === NOT_BLOCKABLE) return own;
    if (own === ESCAPED) kind = ESCAPED;
  }
  return kind;
}

/** A unit entry read once (a rule may hand its values as a getter that formats them on demand). */
class Pending {
  constructor(
    readonly record: AuditRecord,
    /** The value names, in order, and the values in the same order. */
    readonly keys: readonly string[],
    readonly fields: readonly string[],
    /** No field holds a character JSON escapes (see PLAIN). */
    readonly plain: boolean,
    /** The values object, when it was read (to pass the record on without reading its getter again). */
    readonly values?: Readonly<Record<string, string>>,
  ) {}
}

/** The record with its values as read (spreading the record would read a getter again). */
function withValues(record: AuditRecord, values: Readonly<Record<string, string>>): AuditRecord {
  return { type: record.type, rule: record.rule, clause: record.clause, subject: record.subject, label: record.label, values };
}

function passOn(pending: Pending): AuditRecord {
  return withValues(pending.record, pending.values ?? pending.record.values);
}

/** Whether a unit entry can join a block begun by `first`: same type, rule, clause, province and value names in order. */
function sameKind(first: Pending, record: AuditRecord, keys: readonly string[]): boolean {
  const head = first.record;
  if (head.type !== record.type || head.rule !== record.rule || head.clause !== record.clause) return false;
  if (head.subject.charCodeAt(0) !== record.subject.charCodeAt(0) || head.subject.charCodeAt(1) !== record.subject.charCodeAt(1)) return false;
  const firstKeys = first.keys;
  if (firstKeys === keys) return true;
  if (firstKeys.length !== keys.length) return false;
  for (let index = 0; index < keys.length; index++) if (firstKeys[index] !== keys[index]) return false;
  return true;
}

function blockRecord(group: readonly Pending[]): AuditRecord {
  const first = group[0]!;
  const keys = first.keys;
  const label = first.record.label;
  let sameLabel = true;
  let plain = true;
  for (const pending of group) {
    if (pending.record.label !== label) sameLabel = false;
    if (!pending.plain) plain = false;
  }
  // Labels in the rows must be plain too (subjects are unit codes: digits).
  if (plain && !sameLabel) plain = group.every((pending) => fieldKind(pending.record.label) === PLAIN);
  // Plain rows are joined as JSON writes them between quotes (tabs and line feeds escaped), so the log
  // need not escape them again: the rows of a million villages are most of its text.
  const fieldSeparator = plain ? ESCAPED_FIELD_SEPARATOR : FIELD_SEPARATOR;
  const rowSeparator = plain ? ESCAPED_ROW_SEPARATOR : ROW_SEPARATOR;
  const constant: number[] = [];
  const varying: number[] = [];
  for (let column = 0; column < keys.length; column++) {
    const value = first.fields[column];
    let alike = true;
    for (let index = 1; index < group.length && alike; index++) alike = group[index]!.fields[column] === value;
    (alike ? constant : varying).push(column);
  }
  // Each row joined from its fields in one array of fixed length, then the rows a few dozen at a time (RowPieces).
  const pieces = new RowPieces(group.length, rowSeparator);
  const lead = sameLabel ? 1 : 2;
  const row: string[] = new Array<string>(lead + varying.length);
  // A row of a few fields (a unit's code alone, or its code, label and one or two values) is quicker made by `+`
  // than by join, which pays a call into the runtime for each row; join is quicker from about five fields on.
  const width = lead + varying.length;
  for (let index = 0; index < group.length; index++) {
    const pending = group[index]!;
    const fields = pending.fields;
    if (width === 1) {
      pieces.add(pending.record.subject);
    } else if (width <= SHORT_ROW_FIELDS) {
      let text = sameLabel ? pending.record.subject : pending.record.subject + fieldSeparator + pending.record.label;
      for (let at = 0; at < varying.length; at++) text += fieldSeparator + fields[varying[at]!]!;
      pieces.add(text);
    } else {
      row[0] = pending.record.subject;
      if (!sameLabel) row[1] = pending.record.label;
      for (let at = 0; at < varying.length; at++) row[lead + at] = fields[varying[at]!]!;
      pieces.add(row.join(fieldSeparator));
    }
  }
  return blockOf(first.record, keys, group.length, sameLabel ? label : undefined, constant, varying, first.fields, pieces.finish(), plain);
}

/** Rows of at most this many fields are made by `+` rather than join (see blockRecord). */
const SHORT_ROW_FIELDS = 4;

/** A block's rows in pieces of this many (a piece of a few kilobytes, made and dropped in the young generation). */
const ROWS_PER_PIECE = 64;
const ROWS_VALUE = 'block.rows';

/**
 * A block's rows, one after another, joined a few dozen at a time into
 * pieces: flat strings, the fastest of the ways measured (pieces pushed to
 * one array and joined once took twice as long). The rows' text stays in
 * those pieces (see AuditRecord.pieced): each small enough to die young.
 */
class RowPieces {
  private readonly pieces: string[] = [];
  private readonly rows: string[];
  private inPiece = 0;

  /** COUNT rows (at most) are to come, to be joined by SEPARATOR. */
  constructor(
    count: number,
    private readonly separator: string,
  ) {
    this.rows = new Array<string>(Math.min(count, ROWS_PER_PIECE));
  }

  add(row: string): void {
    this.rows[this.inPiece++] = row;
    if (this.inPiece === this.rows.length) this.close();
  }

  /** The pieces, the last rows' included. */
  finish(): string[] {
    if (this.inPiece > 0) {
      this.rows.length = this.inPiece;
      this.close();
    }
    return this.pieces;
  }

  private close(): void {
    const rows = this.rows;
    // Pieces after the first begin with the separator that ends the row before: put before their first row, so
    // that the piece is the flat string join makes (separator + piece would be a rope, copied again when written).
    if (this.pieces.length > 0) rows[0] = this.separator + rows[0]!;
    this.pieces.push(rows.join(this.separator));
    this.inPiece = 0;
  }
}

/**
 * A block of UNITS entries of FIRST's kind whose value names are KEYS: the
 * CONSTANT columns' values (FIELDS, any unit's) said once, the rows (in
 * PIECES) holding the VARYING ones; LABEL is the units' one, undefined when
 * theirs differ. Its rows (the last value) are kept in pieces, joined only
 * when `values` is read (an own property, which a spread copies).
 */
function blockOf(
  first: Pick<AuditRecord, 'type' | 'rule' | 'clause' | 'subject'>,
  keys: readonly string[],
  units: number,
  label: string | undefined,
  constant: readonly number[],
  varying: readonly number[],
  fields: readonly string[],
  pieces: string[],
  escaped: boolean,
): AuditRecord {
  const others: Record<string, string> = {
    'block.units': String(units),
    'block.keys': keys.join(FIELD_SEPARATOR),
  };
  if (label !== undefined) others['block.label'] = label;
  others['block.columns'] = [SUBJECT_COLUMN, ...(label !== undefined ? [] : [LABEL_COLUMN]), ...varying.map((column) => keys[column]!)].join(FIELD_SEPARATOR);
  for (const column of constant) others[keys[column]!] = fields[column]!;
  const pieced: PiecedValue = { name: ROWS_VALUE, pieces, others, escaped };
  return {
    type: first.type,
    rule: first.rule,
    clause: first.clause,
    subject: first.subject.slice(0, 2),
    label: label !== undefined ? `block of ${units} units: ${label}` : `block of ${units} units`,
    pieced,
    get values(): Record<string, string> {
      const text = pieced.pieces.join('');
      // Escaped pieces hold no backslash but those of the separators' escapes.
      return { ...pieced.others, [pieced.name]: pieced.escaped ? text.replaceAll(ESCAPED_FIELD_SEPARATOR, FIELD_SEPARATOR).replaceAll(ESCAPED_ROW_SEPARATOR, ROW_SEPARATOR) : text };
    },
  };
}

/** Column names that may go into a block: distinct, not the block's own, no separator. Remembered per list (a table's columns). */
const blockableKeys = new WeakMap<readonly string[], boolean>();

function keysBlockable(keys: readonly string[]): boolean {
  let result = blockableKeys.get(keys);
  if (result === undefined) {
    result = new Set(keys).size === keys.length && keys.every((name) => !name.startsWith(BLOCK_VALUE_PREFIX) && blockable(name));
    blockableKeys.set(keys, result);
  }
  return result;
}

/** Frozen lists of cells shared by many units (eligibility's reasons, assessment grades): looked at once each. */
const frozenCellsKind = new WeakMap<readonly string[], FieldKind>();

function cellsKind(cells: readonly string[]): FieldKind {
  if (!Object.isFrozen(cells)) return fieldsKind(cells);
  let result = frozenCellsKind.get(cells);
  if (result === undefined) {
    result = fieldsKind(cells);
    frozenCellsKind.set(cells, result);
  }
  return result;
}

/** A unit entry as names and values in order, or the record to pass on as it is when it cannot go into a block. */
function pendingOf(record: AuditRecord): Pending | AuditRecord {
  const { columns, cells } = record;
  if (columns !== undefined && cells !== undefined && cells.length === columns.length) {
    if (!keysBlockable(columns)) return record;
    const kind = record.cellsPlain === true ? PLAIN : cellsKind(cells);
    if (kind === NOT_BLOCKABLE) return record;
    return new Pending(record, columns, cells, kind === PLAIN);
  }
  const values = record.values;
  // An object's names are distinct: only the block prefix and the separators need a look.
  const keys = Object.keys(values);
  const fields: string[] = new Array<string>(keys.length);
  let ok = true;
  let plain = true;
  for (let index = 0; index < keys.length && ok; index++) {
    const key = keys[index]!;
    const value = values[key];
    const kind = value === undefined ? NOT_BLOCKABLE : fieldKind(value);
    if (kind === ESCAPED) plain = false;
    ok = kind !== NOT_BLOCKABLE && blockable(key) && !key.startsWith(BLOCK_VALUE_PREFIX);
    fields[index] = value!;
  }
  return ok ? new Pending(record, keys, fields, plain, values) : withValues(record, values);
}

/**
 * Gathers unit entries into blocks, one entry at a time (`add`); what is
 * ready to be written, blocks and entries passed on, waits in `ready` in order.
 */
class UnitBlocks {
  private group: Pending[] = [];
  ready: AuditRecord[] = [];
  /** The label of the last entry looked at and whether it may go into a block (units of a kind share one label or a few). */
  private lastLabel: string | undefined = undefined;
  private lastLabelBlockable = false;

  add(record: AuditRecord): void {
    // County (6-digit) and village (12-digit) codes are the subjects a block gathers.
    if (record.label !== this.lastLabel) {
      this.lastLabel = record.label;
      this.lastLabelBlockable = blockable(record.label);
    }
    if (!this.lastLabelBlockable || !isUnitCode(record.subject)) {
      this.flush();
      this.ready.push(record);
      return;
    }
    const pending = pendingOf(record);
    if (!(pending instanceof Pending)) {
      this.flush();
      this.ready.push(pending);
      return;
    }
    const group = this.group;
    if (group.length >= MAX_BLOCK_UNITS || (group.length > 0 && !sameKind(group[0]!, record, pending.keys))) this.flush();
    this.group.push(pending);
  }

  /**
   * Adds SERIES's steps as `add` would one by one, made from its subjects
   * and variants: no step object, Pending or list of fields for a unit that
   * goes into a block. Each block is handed to READY as it is made (read it
   * between them). Its last run of units stays the group, as after `add`.
   * False, and nothing added, when a variant would not go into a block or a
   * group is begun (each step must then be added).
   */
  *addUniform(series: UniformSeries): Generator<void, boolean> {
    // Read before the loop: the code after it first runs when the loop is done, by then optimised without it.
    const group = this.group;
    const kinds = group.length === 0 ? uniformKinds(series) : undefined;
    if (kinds === undefined) return false;
    // The group being gathered: subjects and variants of consecutive steps (from START) of one province.
    const subjects = new Array<string>(Math.min(series.length, MAX_BLOCK_UNITS));
    const variants = new Int32Array(subjects.length);
    let start = 0;
    let count = 0;
    const close = (): void => {
      if (count >= MIN_BLOCK_UNITS) this.ready.push(uniformBlockRecord(series, subjects, variants, count, kinds));
      else if (count > 0) {
        const step = series.at(start);
        this.ready.push(withValues(step, step.values));
      }
      count = 0;
    };
    for (let index = 0; index < series.length; index++) {
      const subject = series.subjectAt(index);
      if (!isUnitCode(subject)) {
        close();
        this.ready.push(series.at(index));
        yield;
        continue;
      }
      if (count > 0 && (count === MAX_BLOCK_UNITS || subject.charCodeAt(0) !== subjects[0]!.charCodeAt(0) || subject.charCodeAt(1) !== subjects[0]!.charCodeAt(1))) {
        close();
        yield;
      }
      if (count === 0) start = index;
      subjects[count] = subject;
      variants[count++] = series.variantAt(index);
    }
    // The next record may join the last run, as after `add`.
    groupLastRun(group, series, start, variants, count, kinds);
    return true;
  }

  flush(): void {
    const group = this.group;
    if (group.length >= MIN_BLOCK_UNITS) this.ready.push(blockRecord(group));
    else for (const pending of group) this.ready.push(passOn(pending));
    if (group.length > 0) this.group = [];
  }

  /** What is ready, taken out. */
  take(): AuditRecord[] {
    const ready = this.ready;
    this.ready = [];
    return ready;
  }
}

/**
 * The last COUNT steps of SERIES that addUniform gathered (from START, their
 * VARIANTS), put into GROUP as `add` would have. A function of its own: V8
 * compiles addUniform while its first loop runs (on-stack replacement), when
 * the code after that loop has never run, and threw that code away when this
 * loop, written in it, first ran.
 */
function groupLastRun(group: Pending[], series: UniformSeries, start: number, variants: Int32Array, count: number, kinds: readonly FieldKind[]): void {
  for (let at = 0; at < count; at++) {
    const variant = variants[at]!;
    group.push(new Pending(series.at(start + at), series.columns, series.variants[variant]!.cells, kinds[variant] === PLAIN));
  }
}

/**
 * The kind (PLAIN or ESCAPED) of each of SERIES's variants' cells, when each
 * would go into a block as `pendingOf` takes a step; else undefined.
 */
function uniformKinds(series: UniformSeries): FieldKind[] | undefined {
  if (!keysBlockable(series.columns)) return undefined;
  const kinds: FieldKind[] = [];
  for (const variant of series.variants) {
    const kind = cellsKind(variant.cells);
    if (!blockable(variant.label) || variant.cells.length !== series.columns.length || kind === NOT_BLOCKABLE) return undefined;
    kinds.push(kind);
  }
  return kinds;
}

/**
 * The variants of the first COUNT units, in the order met. This loop and the
 * rows' below are functions of their own: V8 compiled the first loop while it
 * ran (on-stack replacement) and entered that code again at the next block,
 * leaving it where the code after the loop met a series of another shape
 * (the eligibility's and the assessment's): at a million villages 77 times
 * in one run of three, the rest of each such block made unoptimised.
 */
function variantsMet(variants: Int32Array, count: number): number[] {
  const met: number[] = [];
  for (let index = 0; index < count; index++) if (!met.includes(variants[index]!)) met.push(variants[index]!);
  return met;
}

/** Each of the first COUNT units' rows into PIECES: its code, then what its variant adds (TAILS). */
function addUniformRows(pieces: RowPieces, subjects: readonly string[], variants: Int32Array, tails: readonly string[], count: number): void {
  for (let index = 0; index < count; index++) {
    const tail = tails[variants[index]!]!;
    pieces.add(tail === '' ? subjects[index]! : subjects[index]! + tail);
  }
}

/**
 * blockRecord of COUNT consecutive steps of SERIES, given by their SUBJECTS
 * and VARIANTS (KINDS: each variant's cells' kind): the same record, its rows
 * each the unit's code and the text its variant adds.
 */
function uniformBlockRecord(series: UniformSeries, subjects: readonly string[], variants: Int32Array, count: number, kinds: readonly FieldKind[]): AuditRecord {
  // The variants met, in the order met: a handful, looked at instead of each unit.
  const met = variantsMet(variants, count);
  const all = series.variants;
  const first = all[variants[0]!]!;
  const label = first.label;
  const sameLabel = met.every((variant) => all[variant]!.label === label);
  let plain = met.every((variant) => kinds[variant] === PLAIN);
  if (plain && !sameLabel) plain = met.every((variant) => fieldKind(all[variant]!.label) === PLAIN);
  const fieldSeparator = plain ? ESCAPED_FIELD_SEPARATOR : FIELD_SEPARATOR;
  const constant: number[] = [];
  const varying: number[] = [];
  for (let column = 0; column < series.columns.length; column++) {
    (met.every((variant) => all[variant]!.cells[column] === first.cells[column]) ? constant : varying).push(column);
  }
  // What each variant met adds to a unit's code in its row: its label (when labels differ), then its varying cells.
  const tails: string[] = [];
  for (const variant of met) {
    let tail = sameLabel ? '' : fieldSeparator + all[variant]!.label;
    for (const column of varying) tail += fieldSeparator + all[variant]!.cells[column]!;
    tails[variant] = tail;
  }
  const pieces = new RowPieces(count, plain ? ESCAPED_ROW_SEPARATOR : ROW_SEPARATOR);
  addUniformRows(pieces, subjects, variants, tails, count);
  const head = { type: series.type, rule: series.rule, clause: series.clause, subject: subjects[0]! };
  return blockOf(head, series.columns, count, sameLabel ? label : undefined, constant, varying, first.cells, pieces.finish(), plain);
}

/**
 * The records with every run of at least two consecutive unit entries of the
 * same type, rule, clause, province and value names gathered into blocks of
 * at most MAX_BLOCK_UNITS.
 * Everything else passes through in order. A series of steps (StepSeries)
 * among the records stands for its steps, read one by one here: a million
 * villages' steps are not handed through a generator each.
 * With `readOnce` (a consumer that is done with each record when it asks for
 * the next, as the audit log's writer is), a block's pieces are emptied then.
 */
export function* withUnitBlocks(records: Iterable<AuditRecord | StepSeries>, options: { readonly readOnce?: boolean } = {}): Generator<AuditRecord> {
  const blocks = new UnitBlocks();
  const readOnce = options.readOnce === true;
  for (const record of records) {
    if (record instanceof UniformSeries) {
      const adding = blocks.addUniform(record);
      let added = adding.next();
      for (; added.done !== true; added = adding.next()) yield* handOut(blocks.take(), readOnce);
      if (blocks.ready.length > 0) yield* handOut(blocks.take(), readOnce);
      if (added.value) continue;
    }
    if (record instanceof StepSeries) {
      for (let index = 0; index < record.length; index++) {
        blocks.add(record.at(index));
        if (blocks.ready.length > 0) yield* handOut(blocks.take(), readOnce);
      }
    } else {
      blocks.add(record);
      if (blocks.ready.length > 0) yield* handOut(blocks.take(), readOnce);
    }
  }
  blocks.flush();
  yield* handOut(blocks.take(), readOnce);
}

/**
 * The records in turn; with `readOnce`, each block's pieces are emptied when
 * the next record is asked for. Kept until the block itself died, the written
 * pieces outlived it: in a million-village run each collection of the young
 * generation while the log was written kept about 7 MB of rows already
 * written, and the next moved them to the old generation (about 250 MB in
 * all), which only full collections empty. V8 allocates the stage-2 blocks'
 * lists of pieces in the old generation (pretenuring), and an old list keeps
 * the young pieces it points to alive until a full collection, though nothing
 * reads it any more. The other blocks' lists were young, yet still reachable
 * at those collections from V8's own state, not from ours: a heap snapshot
 * between two blocks finds only the block being written.
 */
function* handOut(ready: readonly AuditRecord[], readOnce: boolean): Generator<AuditRecord> {
  for (const record of ready) {
    yield record;
    // The list is this module's own (blockRecord made it), typed read-only for the consumers.
    if (readOnce && record.pieced !== undefined) (record.pieced.pieces as string[]).length = 0;
  }
}

/** Whether an entry is a block of unit entries. */
export function isUnitBlock(entry: { readonly values: Readonly<Record<string, string>> }): boolean {
  return entry.values['block.rows'] !== undefined && entry.values['block.columns'] !== undefined && entry.values['block.keys'] !== undefined;
}

/**
 * Each unit's entry of a block, as it was before it was gathered (seq, prev
 * and hash are the block's). An entry that is not a block is returned alone.
 * A block whose rows do not match its columns cannot come from povalloc; it
 * is returned unexpanded.
 */
export function expandAuditBlock(entry: AuditEntry): AuditEntry[] {
  if (!isUnitBlock(entry)) return [entry];
  const keysText = entry.values['block.keys']!;
  const keys = keysText === '' ? [] : keysText.split(FIELD_SEPARATOR);
  const columns = entry.values['block.columns']!.split(FIELD_SEPARATOR);
  const rowsText = entry.values['block.rows']!;
  const label = entry.values['block.label'];
  const units: AuditEntry[] = [];
  for (const rowText of rowsText === '' ? [] : rowsText.split(ROW_SEPARATOR)) {
    const fields = rowText.split(FIELD_SEPARATOR);
    if (fields.length !== columns.length) return [entry];
    const byColumn = new Map<string, string>();
    columns.forEach((column, index) => byColumn.set(column, fields[index]!));
    const values: Record<string, string> = {};
    for (const key of keys) {
      const value = byColumn.has(key) ? byColumn.get(key) : entry.values[key];
      if (value === undefined) return [entry];
      values[key] = value;
    }
    const unitLabel = label ?? byColumn.get(LABEL_COLUMN);
    if (unitLabel === undefined) return [entry];
    units.push({ ...entry, subject: byColumn.get(SUBJECT_COLUMN) ?? '', label: unitLabel, values });
  }
  return units;
}

/** The entries with every block expanded into its units' entries (see `expandAuditBlock`). */
export function expandAuditBlocks(entries: readonly AuditEntry[]): AuditEntry[] {
  return entries.some(isUnitBlock) ? entries.flatMap(expandAuditBlock) : [...entries];
}
