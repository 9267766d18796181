/**
 * The Excel workbook of a run (sheets counties, provinces, projects when
 * present, checks, summary) or of a compare/sweep folder (one sheet per CSV
 * and a summary). Amounts are numbers formatted `#,##0.00`, written only
 * when the number is exactly the CSV's decimal (see exactSpreadsheetNumber);
 * `total` is followed by the same amount in 万元; header rows are frozen,
 * filtered and labelled in the report's language; every text cell is
 * neutralised against formula injection.
 */
import ExcelJS from 'exceljs';
import { createRequire } from 'node:module';
import { PassThrough } from 'node:stream';
import { formatFenAsWan, formatYuan, yuanToFen } from '../core/money.js';
import type { Reference } from '../core/reference.js';
import type { CompareFolderFiles, CsvFile, RunFolderFiles, SweepFolderFiles } from '../io/report-folder.js';
import type { Integrity } from '../io/run-integrity.js';
import { checkMessage, columnLabel, fundName, levelName, provinceName, valueLabel, valueLabeller } from './labels.js';
import { message, messageOr, type Lang, type MessageKey } from './messages.js';
import { integrityText } from './report-html.js';
import { amountColumnsOf, buildRunFigures, type RunFigures } from './report-model.js';
import { exactSpreadsheetNumber, neutraliseFormula, spreadsheetNumberText } from './spreadsheet-safe.js';
import { displayWidth } from './summary.js';
import { objectField, textField } from './json-fields.js';

export const AMOUNT_FORMAT = '#,##0.00';
const WHOLE_FORMAT = '#,##0';
const MIN_WIDTH = 6;
const MAX_WIDTH = 60;

type ColumnKind = 'text' | 'amount' | 'wan' | 'whole' | 'decimal';

/** One column of a sheet: its header, how its cells are written, and where its values come from. */
interface SheetColumn {
  readonly header: string;
  readonly kind: ColumnKind;
  /** Decimal places for `decimal` columns. */
  readonly places?: number;
  readonly value: (row: Readonly<Record<string, string>>) => string;
}

const IDENTIFIER = /(^|_)(code|id)$|^clause$|^path$/;
const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;

/** Classifies a CSV column by its name and values: identifiers stay text, money is an amount, other decimals numbers. */
function columnKind(csv: CsvFile, column: string, amountColumns: ReadonlySet<string>): { kind: ColumnKind; places?: number } {
  if (IDENTIFIER.test(column)) return { kind: 'text' };
  if (amountColumns.has(column)) return { kind: 'amount' };
  let any = false;
  let places = 0;
  for (const row of csv.rows) {
    const value = row[column] ?? '';
    if (value === '') continue;
    if (!PLAIN_NUMBER.test(value)) return { kind: 'text' };
    any = true;
    const point = value.indexOf('.');
    if (point !== -1) places = Math.max(places, value.length - point - 1);
  }
  if (!any) return { kind: 'text' };
  return places === 0 ? { kind: 'whole' } : { kind: 'decimal', places };
}

/** 万元 as an exact decimal text (fen / 1,000,000), without trailing zeros: `12345.67` -> `1.234567`, `-150.00` -> `-0.015`. */
export function wanYuanText(yuan: string): string {
  const fen = yuanToFen(yuan);
  return fen === null ? '' : formatFenAsWan(fen);
}

function csvColumns(lang: Lang, csv: CsvFile, reference: Reference | undefined, options: { wanAfterTotal?: boolean; translateValues?: boolean } = {}): SheetColumn[] {
  const amounts = new Set(amountColumnsOf(csv));
  const columns: SheetColumn[] = [];
  for (const column of csv.columns) {
    const { kind, places } = columnKind(csv, column, amounts);
    const label = options.translateValues !== false && kind === 'text' ? valueLabeller(lang, column, reference) : undefined;
    columns.push({
      header: columnLabel(lang, column),
      kind,
      ...(places !== undefined ? { places } : {}),
      value: label === undefined ? (row) => row[column] ?? '' : labelledValue(column, label),
    });
    if (column === 'total' && options.wanAfterTotal && kind === 'amount') {
      columns.push({ header: message(lang, 'col.total_wan'), kind: 'wan', value: (row) => wanYuanText(row['total'] ?? '') });
    }
  }
  return columns;
}

/**
 * A column's cells with their values' labels (see valueLabeller), each label
 * made once: a column of coded values (regions, yes/no, bindings) repeats a
 * few values over a million rows.
 */
function labelledValue(column: string, label: (value: string) => string): (row: Readonly<Record<string, string>>) => string {
  const labels = new Map<string, string>();
  return (row) => {
    const value = row[column] ?? '';
    if (value === '') return '';
    let text = labels.get(value);
    if (text === undefined) {
      text = label(value);
      if (labels.size < MAX_LABELS_KEPT) labels.set(value, text);
    }
    return text;
  };
}

/** Labels kept per column (a column of names, all different, would otherwise keep a label per row). */
const MAX_LABELS_KEPT = 10_000;

function formattedWidth(kind: ColumnKind, text: string, places: number | undefined): number {
  if (kind === 'text') return text.includes('\n') ? Math.max(...text.split(/\r?\n/).map(displayWidth)) : displayWidth(text);
  // Numbers are shown grouped, with the format's decimals: the digits before the point (the first '-' not counted).
  const dash = text.indexOf('-');
  const point = text.indexOf('.');
  const wholeLength = point === -1 ? text.length - (dash === -1 ? 0 : 1) : dash !== -1 && dash < point ? point - 1 : point;
  const groups = Math.floor((wholeLength - 1) / 3);
  const decimals = kind === 'amount' || kind === 'wan' ? 3 : kind === 'decimal' ? (places ?? 0) + 1 : 0;
  return wholeLength + groups + decimals + (text.startsWith('-') ? 1 : 0);
}

/** A workbook written as it is made (exceljs's streaming writer): a sheet's rows go into the file as they are committed. */
type Workbook = ExcelJS.stream.xlsx.WorkbookWriter;
type Worksheet = ReturnType<Workbook['addWorksheet']>;

/**
 * Excel's rows per sheet, the header included. A table of more rows (a
 * village table of over a million) goes on several sheets, each with the
 * header, named after the first with " (2)", " (3)", ...
 */
export const EXCEL_MAX_ROWS = 1_048_576;

/**
 * What a sheet has written that its zip has not taken yet, in bytes: what
 * waits in exceljs's stream of the sheet and in the stream archiver reads it
 * through. The zip reads and compresses a sheet's XML only while the event
 * loop turns: written in one go, a million villages' sheet (about 700 MB of
 * XML) was held whole until its last row. Read from exceljs 4's and
 * archiver's own fields; 0 where they are not (the rows are then written
 * without waiting, as before).
 */
export function zipBacklog(sheet: Worksheet): number {
  const stream = (sheet as unknown as { _stream?: { buffers?: unknown[]; pipes?: unknown[] } })._stream;
  const through = stream?.pipes?.[0] as { _readableState?: { length?: number }; _writableState?: { length?: number } } | undefined;
  const waiting = (stream?.buffers?.length ?? 0) * STREAM_BUFFER_BYTES;
  return waiting + (through?._readableState?.length ?? 0) + (through?._writableState?.length ?? 0);
}

/** The size of exceljs's buffers for a sheet's stream (WorkbookWriter._openStream). */
const STREAM_BUFFER_BYTES = 65_536;
/** Rows written between two looks at the zip's backlog, and the backlog the rows wait for the zip to get under. */
const ROWS_BETWEEN_CHECKS = 1_000;
const MAX_ZIP_BACKLOG = 4 << 20;

/** The style of a cell that has none of its own (a text cell of a table), shared: see addTableSheet. */
const NO_STYLE: Partial<ExcelJS.Style> = {};

/**
 * exceljs's own XML text encoder (escapes & < > " ' and drops the control
 * characters XML cannot hold), so that a row written by directRows has the
 * bytes exceljs writes. Undefined if this exceljs has it elsewhere.
 */
const exceljsXmlEncode = ((): ((text: string) => string) | undefined => {
  try {
    const utils = createRequire(import.meta.url)('exceljs/lib/utils/utils.js') as { xmlEncode?: unknown };
    return typeof utils.xmlEncode === 'function' ? (utils.xmlEncode as (text: string) => string) : undefined;
  } catch {
    return undefined;
  }
})();

/** Workbooks whose table cells go through exceljs's rows and cells (see newWorkbook): tests compare the two ways. */
const cellsThroughExceljs = new WeakSet<Workbook>();

/** Column letters of column 1, 2, ...: A to Z, AA to ZZ, AAA ... */
function columnLetters(column: number): string {
  let letters = '';
  for (let rest = column; rest > 0; rest = Math.floor((rest - 1) / 26)) letters = String.fromCharCode(65 + ((rest - 1) % 26)) + letters;
  return letters;
}

/** The bytes of rows gathered before they are handed to a sheet's stream. */
const ROW_BYTES = 1 << 20;

/** A table's rows written into its sheet's XML; flush hands what is gathered to the sheet's stream. */
interface DirectRows {
  add(rowNumber: number, row: Readonly<Record<string, string>>): void;
  flush(): void;
}

/**
 * A table's rows written as the XML exceljs's streaming writer (4.x) makes
 * of them, without a Row, a Cell and a model of each for every value: a
 * row's cells as `<c r="B2" t="str"><v>text</v></c>` (escaped by exceljs's
 * own encoder) or `<c r="L2" s="2"><v>25832</v></c>` (the number's text and
 * its column's style, whose id exceljs's styles give the first time a cell
 * takes it, as they would for its cell), in `<row r="2" spans="1:27"
 * x14ac:dyDescent="0.25">`; a row with no cell is left out, as exceljs
 * leaves it. A million villages' rows took exceljs about 20 s. Undefined
 * (the rows then go through exceljs) when this exceljs lacks what is read
 * here, the header row has not opened the sheet's data, or the workbook was
 * made to go through exceljs.
 */
function directRows(workbook: Workbook, sheet: Worksheet, columns: readonly SheetColumn[], numberStyles: readonly Partial<ExcelJS.Style>[]): DirectRows | undefined {
  const encode = exceljsXmlEncode;
  const styles = (workbook as unknown as { styles?: { addStyleModel?: unknown } }).styles;
  const inner = sheet as unknown as { startedData?: boolean; _rows?: unknown[]; stream?: { write?: unknown } };
  if (encode === undefined || cellsThroughExceljs.has(workbook) || typeof styles?.addStyleModel !== 'function') return undefined;
  if (inner.startedData !== true || !Array.isArray(inner._rows) || inner._rows.length > 0) return undefined;
  const stream = inner.stream;
  if (typeof stream?.write !== 'function') return undefined;
  const addStyleModel = (style: Partial<ExcelJS.Style>, type: ExcelJS.ValueType): number => (styles.addStyleModel as (style: object, type: number) => number).call(styles, style, type);
  const write = (bytes: Buffer): unknown => (stream.write as (bytes: Buffer) => unknown).call(stream, bytes);
  const letters = columns.map((_, index) => columnLetters(index + 1));
  // A cell's ` s="id"` (nothing for style 0), asked of exceljs's styles at the first cell that takes it.
  const numberStyleText: (string | undefined)[] = columns.map(() => undefined);
  let textStyleText: string | undefined;
  const styleText = (id: number): string => (id ? ` s="${id}"` : '');
  // Rows are encoded one by one into a buffer that is handed over whole (a string of a thousand rows took about
  // three times as long to encode at once); a UTF-8 character is at most 3 bytes for each UTF-16 unit.
  let pending = Buffer.allocUnsafe(ROW_BYTES);
  let used = 0;
  const flush = (): void => {
    if (used === 0) return;
    // Handed over, not copied: a stream not yet read passes the buffer on as it is.
    write(pending.subarray(0, used));
    pending = Buffer.allocUnsafe(ROW_BYTES);
    used = 0;
  };
  return {
    add(rowNumber, row) {
      let cells = '';
      let first = 0;
      let last = 0;
      for (let index = 0; index < columns.length; index++) {
        const column = columns[index]!;
        const text = column.value(row);
        if (text === '') continue;
        if (first === 0) first = index + 1;
        last = index + 1;
        if (column.kind !== 'text') {
          // The number's text as exceljs writes it (String of the number), without String (see spreadsheetNumberText).
          const number = spreadsheetNumberText(text);
          if (number !== undefined) {
            const style = (numberStyleText[index] ??= styleText(addStyleModel(numberStyles[index]!, ExcelJS.ValueType.Number)));
            cells += `<c r="${letters[index]}${rowNumber}"${style}><v>${number}</v></c>`;
            continue;
          }
        }
        const style = (textStyleText ??= styleText(addStyleModel(NO_STYLE, ExcelJS.ValueType.String)));
        cells += `<c r="${letters[index]}${rowNumber}"${style} t="str"><v>${encode(neutraliseFormula(text))}</v></c>`;
      }
      if (first === 0) return;
      const xml = `<row r="${rowNumber}" spans="${first}:${last}" x14ac:dyDescent="0.25">${cells}</row>`;
      if (used + xml.length * 3 > pending.length) {
        flush();
        if (xml.length * 3 > pending.length) pending = Buffer.allocUnsafe(xml.length * 3);
      }
      used += pending.write(xml, used);
    },
    flush,
  };
}

/** The text of a table's cell, and its width as shown. */
function cellWidth(column: SheetColumn, text: string): number {
  return formattedWidth(column.kind, text, column.places) + 1;
}

/**
 * Writes a table to new sheets (one, unless it has more rows than a sheet
 * holds: see EXCEL_MAX_ROWS): header row frozen and filtered, widths fitted
 * to every row (measured first, as a streamed sheet's widths come before its
 * rows), cells typed, each row committed as it is written.
 */
async function addTableSheet(
  workbook: Workbook,
  name: string,
  columns: readonly SheetColumn[],
  rows: readonly Readonly<Record<string, string>>[],
  freezeColumns = 0,
  maxRows = EXCEL_MAX_ROWS,
  rowsWritten: RowsWritten = () => {},
): Promise<void> {
  const widths = columns.map((column) => displayWidth(column.header) + 2);
  for (const row of rows) columns.forEach((column, index) => (widths[index] = Math.max(widths[index]!, cellWidth(column, column.value(row)))));
  const perSheet = maxRows - 1;
  const sheets = Math.max(1, Math.ceil(rows.length / perSheet));
  for (let part = 0; part < sheets; part++) {
    const partRows = rows.slice(part * perSheet, (part + 1) * perSheet);
    const sheet: Worksheet = workbook.addWorksheet(part === 0 ? name : `${name} (${part + 1})`, {
      views: [{ state: 'frozen', xSplit: freezeColumns, ySplit: 1 }],
      ...(columns.length > 0 ? { autoFilter: { from: { row: 1, column: 1 }, to: { row: Math.max(1, partRows.length + 1), column: columns.length } } } : {}),
    });
    sheet.columns = widths.map((width) => ({ width: Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, width)) }));
    const header = sheet.getRow(1);
    columns.forEach((column, index) => {
      const cell = header.getCell(index + 1);
      cell.value = neutraliseFormula(column.header);
      cell.font = { bold: true };
      cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFEEF3F8' } };
      cell.alignment = { vertical: 'top', wrapText: false };
    });
    header.commit();
    // One style object for each column's numbers and one for text: exceljs finds the style of a cell by the object
    // it has seen before (a WeakMap), and otherwise serialises the cell's own style to find it, for each of a
    // million rows' cells. The same styles, and the same file, as a format set on each cell's own style.
    const numberStyles = columns.map((column): Partial<ExcelJS.Style> => ({
      numFmt: column.kind === 'amount' || column.kind === 'wan' ? AMOUNT_FORMAT : column.kind === 'whole' ? WHOLE_FORMAT : `0.${'0'.repeat(column.places ?? 1)}`,
    }));
    const direct = directRows(workbook, sheet, columns, numberStyles);
    for (let rowIndex = 0; rowIndex < partRows.length; rowIndex++) {
      // Now and then the zip is let catch up with the rows (see zipBacklog), and the rows written are told.
      if (rowIndex > 0 && rowIndex % ROWS_BETWEEN_CHECKS === 0) {
        direct?.flush();
        rowsWritten(ROWS_BETWEEN_CHECKS);
        while (zipBacklog(sheet) > MAX_ZIP_BACKLOG) await new Promise((resolve) => setImmediate(resolve));
      }
      const row = partRows[rowIndex]!;
      if (direct) {
        direct.add(rowIndex + 2, row);
        continue;
      }
      const sheetRow = sheet.getRow(rowIndex + 2);
      columns.forEach((column, index) => {
        const text = column.value(row);
        if (text === '') return;
        const cell = sheetRow.getCell(index + 1);
        if (column.kind !== 'text') {
          const number = exactSpreadsheetNumber(text);
          if (number !== undefined) {
            cell.value = number;
            cell.style = numberStyles[index]!;
            return;
          }
        }
        cell.value = neutraliseFormula(text);
        cell.style = NO_STYLE;
      });
      sheetRow.commit();
    }
    direct?.flush();
    sheet.commit();
    if (partRows.length > 0) rowsWritten(((partRows.length - 1) % ROWS_BETWEEN_CHECKS) + 1);
  }
}

/** Told the rows of a sheet written since it was last told (every thousand rows, and at a sheet's end). */
type RowsWritten = (rows: number) => void;

/** A RowsWritten that tells `onRows` the rows written in all, if it is given. */
function rowCounter(onRows: ((rows: number) => void) | undefined): RowsWritten {
  let written = 0;
  return (rows) => {
    written += rows;
    onRows?.(written);
  };
}

interface SummaryLine {
  readonly label: string;
  readonly value: string;
  /** When set, the value is an amount in yuan written as a number. */
  readonly amount?: boolean;
}

function addSummarySheet(workbook: Workbook, lang: Lang, lines: readonly SummaryLine[], fundTable?: { columns: readonly SheetColumn[]; rows: readonly Readonly<Record<string, string>>[] }): void {
  const sheet = workbook.addWorksheet(message(lang, 'sheet.summary'), { views: [{ state: 'frozen', ySplit: 1 }] });
  const header = sheet.getRow(1);
  header.getCell(1).value = message(lang, 'summary.item');
  header.getCell(2).value = message(lang, 'summary.value');
  header.font = { bold: true };
  const widths = [displayWidth(message(lang, 'summary.item')) + 2, displayWidth(message(lang, 'summary.value')) + 2, 10, 10, 10, 10];
  let rowNumber = 2;
  for (const line of lines) {
    const row = sheet.getRow(rowNumber++);
    row.getCell(1).value = neutraliseFormula(line.label);
    const number = line.amount ? exactSpreadsheetNumber(line.value) : undefined;
    if (number !== undefined) {
      row.getCell(2).value = number;
      row.getCell(2).numFmt = AMOUNT_FORMAT;
    } else {
      row.getCell(2).value = neutraliseFormula(line.value);
    }
    widths[0] = Math.max(widths[0]!, displayWidth(line.label) + 1);
    widths[1] = Math.max(widths[1]!, Math.min(MAX_WIDTH, formattedWidth(line.amount ? 'amount' : 'text', line.value, undefined) + 1));
  }
  if (fundTable) {
    rowNumber++;
    const headRow = sheet.getRow(rowNumber++);
    fundTable.columns.forEach((column, index) => {
      headRow.getCell(index + 1).value = neutraliseFormula(column.header);
      headRow.getCell(index + 1).font = { bold: true };
      widths[index] = Math.max(widths[index] ?? 0, displayWidth(column.header) + 2);
    });
    for (const values of fundTable.rows) {
      const row = sheet.getRow(rowNumber++);
      fundTable.columns.forEach((column, index) => {
        const text = column.value(values);
        const number = column.kind === 'text' ? undefined : exactSpreadsheetNumber(text);
        if (number !== undefined) {
          row.getCell(index + 1).value = number;
          row.getCell(index + 1).numFmt = AMOUNT_FORMAT;
        } else if (text !== '') {
          row.getCell(index + 1).value = neutraliseFormula(text);
        }
        widths[index] = Math.max(widths[index] ?? 0, formattedWidth(column.kind, text, undefined) + 1);
      });
    }
  }
  // Its few rows are held until now: a streamed sheet's widths come before its rows.
  sheet.columns = widths.map((width) => ({ width: Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, width)) }));
  sheet.commit();
}



/** A streamed workbook whose zip's bytes go to WRITE as they are made (a million rows' zip is some 120 MB); `finish` ends it. */
function newWorkbook(createdAt: Date, write: (piece: Buffer) => void, throughExceljs = false): { workbook: Workbook; finish: () => Promise<void> } {
  const stream = new PassThrough();
  stream.on('data', (piece: Buffer) => write(piece));
  const ended = new Promise<void>((resolve, reject) => {
    stream.on('end', resolve);
    stream.on('error', reject);
  });
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream, useStyles: true, useSharedStrings: false });
  workbook.creator = 'povalloc';
  workbook.created = createdAt;
  workbook.modified = createdAt;
  if (throughExceljs) cellsThroughExceljs.add(workbook);
  return {
    workbook,
    finish: async () => {
      await workbook.commit();
      await ended;
    },
  };
}

/** A workbook's bytes in memory, made by MAKE as writeRunWorkbook and writeScenarioWorkbook make them. */
async function inMemory(make: (write: (piece: Buffer) => void) => Promise<void>): Promise<Buffer> {
  const pieces: Buffer[] = [];
  await make((piece) => pieces.push(piece));
  return Buffer.concat(pieces);
}

export interface RunWorkbookInput {
  readonly folder: RunFolderFiles;
  readonly integrity: Integrity;
  readonly reference: Reference;
  readonly lang: Lang;
  /** Recorded as the workbook's creation time (the shell reads the clock). */
  readonly createdAt: Date;
  /** Rows per sheet, the header included (EXCEL_MAX_ROWS unless a test asks for fewer). */
  readonly maxRowsPerSheet?: number;
  /** Told the table rows written so far in all sheets, every thousand rows and at each sheet's end (a progress bar). */
  readonly onRows?: (rows: number) => void;
  /** Table cells made through exceljs's rows and cells rather than written as its XML (see directRows): tests compare the two. */
  readonly cellsThroughExceljs?: boolean;
}

function fundTotalsTable(lang: Lang, figures: RunFigures): { columns: SheetColumn[]; rows: Record<string, string>[] } {
  const columns: SheetColumn[] = [
    { header: message(lang, 'totals.fund'), kind: 'text', value: (row) => row['fund'] ?? '' },
    { header: message(lang, 'totals.level'), kind: 'text', value: (row) => row['level'] ?? '' },
    { header: message(lang, 'totals.budget'), kind: 'amount', value: (row) => row['budget'] ?? '' },
    { header: message(lang, 'totals.allocated'), kind: 'amount', value: (row) => row['allocated'] ?? '' },
    { header: message(lang, 'totals.unallocated'), kind: 'amount', value: (row) => row['unallocated'] ?? '' },
    { header: message(lang, 'totals.wan'), kind: 'wan', value: (row) => wanYuanText(row['allocated'] ?? '') },
  ];
  const yuan = (fen: bigint | undefined): string => (fen === undefined ? '' : formatYuan(fen));
  const rows = figures.fundTotals.map((total) => ({
    fund: fundName(lang, total.fund),
    level: levelName(lang, total.level),
    budget: yuan(total.budget),
    allocated: yuan(total.toCounties),
    unallocated: yuan(total.unallocated),
  }));
  rows.push({ fund: message(lang, 'totals.all'), level: '', budget: '', allocated: yuan(figures.grandTotal), unallocated: yuan(figures.unallocatedTotal) });
  return { columns, rows };
}

function identityLines(input: RunWorkbookInput, figures: RunFigures): SummaryLine[] {
  const { folder, integrity, lang } = input;
  const policy = objectField(folder.summary['policy']) ?? {};
  const lines: SummaryLine[] = [
    { label: message(lang, 'identity.policy'), value: textField(policy['title']) || textField(policy['name']) },
    { label: message(lang, 'identity.policy_name'), value: textField(policy['name']) },
    { label: message(lang, 'identity.year'), value: textField(policy['year']) },
  ];
  if (integrity.manifest?.version) lines.push({ label: message(lang, 'identity.version'), value: integrity.manifest.version });
  if (integrity.manifest && integrity.manifest.inputs.length > 0) {
    for (const file of integrity.manifest.inputs) lines.push({ label: `${message(lang, 'identity.inputs')}: ${file.name}`, value: `SHA-256 ${file.sha256}` });
  } else {
    for (const [role, entry] of Object.entries(objectField(folder.summary['inputs']) ?? {})) {
      const details = objectField(entry) ?? {};
      lines.push({ label: `${message(lang, 'identity.inputs')}: ${role}`, value: message(lang, 'identity.input_row', { file: textField(details['file']), rows: textField(details['rows']) }) });
    }
  }
  const head = integrity.manifest?.auditHead ?? folder.audit?.head;
  lines.push({ label: message(lang, 'identity.audit_head'), value: head ?? message(lang, 'identity.no_audit') });
  const verdict = integrityText(lang, integrity);
  lines.push({ label: message(lang, 'identity.verifies'), value: [verdict.text, ...verdict.details].join('; ') });
  lines.push({
    label: message(lang, 'identity.counts'),
    value: message(lang, 'identity.counts_value', { counties: figures.counties.length, eligible: figures.counties.filter((county) => county.eligible).length, provinces: figures.provinces.length }),
  });
  lines.push({
    label: message(lang, 'identity.priority_provinces'),
    value: figures.provinces.filter((province) => province.priority).map((province) => provinceName(lang, province.code, province.name, input.reference)).join(lang === 'zh' ? '、' : ', '),
  });
  return lines;
}

/** The run's workbook as xlsx bytes. */
export function renderRunWorkbook(input: RunWorkbookInput): Promise<Buffer> {
  return inMemory((write) => writeRunWorkbook(input, write));
}

/** The run's workbook, its bytes handed to WRITE as they are made. */
export async function writeRunWorkbook(input: RunWorkbookInput, write: (piece: Buffer) => void): Promise<void> {
  const { folder, lang, reference } = input;
  const figures = buildRunFigures(folder.allocations, folder.provinces, folder.summary);
  const { workbook, finish } = newWorkbook(input.createdAt, write, input.cellsThroughExceljs);
  const maxRows = input.maxRowsPerSheet ?? EXCEL_MAX_ROWS;
  const rows = rowCounter(input.onRows);
  await addTableSheet(workbook, message(lang, 'sheet.counties'), csvColumns(lang, folder.allocations, reference, { wanAfterTotal: true }), folder.allocations.rows, 2, maxRows, rows);
  await addTableSheet(workbook, message(lang, 'sheet.provinces'), csvColumns(lang, folder.provinces, reference, { wanAfterTotal: true }), folder.provinces.rows, 2, maxRows, rows);
  if (folder.projects) await addTableSheet(workbook, message(lang, 'sheet.projects'), csvColumns(lang, folder.projects, reference), folder.projects.rows, 1, maxRows, rows);
  const checkColumns: SheetColumn[] = folder.checks.columns.map((column) => ({
    header: columnLabel(lang, column),
    kind: 'text' as const,
    value: column === 'message' ? (row: Readonly<Record<string, string>>) => checkMessage(lang, row) : (row: Readonly<Record<string, string>>) => valueLabel(lang, column, row[column] ?? '', reference),
  }));
  if (lang !== 'en' && folder.checks.columns.includes('message')) checkColumns.push({ header: message(lang, 'checks.original'), kind: 'text', value: (row) => row['message'] ?? '' });
  await addTableSheet(workbook, message(lang, 'sheet.checks'), checkColumns, folder.checks.rows, 1, maxRows, rows);
  addSummarySheet(workbook, lang, identityLines(input, figures), fundTotalsTable(lang, figures));
  return finish();
}

export interface ScenarioWorkbookInput {
  readonly folder: CompareFolderFiles | SweepFolderFiles;
  readonly reference: Reference;
  readonly lang: Lang;
  readonly createdAt: Date;
  /** As RunWorkbookInput's. */
  readonly onRows?: (rows: number) => void;
  /** As RunWorkbookInput's. */
  readonly cellsThroughExceljs?: boolean;
}

/** A compare or sweep folder as a workbook: one sheet per CSV, and the folder's JSON as the summary. */
export function renderScenarioWorkbook(input: ScenarioWorkbookInput): Promise<Buffer> {
  return inMemory((write) => writeScenarioWorkbook(input, write));
}

/** renderScenarioWorkbook, its bytes handed to WRITE as they are made. */
export async function writeScenarioWorkbook(input: ScenarioWorkbookInput, write: (piece: Buffer) => void): Promise<void> {
  const { folder, lang, reference } = input;
  const { workbook, finish } = newWorkbook(input.createdAt, write, input.cellsThroughExceljs);
  const sheets: [MessageKey, CsvFile | undefined][] =
    folder.kind === 'compare'
      ? [
          ['sheet.counties', folder.counties],
          ['sheet.provinces', folder.provinces],
          ['sheet.bands', folder.bands],
          ['sheet.metrics', folder.metrics],
          ['sheet.policy_diff', folder.policyDiff],
        ]
      : [['sheet.sweep', folder.points]];
  const rows = rowCounter(input.onRows);
  for (const [key, csv] of sheets) {
    if (csv) await addTableSheet(workbook, message(lang, key), csvColumns(lang, csv, reference, { translateValues: true }), csv.rows, 1, EXCEL_MAX_ROWS, rows);
  }
  const document = folder.kind === 'compare' ? folder.compare : folder.sweep;
  const lines: SummaryLine[] = Object.entries(document).map(([key, value]) => ({
    label: messageOr(lang, `summary.${key}`, key),
    value: typeof value === 'object' && value !== null ? JSON.stringify(value) : textField(value),
  }));
  addSummarySheet(workbook, lang, lines);
  return finish();
}
