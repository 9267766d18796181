/**
 * The chain check takes each entry's canonical text from its line as
 * written (audit.ts, hashMatches): the members are cut from the line rather
 * than quoted again. These tests pin that it decides exactly as quoting again
 * does: a line spelled otherwise (other escapes, members in another order,
 * white space, a name given twice) with the same content is still intact, a
 * changed content is still caught, and the lines povalloc writes (unit blocks
 * of hundreds of kilobytes included) are checked from their own text.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chainedAuditLine, checkAuditChain, hashFromLine, writeAuditLog, type AuditEntry, type AuditRecord } from '../src/core/audit.js';
import { withUnitBlocks } from '../src/core/audit-blocks.js';

const RECORDS: AuditRecord[] = [
  { type: 'input_loaded', rule: 'input', clause: '', subject: 'national', label: 'counties file read', values: { role: 'counties', name: '县表 "2017".csv' } },
  { type: 'rule_applied', rule: 'hold_harmless', clause: 'IV.2', subject: 'national', label: 'rule skipped', values: {} },
  ...Array.from({ length: 30 }, (_, index): AuditRecord => ({
    type: 'rule_applied',
    rule: 'eligibility',
    clause: 'I',
    subject: `52${String(index).padStart(4, '0')}`,
    label: index % 3 === 0 ? '不符合 not eligible' : 'eligible',
    values: { eligible: String(index % 3 !== 0), 名称: '贵州\t"甲"\\\n'.repeat(index % 4), n: String(index), because: index % 2 === 0 ? 'poverty_county' : 'key_county, contiguous_area' },
  })),
];

const TEXT = writeAuditLog(RECORDS, false).content.toString('utf8');
const LINES = TEXT.slice(0, -1).split('\n');
const ENTRIES = LINES.map((line) => JSON.parse(line) as AuditEntry);

/** The line of ENTRY as the writer orders its fields, its values given as VALUES_TEXT (the text between the values' braces). */
function lineWith(entry: AuditEntry, valuesText: string): string {
  const q = JSON.stringify;
  return `{"seq":${entry.seq},"type":${q(entry.type)},"rule":${q(entry.rule)},"clause":${q(entry.clause)},"subject":${q(entry.subject)},"label":${q(entry.label)},"values":{${valuesText}},"schema_version":1,"prev":${q(entry.prev)},"hash":${q(entry.hash)}}`;
}

/** Each character of TEXT written as a \u escape (upper- or lower-case hex). */
function escaped(text: string, upper: boolean): string {
  let result = '';
  for (let index = 0; index < text.length; index++) {
    const hex = text.charCodeAt(index).toString(16).padStart(4, '0');
    result += `\\u${upper ? hex.toUpperCase() : hex}`;
  }
  return result;
}

/** Ways to write the same entry again: each gives a line JSON.parse reads as the same entry. */
const respellings = {
  /** One value's text written in \u escapes. */
  escape: (entry: AuditEntry, pick: number): string | undefined => {
    const names = Object.keys(entry.values);
    if (names.length === 0) return undefined;
    const chosen = names[pick % names.length]!;
    return lineWith(entry, names.map((name) => `${JSON.stringify(name)}:${name === chosen ? `"${escaped(entry.values[name]!, pick % 2 === 0)}"` : JSON.stringify(entry.values[name])}`).join(','));
  },
  /** The members in another order. */
  reorder: (entry: AuditEntry, pick: number): string | undefined => {
    const names = Object.keys(entry.values);
    if (names.length < 2) return undefined;
    const at = pick % names.length;
    const turned = [...names.slice(at + 1), ...names.slice(0, at + 1)];
    return lineWith(entry, turned.map((name) => `${JSON.stringify(name)}:${JSON.stringify(entry.values[name])}`).join(','));
  },
  /** White space between the members' tokens. */
  space: (entry: AuditEntry, pick: number): string | undefined => {
    const names = Object.keys(entry.values);
    if (names.length === 0) return undefined;
    const gap = [' ', '\t', '  '][pick % 3]!;
    return lineWith(entry, names.map((name) => `${gap}${JSON.stringify(name)}${gap}:${gap}${JSON.stringify(entry.values[name])}${gap}`).join(','));
  },
  /** A name given twice, the first time with another value (JSON.parse keeps the last). */
  twice: (entry: AuditEntry, pick: number): string | undefined => {
    const names = Object.keys(entry.values);
    if (names.length === 0) return undefined;
    const chosen = names[pick % names.length]!;
    return lineWith(entry, [`${JSON.stringify(chosen)}:"something else"`, ...names.map((name) => `${JSON.stringify(name)}:${JSON.stringify(entry.values[name])}`)].join(','));
  },
};
type Respelling = keyof typeof respellings;
const KINDS = Object.keys(respellings) as Respelling[];

/** The check of the log with the lines at AT written again as KIND says (where it can be). */
function checkRespelled(changes: readonly { at: number; kind: Respelling; pick: number }[]): { check: ReturnType<typeof checkAuditChain>; respelled: number[] } {
  const lines = [...LINES];
  const respelled: number[] = [];
  for (const { at, kind, pick } of changes) {
    const index = at % lines.length;
    const again = respellings[kind](ENTRIES[index]!, pick);
    if (again === undefined || again === lines[index]) continue;
    lines[index] = again;
    respelled.push(index);
  }
  return { check: checkAuditChain(`${lines.join('\n')}\n`), respelled };
}

describe('the chain check from the line as written', () => {
  it('checks every line povalloc writes from its own text: the hash it makes is the entry hash', () => {
    for (const [index, line] of LINES.entries()) {
      expect(hashFromLine(line, ENTRIES[index]!, index + 1, index === 0 ? '0'.repeat(64) : ENTRIES[index - 1]!.hash)).toBe(ENTRIES[index]!.hash);
    }
  });

  it('checks unit blocks of hundreds of kilobytes from their own text too', () => {
    const units = Array.from({ length: 1000 }, (_, index): AuditRecord => ({
      type: 'pot_allocated',
      rule: 'special_poverty_counties',
      clause: 'IV.2',
      subject: `5201${String(index).padStart(8, '0')}`,
      label: 'stage 2: share of the province pool',
      values: { 'depth.value': `0.${String(index * 7919).padStart(6, '0')}`, focus_flags: index % 2 === 0 ? 'contiguous_area, ethnic_minority_area' : 'key_county', amount: `${index * 13}.${String(index % 100).padStart(2, '0')}`, pool: '6297127957.74' },
    }));
    const text = writeAuditLog(withUnitBlocks(units), false).content.toString('utf8');
    const lines = text.slice(0, -1).split('\n');
    expect(lines.length).toBe(1);
    expect(lines[0]!.length).toBeGreaterThan(50_000);
    const entry = JSON.parse(lines[0]!) as AuditEntry;
    expect(hashFromLine(lines[0]!, entry, 1, '0'.repeat(64))).toBe(entry.hash);
    expect(checkAuditChain(text).problem).toBeUndefined();
  });

  it('gives no entry hash for a line spelled otherwise, which quoting again then decides; members in another order it sorts', () => {
    for (const kind of KINDS) {
      const index = 5;
      const line = respellings[kind](ENTRIES[index]!, 1)!;
      const entry = JSON.parse(line) as AuditEntry;
      expect(entry).toEqual(ENTRIES[index]);
      const fromLine = hashFromLine(line, entry, index + 1, ENTRIES[index - 1]!.hash);
      // The canonical text sorts the members: cut from the line, they are put in that order too.
      if (kind === 'reorder') expect(fromLine).toBe(ENTRIES[index]!.hash);
      else expect(fromLine).not.toBe(ENTRIES[index]!.hash);
      // Quoting again gives the entry's hash: the line is intact.
      expect(chainedAuditLine(entry, index + 1, ENTRIES[index - 1]!.hash).hash).toBe(ENTRIES[index]!.hash);
    }
  });

  it('finds a log whose lines are spelled otherwise, with the same content, intact, with the same entries (property)', () => {
    const intact = checkAuditChain(TEXT);
    expect(intact.problem).toBeUndefined();
    let respelledAny = 0;
    fc.assert(
      fc.property(fc.array(fc.record({ at: fc.nat(), kind: fc.constantFrom(...KINDS), pick: fc.nat() }), { minLength: 1, maxLength: 6 }), (changes) => {
        const { check, respelled } = checkRespelled(changes);
        if (respelled.length > 0) respelledAny++;
        expect(check.problem).toBeUndefined();
        expect(check.count).toBe(intact.count);
        expect(check.headHash).toBe(intact.headHash);
        expect(check.entries).toEqual(intact.entries);
      }),
      { numRuns: 200 },
    );
    expect(respelledAny).toBeGreaterThan(150);
  });

  it('still finds a changed value, however the line is spelled (property)', () => {
    fc.assert(
      fc.property(fc.nat(), fc.constantFrom(...KINDS, 'as written' as const), fc.nat(), (at, kind, pick) => {
        const index = at % LINES.length;
        const entry = ENTRIES[index]!;
        const names = Object.keys(entry.values);
        if (names.length === 0) return;
        const name = names[pick % names.length]!;
        const changed: AuditEntry = { ...entry, values: { ...entry.values, [name]: `${entry.values[name]}x` } };
        const line = kind === 'as written' ? lineWith(changed, names.map((key) => `${JSON.stringify(key)}:${JSON.stringify(changed.values[key])}`).join(',')) : respellings[kind](changed, pick)!;
        const lines = [...LINES];
        lines[index] = line;
        const check = checkAuditChain(`${lines.join('\n')}\n`);
        expect(check.problem).toEqual({ seq: index + 1, message: `entry seq ${index + 1} does not match its hash: its content was changed` });
        expect(check.count).toBe(index);
      }),
      { numRuns: 200 },
    );
  });
});
