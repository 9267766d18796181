/**
 * prettyJsonPieces writes what JSON.stringify(document, null, 2) writes, in
 * pieces: for any document and list, wherever the list's member stands, and
 * for lists longer than a piece.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { prettyJsonPieces } from '../src/render/json-pieces.js';

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
});
