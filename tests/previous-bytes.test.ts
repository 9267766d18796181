/**
 * Last year's allocations.csv read from its bytes (readPreviousBytes, for a
 * large file as povalloc writes it) gives what reading its text as every
 * table is read gives (readPreviousText): the same rows, totals and
 * problems, or it declines and the text is read. Generated files, clean and
 * spoilt in the ways a file may be, hold the two together; a clean file is
 * never declined.
 */
import fc from 'fast-check';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readPreviousBytes, readPreviousText, type PreviousAllocations } from '../src/core/previous.js';
import type { Problem } from '../src/core/problems.js';
import { decodedParts } from '../src/io/read-inputs.js';
import { BYTES_READ_FROM, readPreviousFile } from '../src/io/read-previous.js';
import { tempDir } from './helpers.js';

const HEADER = ['county_code', 'county_name', 'province_code', 'special_poverty_central', 'special_poverty_provincial', 'total'];

/** What a read holds, comparable: every stored row looked up by its code (and a code it has not). */
function described(read: { result?: PreviousAllocations; problems: readonly Problem[] }, codes: readonly string[]): unknown {
  const previous = read.result;
  return {
    problems: read.problems,
    previous: previous && {
      size: previous.byCounty.size,
      centralTotal: previous.centralTotal,
      skippedBlankRows: previous.skippedBlankRows,
      codeLength: previous.codeLength,
      rows: [...codes, '999999', '999999999999'].map((code) => previous.byCounty.get(code) ?? null),
    },
  };
}

/** The text as a large file's is read (decoded in small parts, as read-inputs.ts decodes one of more than 32 KB). */
function readAsText(bytes: Buffer): ReturnType<typeof readPreviousText> | undefined {
  const decoded = decodedParts(bytes, 'auto', 'allocations.csv', 64);
  return decoded.parts && readPreviousText('allocations.csv', decoded.parts);
}

const digits = (count: number): fc.Arbitrary<string> => fc.array(fc.integer({ min: 0, max: 9 }), { minLength: count, maxLength: count }).map((list) => list.join(''));
const money = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.bigInt({ min: 0n, max: 999_999_999n }), fc.integer({ min: 0, max: 99 })).map(([yuan, fen]) => `${yuan}.${String(fen).padStart(2, '0')}`) },
  { weight: 1, arbitrary: fc.constantFrom('0', '0.00', '12', '12.5', '0012.30', '999999999999999.99', '123456789012345', '90071992547409.93') },
);
const name = fc.constantFrom('中坝村', 'Village', '坪沟村', '', '新村 ');
const row = fc.record({ code: fc.oneof({ weight: 8, arbitrary: digits(12) }, { weight: 1, arbitrary: fc.constantFrom('110076000026', '520111000001') }), name, central: money, provincial: money });
const clean = fc.record({ rows: fc.array(row, { minLength: 0, maxLength: 30 }), bom: fc.boolean(), crlf: fc.boolean(), lastLineEnd: fc.boolean() });

function fileOf(header: readonly string[], lines: readonly string[], options: { bom: boolean; crlf: boolean; lastLineEnd: boolean }): Buffer {
  const end = options.crlf ? '\r\n' : '\n';
  const text = [header.join(','), ...lines].join(end) + (options.lastLineEnd ? end : '');
  return Buffer.from((options.bom ? '\uFEFF' : '') + text, 'utf8');
}

const lineOf = (cells: { code: string; name: string; central: string; provincial: string }): string => [cells.code, cells.name, cells.code.slice(0, 2), cells.central, cells.provincial, '0.00'].join(',');

/** Ways a line can differ from what povalloc writes and still be read from its bytes. */
const benign = fc.constantFrom(
  (line: string) => line.replace(/^(\d+),[^,]*,/, '$1,新 村 ,'),
  (line: string) => line.replace(/,(\d+)\.(\d)\d,/, ',$1.$2,'),
  (line: string) => line.replace(/,(\d+)\.(\d\d),/, ',00$1.$2,'),
  (line: string) => line.replace(/,(\d+)\.\d\d,/, ',$1,'),
  (line: string) => line.replace(/,[^,]*$/, ', total '),
);

/** Ways a line or the file can differ from what povalloc writes: read from its bytes only if the same comes out. */
const bad = fc.constantFrom(
  (line: string) => line.replace(',', ' ,'),
  (line: string) => line.replace(/,(\d+(\.\d+)?),/, ', $1 ,'),
  (line: string) => line.replace(/^\d+/, (code) => code.slice(0, 6)),
  (line: string) => line.replace(/^\d+/, (code) => `${code}1`),
  (line: string) => line.replace(/^\d/, 'x'),
  (line: string) => line.replace(/,(\d+)\.(\d\d),/, ',$1.$2$2,'),
  (line: string) => line.replace(/,(\d+)\.(\d\d),/, ',-$1.$2,'),
  (line: string) => line.replace(/,\d+\.\d\d,/, ',,'),
  (line: string) => line.replace(/,\d+\.\d\d,/, ',12345678901234567.00,'),
  (line: string) => line.replace(/,[^,]*$/, ''),
  (line: string) => `${line},`,
  (line: string) => `${line},extra`,
  (line: string) => line.replace(',', ',"'),
  (line: string) => line.replace(',', ',"a,b",').replace(/,[^,]*$/, ''),
  (line: string) => line.replace(',', '\r,'),
  (line: string) => line.replace(/^(\d+),([^,]*),/, '$1,$2\r村,'),
  (line: string) => line.replace(/,(\d+)\.(\d)\d,/, ',$1.$2$2$2,'),
  () => '',
  () => ',,,,,',
  () => '   ',
);
const spoil = fc.oneof(benign, bad);

describe('last year\'s allocations.csv read from its bytes', () => {
  it('reads a clean file as its text is read, and never declines it', () => {
    fc.assert(
      fc.property(clean, ({ rows, ...options }) => {
        const bytes = fileOf(HEADER, rows.map(lineOf), options);
        const fast = readPreviousBytes('allocations.csv', bytes);
        expect(fast).toBeDefined();
        const codes = rows.map((cells) => cells.code);
        expect(described(fast!, codes)).toEqual(described(readAsText(bytes)!, codes));
      }),
      { numRuns: 300 },
    );
  });

  it('gives what the text gives whenever it does not decline a spoilt file', () => {
    let declined = 0;
    let taken = 0;
    fc.assert(
      fc.property(clean, fc.array(fc.tuple(fc.nat(), spoil), { minLength: 1, maxLength: 3 }), ({ rows, ...options }, spoils) => {
        const lines = rows.map(lineOf);
        if (lines.length === 0) lines.push(lineOf({ code: '110076000026', name: '中坝村', central: '1.00', provincial: '2.00' }));
        for (const [at, change] of spoils) lines[at % lines.length] = change(lines[at % lines.length]!);
        const bytes = fileOf(HEADER, lines, options);
        const fast = readPreviousBytes('allocations.csv', bytes);
        if (fast === undefined) {
          declined++;
          return;
        }
        taken++;
        const codes = lines.map((line) => line.split(',')[0]!);
        expect(described(fast, codes)).toEqual(described(readAsText(bytes)!, codes));
      }),
      { numRuns: 600 },
    );
    // Both ways were taken: about half the spoilt lines are still ones the bytes read.
    expect(declined).toBeGreaterThan(100);
    expect(taken).toBeGreaterThan(60);
  });

  it('declines a header it does not take as it is, and gives what the text gives for one it takes', () => {
    const body = ['110076000026,中坝村,11,273612.61,483484.94,757097.55', '110076000026,中坝村,11,1.00,2.00,3.00', '110076005007,坪沟村,11,0.00,0.00,0.00'];
    const headers: [readonly string[], boolean][] = [
      [HEADER, true],
      [['县代码', ...HEADER.slice(1)], true],
      [[' county_code ', ...HEADER.slice(1)], true],
      [HEADER.map((column) => column.toUpperCase()), true],
      [HEADER.filter((column) => column !== 'special_poverty_provincial'), false],
      [[...HEADER.slice(0, 5), 'county_code'], false],
      [[...HEADER, ''], false],
      [[...HEADER, '', ''], false],
      [['', ...HEADER.slice(1)], false],
    ];
    for (const [header, taken] of headers) {
      const bytes = fileOf(header, body, { bom: true, crlf: true, lastLineEnd: true });
      const fast = readPreviousBytes('allocations.csv', bytes);
      const codes = body.map((line) => line.slice(0, 12));
      if (taken) {
        expect(fast, header.join(',')).toBeDefined();
        expect(described(fast!, codes)).toEqual(described(readAsText(bytes)!, codes));
        // The code appearing twice is the one problem.
        expect(fast!.problems).toEqual([{ file: 'allocations.csv', line: 3, column: 'county_code', message: '"110076000026" appears twice (also on line 2)' }]);
      } else {
        expect(fast, header.join(',')).toBeUndefined();
      }
    }
    // A header with an empty last cell, and rows with a cell more: the table's reader takes one empty there, and
    // reports a row with something in it.
    for (const extra of ['', 'x']) {
      const wider = fileOf([...HEADER, ''], body.map((line) => `${line},${extra}`), { bom: false, crlf: false, lastLineEnd: true });
      const read = readPreviousBytes('allocations.csv', wider);
      if (read !== undefined) expect(described(read, [])).toEqual(described(readAsText(wider)!, []));
    }
    for (const text of ['', '\n', '\uFEFF', 'county_code', `\n${HEADER.join(',')}\n${body[2]}\n`]) {
      expect(readPreviousBytes('allocations.csv', Buffer.from(text, 'utf8')), JSON.stringify(text)).toBeUndefined();
    }
    // A header alone, with no line end: no rows, as the text gives.
    const alone = Buffer.from(HEADER.join(','), 'utf8');
    expect(described(readPreviousBytes('allocations.csv', alone)!, [])).toEqual(described(readAsText(alone)!, []));
  });

  it('is taken by readPreviousFile for a large file only, which reads what it declines as text', () => {
    const dir = tempDir();
    const rows = Array.from({ length: 30_000 }, (_, index) => lineOf({ code: `5201110${String(index).padStart(5, '0')}`, name: '中坝村', central: `${index}.25`, provincial: '7.00' }));
    const large = fileOf(HEADER, rows, { bom: true, crlf: true, lastLineEnd: true });
    expect(large.length).toBeGreaterThan(BYTES_READ_FROM);
    const path = join(dir, 'large.csv');
    writeFileSync(path, large);
    const read = readPreviousFile(path, 'auto', () => Buffer.alloc(0));
    expect(read.problems).toEqual([]);
    expect(read.skippedBlankRows).toBe(0);
    expect(read.previous!.byCounty.size).toBe(30_000);
    expect(read.previous!.centralTotal).toBe(rows.reduce((sum, _, index) => sum + BigInt(index) * 100n + 25n, 0n));
    expect(read.previous!.byCounty.get('520111029999')).toEqual({ code: '520111029999', specialPovertyCentral: 2_999_925n, specialPovertyProvincial: 700n, line: 30_001 });
    // A blank line makes the bytes decline: the text is read, and the line is counted as skipped.
    const withBlank = join(dir, 'blank.csv');
    writeFileSync(withBlank, Buffer.concat([large, Buffer.from('\r\n')]));
    const again = readPreviousFile(withBlank, 'auto', () => Buffer.alloc(0));
    expect(again.skippedBlankRows).toBe(1);
    expect(again.previous!.skippedBlankRows).toBe(1);
    const codes = ['520111000000', '520111029999'];
    expect(codes.map((code) => again.previous!.byCounty.get(code))).toEqual(codes.map((code) => read.previous!.byCounty.get(code)));
    expect([again.previous!.byCounty.size, again.previous!.centralTotal]).toEqual([read.previous!.byCounty.size, read.previous!.centralTotal]);
  });
});
