/**
 * The answer of a worker thread that posts one message and then raises a
 * flag (an Int32Array over a SharedArrayBuffer set to 1, and notified):
 * waited for here without turning the event loop, as the run's own code is
 * synchronous.
 */
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';

/** The message, 'timed-out' when the flag was not raised in STALL_MS, or undefined when it was but no message came. */
export function waitForAnswer<T>(flag: Int32Array, port: MessagePort, stallMs: number): T | 'timed-out' | undefined {
  if (Atomics.wait(flag, 0, 0, stallMs) === 'timed-out') return 'timed-out';
  // The worker posts before it raises the flag: the message is there (looked for a few times more, to be sure).
  let received = receiveMessageOnPort(port) as { message: T } | undefined;
  for (let attempt = 0; !received && attempt < 100; attempt++) {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    received = receiveMessageOnPort(port) as { message: T } | undefined;
  }
  return received?.message;
}
