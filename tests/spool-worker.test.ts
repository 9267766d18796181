/**
 * A large input's copy written into the run folder on a worker thread
 * (spool-worker.ts): the same file and SHA-256 as writing it on this thread,
 * the buffer handed over rather than copied, and a copy that cannot be
 * written reported when its hash is read. A long file written on a worker
 * thread piece by piece (piece-writer.ts): the same file, size and SHA-256 as
 * `writeToFile` with `measurePieces`, a piece of its own memory handed over,
 * one of Node's shared pool written with the pool left whole, and what
 * cannot be written reported as writing here would.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writePiecesOnWorker } from '../src/io/piece-writer.js';
import { measurePieces, writeToFile } from '../src/io/run-folder.js';
import { ownCopy, ownsItsMemory, spoolOnWorker } from '../src/io/spool-worker.js';
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

describe('writePiecesOnWorker', () => {
  /** Pieces of every size from empty to 200 kB, some of their own memory and some from Node's shared pool. */
  function piecesOf(count: number): Buffer[] {
    return Array.from({ length: count }, (_, index) => (index % 3 === 0 ? Buffer.from(`piece ${index}: 中坝村\n`, 'utf8') : bytesOf((index * 7919) % 200_000)));
  }

  it('writes what writeToFile writes, with the same size and SHA-256, over more pieces than it lets wait', () => {
    const dir = tempDir();
    const pieces = piecesOf(300);
    const expected = Buffer.concat(pieces);
    const here = writeToFile(join(dir, 'here.json'), (sink) => measurePieces(pieces, sink));
    const writer = writePiecesOnWorker(join(dir, 'there.json'));
    // Pieces of Node's shared pool are written too, and the pool (with the other pieces in it) stays whole here.
    const pooled = pieces.filter((piece) => !ownsItsMemory(piece));
    expect(pooled.length).toBeGreaterThan(0);
    const pooledBefore = pooled.map((piece) => Buffer.from(piece));
    for (const piece of pieces.map((piece) => (ownsItsMemory(piece) ? ownCopy(piece) : piece))) writer.write(piece);
    expect(writer.finish()).toEqual({ spooled: join(dir, 'there.json'), bytes: here.bytes, sha256: here.sha256 });
    expect(readFileSync(join(dir, 'there.json')).equals(expected)).toBe(true);
    pooled.forEach((piece, index) => expect(piece.equals(pooledBefore[index]!)).toBe(true));
    expect(here.sha256).toBe(createHash('sha256').update(expected).digest('hex'));
  });

  it('writes pieces given as text as their UTF-8 bytes, among pieces given as bytes, in order', () => {
    const dir = tempDir();
    const texts = Array.from({ length: 200 }, (_, index) => (index % 2 === 0 ? `{"county_name": "中坝村 ${index}", "code": "520111${index}"},\n` : 'x'.repeat((index * 7919) % 150_000)));
    const writer = writePiecesOnWorker(join(dir, 'texts.json'));
    const expected: Buffer[] = [];
    texts.forEach((text, index) => {
      expected.push(Buffer.from(text, 'utf8'));
      if (index % 5 === 0) writer.write(Buffer.from(text, 'utf8'));
      else writer.writeText(text);
    });
    const bytes = Buffer.concat(expected);
    expect(writer.finish()).toEqual({ spooled: join(dir, 'texts.json'), bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
    expect(readFileSync(join(dir, 'texts.json')).equals(bytes)).toBe(true);
  });

  it('hands a piece of its own memory over rather than copying it', () => {
    const dir = tempDir();
    const piece = bytesOf(1 << 20);
    const writer = writePiecesOnWorker(join(dir, 'one.json'));
    writer.write(piece);
    expect(piece.buffer.byteLength).toBe(0);
    expect(writer.finish().bytes).toBe(1 << 20);
  });

  it('writes an empty file, and reports a file it cannot write as writing here would: never over a file already there, nor into a missing folder', () => {
    const dir = tempDir();
    const empty = writePiecesOnWorker(join(dir, 'empty.json'));
    expect(empty.finish()).toEqual({ spooled: join(dir, 'empty.json'), bytes: 0, sha256: createHash('sha256').digest('hex') });
    writeFileSync(join(dir, 'taken.json'), 'already here');
    const taken = writePiecesOnWorker(join(dir, 'taken.json'));
    expect(() => {
      for (const piece of piecesOf(200)) taken.write(piece);
      taken.finish();
    }).toThrow(/taken\.json: .*EEXIST|taken\.json: .*exists/);
    expect(readFileSync(join(dir, 'taken.json'), 'utf8')).toBe('already here');
    const missing = writePiecesOnWorker(join(dir, 'no-such-folder', 'x.json'));
    expect(() => missing.finish()).toThrow(/x\.json: .*ENOENT|no such file/);
  });

  it('stops when cancelled, the file left for its folder to remove', () => {
    const dir = tempDir();
    const writer = writePiecesOnWorker(join(dir, 'cancelled.json'));
    writer.write(Buffer.from('a start'));
    expect(() => writer.cancel()).not.toThrow();
  });
});
