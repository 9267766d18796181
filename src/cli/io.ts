/**
 * The outside world as the CLI sees it: output streams, terminal, environment
 * and standard input. Tests pass their own.
 */
import { readFileSync } from 'node:fs';

export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
  readonly stdoutIsTty: boolean;
  readonly stderrIsTty: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
  readStdin(): Buffer;
}

export const processIo: Io = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  stdoutIsTty: Boolean(process.stdout.isTTY),
  stderrIsTty: Boolean(process.stderr.isTTY),
  env: process.env,
  readStdin: () => readFileSync(0),
};

export const EXIT_OK = 0;
export const EXIT_DIFFERENCE = 1;
export const EXIT_INVALID = 2;
export const EXIT_INTERNAL = 3;
