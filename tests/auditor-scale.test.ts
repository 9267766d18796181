/**
 * What lets explain, verify and replay read a large run without holding it:
 * the log gunzipped member by member (the same text as in one, or the same
 * failure), the chain checked over pieces split anywhere (the same result as
 * over the whole text), only the wanted entries kept (the same count and
 * head), and the lines of a table that hold a code (the same rows picked as
 * from the whole table).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { auditLogBytes, auditLogPieces, checkAuditChain, checkStoredAuditLog, gzipMember, writeAuditLog, type AuditEntry, type AuditRecord } from '../src/core/audit.js';
import { rowsHolding, rowsInProvince, tableRowsOf, withTableRows } from '../src/core/explain.js';

const RECORDS: AuditRecord[] = Array.from({ length: 40 }, (_, index) => ({
  type: 'rule_applied',
  rule: 'eligibility',
  clause: 'I',
  subject: `52${String(index).padStart(4, '0')}`,
  label: index % 3 === 0 ? '不符合 not eligible' : 'eligible',
  values: { eligible: String(index % 3 !== 0), 名称: '贵州 "甲"\n'.repeat(index % 4), n: String(index) },
}));
const TEXT = writeAuditLog(RECORDS, false).content;

/** Sorted distinct cut positions strictly inside a length. */
function cutsOf(positions: readonly number[], length: number): number[] {
  return [...new Set(positions.map((position) => position % length))].filter((position) => position > 0).sort((a, b) => a - b);
}

function sliced(bytes: Buffer, cuts: readonly number[]): Buffer[] {
  const bounds = [0, ...cuts, bytes.length];
  return bounds.slice(1).map((end, index) => bytes.subarray(bounds[index], end));
}

/** The log as audit.jsonl.gz holds it: one gzip member per piece of its text. */
function storedInMembers(cuts: readonly number[]): Buffer {
  return Buffer.concat(sliced(TEXT, cuts).map((piece) => gzipMember(piece)));
}

/** What reading gives: the bytes, or that it failed. */
function outcome(read: () => Buffer): { bytes: string } | { failed: true } {
  try {
    return { bytes: read().toString('hex') };
  } catch {
    return { failed: true };
  }
}

const damage = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 12 }) }),
  fc.record({ kind: fc.constant('zeros' as const), member: fc.nat(), count: fc.integer({ min: 1, max: 8 }) }),
);

type Damage = { kind: string; at?: number; bit?: number; bytes?: Uint8Array; member?: number; count?: number };

function damaged(members: readonly Buffer[], change: Damage): Buffer {
  const stored = Buffer.concat(members);
  const at = (change.at ?? 0) % stored.length;
  switch (change.kind) {
    case 'flip': {
      const copy = Buffer.from(stored);
      copy[at] = copy[at]! ^ (1 << change.bit!);
      return copy;
    }
    case 'cut':
      return stored.subarray(0, at);
    case 'insert':
      return Buffer.concat([stored.subarray(0, at), Buffer.from(change.bytes!), stored.subarray(at)]);
    default: {
      // Zero bytes after a member, before the next one's header.
      const after = change.member! % members.length;
      return Buffer.concat([...members.slice(0, after + 1), Buffer.alloc(change.count!), ...members.slice(after + 1)]);
    }
  }
}

describe('auditLogPieces', () => {
  it('gives the text member by member, joined the same as gunzipped in one (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 8 }), (positions) => {
        const cuts = cutsOf(positions, TEXT.length);
        const pieces = [...auditLogPieces(storedInMembers(cuts))];
        expect(pieces.length).toBe(cuts.length + 1);
        expect(Buffer.concat(pieces).equals(TEXT)).toBe(true);
        expect(Buffer.concat(pieces).equals(auditLogBytes(storedInMembers(cuts)))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('damaged anywhere, gives what gunzip in one gives, or fails as it fails (property)', () => {
    let failed = 0;
    let read = 0;
    fc.assert(
      fc.property(fc.array(fc.nat(), { minLength: 1, maxLength: 6 }), damage, (positions, change) => {
        const members = sliced(TEXT, cutsOf(positions, TEXT.length)).map((piece) => gzipMember(piece));
        const stored = damaged(members, change);
        const whole = outcome(() => auditLogBytes(stored));
        expect(outcome(() => Buffer.concat([...auditLogPieces(stored)]))).toEqual(whole);
        if ('failed' in whole) failed++;
        else read++;
      }),
      { numRuns: 400 },
    );
    // Both kinds of outcome were met often enough for the comparison to mean something.
    expect(failed).toBeGreaterThan(40);
    expect(read).toBeGreaterThan(40);
  });

  it('gives a plain log as it is', () => {
    expect([...auditLogPieces(TEXT)]).toEqual([TEXT]);
  });
});

describe('checkAuditChain over pieces', () => {
  it('gives what it gives over the whole text, split anywhere, even inside a character, changed or not (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 10 }), fc.option(fc.record({ at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) })), (positions, flip) => {
        const text = Buffer.from(TEXT);
        if (flip) text[flip.at % text.length] = text[flip.at % text.length]! ^ (1 << flip.bit);
        const pieces = sliced(text, cutsOf(positions, text.length));
        expect(checkAuditChain(pieces)).toEqual(checkAuditChain(text));
      }),
      { numRuns: 300 },
    );
  });

  it('with `keep`, checks every entry and keeps only those it accepts', () => {
    const all = checkAuditChain(TEXT);
    const keep = (entry: AuditEntry): boolean => entry.label === 'eligible';
    const kept = checkAuditChain(TEXT, keep);
    expect(all.count).toBe(RECORDS.length);
    expect(kept.count).toBe(RECORDS.length);
    expect(kept.headHash).toBe(all.headHash);
    expect(kept.entries).toEqual(all.entries.filter(keep));
    expect(kept.entries.length).toBeLessThan(all.entries.length);
    // A broken chain: counted up to the entry before the break, as entries are without `keep`.
    const lines = TEXT.toString('utf8').split('\n');
    lines[10] = lines[10]!.replace('"eligible"', '"ELIGIBLE"');
    const broken = Buffer.from(lines.join('\n'));
    expect(checkAuditChain(broken, keep).count).toBe(checkAuditChain(broken).entries.length);
    expect(checkAuditChain(broken, keep).problem).toEqual({ seq: 11, message: 'entry seq 11 does not match its hash: its content was changed' });
  });

  it('reads no text as no entries, and a missing last newline as a cut', () => {
    expect(checkAuditChain([])).toEqual(checkAuditChain(Buffer.alloc(0)));
    expect(checkAuditChain([Buffer.alloc(0), Buffer.alloc(0)]).problem).toBeUndefined();
    const cut = TEXT.subarray(0, TEXT.length - 1);
    expect(checkAuditChain(sliced(cut, [5, 900]))).toEqual(checkAuditChain(cut));
    expect(checkAuditChain(cut).problem?.message).toMatch(/not ended by a newline/);
  });
});

describe('checkStoredAuditLog', () => {
  const lines = TEXT.toString('utf8').split('\n');
  const cut = Buffer.byteLength(lines.slice(0, 20).join('\n')) + 1;

  it('is the chain of the gunzipped text', () => {
    expect(checkStoredAuditLog(storedInMembers([cut]))).toEqual(checkAuditChain(TEXT));
    expect(checkStoredAuditLog(TEXT)).toEqual(checkAuditChain(TEXT));
  });

  it('reports a damaged gzip as such even when the chain breaks before the damage', () => {
    const changed = Buffer.from(lines.map((line, index) => (index === 3 ? line.replace('"I"', '"II"') : line)).join('\n'));
    const members = [gzipMember(changed.subarray(0, cut)), gzipMember(changed.subarray(cut))];
    expect(checkStoredAuditLog(Buffer.concat(members))?.problem?.seq).toBe(4);
    const lastDamaged = Buffer.concat([members[0]!, members[1]!.subarray(0, members[1]!.length - 5)]);
    expect(checkStoredAuditLog(lastDamaged)).toBeUndefined();
  });
});

describe('rowsHolding', () => {
  const FILE = 'allocations.csv';
  const written: AuditEntry = {
    schema_version: 1,
    seq: 7,
    prev: '0'.repeat(64),
    hash: '1'.repeat(64),
    type: 'output_written',
    rule: 'output',
    clause: '',
    subject: 'national',
    label: `${FILE} written`,
    values: { path: FILE },
  };
  const CODES = ['110101', '110102', '520111', '5201110', ' 110101'];
  const cell = fc.oneof(
    fc.constantFrom(...CODES),
    fc.string({ unit: fc.constantFrom('a', '甲', ',', '"', '\r', '\n', ' ', '1', '0', '\u3000'), maxLength: 6 }),
  );
  /** A cell as CSV writes it, or sometimes as it is (a quote or line end left bare). */
  const csvCell = (value: string, raw: boolean): string => (raw || !/[",\r\n]/.test(value) ? value : `"${value.replaceAll('"', '""')}"`);

  it('picks, from the lines that hold the code, the rows withTableRows picks from the whole table (property)', () => {
    let quick = 0;
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(...CODES), cell, fc.constantFrom('11', '52'), fc.boolean()), { maxLength: 12 }),
        fc.constantFrom('\r\n', '\n'),
        fc.boolean(),
        fc.constantFrom(...CODES.slice(0, 3)),
        (rows, end, bom, code) => {
          const lines = ['county_code,name,province_code', ...rows.map(([subject, name, province, raw]) => [subject, csvCell(name, raw), province].join(','))];
          const text = lines.join(end) + end;
          const bytes = Buffer.from((bom ? '\uFEFF' : '') + text, 'utf8');
          const wanted = (subject: string): boolean => subject === code;
          const whole = withTableRows([written], FILE, text, 'county_code', wanted);
          const holding = rowsHolding(bytes, 'county_code', code);
          if (holding === undefined) return;
          quick++;
          expect(withTableRows([written], FILE, holding, 'county_code', wanted)).toEqual(whole);
        },
      ),
      { numRuns: 500 },
    );
    expect(quick).toBeGreaterThan(50);
  });

  it('reads the whole table when a quote may hide a line end, or the first line is not the header', () => {
    expect(rowsHolding(Buffer.from('county_code,name\r\n110101,"a\r\n110101,b"\r\n'), 'county_code', '110101')).toBeUndefined();
    expect(rowsHolding(Buffer.from('\r\ncounty_code,name\r\n110101,a\r\n'), 'county_code', '110101')).toBeUndefined();
    expect(rowsHolding(Buffer.from('\uFEFFcounty_code,name\r\n110101,a\r\n110102,b\r\n110101,c'), 'county_code', '110101')).toBe('county_code,name\r\n110101,a\r\n110101,c');
  });
});

describe('rowsInProvince', () => {
  const FILE = 'allocations.csv';
  const PROVINCES = ['11', '52', ' 52', '5211', '', '1', '５２'];
  const cell = fc.string({ unit: fc.constantFrom('a', '甲', ',', '"', '\r', '\n', ' ', '1', '5', '2'), maxLength: 6 });
  const csvCell = (value: string, raw: boolean): string => (raw || !/[",\r\n]/.test(value) ? value : `"${value.replaceAll('"', '""')}"`);
  const HEADERS = ['county_code,name,province_code', 'county_code,province_code,name', 'province_code,county_code,name', 'county_code,name,province_code,province_code', 'county_code,name, province_code'];

  it("picks, from the lines that may hold the province, the rows tableRowsOf picks from the whole table (property)", () => {
    let quick = 0;
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('110101', '520111', '5201110', ''), cell, fc.constantFrom(...PROVINCES), fc.boolean(), fc.nat(3)), { maxLength: 14 }),
        fc.constantFrom(...HEADERS),
        fc.constantFrom('\r\n', '\n', '\r'),
        fc.boolean(),
        fc.constantFrom('11', '52'),
        (rows, header, end, bom, province) => {
          const columns = header.split(',').map((name) => name.trim());
          const lines = [
            header,
            ...rows.map(([code, name, rowProvince, raw, short]) => {
              const cells = columns.map((column) => (column === 'county_code' ? code : column === 'name' ? csvCell(name, raw) : rowProvince));
              // Some rows short of a cell or two: tableRowsOf then takes the code's first two digits.
              return cells.slice(0, Math.max(1, cells.length - (short === 3 ? 2 : short === 2 ? 1 : 0))).join(',');
            }),
          ];
          const text = lines.join(end) + end;
          const bytes = Buffer.from((bom ? '\uFEFF' : '') + text, 'utf8');
          const wanted = (_: string, rowProvince: string): boolean => rowProvince === province;
          const whole = tableRowsOf(FILE, text, 'county_code', wanted);
          const picked = rowsInProvince(bytes, province);
          if (picked === undefined) return;
          quick++;
          expect(tableRowsOf(FILE, picked, 'county_code', wanted)).toEqual(whole);
        },
      ),
      { numRuns: 1_000 },
    );
    expect(quick).toBeGreaterThan(100);
  });

  it('keeps the header and the province\'s lines, and reads the whole table where a quote or the header says it must', () => {
    const table = '\uFEFFcounty_code,name,province_code\r\n110101,a,11\r\n520111,b,52\r\n520112,c\r\n110102,d,11';
    expect(rowsInProvince(Buffer.from(table), '52')).toBe('county_code,name,province_code\r\n520111,b,52\r\n520112,c\r\n');
    expect(rowsInProvince(Buffer.from(table), '11')).toBe('county_code,name,province_code\r\n110101,a,11\r\n520112,c\r\n110102,d,11');
    expect(rowsInProvince(Buffer.from('county_code,name,province_code\r\n110101,"a\r\n520111",11\r\n'), '52')).toBeUndefined();
    expect(rowsInProvince(Buffer.from('county_code,name\r\n110101,a\r\n'), '11')).toBeUndefined();
    expect(rowsInProvince(Buffer.from('county_code, province_code,province_code\r\n110101,11,11\r\n'), '11')).toBeUndefined();
    // A carriage return alone ends a row inside the line: the line is kept whole, and tableRowsOf finds the row in it.
    const bare = 'county_code,name,province_code\n110101,x\r520111,y,52\n110102,z,11\n';
    const in52 = (_: string, rowProvince: string): boolean => rowProvince === '52';
    expect(tableRowsOf(FILE, bare, 'county_code', in52).map((row) => row.subject)).toEqual(['520111']);
    expect(tableRowsOf(FILE, rowsInProvince(Buffer.from(bare), '52')!, 'county_code', in52)).toEqual(tableRowsOf(FILE, bare, 'county_code', in52));
  });
});
