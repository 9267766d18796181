/**
 * verify: every kind of tampering with every file of a run folder is found
 * and named (the file, or the audit entry's seq), and an untouched folder
 * passes. The exhaustive sweep runs the same check verify runs, in process;
 * the end-to-end cases spawn the built binary.
 */
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { entryHash, sha256Hex, type AuditEntry } from '../src/core/audit.js';
import { openRunFolder, sameFileBytes } from '../src/io/read-run-folder.js';
import { verifyRun } from '../src/core/verify-run.js';
import { runCli, tempDir } from './helpers.js';
import { allocateSmall, readFolder } from './run-record-helpers.js';

const RUN = allocateSmall();
const FILES = readFolder(RUN);
const AUDIT = FILES.get('audit.jsonl')!;
const EDITED_AUDIT_LINE = auditLinesOf(AUDIT).findIndex((line, index) => index >= 16 && line.includes('"IV.2"'));
const MANIFEST_TEXT = FILES.get('manifest.json')!.toString('utf8');

/** Byte range of created_at's value in manifest.json: informational, covered by no hash. */
const CREATED_AT = (() => {
  const match = /"created_at": "([^"]*)"/.exec(MANIFEST_TEXT)!;
  const start = Buffer.byteLength(MANIFEST_TEXT.slice(0, match.index + '"created_at": "'.length));
  return { start, end: start + Buffer.byteLength(match[1]!) };
})();

function withFile(path: string, bytes: Buffer): Map<string, Buffer> {
  const changed = new Map(FILES);
  changed.set(path, bytes);
  return changed;
}

function flipByte(bytes: Buffer, offset: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[offset] = copy[offset]! ^ 0x01;
  return copy;
}

/** The 1-based line of audit.jsonl that holds a byte (a newline belongs to the line it ends). */
function lineOfOffset(bytes: Buffer, offset: number): number {
  let line = 1;
  for (let index = 0; index < offset; index++) if (bytes[index] === 0x0a) line++;
  return line;
}

function auditLinesOf(bytes: Buffer): string[] {
  return bytes.toString('utf8').slice(0, -1).split('\n');
}

function fromLines(lines: string[]): Buffer {
  return Buffer.from(lines.map((line) => `${line}\n`).join(''), 'utf8');
}

describe('verify on an untouched run folder', () => {
  it('passes in process and from the binary', () => {
    const report = verifyRun(FILES);
    expect(report.findings).toEqual([]);
    expect(report.ok).toBe(true);
    const result = runCli(['verify', RUN]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('verified: the audit chain and the hashes of all 9 files hold.');
  });

  it('passes for a copy of the folder at another path', () => {
    const copy = join(tempDir(), 'copied-run');
    cpSync(RUN, copy, { recursive: true });
    expect(runCli(['verify', copy]).code).toBe(0);
  });

  it('reports, without failing, a file the manifest does not list', () => {
    const report = verifyRun(withFile('notes.txt', Buffer.from('added later')));
    expect(report.ok).toBe(true);
    expect(report.unlisted).toEqual(['notes.txt']);
  });
});

describe('verify finds every change to every file and names the place', () => {
  it('one byte changed anywhere in any file', () => {
    let tried = 0;
    for (const [path, bytes] of FILES) {
      // About 150 positions a file (600 in the audit log, several in every entry) keep the sweep fast;
      // an odd stride lands on every kind of byte: digits, quotes, separators, hex, UTF-8, newlines.
      const stride = Math.max(1, Math.floor(bytes.length / (path === 'audit.jsonl' ? 600 : 150))) | 1;
      for (let offset = 0; offset < bytes.length; offset += stride) {
        if (path === 'manifest.json' && offset >= CREATED_AT.start && offset < CREATED_AT.end) continue;
        const report = verifyRun(withFile(path, flipByte(bytes, offset)));
        tried++;
        const where = `${path} byte ${offset}`;
        expect(report.ok, where).toBe(false);
        const first = report.findings[0]!;
        expect(first.file, where).toBe(path);
        if (path === 'audit.jsonl') expect(first.seq, where).toBe(lineOfOffset(bytes, offset));
      }
    }
    expect(tried).toBeGreaterThan(1_500);
  });

  it('a file truncated, emptied or removed', () => {
    for (const [path, bytes] of FILES) {
      for (const length of [0, Math.floor(bytes.length / 2), bytes.length - 1]) {
        const report = verifyRun(withFile(path, bytes.subarray(0, length)));
        expect(report.ok, `${path} cut to ${length}`).toBe(false);
        expect(report.findings[0]!.file).toBe(path);
      }
      const removed = new Map(FILES);
      removed.delete(path);
      const report = verifyRun(removed);
      expect(report.ok, `${path} removed`).toBe(false);
      expect(report.findings[0]!.file).toBe(path);
    }
  });

  it('an audit entry deleted, two swapped, one duplicated, or the log cut at a line end', () => {
    const lines = auditLinesOf(AUDIT);
    for (let index = 0; index < lines.length; index++) {
      const deleted = lines.filter((_, at) => at !== index);
      const report = verifyRun(withFile('audit.jsonl', fromLines(deleted)));
      expect(report.findings[0], `delete seq ${index + 1}`).toMatchObject({ file: 'audit.jsonl', seq: index + 1 });

      if (index + 1 < lines.length) {
        const swapped = [...lines];
        [swapped[index], swapped[index + 1]] = [swapped[index + 1]!, swapped[index]!];
        expect(verifyRun(withFile('audit.jsonl', fromLines(swapped))).findings[0], `swap seq ${index + 1}`).toMatchObject({ file: 'audit.jsonl', seq: index + 1 });
      }

      const duplicated = [...lines.slice(0, index + 1), lines[index]!, ...lines.slice(index + 1)];
      expect(verifyRun(withFile('audit.jsonl', fromLines(duplicated))).findings[0], `duplicate seq ${index + 1}`).toMatchObject({ file: 'audit.jsonl', seq: index + 2 });

      const cut = verifyRun(withFile('audit.jsonl', fromLines(lines.slice(0, index))));
      expect(cut.findings[0], `cut after seq ${index}`).toMatchObject({ file: 'audit.jsonl', seq: index + 1 });
      expect(cut.findings[0]!.message).toMatch(index === 0 ? /missing|seq 1/ : /cut short|missing/);
    }
  });

  it('the manifest re-indented: same content, other bytes', () => {
    const reindented = `${JSON.stringify(JSON.parse(MANIFEST_TEXT), null, 4)}\n`;
    const report = verifyRun(withFile('manifest.json', Buffer.from(reindented)));
    expect(report.findings[0]).toMatchObject({ file: 'manifest.json' });
    expect(report.findings[0]!.message).toContain('not laid out as povalloc wrote it');
  });

  it('created_at is informational: changing it is not a finding (it is covered by no hash)', () => {
    const retimed = MANIFEST_TEXT.replace(/"created_at": "[^"]*"/, '"created_at": "2000-01-01T00:00:00.000Z"');
    expect(verifyRun(withFile('manifest.json', Buffer.from(retimed))).ok).toBe(true);
  });

  it('an entry rewritten with a freshly computed hash still breaks the chain at the next entry', () => {
    const lines = auditLinesOf(AUDIT);
    const entry = JSON.parse(lines[9]!) as { values: Record<string, string>; hash: string };
    entry.values['because'] = 'forged';
    // Recompute this entry's own hash as a forger would; the next entry's prev still names the old one.
    const rewritten = { ...entry, hash: entryHash(entry as unknown as AuditEntry) };
    const forged = [...lines];
    forged[9] = JSON.stringify(rewritten);
    expect(verifyRun(withFile('audit.jsonl', fromLines(forged))).findings[0]).toMatchObject({ file: 'audit.jsonl', seq: 11 });
  });
});

describe('verify from the binary names the place and exits 1', () => {
  const cases: { name: string; change: (dir: string) => void; expected: RegExp }[] = [
    ...[...FILES.keys()]
      .filter((path) => path !== 'audit.jsonl')
      .map((path) => ({
        name: `a byte of ${path}`,
        change: (dir: string) => {
          const bytes = readFileSync(join(dir, path));
          // The middle of the file; for the manifest, a byte of its manifest_hash.
          const offset = path === 'manifest.json' ? MANIFEST_TEXT.indexOf('"manifest_hash": "') + 20 : Math.floor(bytes.length / 2);
          writeFileSync(join(dir, path), flipByte(bytes, offset));
        },
        expected: new RegExp(`FAILED ${path.replace('.', '\\.')}`),
      })),
    {
      // The first entry from line 17 on that cites clause IV.2, with the clause changed.
      name: 'a clause id changed in audit.jsonl',
      change: (dir) => {
        const lines = auditLinesOf(AUDIT);
        lines[EDITED_AUDIT_LINE] = lines[EDITED_AUDIT_LINE]!.replace('"IV.2"', '"IV.3"');
        writeFileSync(join(dir, 'audit.jsonl'), fromLines(lines));
      },
      expected: new RegExp(`FAILED audit\\.jsonl: entry seq ${EDITED_AUDIT_LINE + 1} does not match its hash[\\s\\S]*the first: audit\\.jsonl, entry seq ${EDITED_AUDIT_LINE + 1}`),
    },
    {
      name: 'a line of audit.jsonl deleted',
      change: (dir) => writeFileSync(join(dir, 'audit.jsonl'), fromLines(auditLinesOf(AUDIT).filter((_, index) => index !== 20))),
      expected: /FAILED audit\.jsonl: line 21 carries seq 22 where seq 21 was expected/,
    },
    {
      name: 'two lines of audit.jsonl swapped',
      change: (dir) => {
        const lines = auditLinesOf(AUDIT);
        [lines[4], lines[5]] = [lines[5]!, lines[4]!];
        writeFileSync(join(dir, 'audit.jsonl'), fromLines(lines));
      },
      expected: /the first: audit\.jsonl, entry seq 5/,
    },
    {
      name: 'audit.jsonl truncated',
      change: (dir) => writeFileSync(join(dir, 'audit.jsonl'), AUDIT.subarray(0, Math.floor(AUDIT.length * 0.6))),
      expected: /FAILED audit\.jsonl: line \d+ is not valid JSON/,
    },
    {
      name: 'a file removed',
      change: (dir) => rmSync(join(dir, 'provinces.csv')),
      expected: /FAILED provinces\.csv: is missing/,
    },
  ];

  it.each(cases)('$name', ({ change, expected }) => {
    const dir = join(tempDir(), 'run');
    cpSync(RUN, dir, { recursive: true });
    change(dir);
    const result = runCli(['verify', dir]);
    expect(result.stdout).toMatch(expected);
    expect(result.code).toBe(1);
  });

  it('--json gives the first problem as data', () => {
    const dir = join(tempDir(), 'run');
    cpSync(RUN, dir, { recursive: true });
    writeFileSync(join(dir, 'audit.jsonl'), fromLines(auditLinesOf(AUDIT).filter((_, index) => index !== 30)));
    const result = runCli(['verify', dir, '--json']);
    expect(result.code).toBe(1);
    const document = JSON.parse(result.stdout) as { ok: boolean; first_problem: { file: string; seq: number } };
    expect(document.ok).toBe(false);
    expect(document.first_problem).toMatchObject({ file: 'audit.jsonl', seq: 31 });
  });

  it('exits 2 when the folder does not exist', () => {
    const result = runCli(['verify', join(tempDir(), 'nothing-here')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no such run folder');
  });
});

describe('a run folder read file by file (openRunFolder), as verify and replay read it', () => {
  it('lists the files folder by folder, names in order, and gives their bytes and SHA-256', () => {
    const folder = openRunFolder(RUN);
    const bySegments = (a: string, b: string): number => {
      const [x, y] = [a.split('/'), b.split('/')];
      for (let index = 0; index < Math.min(x.length, y.length); index++) if (x[index] !== y[index]) return x[index]! < y[index]! ? -1 : 1;
      return x.length - y.length;
    };
    expect([...folder.keys()]).toEqual([...FILES.keys()].sort(bySegments));
    expect([...folder.keys()]).toContain('inputs/policy/policy.json');
    for (const [path, bytes] of FILES) {
      expect(folder.get(path)!.equals(bytes)).toBe(true);
      expect(folder.sha256(path)).toBe(sha256Hex(bytes));
    }
    expect(folder.get('no-such-file')).toBeUndefined();
    expect(folder.sha256('no-such-file')).toBeUndefined();
  });

  it('gives verify the report it gives on the same files in memory, tampered or not', () => {
    const changes: ((dir: string) => void)[] = [
      () => {},
      (dir) => writeFileSync(join(dir, 'allocations.csv'), flipByte(readFileSync(join(dir, 'allocations.csv')), 40)),
      (dir) => writeFileSync(join(dir, 'audit.jsonl'), readFileSync(join(dir, 'audit.jsonl')).subarray(0, 5000)),
      (dir) => rmSync(join(dir, 'summary.json')),
      (dir) => writeFileSync(join(dir, 'notes.txt'), 'added later'),
      (dir) => writeFileSync(join(dir, 'manifest.json'), `${readFileSync(join(dir, 'manifest.json'), 'utf8')}\n`),
    ];
    for (const change of changes) {
      const dir = join(tempDir(), 'run');
      cpSync(RUN, dir, { recursive: true });
      change(dir);
      expect(verifyRun(openRunFolder(dir))).toEqual(verifyRun(readFolder(dir)));
    }
  });

  it('compares files a piece at a time: equal only with the same bytes, to the last', () => {
    const dir = tempDir();
    const big = Buffer.alloc(3 * 1024 * 1024 + 17, 7);
    const write = (name: string, bytes: Buffer): string => {
      writeFileSync(join(dir, name), bytes);
      return join(dir, name);
    };
    const a = write('a', big);
    expect(sameFileBytes(a, write('same', Buffer.from(big)))).toBe(true);
    expect(sameFileBytes(a, write('last', flipByte(big, big.length - 1)))).toBe(false);
    expect(sameFileBytes(a, write('first', flipByte(big, 0)))).toBe(false);
    expect(sameFileBytes(a, write('at-a-piece-end', flipByte(big, 1024 * 1024 - 1)))).toBe(false);
    expect(sameFileBytes(a, write('longer', Buffer.concat([big, Buffer.from([7])])))).toBe(false);
    expect(sameFileBytes(write('empty', Buffer.alloc(0)), write('empty-too', Buffer.alloc(0)))).toBe(true);
  });
});
