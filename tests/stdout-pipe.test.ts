/**
 * Standard output into a pipe (src/cli/io.ts, writeStdout): what is written
 * is in the pipe when the write returns, so a reader slower than povalloc
 * (`povalloc compare RUN RUN --json | jq ...` on a million villages) makes it
 * wait instead of piling the output up in memory; a reader that stops early
 * ends the run with exit code 0. Run in a child process over a real pipe.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers.js';

const IO_MODULE = pathToFileURL(join(ROOT, 'dist', 'cli', 'io.js')).href;
const PIECES = 64;
const PIECE_CHARS = 64 * 1024;

/** A child that writes PIECES lines of about 64 kB through writeStdout, saying on stderr after each how many it has written. */
const WRITER = `
import { writeStdout } from ${JSON.stringify(IO_MODULE)};
// Made as the CLI's libraries may make it: Node then puts a pipe into non-blocking mode (EAGAIN when full).
void process.stdout;
const filler = 'x'.repeat(${PIECE_CHARS});
for (let piece = 0; piece < ${PIECES}; piece++) {
  writeStdout(String(piece).padStart(4, '0') + filler + '\\n');
  process.stderr.write(String(piece + 1) + '\\n');
}
`;

function startWriter() {
  return spawn(process.execPath, ['--input-type=module', '-e', WRITER], { stdio: ['ignore', 'pipe', 'pipe'] });
}

describe('standard output into a pipe', () => {
  it('waits for a reader that has not read yet, then gives it every byte in order', async () => {
    const child = startWriter();
    child.stdout.pause();
    let reported = 0;
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => {
      for (const line of text.split('\n')) if (line !== '') reported = Number(line);
    });
    // Nothing is read for a while: written into memory, all 4 MB would be "written" at once.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const beforeReading = reported;
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stdout.resume();
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    // A pipe holds 64 kB to 1 MB on Linux: far fewer than half the pieces.
    expect(beforeReading).toBeLessThan(PIECES / 2);
    expect(code).toBe(0);
    expect(reported).toBe(PIECES);
    const lines = Buffer.concat(chunks).toString('utf8').split('\n');
    expect(lines).toHaveLength(PIECES + 1);
    lines.slice(0, PIECES).forEach((line, piece) => {
      expect(line.slice(0, 4)).toBe(String(piece).padStart(4, '0'));
      expect(line).toHaveLength(4 + PIECE_CHARS);
    });
  });

  it('ends with exit code 0 when the reader stops early', async () => {
    const child = startWriter();
    const first = await new Promise<Buffer>((resolve) => child.stdout.once('data', resolve));
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(first.toString('utf8', 0, 4)).toBe('0000');
    expect(code).toBe(0);
  });
});
