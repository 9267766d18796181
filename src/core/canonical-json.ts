/**
 * Canonical JSON (RFC 8785, JSON Canonicalization Scheme): the one text of a
 * JSON value that every hash and signature in a run folder is computed over,
 * so that key order and whitespace never change a hash.
 *
 * - objects: members sorted by their names as UTF-16 code units (not by
 *   locale), no whitespace;
 * - strings: as ECMAScript's JSON.stringify writes them (\b \t \n \f \r \" \\
 *   escaped, other controls as \u00xx in lower case, everything else as is);
 *   a lone surrogate is refused, since it has no UTF-8 form;
 * - numbers: ECMAScript's shortest round-trip form (what RFC 8785 prescribes);
 *   povalloc itself only ever writes integers here: money and ratios are
 *   strings;
 * - members whose value is `undefined` are left out, as JSON.stringify does.
 *
 * Example: {"b": [1, "x"], "a": null} -> {"a":null,"b":[1,"x"]}
 */

/** A value `canonicalJson` accepts. */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue | undefined };

/** String.prototype.isWellFormed (Node 20; not yet in TypeScript's ES2022 library). */
const isWellFormed = (text: string): boolean => (text as unknown as { isWellFormed(): boolean }).isWellFormed();

function canonicalString(text: string): string {
  if (!isWellFormed(text)) throw new TypeError(`canonical JSON: string contains a lone surrogate: ${JSON.stringify(text)}`);
  // JSON.stringify of a well-formed string is exactly RFC 8785's string form.
  return JSON.stringify(text);
}

function canonicalNumber(value: number): string {
  if (!Number.isFinite(value)) throw new TypeError(`canonical JSON: ${value} is not a JSON number`);
  // ECMAScript's Number-to-String is the serialisation RFC 8785 specifies; -0 becomes "0".
  return String(value);
}

/** The RFC 8785 canonical text of `value`. Throws on values JSON cannot carry. */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      return canonicalNumber(value);
    case 'string':
      return canonicalString(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((element: unknown) => canonicalJson(element)).join(',')}]`;
      const prototype = Object.getPrototypeOf(value) as unknown;
      if (prototype !== Object.prototype && prototype !== null) {
        throw new TypeError(`canonical JSON: cannot serialise a ${(value as object).constructor?.name ?? 'non-plain'} object`);
      }
      const record = value as Record<string, unknown>;
      const members: string[] = [];
      // Array.prototype.sort without a comparator orders strings by UTF-16 code units, as RFC 8785 requires.
      for (const key of Object.keys(record).sort()) {
        const member = record[key];
        if (member === undefined) continue;
        members.push(`${canonicalString(key)}:${canonicalJson(member)}`);
      }
      return `{${members.join(',')}}`;
    }
    default:
      throw new TypeError(`canonical JSON: cannot serialise a value of type ${typeof value}`);
  }
}

/**
 * Value names with a later repeat of a name dropped, and which values to keep
 * (undefined when every name is distinct): as an object keeps only the first
 * place of a name written twice, with the last value written. (An object
 * also puts names that are array indices, such as "2", first: the callers'
 * names never are.) Two multipliers (or floors) of one rule would write one
 * step's value name twice; an amount column named like a fund would repeat a
 * column of compare's county rows.
 */
export function distinctNames(names: readonly string[]): { names: readonly string[]; pick: readonly number[] | undefined } {
  if (new Set(names).size === names.length) return { names: Object.freeze([...names]), pick: undefined };
  const last = new Map<string, number>();
  names.forEach((name, at) => last.set(name, at));
  const kept = [...last.keys()];
  return { names: Object.freeze(kept), pick: kept.map((name) => last.get(name)!) };
}

const ARRAY_INDEX = /^(?:0|[1-9][0-9]*)$/;

/** A name an object puts before its other names, in the order of its number (an array index: 0 to 2^32 - 2, no leading zero). */
export function isArrayIndex(name: string): boolean {
  return ARRAY_INDEX.test(name) && Number(name) < 2 ** 32 - 1;
}

const ESCAPED_IN_JSON = /[\u0000-\u001f"\\\ud800-\udfff]/;

/** Whether JSON.stringify may escape anything in TEXT: a control character, a quote or backslash, or a surrogate (escaped when it stands alone). */
export function escapedInJson(text: string): boolean {
  return ESCAPED_IN_JSON.test(text);
}
