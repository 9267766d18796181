/**
 * A worker thread that writes a CSV table to a file from rows handed to it
 * part by part while the main thread goes on (compare's counties.csv, made of
 * the rows of compare.json as the main thread writes that): the header, then
 * each part's lines as they come, the same text as csvPieces of all the rows
 * (csvHeaderText, then csvRowsText of each part; a test holds them equal).
 * Each part written is counted in `written` (the main thread hands over no
 * more than a few parts ahead); after the last (`{ end: true }`) the file is
 * flushed and closed and its size and SHA-256 answered. See csv-rows-aside.ts
 * for the other end.
 */
import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { workerData, type MessagePort } from 'node:worker_threads';
import { csvHeaderText, csvRowsText } from '../render/csv.js';
import { GAVE_UP } from '../io/piece-writer.js';
import { lowerThisThreadsPriority } from '../io/thread-priority.js';
import { nameThisWorker } from '../io/worker-name.js';

nameThisWorker();

const { path, columns, rows, written, done, port } = workerData as {
  path: string;
  columns: string[];
  /** Where the parts come: `{ rows }`, then `{ end: true }`. */
  rows: MessagePort;
  written: SharedArrayBuffer;
  done: SharedArrayBuffer;
  port: MessagePort;
};
const count = new Int32Array(written);
// In the background of the run: at a lower priority than the main thread, which makes the rows.
lowerThisThreadsPriority();

const digest = createHash('sha256');
let bytes = 0;
let descriptor: number | undefined;

function write(text: string): void {
  const piece = Buffer.from(text, 'utf8');
  digest.update(piece);
  bytes += piece.byteLength;
  let at = 0;
  while (at < piece.byteLength) at += writeSync(descriptor!, piece, at);
}

/** The one answer, then the flag raised and nothing kept: the thread ends. */
function answer(message: Record<string, unknown>): void {
  port.postMessage(message);
  const flag = new Int32Array(done);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
  port.close();
  rows.close();
}

function fail(error: unknown): void {
  if (descriptor !== undefined) closeSync(descriptor);
  descriptor = undefined;
  // The main thread may be waiting for a part to be written: it waits no more.
  Atomics.store(count, 0, GAVE_UP);
  Atomics.notify(count, 0);
  answer({ error: error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error) });
}

try {
  descriptor = openSync(path, 'wx');
  write(`${csvHeaderText(columns)}\r\n`);
  // The main thread gave up before the last part (it stops this thread too): the file is abandoned with its folder.
  rows.on('close', () => {
    if (descriptor !== undefined) fail(new Error('the rows stopped coming'));
  });
  rows.on('message', (message: { rows?: string[][]; end?: boolean }) => {
    if (descriptor === undefined) return;
    try {
      if (message.rows !== undefined) {
        write(csvRowsText({ columns, rows: message.rows }));
        Atomics.add(count, 0, 1);
        Atomics.notify(count, 0);
      } else if (message.end === true) {
        fsyncSync(descriptor);
        closeSync(descriptor);
        descriptor = undefined;
        answer({ bytes, sha256: digest.digest('hex') });
      }
    } catch (error) {
      fail(error);
    }
  });
} catch (error) {
  fail(error);
}
