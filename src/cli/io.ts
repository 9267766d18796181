/**
 * The outside world as the CLI sees it: output streams, terminal, environment
 * and standard input. Tests pass their own.
 */
import { readFileSync, writeSync } from 'node:fs';
import { isatty } from 'node:tty';

export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
  readonly stdoutIsTty: boolean;
  readonly stderrIsTty: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
  readStdin(): Buffer;
  /** The progress bar's clock in milliseconds (see progress.ts); performance.now when absent. Tests pass their own. */
  readonly now?: () => number;
}

/** Waited on for a millisecond while a pipe is full. */
const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * TEXT written to standard output before this returns, all of it. Node's
 * process.stdout.write holds what a pipe cannot take yet in memory, without
 * limit: `povalloc compare RUN RUN --json | jq ...` on a million villages
 * (840 MB of JSON, a reader slower than the writer) held it all and failed
 * with ENOBUFS when more than 2 GB waited. A full pipe (EAGAIN) is waited
 * for instead. A reader that stops early (`povalloc sweep ... | head`) closes
 * the pipe: that ends the run, it is not a failure (exit code 0).
 */
export function writeStdout(text: string, fd = 1): void {
  const bytes = Buffer.from(text, 'utf8');
  let written = 0;
  while (written < bytes.length) {
    try {
      written += writeSync(fd, bytes, written, bytes.length - written);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EPIPE') process.exit(0);
      if (code !== 'EAGAIN') throw error;
      Atomics.wait(pause, 0, 0, 1);
    }
  }
}

export const processIo: Io = {
  stdout: (text) => writeStdout(text),
  stderr: (text) => process.stderr.write(text),
  stdoutIsTty: isatty(1),
  stderrIsTty: Boolean(process.stderr.isTTY),
  env: process.env,
  readStdin: () => readFileSync(0),
};

export const EXIT_OK = 0;
export const EXIT_DIFFERENCE = 1;
export const EXIT_INVALID = 2;
export const EXIT_INTERNAL = 3;
