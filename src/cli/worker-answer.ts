/**
 * Worker threads that answer once (last year's allocations.csv read, a
 * large run's allocations.csv written): each posts one message and then
 * raises a flag (an Int32Array over a SharedArrayBuffer set to 1, and
 * notified), which the main thread waits for without turning the event
 * loop, as the run's own code is synchronous.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort, type ResourceLimits, type TransferListItem } from 'node:worker_threads';
import { threadName } from '../io/thread-name.js';

/** The message, 'timed-out' when the flag was not raised in STALL_MS, or undefined when it was but no message came. */
function waitForAnswer<T>(flag: Int32Array, port: MessagePort, stallMs: number): T | 'timed-out' | undefined {
  if (Atomics.wait(flag, 0, 0, stallMs) === 'timed-out') return 'timed-out';
  // The worker posts before it raises the flag: the message is there (looked for a few times more, to be sure).
  let received = receiveMessageOnPort(port) as { message: T } | undefined;
  for (let attempt = 0; !received && attempt < 100; attempt++) {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    received = receiveMessageOnPort(port) as { message: T } | undefined;
  }
  return received?.message;
}

/**
 * The script a worker thread runs: it loads the worker's module (its
 * `workerData.module`), whose own code answers. A module that cannot be
 * loaded, or fails before it answers, is answered for here: an `error`
 * message, then the count in `workerData.signal` raised by one and
 * notified, so the main thread is never left waiting for it. Used by the
 * workers that answer once (their flag is the signal) and by the stage-2
 * worker, which answers many groups (its count of answers is). The
 * module names its thread from `workerData.threadName` (nameThisWorker in
 * src/io/thread-name.ts).
 */
export const WORKER_LOADER = `
const { workerData } = require('node:worker_threads');
import(workerData.module).catch((error) => {
  workerData.port.postMessage({ error: String((error && error.stack) || error) });
  const signal = new Int32Array(workerData.signal);
  Atomics.add(signal, 0, 1);
  Atomics.notify(signal, 0);
});
`;

/** A worker thread started to answer once (see `startAnsweringWorker`). */
export interface AnsweringWorker {
  /** Its answer; or why there is none (it failed, said an error, or did not answer within STALL_MS). The worker is stopped. */
  answer<T extends object>(stallMs: number): T | { readonly failed: string };
  /** Posts it a message (a worker begun before its work was known is given it so, see csv-worker.ts). */
  post(message: unknown, transfer?: readonly TransferListItem[]): void;
  /** Stops it, unanswered or not. */
  stop(): void;
}

/**
 * Starts the module at URL on a worker thread that answers once: it is
 * given DATA (made only when the module is there) and, as `port` and
 * `done`, where to post its one message (with `error` when it failed) and
 * the flag to raise after. Undefined when the module is not there (tests
 * that run the TypeScript sources). The run never waits for the worker to
 * end: it is stopped once it has answered, and never keeps the process
 * alive. The thread is named NAME (see src/io/thread-name.ts).
 */
export function startAnsweringWorker(
  url: URL,
  name: string,
  data: () => Record<string, unknown>,
  options: { readonly transferList?: readonly TransferListItem[]; readonly resourceLimits?: ResourceLimits } = {},
): AnsweringWorker | undefined {
  const checkedName = threadName(name);
  if (url.protocol !== 'file:' || !existsSync(fileURLToPath(url))) return undefined;
  const done = new SharedArrayBuffer(4);
  const flag = new Int32Array(done);
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(WORKER_LOADER, {
    eval: true,
    workerData: { ...data(), module: url.href, threadName: checkedName, done, signal: done, port: port2 },
    transferList: [port2, ...(options.transferList ?? [])],
    ...(options.resourceLimits ? { resourceLimits: options.resourceLimits } : {}),
  });
  worker.unref();
  const stop = (): void => {
    port1.close();
    void worker.terminate();
  };
  return {
    answer<T extends object>(stallMs: number): T | { readonly failed: string } {
      try {
        const answer = waitForAnswer<T & { error?: unknown }>(flag, port1, stallMs);
        if (answer === 'timed-out') return { failed: `no answer in ${stallMs / 1000} s` };
        if (answer === undefined) return { failed: 'no answer' };
        return answer.error !== undefined ? { failed: String(answer.error) } : answer;
      } finally {
        stop();
      }
    },
    post(message, transfer = []) {
      port1.postMessage(message, transfer);
    },
    stop,
  };
}
