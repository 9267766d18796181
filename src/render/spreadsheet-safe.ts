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
