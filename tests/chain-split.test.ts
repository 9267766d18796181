/**
 * A large run's audit log checked on two threads (src/cli/chain-split.ts,
 * chain-part-worker.ts, checkAuditChainPart): for an intact log and for every
 * kind of damage, wherever it falls (before the split, at the entry the
 * worker's part begins with, after it, across it), the same chain (entries
 * kept, problem, count, head) as checkStoredAuditLog on one thread, for each
 * reader's entries kept (verify's, an explanation of a village and of a
 * province); and `verify` of a run so checked is the report of one thread.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkStoredAuditLogOnTwoThreads } from '../src/cli/chain-split.js';
import { checkStoredAuditLog, gzipMember, memberHalvingText, type KeepSpec } from '../src/core/audit.js';
import { keepOf } from '../src/core/log-readers.js';
import { verifyRun } from '../src/core/verify-run.js';
import { openRunFolder, readFileShared } from '../src/io/read-run-folder.js';
import { allocateLargeRun, runCli, tempDir } from './helpers.js';

/** The worker as built (tests run the TypeScript sources, beside which there is no worker module). */
const WORKER = new URL('../dist/cli/chain-part-worker.js', import.meta.url);
/** Lines a gzip member holds in the logs made here: many members, so that the split falls between two. */
const LINES_PER_MEMBER = 40;

/** BYTES in shared memory, as readFileShared reads a large file. */
function sharedCopy(bytes: Buffer): Buffer {
  const shared = Buffer.from(new SharedArrayBuffer(bytes.length));
  bytes.copy(shared);
  return shared;
}

/** LINES (each without its line end) as a povalloc log of many members, and the index of the first line after the split. */
function logOf(lines: readonly string[], ending = '\n'): { bytes: Buffer; splitLine: number } {
  const members: Buffer[] = [];
  for (let at = 0; at < lines.length; at += LINES_PER_MEMBER) {
    const last = at + LINES_PER_MEMBER >= lines.length;
    members.push(gzipMember(lines.slice(at, at + LINES_PER_MEMBER).join('\n') + (last ? ending : '\n')));
  }
  const bytes = Buffer.concat(members);
  const split = memberHalvingText(bytes);
  let offset = 0;
  let member = 0;
  while (offset < split) offset += members[member++]!.length;
  return { bytes, splitLine: member * LINES_PER_MEMBER };
}

describe('memberHalvingText', () => {
  it('splits at the member that halves the text, however differently the members compress', () => {
    // Five members of text that compresses to almost nothing, then five of digits that hardly compress: half the
    // stored bytes lies deep in the second five, half the text where they begin.
    let seed = 7;
    const digits = (count: number): string => {
      let text = '';
      for (let index = 0; index < count; index++) {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        text += String(seed % 10);
      }
      return text;
    };
    const members = [...Array.from({ length: 5 }, () => gzipMember('eligible\t'.repeat(10_000))), ...Array.from({ length: 5 }, () => gzipMember(digits(100_000)))];
    const bytes = Buffer.concat(members);
    const starts = members.map((_, index) => members.slice(0, index).reduce((sum, member) => sum + member.length, 0));
    expect(memberHalvingText(bytes)).toBe(starts[5]);
    // By stored bytes the half would lie past the seventh member's start.
    expect(bytes.length / 2).toBeGreaterThan(starts[7]!);
    // One member, or no gzip: no split.
    expect(memberHalvingText(members[0]!)).toBe(-1);
    expect(memberHalvingText(Buffer.from('{"seq":1}\n'))).toBe(-1);
  });
});

describe('an audit log checked on two threads', () => {
  const work = tempDir();
  let lines: string[];
  let village: string;
  let run: string;

  beforeAll(() => {
    ({ run } = allocateLargeRun(work, 13));
    const text = gunzipSync(readFileSync(join(run, 'audit.jsonl.gz'))).toString('utf8');
    lines = text.trimEnd().split('\n');
    village = /"block\.rows":"(\d{12})/.exec(text)![1]!;
  }, 120_000);

  it('finds what one thread finds, for every kind of damage wherever it falls, keeping what each reader keeps', () => {
    const { splitLine } = logOf(lines);
    expect(splitLine).toBeGreaterThan(LINES_PER_MEMBER);
    expect(splitLine).toBeLessThan(lines.length - LINES_PER_MEMBER);
    const changed = (at: number): string[] => lines.map((line, index) => (index === at ? line.replace(/"label":"/, '"label":"x') : line));
    const without = (at: number): string[] => lines.filter((_, index) => index !== at);
    const swapped = (at: number): string[] => lines.map((line, index) => (index === at ? lines[at + 1]! : index === at + 1 ? lines[at]! : line));
    const cases: Record<string, Buffer> = {
      intact: logOf(lines).bytes,
      'changed before the split': logOf(changed(5)).bytes,
      'changed where the second part begins': logOf(changed(splitLine)).bytes,
      'changed just before the split': logOf(changed(splitLine - 1)).bytes,
      'changed after the split': logOf(changed(splitLine + 7)).bytes,
      'the entry where the second part begins removed': logOf(without(splitLine)).bytes,
      'the last entry before the split removed': logOf(without(splitLine - 1)).bytes,
      'an entry after the split removed': logOf(without(splitLine + 3)).bytes,
      'two entries swapped across the split': logOf(swapped(splitLine - 1)).bytes,
      'the second part begins with an entry of the first': logOf([...lines.slice(0, splitLine), lines[2]!, ...lines.slice(splitLine)]).bytes,
      'cut short': logOf(lines, '').bytes,
      'a line that is not JSON where the second part begins': logOf([...lines.slice(0, splitLine), 'not json', ...lines.slice(splitLine)]).bytes,
    };
    const damaged = (at: number): Buffer => {
      const bytes = Buffer.from(cases['intact']!);
      bytes[at] = bytes[at]! ^ 0xff;
      return bytes;
    };
    const intact = cases['intact']!;
    const split = memberHalvingText(intact);
    cases['a gzip byte changed before the split'] = damaged(Math.floor(split / 3));
    cases['a gzip byte changed after the split'] = damaged(split + Math.floor((intact.length - split) / 2));
    cases['a member header changed where the second part begins'] = damaged(split + 3);
    cases['bytes after the last member'] = Buffer.concat([intact, Buffer.from('trailing')]);
    const specs: KeepSpec[] = [{ kind: 'records-a-file' }, { kind: 'explain', code: village }, { kind: 'explain', code: village.slice(0, 2) }];
    const seen = new Set<string>();
    for (const [name, bytes] of Object.entries(cases)) {
      for (const keep of specs) {
        const one = checkStoredAuditLog(bytes, keepOf(keep));
        const two = checkStoredAuditLogOnTwoThreads(bytes, keep, { minBytes: 0, worker: WORKER });
        expect(two, `${name}, ${JSON.stringify(keep)}`).toEqual(one);
        // Read into shared memory (readFileShared), the worker reads its part where it lies: the same again.
        const inShared = checkStoredAuditLogOnTwoThreads(sharedCopy(bytes), keep, { minBytes: 0, worker: WORKER });
        expect(inShared, `${name} in shared memory, ${JSON.stringify(keep)}`).toEqual(one);
        seen.add(one === undefined ? 'unreadable' : one.problem ? `problem at ${one.problem.seq}` : `intact, ${one.count}`);
      }
    }
    // The cases differ: intact, broken at several places, unreadable.
    expect(seen.has(`intact, ${lines.length}`)).toBe(true);
    expect(seen.has('unreadable')).toBe(true);
    expect([...seen].filter((outcome) => outcome.startsWith('problem at')).length).toBeGreaterThan(4);
  });

  it('reads a file of a megabyte or more into shared memory, a smaller one as readFileSync does, the same bytes', () => {
    const large = join(work, 'large.bin');
    const small = join(work, 'small.bin');
    writeFileSync(large, Buffer.alloc(1024 * 1024 + 7, 'povalloc 扶贫 '));
    writeFileSync(small, logOf(lines.slice(0, 10)).bytes);
    const largeRead = readFileShared(large);
    expect(largeRead.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(largeRead.equals(readFileSync(large))).toBe(true);
    const smallRead = readFileShared(small);
    expect(smallRead.buffer).not.toBeInstanceOf(SharedArrayBuffer);
    expect(smallRead.equals(readFileSync(small))).toBe(true);
  });

  it('checks a small log, or where no worker can be started, on this thread alone', () => {
    const { bytes } = logOf(lines.slice(0, 100));
    const keep: KeepSpec = { kind: 'records-a-file' };
    expect(checkStoredAuditLogOnTwoThreads(bytes, keep)).toEqual(checkStoredAuditLog(bytes, keepOf(keep)));
    expect(checkStoredAuditLogOnTwoThreads(bytes, keep, { minBytes: 0, worker: new URL('./no-such-worker.js', WORKER) })).toEqual(checkStoredAuditLog(bytes, keepOf(keep)));
  });

  it('verify of a run whose log is checked on two threads reports what one thread reports, intact or changed', () => {
    for (const [name, at] of [['intact', -1], ['changed after the split', logOf(lines).splitLine + 5]] as const) {
      const dir = join(work, `verify-${name.replaceAll(' ', '-')}`);
      cpSync(run, dir, { recursive: true });
      // The log as many members, so that verify splits it (and, changed or not, its hash is no longer the manifest's).
      writeFileSync(join(dir, 'audit.jsonl.gz'), logOf(lines.map((line, index) => (index === at ? line.replace(/"label":"/, '"label":"x') : line))).bytes);
      const verified = runCli(['verify', dir, '--json']);
      expect(verified.code, name).toBe(1);
      const oneThread = verifyRun(openRunFolder(dir));
      const document = JSON.parse(verified.stdout) as { problems: unknown[]; audit: unknown };
      expect(document.problems, name).toEqual(oneThread.findings.map((finding) => ({ file: finding.file, seq: finding.seq ?? null, message: finding.message })));
      expect(document.audit, name).toEqual({ entries: oneThread.audit.entries, intact: oneThread.audit.intact, head_hash: oneThread.audit.headHash });
      if (at >= 0) expect(oneThread.findings.some((finding) => finding.seq === at + 1 && /does not match its hash/.test(finding.message))).toBe(true);
    }
  });
});
