/**
 * The strict grammar of input cells. Each parser takes the trimmed cell text
 * and returns the value, or a message saying what was expected. Nothing is
 * guessed: `1,234`, `1e3`, `NaN`, full-width digits and signs are refused.
 */
import { decimal, HUNDRED, parseYuan, type Dec, type Fen } from './money.js';

export type Parsed<T> = { ok: true; value: T } | { ok: false; expected: string };

const WHOLE = /^\d{1,15}$/;
const DECIMAL = /^\d{1,24}(\.\d{1,24})?$/;
const MONEY = /^\d{1,15}(\.\d{1,2})?$/;
const RATIO = /^\d{1,24}(\.\d{1,24})?$/;
const PERCENT = /^(\d{1,24}(?:\.\d{1,24})?)%$/;

function fail<T>(expected: string): Parsed<T> {
  return { ok: false, expected };
}

/** Digits only: a whole number of persons. */
export function parseWholeNumber(text: string): Parsed<Dec> {
  return WHOLE.test(text) ? { ok: true, value: decimal(text) } : fail('a whole number (digits only, e.g. 12345)');
}

/** Digits with an optional `.` and fraction. */
export function parseDecimal(text: string): Parsed<Dec> {
  return DECIMAL.test(text) ? { ok: true, value: decimal(text) } : fail('a decimal number (digits with an optional . and fraction, e.g. 8123.45)');
}

/** Yuan with at most two decimals, into fen. */
export function parseMoney(text: string): Parsed<Fen> {
  if (!MONEY.test(text)) return fail('an amount in yuan (digits with at most 2 decimals, e.g. 1234567.89)');
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
  const percent = PERCENT.exec(text);
  let value: Dec;
  let places: number;
  if (percent) {
    const digits = percent[1]!;
    value = decimal(digits).div(HUNDRED);
    places = (digits.split('.')[1] ?? '').length + 2;
  } else if (RATIO.test(text)) {
    value = decimal(text);
    places = (text.split('.')[1] ?? '').length;
  } else {
    return fail(expected);
  }
  if (value.greaterThan(1)) return fail(expected);
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
