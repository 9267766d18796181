/**
 * Canonical JSON (RFC 8785): the published test vectors, and the properties
 * every hash in a run folder relies on: key order and whitespace never change
 * the canonical text, and the canonical text means the same value.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../src/core/canonical-json.js';
import { entryHash, type AuditEntry } from '../src/core/audit.js';

/** RFC 8785's examples (section 3.2.2, 3.2.3) and its reference implementation's test data. */
const RFC_8785_VECTORS: { name: string; input: string; expected: string }[] = [
  {
    name: 'values (RFC 8785 section 3.2.2)',
    input: `{
  "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
  "string": "\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c\\\\\\"\\/",
  "literals": [null, true, false]
}`,
    expected: '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
  },
  {
    name: 'property sorting by UTF-16 code units (RFC 8785 section 3.2.3)',
    input: `{
  "\\u20ac": "Euro Sign",
  "\\r": "Carriage Return",
  "\\ufb33": "Hebrew Letter Dalet With Dagesh",
  "1": "One",
  "\\ud83d\\ude00": "Emoji: Grinning Face",
  "\\u0080": "Control",
  "\\u00f6": "Latin Small Letter O With Diaeresis"
}`,
    expected:
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
  },
  {
    name: 'weird keys',
    input: `{
  "\\u20ac": "Euro Sign",
  "1": "One",
  "\\u0080": "Control\\u007f",
  "\\ud83d\\ude02": "Smiley",
  "\\u00f6": "Latin Small Letter O With Diaeresis",
  "\\ufb33": "Hebrew Letter Dalet With Dagesh",
  "</script>": "Browser Challenge"
}`,
    expected:
      '{"1":"One","</script>":"Browser Challenge","\u0080":"Control\u007f","\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign","\ud83d\ude02":"Smiley","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
  },
  {
    name: 'nested structures',
    input: `{
  "1": {"f": {"f": "hi","F": 5} ,"\\n": 56.0},
  "10": { },
  "": "empty",
  "a": { },
  "111": [ { } ],
  "A": { }
}`,
    expected: '{"":"empty","1":{"\\n":56,"f":{"F":5,"f":"hi"}},"10":{},"111":[{}],"A":{},"a":{}}',
  },
  {
    name: 'sorting ignores the locale',
    input: `{
  "peach": "This sorting order",
  "péché": "is wrong according to French",
  "pêche": "but canonicalization MUST",
  "sin":   "ingnore locale"
}`,
    expected: '{"peach":"This sorting order","péché":"is wrong according to French","pêche":"but canonicalization MUST","sin":"ingnore locale"}',
  },
  {
    name: 'no Unicode normalisation',
    input: '{\n  "Unnormalized Unicode":"\\u1e0d\\u0307"\n}\n',
    expected: '{"Unnormalized Unicode":"\u1e0d\u0307"}',
  },
];

describe('canonicalJson against RFC 8785 vectors', () => {
  it.each(RFC_8785_VECTORS)('$name', ({ input, expected }) => {
    expect(canonicalJson(JSON.parse(input))).toBe(expected);
  });

  it('writes the UTF-8 bytes RFC 8785 section 3.2.4 gives for its example', () => {
    const text = canonicalJson(JSON.parse(RFC_8785_VECTORS[0]!.input));
    // The first bytes of the RFC's hex listing: {"literals":[null,true,false],"numbers":[333333333.333333
    expect(Buffer.from(text, 'utf8').subarray(0, 16).toString('hex')).toBe('7b226c69746572616c73223a5b6e756c');
    expect(Buffer.from(text, 'utf8').includes(Buffer.from('e282ac24', 'hex'))).toBe(true); // "€$" as UTF-8, not escaped
  });
});

describe('canonicalJson on the JSON povalloc writes', () => {
  it('writes strings, integers, booleans, null, objects and arrays without whitespace, members sorted', () => {
    expect(canonicalJson({ values: { amount: '10000000.00', rule: 'cap' }, seq: 12, ok: true, none: null, list: ['b', 'a', 3] })).toBe(
      '{"list":["b","a",3],"none":null,"ok":true,"seq":12,"values":{"amount":"10000000.00","rule":"cap"}}',
    );
  });

  it('escapes control characters in lower-case hex and leaves Chinese text as it is', () => {
    expect(canonicalJson({ name: '甲县\u0001\t"' })).toBe('{"name":"甲县\\u0001\\t\\""}');
  });

  it('leaves out undefined members, as JSON.stringify does', () => {
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
  });

  it('refuses values JSON cannot carry', () => {
    expect(() => canonicalJson(Number.NaN)).toThrow(/not a JSON number/);
    expect(() => canonicalJson(Infinity)).toThrow(/not a JSON number/);
    expect(() => canonicalJson(10n)).toThrow(/bigint/);
    expect(() => canonicalJson(new Map())).toThrow(/Map/);
    expect(() => canonicalJson('\ud800')).toThrow(/lone surrogate/);
    expect(() => canonicalJson({ '\udc00': 1 })).toThrow(/lone surrogate/);
  });

  it('key order and whitespace do not change the canonical text or the hash', () => {
    const compact = '{"seq":3,"values":{"amount":"1.00","because":"key_county"},"label":"eligible"}';
    const spaced = '{\n  "label" : "eligible",\n\t"values": { "because": "key_county",  "amount": "1.00" },\r\n  "seq": 3\n}';
    expect(canonicalJson(JSON.parse(spaced))).toBe(canonicalJson(JSON.parse(compact)));
    const entry = (text: string): Omit<AuditEntry, 'hash'> => ({
      schema_version: 1,
      prev: '0'.repeat(64),
      type: 'rule_applied',
      rule: 'eligibility',
      clause: 'I',
      subject: '520111',
      ...(JSON.parse(text) as { seq: number; label: string; values: Record<string, string> }),
    });
    expect(entryHash(entry(spaced))).toBe(entryHash(entry(compact)));
    expect(entryHash(entry(compact.replace('1.00', '1.01')))).not.toBe(entryHash(entry(compact)));
  });
});

/** Re-serialises a JSON value with its object members in reverse order and random-looking indentation. */
function reshuffled(value: unknown, depth = 0): string {
  const indent = ' '.repeat((depth * 3) % 5);
  if (Array.isArray(value)) return `[ ${value.map((element) => reshuffled(element, depth + 1)).join(' ,\n' + indent)} ]`;
  if (value !== null && typeof value === 'object') {
    const members = Object.keys(value)
      .reverse()
      .map((key) => `${JSON.stringify(key)} :\t${reshuffled((value as Record<string, unknown>)[key], depth + 1)}`);
    return `{\n${indent}${members.join(',\r\n' + indent)} }`;
  }
  return JSON.stringify(value);
}

describe('canonicalJson properties', () => {
  const jsonValues = fc.jsonValue({ maxDepth: 4 });

  it('means the same value: parsing the canonical text gives the value back', () => {
    fc.assert(
      fc.property(jsonValues, (value) => {
        expect(JSON.parse(canonicalJson(value))).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });

  it('does not depend on member order or whitespace, and is a fixed point', () => {
    fc.assert(
      fc.property(jsonValues, (value) => {
        const canonical = canonicalJson(value);
        expect(canonicalJson(JSON.parse(reshuffled(value)))).toBe(canonical);
        expect(canonicalJson(JSON.parse(canonical))).toBe(canonical);
      }),
    );
  });
});
