/**
 * Text cells that a spreadsheet would run as a formula are neutralised with a
 * leading apostrophe, so a county named `=HYPERLINK(...)` stays a name. Shared
 * by the Excel workbook and (for reuse) the CSV outputs.
 *
 *   neutraliseFormula('=1+2')   -> "'=1+2"
 *   neutraliseFormula('  +86')  -> "'  +86"
 *   neutraliseFormula('＝SUM')  -> "'＝SUM"   (full-width forms too)
 *   neutraliseFormula('贵州')   -> '贵州'
 *
 * Only text cells go through here: amounts are validated decimals and are
 * written as numbers, never prefixed.
 */

/** First characters a spreadsheet may treat as the start of a formula (ASCII and full-width). */
const FORMULA_TRIGGERS = new Set(['=', '+', '-', '@', '\t', '\r', '\n', '＝', '＋', '－', '＠']);

/** True when a spreadsheet could read the text as a formula: a trigger first, or after leading spaces. */
export function looksLikeFormula(text: string): boolean {
  const start = text.replace(/^[ \u3000]+/, '');
  const first = start === '' ? text[0] : start[0];
  return first !== undefined && FORMULA_TRIGGERS.has(first);
}

/** The text itself, or the text prefixed with `'` when a spreadsheet could run it. */
export function neutraliseFormula(text: string): string {
  return looksLikeFormula(text) ? `'${text}` : text;
}

const PLAIN_DECIMAL = /^-?\d+(\.\d+)?$/;

/** Strips a decimal's insignificant zeros: `1234.50` -> `1234.5`, `-0.00` -> `0`, `007` -> `7`. */
function canonicalDecimal(text: string): string {
  const negative = text.startsWith('-');
  const [whole = '0', fraction = ''] = (negative ? text.slice(1) : text).split('.');
  const trimmedWhole = whole.replace(/^0+(?=\d)/, '');
  const trimmedFraction = fraction.replace(/0+$/, '');
  const body = trimmedFraction === '' ? trimmedWhole : `${trimmedWhole}.${trimmedFraction}`;
  return negative && body !== '0' ? `-${body}` : body;
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
  if (!Number.isFinite(value)) return undefined;
  const shortest = String(value);
  if (!PLAIN_DECIMAL.test(shortest)) return undefined;
  return canonicalDecimal(shortest) === canonicalDecimal(text) ? (Object.is(value, -0) ? 0 : value) : undefined;
}
