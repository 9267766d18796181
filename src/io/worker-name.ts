/**
 * A worker thread names itself from its data (see thread-name.ts): apart,
 * so that the modules the main thread loads do not read worker_threads'
 * workerData, and the CLI's bundle can leave worker_threads unloaded until
 * a worker is started (see LAZY_BUILTINS in scripts/bundle.mjs).
 */
import { workerData } from 'node:worker_threads';
import { nameThisThread } from './thread-name.js';

/**
 * Names a worker thread started with a `threadName` in its data (see
 * startAnsweringWorker): called by the worker's module as it begins, once
 * its modules are loaded. Not before: Node reads a module's files on
 * libuv's thread pool, which the first thread to load one starts, and a new
 * thread takes the name of the thread that starts it (named first, a worker
 * gave its name to the pool's four threads).
 */
export function nameThisWorker(): boolean {
  const name = (workerData as { threadName?: unknown } | null)?.threadName;
  return typeof name === 'string' ? nameThisThread(name) : false;
}
