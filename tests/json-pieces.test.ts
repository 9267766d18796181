/**
 * prettyJsonPieces writes what JSON.stringify(document, null, 2) writes, in
 * pieces: for any document and list, wherever the list's member stands, and
 * for lists longer than a piece.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { prettyJsonPieces, prettyJsonRowPieces } from '../src/render/json-pieces.js';

describe('prettyJsonPieces', () => {
  it('joined, is JSON.stringify(document with the list, null, 2) (property)', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ maxLength: 4 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 5 }),
        fc.constantFrom('counties', 'a', ''),
        fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 8 }),
        (document, name, elements) => {
          const expected = JSON.stringify({ ...document, [name]: elements }, null, 2);
          expect([...prettyJsonPieces(document, name, elements)].join('')).toBe(expected);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('writes rows as JSON.stringify writes them: any names and strings, numeric names first, getters, toJSON, inherited and non-string values (property)', () => {
    const text = fc.string({ unit: fc.oneof(fc.constantFrom('a', '1', '"', '\\', '\n', '\t', '\u2028', '甲', '\ud800', '\udc00', '𠀀'), fc.string({ maxLength: 1 })), maxLength: 6 });
    const row = fc.dictionary(fc.oneof(text, fc.constantFrom('10', '2', '__proto__', 'toJSON')), text, { maxKeys: 6 });
    const odd = fc.oneof(
      row.map((values) => ({ ...values, n: 1 })),
      row.map((values) => Object.defineProperty({ ...values }, 'got', { get: () => 'by getter', enumerable: true })),
      row.map((values) => ({ ...values, toJSON: () => ({ replaced: 'yes' }) })),
      row.map((values) => Object.assign(Object.create({ inherited: 'no' }) as object, values)),
      fc.constant(new Date(0)),
    );
    fc.assert(
      fc.property(fc.array(fc.oneof(row, odd), { maxLength: 6 }), (elements) => {
        expect([...prettyJsonPieces({ kind: 'compare' }, 'counties', elements)].join('')).toBe(JSON.stringify({ kind: 'compare', counties: elements }, null, 2));
      }),
      { numRuns: 500 },
    );
  });

  it('writes a long list in several pieces, the same text as in one', () => {
    for (const count of [0, 1, 2_047, 2_048, 2_049, 5_000]) {
      const rows = Array.from({ length: count }, (_, index) => ({ county_code: String(520100 + index), name: '甲\n"乙"', change: index % 7 === 0 ? null : -index }));
      const document = { schema_version: 1, kind: 'compare', counties: 'replaced', after: { x: [1, { y: [] }] } };
      const pieces = [...prettyJsonPieces(document, 'counties', rows)];
      expect(pieces.join('')).toBe(JSON.stringify({ ...document, counties: rows }, null, 2));
      // The rows are not made into one piece.
      if (count > 2_048) expect(pieces.length).toBeGreaterThan(3);
    }
  });

  it('writes what JSON writes in an array for what it cannot write', () => {
    const elements = [undefined, () => 1, Symbol('s'), 1];
    expect([...prettyJsonPieces({ a: undefined, b: 1 }, 'list', elements)].join('')).toBe(JSON.stringify({ a: undefined, b: 1, list: elements }, null, 2));
  });

  it('writes rows of strings as JSON.stringify writes their objects: any names and cells, names twice, array indices, no names (property)', () => {
    const text = fc.string({ unit: fc.oneof(fc.constantFrom('a', '1', '"', '\\', '\n', '\t', '\u001f', '\u2028', '甲', '\ud800', '\udc00', '𠀀'), fc.string({ maxLength: 1 })), maxLength: 6 });
    const name = fc.oneof(text, fc.constantFrom('10', '2', '01', '4294967295', '__proto__', 'toJSON', 'county_code'));
    fc.assert(
      fc.property(
        fc.array(name, { maxLength: 6 }),
        fc.array(fc.array(text, { minLength: 6, maxLength: 6 }), { maxLength: 140 }),
        fc.constantFrom({ kind: 'compare' }, { kind: 'compare', counties: 1, after: [2] }, {}),
        (columns, rows, document) => {
          const objects = rows.map((cells) => Object.fromEntries(columns.map((column, at) => [column, cells[at]!])));
          const pieces = [...prettyJsonRowPieces(document, 'counties', columns, rows)];
          expect(pieces.join('')).toBe(JSON.stringify({ ...document, counties: objects }, null, 2));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('writes rows of strings in pieces of a few dozen rows, each one flat string', () => {
    const columns = ['county_code', 'county_name', 'change'];
    const rows = Array.from({ length: 1_000 }, (_, index) => [String(520100 + index), '甲"乙"\n', String(-index)]);
    const pieces = [...prettyJsonRowPieces({ kind: 'compare' }, 'counties', columns, rows)];
    expect(pieces.join('')).toBe(JSON.stringify({ kind: 'compare', counties: rows.map(([a, b, c]) => ({ county_code: a, county_name: b, change: c })) }, null, 2));
    // The opening, 16 pieces of at most 64 rows, the closing.
    expect(pieces).toHaveLength(18);
  });
});

