/**
 * Text cells that a spreadsheet would run as a formula are neutralised with a
 * leading apostrophe, so a county named `=HYPERLINK(...)` stays a name. Shared
 * by the Excel workbook and the CSV outputs (src/render/csv.ts).
 *
 *   neutraliseFormula('=1+2')   -> "'=1+2"
 *   neutraliseFormula('  +86')  -> "'  +86"
 *   neutraliseFormula('＝SUM')  -> "'＝SUM"   (full-width forms too)
 *   neutraliseFormula('贵州')   -> '贵州'
 *
 * Only text cells go through here: amounts are validated decimals and are
 * written as numbers, never prefixed.
 */
import { withoutTrailingZeros } from '../core/money.js';
import { isTrimmable } from '../core/table.js';

/**
 * A formula start: tab, CR or LF first, or `=`, `+`, `-`, `@` or their
 * full-width forms after any leading white space (ASCII, ideographic, no-break).
 */
const FORMULA_START = /^(?:[\t\r\n]|\s*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20])/u;

/**
 * Whether a text starting with this UTF-16 code unit can match FORMULA_START:
 * a formula character, or white space as `\s` reads it. Most cells start with
 * a letter, a digit or a Chinese character and are settled here, without the
 * regular expression (a million-row table has some twenty million cells).
 */
function mayStartFormula(code: number): boolean {
  if (code <= 0x20) return true;
  if (code < 0x80) return code === 0x3d || code === 0x2b || code === 0x2d || code === 0x40;
  // `\s` is the white space String.prototype.trim removes, which is the table reader's rule too.
  return isTrimmable(code) || code === 0xff1d || code === 0xff0b || code === 0xff0d || code === 0xff20;
}

/** True when a spreadsheet could read the text as a formula. */
export function looksLikeFormula(text: string): boolean {
  return text.length > 0 && mayStartFormula(text.charCodeAt(0)) && FORMULA_START.test(text);
}

/** The text itself, or the text prefixed with `'` when a spreadsheet could run it. */
export function neutraliseFormula(text: string): string {
  return looksLikeFormula(text) ? `'${text}` : text;
}

const PLAIN_DECIMAL = /^-?\d+(\.\d+)?$/;

/**
 * Strips a plain decimal's insignificant zeros: `1234.50` -> `1234.5`,
 * `-0.00` -> `0`, `007` -> `7`. By its characters, not by splitting and
 * replacing: a million villages' workbook asks for some ten million.
 */
function canonicalDecimal(text: string): string {
  const negative = text.charCodeAt(0) === 0x2d;
  const point = text.indexOf('.');
  let start = negative ? 1 : 0;
  const wholeEnd = point === -1 ? text.length : point;
  while (start < wholeEnd - 1 && text.charCodeAt(start) === 0x30) start++;
  let end = text.length;
  if (point !== -1) {
    while (end > point + 1 && text.charCodeAt(end - 1) === 0x30) end--;
    if (end === point + 1) end = point;
  }
  if (end - start === 1 && text.charCodeAt(start) === 0x30) return '0';
  if (start === (negative ? 1 : 0) && end === text.length) return text;
  const body = text.slice(start, end);
  return negative ? `-${body}` : body;
}

/**
 * The spreadsheet number for a decimal text, only when it is exact: Excel
 * stores binary doubles, so a value is written as a number only if the
 * double's shortest decimal form is the same decimal again (true for every
 * two-decimal amount below 2^46 yuan, about 70 trillion); anything else
 * (more digits than a double holds) stays text. This is the one place that
 * turns decimal text into a JavaScript number, and only for the file format.
 */
export function exactSpreadsheetNumber(text: string): number | undefined {
  if (!PLAIN_DECIMAL.test(text)) return undefined;
  const value = Number(text);
  // At most 15 digits (leading zeros counted): a double holds any such decimal, whose text is then the shortest
  // that gives the double back, so the double writes the same decimal again. Most cells of a table of amounts.
  if (digitCount(text) <= MOST_DIGITS_EXACT) return Object.is(value, -0) ? 0 : value;
  if (!Number.isFinite(value)) return undefined;
  const shortest = String(value);
  // Most cells (a million rows of them in a village table's workbook) settle here: the double writes the text back
  // as it is, or as it is without its fraction's trailing zeros (`757097.50`, `0.00`). Both are the same canonical decimal.
  if (shortest === text || shortest === withoutTrailingZeros(text)) return Object.is(value, -0) ? 0 : value;
  if (!PLAIN_DECIMAL.test(shortest)) return undefined;
  return canonicalDecimal(shortest) === canonicalDecimal(text) ? (Object.is(value, -0) ? 0 : value) : undefined;
}

/** Decimal digits every double holds (DBL_DIG). */
const MOST_DIGITS_EXACT = 15;

/** The digits of a plain decimal, leading zeros counted: its length without its sign and point. */
function digitCount(text: string): number {
  return text.length - (text.charCodeAt(0) === 0x2d ? 1 : 0) - (text.includes('.') ? 1 : 0);
}

/**
 * The text of exactSpreadsheetNumber(text) as String() writes it (what a
 * workbook's cell holds), or undefined when the text is no such number.
 * For a decimal of at most 15 digits it is the decimal without its
 * insignificant zeros (`757097.50` -> `757097.5`, `-0.00` -> `0`, `007` ->
 * `7`), the shortest text that gives the double back, worked out from the
 * text rather than by String(), which keeps the text of each number it
 * writes in V8's number-string cache (see wholeDigits in core/money.ts); but
 * below 10^-6, where String() writes an exponent (`1e-7`), and for other
 * decimals, it is String()'s.
 */
export function spreadsheetNumberText(text: string): string | undefined {
  if (digitCount(text) <= MOST_DIGITS_EXACT && PLAIN_DECIMAL.test(text)) {
    const canonical = canonicalDecimal(text);
    // 0.000001 is written as it is, 0.0000001 as 1e-7.
    if (!SIX_ZEROS_AFTER_POINT.test(canonical)) return canonical;
  }
  const number = exactSpreadsheetNumber(text);
  return number === undefined ? undefined : String(number);
}

/** A number below 10^-6, which String() writes with an exponent. */
const SIX_ZEROS_AFTER_POINT = /^-?0\.0{6}/;
