/**
 * Formula neutralisation and the exact-number door of the workbook.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatYuan } from '../src/core/money.js';
import { exactSpreadsheetNumber, looksLikeFormula, neutraliseFormula, spreadsheetNumberText } from '../src/render/spreadsheet-safe.js';

describe('neutraliseFormula', () => {
  it.each([
    ['=1+2', "'=1+2"],
    ['+86 123', "'+86 123"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\t=1', "'\t=1"],
    ['\r=1', "'\r=1"],
    ['\n=1', "'\n=1"],
    ['＝SUM(A1)', "'＝SUM(A1)"],
    ['＋1', "'＋1"],
    ['－1', "'－1"],
    ['＠x', "'＠x"],
    ['   =1', "'   =1"],
    ['\u3000=1', "'\u3000=1"],
    ['贵州', '贵州'],
    ['甲县', '甲县'],
    ['a=b', 'a=b'],
    ['', ''],
    ['   ', '   '],
    ["'=already", "'=already"],
  ])('%j -> %j', (text, expected) => {
    expect(neutraliseFormula(text)).toBe(expected);
  });

  it('is idempotent and never leaves a formula trigger first', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('=', '+', '-', '@', ' ', '\t', '\n', '＝', 'a', '贵', '1', "'") }), (text) => {
        const once = neutraliseFormula(text);
        expect(neutraliseFormula(once)).toBe(once);
        expect(looksLikeFormula(once)).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('exactSpreadsheetNumber', () => {
  const LIMIT_FEN = 2n ** 46n * 100n;

  it('gives back every two-decimal amount below 2^46 yuan exactly through the double\'s shortest form', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -LIMIT_FEN + 1n, max: LIMIT_FEN - 1n }), (fen) => {
        const text = formatYuan(fen);
        const number = exactSpreadsheetNumber(text);
        expect(number).toBeTypeOf('number');
        // What a reader of the xlsx sees: the shortest decimal form of the stored double.
        const back = String(number);
        const [whole = '', fraction = ''] = back.split('.');
        expect(`${whole}.${fraction.padEnd(2, '0')}`.replace(/^-0\.00$/, '0.00')).toBe(text === '-0.00' ? '0.00' : text);
      }),
      { numRuns: 20_000 },
    );
  });

  it('refuses, rather than rounds, what a double cannot hold', () => {
    expect(exactSpreadsheetNumber('70368744177664.01')).toBeUndefined(); // 2^46 yuan + 1 fen
    expect(exactSpreadsheetNumber('90071992547409.91')).toBeUndefined(); // just below 2^53 fen
    expect(exactSpreadsheetNumber('0.12345678901234567')).toBeUndefined();
    expect(exactSpreadsheetNumber('1e5')).toBeUndefined();
    expect(exactSpreadsheetNumber('12a')).toBeUndefined();
    expect(exactSpreadsheetNumber('0.0271855494')).toBe(0.0271855494);
    expect(exactSpreadsheetNumber('1234.50')).toBe(1234.5);
    expect(exactSpreadsheetNumber('-0.00')).toBe(0);
  });

  it('gives what comparing canonical decimals gives, for any plain decimal or not (its quick paths settle most cells; property)', () => {
    // The rule before the quick paths: a number only when the double's shortest form is the same canonical decimal.
    const canonical = (text: string): string => {
      const negative = text.startsWith('-');
      const [whole = '0', fraction = ''] = (negative ? text.slice(1) : text).split('.');
      const body = fraction.replace(/0+$/, '') === '' ? whole.replace(/^0+(?=\d)/, '') : `${whole.replace(/^0+(?=\d)/, '')}.${fraction.replace(/0+$/, '')}`;
      return negative && body !== '0' ? `-${body}` : body;
    };
    const reference = (text: string): number | undefined => {
      if (!/^-?\d+(\.\d+)?$/.test(text)) return undefined;
      const value = Number(text);
      if (!Number.isFinite(value) || !/^-?\d+(\.\d+)?$/.test(String(value))) return undefined;
      return canonical(String(value)) === canonical(text) ? (Object.is(value, -0) ? 0 : value) : undefined;
    };
    const decimalText = fc
      .tuple(fc.boolean(), fc.stringMatching(/^[0-9]{1,22}$/), fc.option(fc.stringMatching(/^[0-9]{1,20}$/)))
      .map(([negative, whole, fraction]) => `${negative ? '-' : ''}${whole}${fraction === null ? '' : `.${fraction}`}`);
    fc.assert(
      fc.property(fc.oneof(decimalText, fc.string({ maxLength: 6 }), fc.constantFrom('0', '-0', '0.0', '00.50', '1e21', '100', '100.000', '-100.10')), (text) => {
        expect(Object.is(exactSpreadsheetNumber(text), reference(text))).toBe(true);
      }),
      { numRuns: 20_000 },
    );
  });
});

describe('looksLikeFormula, settled by the first character where it can be', () => {
  // The rule as one regular expression: what looksLikeFormula must always agree with.
  const FORMULA_START = /^(?:[\t\r\n]|\s*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20])/u;

  it('agrees with the regular expression for every first UTF-16 code unit, followed by a formula start or not', () => {
    const mismatches: string[] = [];
    for (let code = 0; code <= 0xffff; code++) {
      for (const rest of ['', '=1', 'a', ' +x', '\u3000@']) {
        const text = String.fromCharCode(code) + rest;
        if (looksLikeFormula(text) !== FORMULA_START.test(text)) mismatches.push(`U+${code.toString(16)} ${JSON.stringify(rest)}`);
      }
    }
    expect(mismatches).toEqual([]);
  });
});

describe('spreadsheetNumberText', () => {
  const expected = (text: string): string | undefined => {
    const number = exactSpreadsheetNumber(text);
    return number === undefined ? undefined : String(number);
  };

  it('is what String() writes of the exact number, worked out from the text (edges)', () => {
    const edges = ['0', '-0', '0.00', '-0.00', '00', '007', '-007.50', '100', '100.00', '1234.50', '0.5', '-0.5', '0.000001', '0.0000010', '0.0000001', '-0.0000001', '0.00000012345', '999999999999999', '9999999999999999', '123456789012345.6', '0.123456789012345', '0.1234567890123456', '70368744177664.01', '1e5', '12a', '', '-', '.5', '5.', '+5'];
    for (const text of edges) expect(spreadsheetNumberText(text), text).toBe(expected(text));
  });

  it('is what String() writes of the exact number for any decimal text and others (property)', () => {
    const digits = (min: number, max: number): fc.Arbitrary<string> => fc.string({ unit: fc.constantFrom('0', '0', '0', '1', '5', '9'), minLength: min, maxLength: max });
    const decimalText = fc.tuple(fc.constantFrom('', '-'), digits(1, 18), fc.option(digits(1, 14), { nil: undefined })).map(([sign, whole, fraction]) => `${sign}${whole}${fraction === undefined ? '' : `.${fraction}`}`);
    fc.assert(
      fc.property(fc.oneof(decimalText, fc.string({ maxLength: 8 })), (text) => {
        expect(spreadsheetNumberText(text)).toBe(expected(text));
      }),
      { numRuns: 20_000 },
    );
  });
});
