/**
 * A large run's unit blocks (lines of tens to hundreds of kilobytes) are
 * checked from their bytes when they are as the log's writer wrote them
 * (intactLineNotKept in audit.ts), without reading them as text: the chain
 * check of a log's bytes gives what the check of its text gives (which
 * reads every line as text), whatever was changed in it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { withUnitBlocks } from '../src/core/audit-blocks.js';
import { checkAuditChain, intactLineNotKept, writeAuditLog, type AuditEntry, type AuditRecord } from '../src/core/audit.js';
import { entriesToExplain } from '../src/core/explain.js';
import { recordsAFile } from '../src/core/verify-run.js';

/** Villages of two provinces, each with a stage-2 step: blocks of up to 1,000 units, a line of some 100 KB each. */
function units(): AuditRecord[] {
  const records: AuditRecord[] = [];
  for (const province of ['52', '53']) {
    for (let index = 0; index < 1_300; index++) {
      records.push({
        type: 'pot_allocated',
        rule: 'special_poverty_counties',
        clause: 'IV.2',
        subject: `${province}${String(index * 7).padStart(10, '0')}`,
        label: 'stage 2: 份额 "share" \\ of the pool',
        values: { score: `0.${String(index * 37).padStart(6, '0')}`, amount: String(index * 1_234), 名称: index % 3 === 0 ? '甲"乙"' : '丙\\丁', pool: '6297127957.74' },
      });
    }
  }
  return records;
}

const RECORDS: AuditRecord[] = [
  { type: 'input_loaded', rule: 'input', clause: '', subject: 'national', label: 'counties file read', values: { role: 'counties', sha256: 'ab'.repeat(32) } },
  ...units(),
  { type: 'output_written', rule: 'output', clause: '', subject: 'national', label: 'file written', values: { path: 'allocations.csv', sha256: 'cd'.repeat(32) } },
];
const TEXT: Buffer = writeAuditLog(withUnitBlocks(RECORDS), false).content as Buffer;
const LINES = TEXT.toString('utf8').split('\n').slice(0, -1);
const ENTRIES = LINES.map((line) => JSON.parse(line) as AuditEntry);
const LONG = LINES.map((line, index) => index).filter((index) => Buffer.byteLength(LINES[index]!) >= 8 * 1024);

const KEEPERS: Record<string, ((entry: AuditEntry) => boolean) | undefined> = {
  'what verify keeps': recordsAFile,
  'what explain keeps of a village': entriesToExplain('520000000007'),
  'what explain keeps of a village elsewhere': entriesToExplain('110000000007'),
  everything: undefined,
};

/** The check of the bytes, and the check of the same as text. */
function bothChecks(bytes: Buffer, keep: ((entry: AuditEntry) => boolean) | undefined): [unknown, unknown] {
  return [checkAuditChain(bytes, keep), checkAuditChain(bytes.toString('utf8'), keep)];
}

function withLine(index: number, change: (line: Buffer) => Buffer): Buffer {
  const lines = LINES.map((line) => Buffer.from(line));
  lines[index] = change(lines[index]!);
  return Buffer.concat(lines.flatMap((line) => [line, Buffer.from('\n')]));
}

describe('a unit block checked from its bytes', () => {
  it('the log has long lines, and each intact one is checked from its bytes', () => {
    expect(LONG.length).toBeGreaterThanOrEqual(4);
    for (const index of LONG) {
      const prev = index === 0 ? '0'.repeat(64) : ENTRIES[index - 1]!.hash;
      expect(intactLineNotKept(Buffer.from(LINES[index]!), index + 1, prev, () => false)).toBe(ENTRIES[index]!.hash);
      // Kept, wrongly placed or after another entry: read as text instead.
      expect(intactLineNotKept(Buffer.from(LINES[index]!), index + 1, prev, () => true)).toBeUndefined();
      expect(intactLineNotKept(Buffer.from(LINES[index]!), index + 2, prev, () => false)).toBeUndefined();
      expect(intactLineNotKept(Buffer.from(LINES[index]!), index + 1, 'f'.repeat(64), () => false)).toBeUndefined();
    }
  });

  it('intact, gives what the text gives for every keeper', () => {
    for (const keep of Object.values(KEEPERS)) {
      const [bytes, text] = bothChecks(TEXT, keep);
      expect(bytes).toEqual(text);
      expect((bytes as { problem?: unknown }).problem).toBeUndefined();
    }
    expect(checkAuditChain(TEXT, recordsAFile).entries.map((entry) => entry.type)).toEqual(['input_loaded', 'output_written']);
  });

  const respellings: Record<string, (line: Buffer) => Buffer> = {
    'members in another order': (line) => {
      const text = line.toString('utf8');
      const match = /^(.*?"values":\{)("block\.units":"[0-9]+",)(.*)(\},"schema_version".*)$/s.exec(text)!;
      return Buffer.from(`${match[1]}${match[3]},${match[2].slice(0, -1)}${match[4]}`);
    },
    'a member twice': (line) => Buffer.from(line.toString('utf8').replace('"values":{', '"values":{"block.units":"9",')),
    'white space': (line) => Buffer.from(line.toString('utf8').replace('","block.keys"', '", "block.keys"')),
    'a trailing comma': (line) => Buffer.from(line.toString('utf8').replace('},"schema_version"', ',},"schema_version"')),
    'an escape spelled otherwise': (line) => Buffer.from(line.toString('utf8').replace('\\t', '\\u0009')),
    'a quote unescaped': (line) => Buffer.from(line.toString('utf8').replace('\\"share\\"', '"share\\"')),
    'a byte that is not UTF-8': (line) => Buffer.concat([line.subarray(0, 5_000), Buffer.from([0xff]), line.subarray(5_001)]),
    'a carriage return at its end': (line) => Buffer.concat([line, Buffer.from('\r')]),
    'a value that is a number': (line) => Buffer.from(line.toString('utf8').replace(/"block\.units":"([0-9]+)"/, '"block.units":$1')),
    'its closing spelled otherwise': (line) => Buffer.from(line.toString('utf8').replace('"schema_version":1', '"schema_version":1.0')),
  };
  for (const [name, change] of Object.entries(respellings)) {
    it(`with ${name}, gives what the text gives`, () => {
      const bytes = withLine(LONG[1]!, change);
      expect(bytes.equals(TEXT)).toBe(false);
      for (const keep of Object.values(KEEPERS)) {
        const [fromBytes, fromText] = bothChecks(bytes, keep);
        expect(fromBytes).toEqual(fromText);
      }
    });
  }

  it('changed anywhere in a long line, gives what the text gives (property)', () => {
    const alphabet = [...'"\\,:{}0123456789abcdef tn.u', '甲'].map((character) => Buffer.from(character));
    let broken = 0;
    fc.assert(
      fc.property(
        fc.nat(LONG.length - 1),
        fc.nat(),
        fc.oneof(
          fc.record({ kind: fc.constant('replace' as const), with: fc.nat(alphabet.length - 1) }),
          fc.record({ kind: fc.constant('insert' as const), with: fc.nat(alphabet.length - 1) }),
          fc.record({ kind: fc.constant('delete' as const), count: fc.integer({ min: 1, max: 3 }) }),
        ),
        fc.constantFrom(...Object.keys(KEEPERS)),
        (which, position, change, keeper) => {
          const index = LONG[which]!;
          const bytes = withLine(index, (line) => {
            // Near the line's ends (its header and its closing) half of the time, anywhere else the other half.
            const at = position % 2 === 0 ? (position >> 1) % Math.min(400, line.length) : (position >> 1) % line.length;
            const end = position % 4 === 0 ? line.length - 1 - (at % 150) : at;
            const cut = change.kind === 'delete' ? end + change.count : change.kind === 'replace' ? end + 1 : end;
            const added = change.kind === 'delete' ? Buffer.alloc(0) : alphabet[change.with]!;
            return Buffer.concat([line.subarray(0, end), added, line.subarray(Math.min(cut, line.length))]);
          });
          const [fromBytes, fromText] = bothChecks(bytes, KEEPERS[keeper]);
          expect(fromBytes).toEqual(fromText);
          if ((fromText as { problem?: unknown }).problem !== undefined) broken++;
        },
      ),
      { numRuns: 300 },
    );
    // Most changes break the chain: the comparison was made on broken logs, not only intact ones.
    expect(broken).toBeGreaterThan(150);
  });
});
