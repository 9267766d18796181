/**
 * Shortcuts a large run takes, each held equal to the general path it stands
 * for: allocations.csv's bytes written from its snapshot (writeAllocationCsv,
 * what the table's worker thread writes) against its rows written cell by
 * cell (renderCsv of allocationRows), and a figure's fixed-point text from
 * the table's store (figureFixedText, the stage-2 audit entries' factor
 * values) against the text of its integer form.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { figureFixedText, figureScaled, readCountiesCsv } from '../src/core/counties.js';
import { formatScaled } from '../src/core/money.js';
import { parseReference } from '../src/core/reference.js';
import { allocationRows, wholeNumberOf, writeAllocationCsv, type AllocationRowsData, type AmountColumnData } from '../src/render/allocation-rows.js';
import { csvHeaderText, csvLineChunks, renderCsv } from '../src/render/csv.js';
import { allocationsColumns } from '../src/render/tables.js';
import { ROOT } from './helpers.js';

const AMOUNTS = ['special_poverty_central', 'special_poverty_provincial', 'relocation'];
// allocations.csv's own columns (the rows' order is allocationRows'), as the table's worker is given them.
const { columns: COLUMNS, numberColumns: NUMBER_COLUMNS } = allocationsColumns(AMOUNTS);

/** Texts a cell may hold: plain, formula-like, quoted, full-width, numbers in text columns, empty. */
const text = fc.oneof(
  fc.constantFrom('', '中坝村', 'Gräfelfing·1', '=SUM(A1)', '+1', '-2', '@x', '＝1', ' =1', 'a,b', 'say "hi"', 'line\nbreak', '12.50', '-0.05', 'share', 'floor', '1.15', '\tx'),
  fc.string({ maxLength: 6 }),
);
const fen = fc.oneof(
  fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }),
  // Either side of the largest safe integer (written from a number below it, from the bigint's text above), and a
  // slot's ends.
  fc.constantFrom(0n, 5n, 100n, 2n ** 53n - 1n, 2n ** 53n, -(2n ** 53n), 2n ** 63n - 1n, -(2n ** 63n)),
);

/** A column of amounts with some rows blank. */
const amountColumn = (count: number): fc.Arbitrary<AmountColumnData> =>
  fc.array(fc.option(fen, { nil: undefined }), { minLength: count, maxLength: count }).map((amounts) => ({
    fen: BigInt64Array.from(amounts.map((amount) => amount ?? 0n)),
    present: Uint8Array.from(amounts.map((amount) => (amount === undefined ? 0 : 1))),
    wide: undefined,
  }));

const snapshot: fc.Arbitrary<AllocationRowsData> = fc.integer({ min: 0, max: 12 }).chain((count) =>
  fc
    .record({
      texts: fc.array(text, { minLength: 1, maxLength: 8 }),
      numericCodes: fc.boolean(),
      codes: fc.array(
        fc.oneof(
          fc.integer({ min: 1, max: 999_999_999 }).map(String),
          fc.integer({ min: 100_000_000_000, max: 999_999_999_999 }).map(String),
          // Either side of 2^31 and of a part of eight digits, and the longest whole number of digits a double holds.
          fc.constantFrom('2147483647', '2147483648', '100000000000', '100000000001', '520102000099', '999999999999', '999999999999999'),
          text,
        ),
        { minLength: count, maxLength: count },
      ),
      picks: fc.array(fc.array(fc.nat(), { minLength: 6, maxLength: 6 }), { minLength: count, maxLength: count }),
      flags: fc.array(fc.integer({ min: 0, max: 15 }), { minLength: count, maxLength: count }),
      populations: fc.array(
        fc.oneof(
          fc.tuple(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 0, max: 100_000 })).map(([poor, rural]) => ({ kind: 'numbers' as const, poor, rural })),
          fc.constantFrom({ kind: 'numbers' as const, poor: 2_147_483_648, rural: 9_007_199_254_740_991 }, { kind: 'numbers' as const, poor: 0, rural: 0 }),
          // An incidence a half of a millionth from two neighbours (worked out exactly), and one above 1.
          fc.constantFrom({ kind: 'numbers' as const, poor: 1, rural: 2_000_000 }, { kind: 'numbers' as const, poor: 3, rural: 2_000_000 }, { kind: 'numbers' as const, poor: 7_000_001, rural: 3 }),
          fc.constantFrom({ kind: 'texts' as const, poor: '12.5', rural: '100.25' }, { kind: 'cells' as const, cells: ['=1', 'a,b', '-3'] as const }),
        ),
        { minLength: count, maxLength: count },
      ),
      scores: fc.array(fc.oneof(fc.constant(''), fc.integer({ min: 0, max: 10 ** 9 }).map((units) => `0.${String(units).padStart(10, '0')}`)), { minLength: count, maxLength: count }),
      amounts: fc.tuple(amountColumn(count), fc.option(amountColumn(count), { nil: undefined }), amountColumn(count)),
      total: amountColumn(count),
      province: fc.record({ code: fc.oneof(fc.constant('52'), text), name: fc.oneof(fc.constant('贵州省'), text), region: text }),
    })
    .map((drawn) => {
      const texts = ['', ...drawn.texts];
      const pick = (row: number, at: number): number => drawn.picks[row]![at]! % texts.length;
      const numericCodes = drawn.numericCodes && drawn.codes.every((code) => /^[1-9]\d{0,14}$/.test(code));
      const populationTexts = new Map<number, readonly [string, string]>();
      const populationCells = new Map<number, readonly [string, string, string]>();
      const poor = new Float64Array(count);
      const rural = new Float64Array(count);
      drawn.populations.forEach((population, row) => {
        if (population.kind === 'numbers') {
          poor[row] = population.poor;
          rural[row] = population.rural;
          return;
        }
        poor[row] = NaN;
        rural[row] = NaN;
        if (population.kind === 'texts') populationTexts.set(row, [population.poor, population.rural]);
        else populationCells.set(row, population.cells);
      });
      const indices = (at: number): Uint32Array => Uint32Array.from({ length: count }, (_, row) => pick(row, at));
      return {
        count,
        codeNumbers: numericCodes ? Float64Array.from(drawn.codes.map(Number)) : undefined,
        codes: numericCodes ? [] : drawn.codes,
        name: indices(0),
        prefecture: indices(1),
        area: indices(2),
        focus: indices(3),
        binding: indices(4),
        texts,
        province: new Uint16Array(count),
        provinces: [drawn.province],
        flags: Uint8Array.from(drawn.flags),
        scores: drawn.scores.map((score) => `${score}\n`).join(''),
        poor,
        rural,
        populationTexts,
        populationCells,
        amountNames: AMOUNTS,
        amounts: drawn.amounts,
        total: drawn.total,
      };
    }),
);

describe('allocations.csv written from its snapshot', () => {
  const HEADER_BYTES = Buffer.byteLength(`${csvHeaderText(COLUMNS)}\r\n`);
  /** The bytes writeAllocationCsv hands on, each piece copied as it comes (the next is written over it), and the pieces. */
  const written = (data: AllocationRowsData, pieceBytes?: number, columns = COLUMNS): { bytes: Buffer; pieces: number[] } => {
    const pieces: Buffer[] = [];
    writeAllocationCsv(data, columns, NUMBER_COLUMNS, (piece) => pieces.push(Buffer.from(piece)), pieceBytes);
    return { bytes: Buffer.concat(pieces), pieces: pieces.map((piece) => piece.byteLength) };
  };

  it('is the UTF-8 of its rows written cell by cell, whatever the size of the pieces it comes in', () => {
    fc.assert(
      fc.property(snapshot, fc.option(fc.integer({ min: 1, max: 300 }), { nil: undefined }), (data, pieceBytes) => {
        const { bytes, pieces } = written(data, pieceBytes);
        expect(bytes.toString('utf8')).toBe(renderCsv({ columns: COLUMNS, numberColumns: NUMBER_COLUMNS, rows: [...allocationRows(data)] }));
        // Every piece holds something; none is longer than asked for, unless the header alone is (its buffer is then grown to hold it).
        expect(pieces.every((length) => length > 0)).toBe(true);
        if (pieceBytes !== undefined) expect(Math.max(...pieces)).toBeLessThanOrEqual(Math.max(pieceBytes, HEADER_BYTES));
      }),
      { numRuns: 400 },
    );
  });

  it('refuses columns that are not the rows\'', () => {
    fc.assert(
      fc.property(snapshot, (data) => {
        expect(() => written(data, undefined, COLUMNS.slice(1))).toThrow(RangeError);
      }),
      { numRuns: 5 },
    );
  });
});

describe('a code of digits as a number', () => {
  it('is what Number makes of digits without a leading zero (at most 15), and nothing for any other text', () => {
    const digits = fc.string({ unit: fc.constantFrom('0', '1', '5', '9'), maxLength: 17 });
    const other = fc.string({ unit: fc.constantFrom('0', '7', '/', ':', '.', '-', ' ', '٣', 'e'), maxLength: 5 });
    fc.assert(
      fc.property(fc.oneof(digits, other, fc.constantFrom('0', '00', '520102000099', '999999999999999', '1000000000000000', '9007199254740993')), (text) => {
        expect(wholeNumberOf(text)).toBe(/^(0|[1-9]\d{0,14})$/.test(text) ? Number(text) : undefined);
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('a figure as fixed-point text from the store', () => {
  const reference = parseReference(readFileSync(join(ROOT, 'data', 'provinces.csv'), 'utf8'), readFileSync(join(ROOT, 'data', 'contiguous_areas.csv'), 'utf8'));
  // A factor's figures are greater than 0; the poor population may be 0 (and is whole).
  const figure = fc.oneof(
    fc.constantFrom('5', '0.05', '1234567890', '12345678.901', '007.50', '999999999', '0.000000001'),
    fc.tuple(fc.integer({ min: 1, max: 999_999_999 }), fc.integer({ min: 0, max: 8 })).map(([whole, places]) => {
      const digits = String(whole).padStart(places + 1, '0');
      return places === 0 ? digits : `${digits.slice(0, -places)}.${digits.slice(-places)}`;
    }),
  );

  it('is the text of its integer form, for any places asked for', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(figure, fc.constantFrom('0', '000', '7', '0100')), { minLength: 1, maxLength: 10 }), fc.integer({ min: 0, max: 10 }), (figures, places) => {
        const lines = ['county_code,county_name,poor_population,rural_population,extra_factor'];
        figures.forEach(([value, poor], index) => lines.push(`520111${String(index + 1).padStart(6, '0')},村,${poor},1000,${value}`));
        const read = readCountiesCsv('villages.csv', `${lines.join('\n')}\n`, reference, ['extra_factor']);
        expect([...read.tableProblems, ...read.problems]).toEqual([]);
        for (const county of read.result!.counties) {
          for (const column of ['extra_factor', 'poor_population', 'no_such_column']) {
            expect(figureFixedText(county, column, places)).toBe(formatScaled(figureScaled(county, column), places));
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('CSV text in chunks', () => {
  it('is the BOM, the header and every line each ended by CRLF, a few thousand lines a chunk, whatever the count', () => {
    const columns = ['county_code', 'name'];
    for (const count of [0, 1, 4_094, 4_095, 4_096, 4_097, 8_191, 8_192, 10_000]) {
      const lines = Array.from({ length: count }, (_, index) => `${520000 + index},村${index}`);
      const chunks = [...csvLineChunks(columns, lines)];
      expect(chunks.join('')).toBe(`\uFEFFcounty_code,name\r\n${lines.map((line) => `${line}\r\n`).join('')}`);
      // The header and the lines, 4,096 to a chunk: at least one chunk, none empty.
      expect(chunks.length).toBe(Math.max(1, Math.ceil((count + 1) / 4_096)));
      expect(chunks.every((chunk) => chunk.endsWith('\r\n'))).toBe(true);
    }
  });
});
