/**
 * A large input's copy written into the run folder on a worker thread
 * (spool-worker.ts): the same file and SHA-256 as writing it on this thread,
 * the buffer handed over rather than copied, and a copy that cannot be
 * written reported when its hash is read.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ownsItsMemory, spoolOnWorker } from '../src/io/spool-worker.js';
import { tempDir } from './helpers.js';

/** A buffer of its own memory with bytes that vary (every value of a byte, Chinese text). */
function bytesOf(size: number): Buffer {
  const bytes = Buffer.allocUnsafeSlow(size);
  const pattern = Buffer.from('county_code,county_name\r\n520111000001,中坝村\r\n', 'utf8');
  for (let at = 0; at < size; at += pattern.length) pattern.copy(bytes, at, 0, Math.min(pattern.length, size - at));
  for (let at = 0; at < 256 && at < size; at++) bytes[at] = at;
  return bytes;
}

describe('spoolOnWorker', () => {
  it('writes the bytes to the file and gives their size and SHA-256; the buffer is handed over', () => {
    const dir = tempDir();
    const bytes = bytesOf(9 << 20);
    const expected = Buffer.from(bytes);
    expect(ownsItsMemory(bytes)).toBe(true);
    const path = join(dir, 'counties.csv');
    const spooled = spoolOnWorker(bytes, path);
    // Handed over: this thread no longer has them.
    expect(bytes.byteLength).toBe(0);
    expect(spooled.spooled).toBe(path);
    expect(spooled.bytes).toBe(expected.byteLength);
    expect(spooled.sha256).toBe(createHash('sha256').update(expected).digest('hex'));
    expect(Buffer.compare(readFileSync(path), expected)).toBe(0);
    // Read again, the same hash (no second wait).
    expect(spooled.sha256).toBe(createHash('sha256').update(expected).digest('hex'));
  });

  it('writes an empty file too', () => {
    const path = join(tempDir(), 'empty.csv');
    const spooled = spoolOnWorker(Buffer.allocUnsafeSlow(0), path);
    expect(spooled.sha256).toBe(createHash('sha256').update(Buffer.alloc(0)).digest('hex'));
    expect(readFileSync(path).length).toBe(0);
  });

  it('reports a copy it could not write when the hash is read: never over a file already there, nor into a missing folder', () => {
    const dir = tempDir();
    const taken = join(dir, 'taken.csv');
    writeFileSync(taken, 'old');
    const over = spoolOnWorker(bytesOf(1000), taken);
    expect(() => over.sha256).toThrow(/^copying .*taken\.csv: EEXIST/);
    expect(readFileSync(taken, 'utf8')).toBe('old');
    const missing = spoolOnWorker(bytesOf(1000), join(dir, 'no-such-folder', 'x.csv'));
    expect(() => missing.sha256).toThrow(/^copying .*x\.csv: ENOENT/);
  });

  it('tells a buffer of its own memory from a slice of a shared one', () => {
    expect(ownsItsMemory(Buffer.allocUnsafeSlow(100))).toBe(true);
    expect(ownsItsMemory(Buffer.allocUnsafeSlow(100).subarray(1))).toBe(false);
    expect(ownsItsMemory(Buffer.from(new SharedArrayBuffer(8)))).toBe(false);
  });
});
