/**
 * The fast CSV tokenizer against csv-parse, the reference: on any text the
 * fast one reads, both give the same records, cells and lines; parseCsvTable
 * gives the same table and problems whichever reads the text.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_FIELD_CHARS, parseCsvTable, tokenizeCsvFast, tokenizeCsvWithCsvParse, visitCsvParts, visitCsvTable, type TableVisitor } from '../src/core/table.js';
import { decodeBytes, decodedParts } from '../src/io/read-inputs.js';

/** Pieces rich in what a tokenizer can get wrong: quotes, commas, every line end, white space csv-parse trims and some it does not. */
const PIECES = [
  '"',
  '""',
  ',',
  ',,',
  '\r',
  '\n',
  '\r\n',
  '\n\r',
  ' ',
  '\t',
  '\u3000',
  '\uFEFF',
  '\u00a0',
  '\u0085',
  '\u2028',
  '\v',
  'a',
  '1',
  '12.5',
  '甲',
  '贫困县',
  '𠀀',
  '"x"',
  '" q ""r"" "',
  '"多\n行"',
  ' "s" ',
];

const randomText = fc
  .tuple(fc.boolean(), fc.array(fc.constantFrom(...PIECES), { maxLength: 40 }))
  .map(([bom, pieces]) => (bom ? '\uFEFF' : '') + pieces.join(''));

/** Cells as a person or Excel writes them: some quoted (with doubled quotes), some padded. */
const cellText = fc.array(fc.constantFrom('a', '1', '.', '甲', ' ', '\u3000', ',', '"', '\n', '\r\n', '𠀀', '-'), { maxLength: 6 }).map((parts) => parts.join(''));
// (csv-parse refuses a multi-byte space such as U+3000 after the closing quote of a non-empty cell.)
const writtenCell = fc.tuple(cellText, fc.constantFrom('', ' ', '\t', '\u3000'), fc.constantFrom('', ' ', '\t')).map(([text, before, after]) => {
  const needsQuotes = /[",\r\n]/.test(text) || text !== text.trim();
  return needsQuotes ? `${before}"${text.replace(/"/g, '""')}"${after}` : `${before}${text}${before}`;
});
const wellFormedText = fc
  .tuple(
    fc.array(fc.array(writtenCell, { minLength: 1, maxLength: 5 }), { maxLength: 8 }),
    fc.array(fc.constantFrom('\n', '\r\n', '\r'), { minLength: 8, maxLength: 8 }),
    fc.boolean(),
  )
  .map(([rows, ends, lastEnd]) => rows.map((cells, index) => cells.join(',') + (index < rows.length - 1 || lastEnd ? ends[index]! : '')).join(''));

describe('fast CSV tokenizer', () => {
  it('gives exactly csv-parse\'s records and lines whenever it reads a text (random texts of quotes, commas, line ends, white space)', () => {
    let read = 0;
    fc.assert(
      fc.property(randomText, (text) => {
        const fast = tokenizeCsvFast(text);
        if (fast === undefined) return;
        read++;
        const reference = tokenizeCsvWithCsvParse('t.csv', text);
        expect(reference.problem).toBeUndefined();
        expect(fast).toEqual(reference.records);
      }),
      { numRuns: 3000 },
    );
    // Not vacuous: a good share of the random texts are read by the fast path.
    expect(read).toBeGreaterThan(300);
  });

  it('parseCsvTable gives the same table and problems with either tokenizer (random texts)', () => {
    fc.assert(
      fc.property(randomText, (text) => {
        expect(parseCsvTable('t.csv', text)).toEqual(parseCsvTable('t.csv', text, { tokenizer: 'csv-parse' }));
      }),
      { numRuns: 3000 },
    );
  });

  it('reads every well-formed text itself, with the same records as csv-parse', () => {
    fc.assert(
      fc.property(wellFormedText, (text) => {
        const fast = tokenizeCsvFast(text);
        expect(fast).toBeDefined();
        expect(fast).toEqual(tokenizeCsvWithCsvParse('t.csv', text).records);
        expect(parseCsvTable('t.csv', text)).toEqual(parseCsvTable('t.csv', text, { tokenizer: 'csv-parse' }));
      }),
      { numRuns: 2000 },
    );
  });

  it.each([
    ['a,b\n1,2\n', [{ line: 1, cells: ['a', 'b'] }, { line: 2, cells: ['1', '2'] }]],
    ['\uFEFFa\r\n\r\n"x\r\ny",2\r3', [{ line: 1, cells: ['a'] }, { line: 2, cells: [''] }, { line: 3, cells: ['x\r\ny', '2'] }, { line: 5, cells: ['3'] }]],
    ['a\n  ', [{ line: 1, cells: ['a'] }]],
    ['a\n\u0085', [{ line: 1, cells: ['a'] }, { line: 2, cells: ['\u0085'] }]],
    ['a\n""', [{ line: 1, cells: ['a'] }, { line: 2, cells: [''] }]],
    ['a\n,', [{ line: 1, cells: ['a'] }, { line: 2, cells: ['', ''] }]],
    [' " a ""b"" " , c ', [{ line: 1, cells: [' a "b" ', 'c'] }]],
    ['\u3000"a"\t\n""\u3000,1', [{ line: 1, cells: ['a'] }, { line: 2, cells: ['', '1'] }]],
  ])('reads %j like csv-parse', (text, records) => {
    expect(tokenizeCsvFast(text)).toEqual(records);
    expect(tokenizeCsvWithCsvParse('t.csv', text).records).toEqual(records);
  });

  it.each(['a,b\n"1,2\n', 'a,b\n"1"x,2\n', 'a,b\n1 "2",3\n', 'a\n"" "b"\n', '"x"\u3000,1\n', 'a\n\uD800\n'])('declines %j, leaving it to csv-parse', (text) => {
    expect(tokenizeCsvFast(text)).toBeUndefined();
  });

  it('refuses a quoted cell longer than the cap by its length before trimming, as csv-parse\'s cells are', () => {
    const text = `a,b\n1,"${' '.repeat(MAX_FIELD_CHARS)}x"\n`;
    expect(tokenizeCsvFast(text)).toBeDefined();
    expect(parseCsvTable('t.csv', text).problems).toEqual(parseCsvTable('t.csv', text, { tokenizer: 'csv-parse' }).problems);
    expect(parseCsvTable('t.csv', text).problems).toHaveLength(1);
  });
});

describe('a text read in parts (visitCsvParts over decodedParts)', () => {
  /** What a reader is handed: the header and each row with its line, or nothing but problems. */
  const visitRecorder = (): { visitor: TableVisitor; seen: unknown[] } => {
    const seen: unknown[] = [];
    return { seen, visitor: { header: (header, line) => seen.push(['header', line, [...header]]), row: (row) => seen.push([row.line, [...row.cells]]) } };
  };
  const whole = (bytes: Buffer): unknown => {
    const decoded = decodeBytes(bytes, 'auto', 'x.csv');
    if (decoded.problem) return { problem: decoded.problem };
    let recorder = visitRecorder();
    const visited = visitCsvTable('x.csv', decoded.text!, () => (recorder = visitRecorder()).visitor);
    return { encoding: decoded.encoding, visited, seen: recorder.seen };
  };
  const inParts = (bytes: Buffer, partBytes: number): unknown => {
    const decoded = decodedParts(bytes, 'auto', 'x.csv', partBytes);
    if (decoded.problem) return { problem: decoded.problem };
    let recorder = visitRecorder();
    const visited = visitCsvParts('x.csv', decoded.parts!, () => (recorder = visitRecorder()).visitor);
    return { encoding: decoded.encoding, visited, seen: recorder.seen };
  };

  it('gives the reader what the whole text gives it, header, rows, lines and problems, parts of 1 to 40 bytes (random and well-formed texts, with and without a BOM)', () => {
    fc.assert(
      fc.property(fc.oneof(randomText, wellFormedText), fc.boolean(), fc.integer({ min: 1, max: 40 }), (text, bom, partBytes) => {
        const bytes = Buffer.from((bom ? '\uFEFF' : '') + text, 'utf8');
        expect(inParts(bytes, partBytes)).toEqual(whole(bytes));
      }),
      { numRuns: 400 },
    );
  });

  it('cuts each part at the first line feed at or after its size with an even number of quotes before it in the part (random and well-formed texts)', () => {
    // The parts worked out byte by byte, each quote counted where it is.
    const byteByByte = (bytes: Buffer, from: number, partBytes: number): string[] => {
      const parts: string[] = [];
      let start = from;
      while (start < bytes.length) {
        let end = bytes.length;
        let quotes = 0;
        for (let at = start; at < bytes.length; at++) {
          if (bytes[at] === 0x22) quotes++;
          if (bytes[at] === 0x0a && at >= start + partBytes && quotes % 2 === 0) {
            end = at + 1;
            break;
          }
        }
        parts.push(bytes.toString('utf8', start, end));
        start = end;
      }
      return parts;
    };
    fc.assert(
      fc.property(fc.oneof(randomText, wellFormedText), fc.boolean(), fc.integer({ min: 1, max: 40 }), (text, bom, partBytes) => {
        const bytes = Buffer.from((bom ? '\uFEFF' : '') + text, 'utf8');
        const parts = [...decodedParts(bytes, 'auto', 'x.csv', partBytes).parts!()];
        // After a BOM (the text's own too, when it begins with U+FEFF).
        const from = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
        expect(parts.filter((part) => part !== '')).toEqual(byteByByte(bytes, from, partBytes));
      }),
      { numRuns: 1000 },
    );
  });

  it('decodes valid UTF-8 in parts that end at line ends outside quotes, and joined are the whole text', () => {
    const text = 'code,name\n1,"a\nb"\n2,"c,""d"""\r\n3,甲乙\n4,"\n\n"\n';
    const bytes = Buffer.from(`\uFEFF${text}`, 'utf8');
    const decoded = decodedParts(bytes, 'auto', 'x.csv', 4);
    const parts = [...decoded.parts!()];
    expect(decoded.encoding).toBe('utf8-bom');
    expect(parts.join('')).toBe(text);
    expect(parts).toEqual(['code,name\n', '1,"a\nb"\n', '2,"c,""d"""\r\n', '3,甲乙\n', '4,"\n\n"\n']);
    // Not UTF-8, or not longer than a part: decoded whole, as decodeBytes decodes it.
    const gb = Buffer.from([0x61, 0x2c, 0x62, 0x0a, 0xd6, 0xd0, 0x2c, 0x31, 0x0a]);
    expect([...decodedParts(gb, 'auto', 'x.csv', 2).parts!()]).toEqual([decodeBytes(gb, 'auto', 'x.csv').text]);
    expect([...decodedParts(bytes, 'auto', 'x.csv', bytes.length).parts!()]).toEqual([text]);
  });
});
