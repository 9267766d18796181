/**
 * Fuzzing support: near-valid inputs made by mutating rows of the sample,
 * arbitrary bytes, and the oracle every outcome must satisfy: success, or an
 * InputError whose every problem names an input file and a line inside it
 * (line 0 only for problems about the whole file), never anything else.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { expect } from 'vitest';
import { InputError } from '../../src/core/problems.js';
import { ROOT, SAMPLE } from '../helpers.js';
import { encodeGb18030, readRows } from '../support/inputs.js';
import { runFiles, scratchDir, type ScenarioFiles } from '../support/scenarios.js';

const SAMPLE_COUNTIES = readRows(SAMPLE.counties);
const SAMPLE_BUDGET = readRows(SAMPLE.budget);
export const DEFAULT_POLICY = readFileSync(join(ROOT, 'data', 'policies', 'default.json'), 'utf8');

/** Cell values that have broken parsers before: signs, separators, exponents, full width, quotes, formulas, ... */
export const NASTY_CELLS = [
  '', ' ', '0', '-1', '+1', '1e3', '1E-3', 'NaN', 'Infinity', '１２３', '1,234', '1 234', '12.345', '0.1.2', '.5', '5.',
  '"', '""', '"quoted"', '=1+1', '@SUM(A1)', '-x', '是', '否', 'TRUE', 'yes', 'x', '100%', '15.3%', '150%', '0.5', '1.5',
  '999999999999999999999999999', '000000', '52270', '5227011', '990001', '520111', '13', '99', 'central', 'provincial',
  'special_poverty', 'relocation', 'unknown_fund', '\u3000', '\uFEFF', 'null', 'undefined', '#N/A', '—', '\n', '\r\n',
  '乌蒙山区', 'Wumeng Mountains', '六盘山片区', '不存在山区', '好', '未完成', 'excellent', 'failed', '2018', '18', '0.00',
];

const INSERTED = [',', '"', '\n', '\r', '\r\n', ' ', '\t', ';', '\u0000', '\uFFFD', '中', '\u3000', '=', '-', '%', '.', '0', '9', 'e', '\uFEFF'];

export type Mutation =
  | { kind: 'cell'; row: number; column: number; value: string }
  | { kind: 'deleteChar'; at: number }
  | { kind: 'insertChar'; at: number; text: string }
  | { kind: 'duplicateRow'; row: number }
  | { kind: 'deleteRow'; row: number }
  | { kind: 'swapRows'; a: number; b: number }
  | { kind: 'extraCell'; row: number; value: string }
  | { kind: 'dropCell'; row: number; column: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'header'; column: number; value: string };

const mutationArbitrary: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('cell' as const), row: fc.nat(), column: fc.nat(), value: fc.oneof(fc.constantFrom(...NASTY_CELLS), fc.string({ maxLength: 12 })) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('deleteChar' as const), at: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('insertChar' as const), at: fc.nat(), text: fc.constantFrom(...INSERTED) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('duplicateRow' as const), row: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('deleteRow' as const), row: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('swapRows' as const), a: fc.nat(), b: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('extraCell' as const), row: fc.nat(), value: fc.constantFrom(...NASTY_CELLS) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('dropCell' as const), row: fc.nat(), column: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('header' as const),
      column: fc.nat(),
      value: fc.constantFrom('', 'County Code', 'county_code', '县代码', 'poor_population', 'POOR POPULATION', 'amount', 'fund', 'level', 'x', '贫困人口'),
    }),
  },
);

const quote = (cell: string): string => (/[",\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell);

/** Applies mutations to rows (structural ones) and to the text (character ones). */
export function mutate(rows: readonly (readonly string[])[], mutations: readonly Mutation[], lineEnd: string): string {
  const table = rows.map((row) => [...row]);
  const textMutations: Mutation[] = [];
  for (const mutation of mutations) {
    const rowIndex = (row: number): number => 1 + (row % Math.max(1, table.length - 1));
    switch (mutation.kind) {
      case 'cell': {
        const row = table[rowIndex(mutation.row)];
        if (row && row.length > 0) row[mutation.column % row.length] = mutation.value;
        break;
      }
      case 'duplicateRow':
        if (table.length > 1) table.splice(rowIndex(mutation.row), 0, [...table[rowIndex(mutation.row)]!]);
        break;
      case 'deleteRow':
        if (table.length > 1) table.splice(rowIndex(mutation.row), 1);
        break;
      case 'swapRows': {
        if (table.length > 2) {
          const a = rowIndex(mutation.a);
          const b = rowIndex(mutation.b);
          [table[a], table[b]] = [table[b]!, table[a]!];
        }
        break;
      }
      case 'extraCell':
        table[rowIndex(mutation.row)]?.push(mutation.value);
        break;
      case 'dropCell': {
        const row = table[rowIndex(mutation.row)];
        if (row && row.length > 0) row.splice(mutation.column % row.length, 1);
        break;
      }
      case 'header':
        if (table[0] && table[0].length > 0) table[0][mutation.column % table[0].length] = mutation.value;
        break;
      default:
        textMutations.push(mutation);
    }
  }
  let text = table.map((row) => row.map(quote).join(',')).join(lineEnd) + lineEnd;
  for (const mutation of textMutations) {
    if (mutation.kind === 'deleteChar' && text.length > 0) {
      const at = mutation.at % text.length;
      text = text.slice(0, at) + text.slice(at + 1);
    } else if (mutation.kind === 'insertChar') {
      const at = mutation.at % (text.length + 1);
      text = text.slice(0, at) + mutation.text + text.slice(at);
    } else if (mutation.kind === 'truncate') {
      text = text.slice(0, mutation.at % (text.length + 1));
    }
  }
  return text;
}

export interface Encoding {
  readonly bom: boolean;
  readonly gb18030: boolean;
  readonly crlf: boolean;
}

const encodingArbitrary: fc.Arbitrary<Encoding> = fc.record({ bom: fc.boolean(), gb18030: fc.boolean(), crlf: fc.boolean() });

function encode(text: string, encoding: Encoding): Buffer {
  if (encoding.gb18030) return encodeGb18030(text);
  return Buffer.from((encoding.bom ? '\uFEFF' : '') + text, 'utf8');
}

/** A few rows of the sample, mutated, as the bytes of a file. */
function nearValid(sample: readonly (readonly string[])[], maxRows: number): fc.Arbitrary<Buffer> {
  return fc
    .record({
      rows: fc.uniqueArray(fc.integer({ min: 1, max: sample.length - 1 }), { minLength: 1, maxLength: maxRows }),
      mutations: fc.array(mutationArbitrary, { minLength: 1, maxLength: 5 }),
      encoding: encodingArbitrary,
    })
    .map(({ rows, mutations, encoding }) => encode(mutate([sample[0]!, ...rows.map((index) => sample[index]!)], mutations, encoding.crlf ? '\r\n' : '\n'), encoding));
}

export const nearValidCounties = nearValid(SAMPLE_COUNTIES, 30);
export const nearValidBudget = nearValid(SAMPLE_BUDGET, 12);
export const validBudget = fc.constant(Buffer.from(SAMPLE_BUDGET.map((row) => row.map(quote).join(',')).join('\n') + '\n'));
export const validCounties = fc
  .uniqueArray(fc.integer({ min: 1, max: SAMPLE_COUNTIES.length - 1 }), { minLength: 1, maxLength: 30 })
  .map((rows) => Buffer.from([SAMPLE_COUNTIES[0]!, ...rows.map((index) => SAMPLE_COUNTIES[index]!)].map((row) => row.map(quote).join(',')).join('\n') + '\n'));

/** Arbitrary bytes, and arbitrary text over a CSV-ish alphabet (more likely to get past the decoder). */
export const arbitraryBytes: fc.Arbitrary<Buffer> = fc.oneof(
  fc.uint8Array({ maxLength: 3000 }).map((bytes) => Buffer.from(bytes)),
  fc.string({ unit: fc.constantFrom(...INSERTED, 'a', '1', '5', '2', '县', 'county_code', 'poor_population', 'amount', 'central'), maxLength: 400 }).map((text) => Buffer.from(text)),
  fc.string({ unit: 'binary', maxLength: 300 }).map((text) => Buffer.from(text, 'utf8')),
);

/** Lines in a text as an editor counts them (LF, CRLF or a lone CR end a line). */
function lineCount(bytes: Buffer): number {
  const text = bytes.toString('latin1');
  return text.split(/\r\n|\r|\n/).length;
}

/** Problems about a whole file, which name no line. */
const WHOLE_FILE = /^(the file is empty|the file is UTF-16|the file is \d+ bytes|the table has a header but no counties|is not valid JSON|cannot read)/;

export interface FuzzOutcome {
  readonly ok: boolean;
  readonly problems: number;
}

/**
 * Writes the inputs, runs them in-process through loadInputs, allocate and
 * the renderers, and checks the oracle. Returns whether the run succeeded.
 */
export function runAndCheck(inputs: { counties: Buffer; budget: Buffer; policy?: string }): FuzzOutcome {
  const dir = scratchDir();
  mkdirSync(dir, { recursive: true });
  const files: ScenarioFiles = { counties: join(dir, 'counties.csv'), budget: join(dir, 'budget.csv'), policy: join(dir, 'policy.json') };
  writeFileSync(files.counties, inputs.counties);
  writeFileSync(files.budget, inputs.budget);
  writeFileSync(files.policy, inputs.policy ?? DEFAULT_POLICY);
  try {
    const run = runFiles(files);
    // A successful run renders every table, and every county it read is in allocations.csv.
    expect(run.outputs.get('allocations.csv')).toMatch(/^\uFEFFcounty_code,/);
    return { ok: true, problems: 0 };
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    expect(error.problems.length).toBeGreaterThan(0);
    const lines: Record<string, number> = { 'counties.csv': lineCount(inputs.counties), 'budget.csv': lineCount(inputs.budget), 'policy.json': Number.MAX_SAFE_INTEGER };
    for (const problem of error.problems) {
      const described = JSON.stringify(problem);
      expect(Object.keys(lines), described).toContain(problem.file);
      expect(Number.isInteger(problem.line) && problem.line >= 0 && problem.line <= lines[problem.file]!, described).toBe(true);
      if (problem.line === 0 && problem.file !== 'policy.json') expect(problem.message, described).toMatch(WHOLE_FILE);
      expect(problem.message.length, described).toBeGreaterThan(0);
      // No JavaScript leaking into messages (a user's own "undefined" cell is quoted).
      expect(problem.message, described).not.toMatch(/(?<!")undefined(?!")|\[object |internal error/);
    }
    return { ok: false, problems: error.problems.length };
  }
}
