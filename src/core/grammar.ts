/**
 * The strict grammar of input cells. Each parser takes the trimmed cell text
 * and returns the value, or a message saying what was expected. Nothing is
 * guessed: `1,234`, `1e3`, `NaN`, full-width digits and signs are refused.
 */
import { decimal, HUNDRED, parseYuan, type Dec, type Fen } from './money.js';

export type Parsed<T> = { ok: true; value: T } | { ok: false; expected: string };

/** Whole numbers: at most 15 digits (persons; up to 999 trillion). */
const WHOLE = /^\d{1,15}$/;
/** Decimals: digits, optionally `.` and digits, at most 24 digits in all. */
const DECIMAL = /^(?=(?:\D*\d){1,24}\D*$)\d+(\.\d+)?$/;
/** Money: at most 15 digits of yuan and at most 2 of fen. */
const MONEY = /^\d{1,15}(\.\d{1,2})?$/;
const MAX_DECIMAL_DIGITS = 24;

function fail<T>(expected: string): Parsed<T> {
  return { ok: false, expected };
}

function digitCount(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 48 && code <= 57) count++;
  }
  return count;
}

/**
 * Why a refused cell was refused, when a common mistake explains it: full-width
 * characters, signs, NaN, exponents, thousands separators, too many places or
 * digits. '' when nothing more specific can be said.
 */
export function refusalReason(text: string, kind: 'whole' | 'decimal' | 'money' | 'ratio'): string {
  if (/[\uFF01-\uFF5E\u3000]/.test(text)) return 'full-width characters (such as １２ or ．) are not allowed: type ASCII digits';
  if (/^(?:[+-]?(?:nan|inf|infinity))$/i.test(text)) return `${text} is not a number`;
  if (/^[+-]/.test(text)) return 'a sign (+ or -) is not allowed';
  if (/^\d+(?:\.\d+)?[eE][+-]?\d+%?$/.test(text)) return 'exponents are not allowed (write 1000, not 1e3)';
  if (/^\d{1,3}(?:[,' ]\d{3})+(?:\.\d+)?%?$/.test(text) || /\d,\d/.test(text)) return 'thousands separators are not allowed (1234567, not 1,234,567)';
  if (/^\d*\.$|^\.\d+$/.test(text)) return 'write digits on both sides of the point (0.5, not .5)';
  if (kind === 'whole' && /^\d+\.\d+$/.test(text)) return 'a whole number has no decimal places';
  if (kind === 'money' && /^\d+\.\d{3,}$/.test(text)) return 'more than 2 decimal places: amounts are in yuan to the fen';
  if (kind !== 'ratio' && /^\d+(?:\.\d+)?\s*%$/.test(text)) return 'a percentage is not accepted here';
  if (kind === 'ratio' && /^\d+(?:\.\d+)?\s+%$/.test(text)) return 'no space before %';
  const limit = kind === 'whole' ? 15 : kind === 'money' ? 17 : MAX_DECIMAL_DIGITS;
  if (/^\d+(?:\.\d+)?%?$/.test(text) && (digitCount(text) > limit || (kind === 'money' && text.split('.')[0]!.length > 15))) {
    return kind === 'money' ? 'more than 15 digits of yuan' : `more than ${limit} digits`;
  }
  return '';
}

function refuse<T>(text: string, kind: 'whole' | 'decimal' | 'money' | 'ratio', expected: string): Parsed<T> {
  const reason = refusalReason(text, kind);
  return fail(reason === '' ? expected : `${expected}: ${reason}`);
}

/** Digits only: a whole number of persons. */
export function parseWholeNumber(text: string): Parsed<Dec> {
  return WHOLE.test(text) ? { ok: true, value: decimal(text) } : refuse(text, 'whole', 'a whole number (digits only, e.g. 12345)');
}

/** Digits with an optional `.` and fraction. */
export function parseDecimal(text: string): Parsed<Dec> {
  return DECIMAL.test(text)
    ? { ok: true, value: decimal(text) }
    : refuse(text, 'decimal', 'a decimal number (digits with an optional . and fraction, at most 24 digits, e.g. 8123.45)');
}

/** Yuan with at most two decimals, into fen. */
export function parseMoney(text: string): Parsed<Fen> {
  if (!MONEY.test(text)) return refuse(text, 'money', 'an amount in yuan (digits with at most 2 decimals, e.g. 1234567.89)');
  const fen = parseYuan(text);
  return fen === null ? fail('an amount in yuan') : { ok: true, value: fen };
}

export interface ParsedRatio {
  readonly value: Dec;
  /** Half a unit in the last place given: how precisely the figure was stated. */
  readonly halfUnit: Dec;
}

/** A ratio (`0.153`) or a percentage (`15.3%`), between 0 and 1. */
export function parseRatioOrPercent(text: string): Parsed<ParsedRatio> {
  const expected = 'a ratio between 0 and 1 (e.g. 0.153) or a percentage (e.g. 15.3%)';
  const digits = text.endsWith('%') ? text.slice(0, -1) : text;
  if (!DECIMAL.test(digits)) return refuse(text, 'ratio', expected);
  let value: Dec;
  let places: number;
  if (digits !== text) {
    value = decimal(digits).div(HUNDRED);
    places = (digits.split('.')[1] ?? '').length + 2;
  } else {
    value = decimal(text);
    places = (text.split('.')[1] ?? '').length;
  }
  if (value.greaterThan(1)) return fail(`${expected}: ${text} is more than ${digits === text ? '1' : '100%'}`);
  const halfUnit = decimal('0.5').div(decimal('10').pow(places));
  return { ok: true, value: { value, halfUnit } };
}

const YES = new Set(['1', 'true', 'yes', 'y', '是']);
const NO = new Set(['0', 'false', 'no', 'n', '否', '']);

/** yes/no: `1/0`, `true/false`, `yes/no`, `y/n`, `是/否`; empty means no. */
export function parseYesNo(text: string): Parsed<boolean> {
  const lowered = text.toLowerCase();
  if (YES.has(lowered)) return { ok: true, value: true };
  if (NO.has(lowered)) return { ok: true, value: false };
  return fail('yes or no (1/0, true/false, yes/no, y/n, 是/否; empty means no)');
}

/** A four-digit year. */
export function parseYear(text: string): Parsed<string> {
  return /^\d{4}$/.test(text) ? { ok: true, value: text } : fail('a four-digit year (e.g. 2018)');
}

/** A 6-digit county code or a 12-digit village code: ASCII digits only. */
export function isUnitCode(text: string): boolean {
  const length = text.length;
  if (length !== 6 && length !== 12) return false;
  for (let index = 0; index < length; index++) {
    const code = text.charCodeAt(index);
    if (code < 48 || code > 57) return false;
  }
  return true;
}

/** Where a table's codes first showed their length (one length a file: 6-digit counties or 12-digit villages). */
export interface CodeLength {
  readonly length: number;
  readonly line: number;
}

/** The problem with CODE in a table whose codes are of length FIRST, or undefined when it has that length. */
export function codeLengthMismatch(code: string, first: CodeLength | undefined): string | undefined {
  if (first === undefined || code.length === first.length) return undefined;
  return `"${code}" has ${code.length} digits but line ${first.line} has ${first.length}: a table uses one code length (6-digit counties or 12-digit villages)`;
}
