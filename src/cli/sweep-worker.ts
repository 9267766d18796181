/**
 * A sweep worker thread: loads the inputs once, then computes the points it
 * is sent, batch by batch (see sweep-runner.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { InputError } from '../core/problems.js';
import { nameThisThread } from '../io/thread-name.js';
import { computePoint, loadFromSpec, type LoadSpec, type PointTask } from './sweep-runner.js';

nameThisThread('pv-sweep');

const { spec, withAllocations } = workerData as { spec: LoadSpec; withAllocations: boolean };
const port = parentPort!;

function fail(error: unknown): void {
  if (error instanceof InputError) port.postMessage({ type: 'input-error', problems: error.problems });
  else port.postMessage({ type: 'fatal', error: error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error) });
}

try {
  const loaded = loadFromSpec(spec);
  port.on('message', (message: { type: string; tasks?: PointTask[] }) => {
    try {
      const results = (message.tasks ?? []).map((task) => computePoint(loaded, task, withAllocations));
      port.postMessage({ type: 'results', results });
    } catch (error) {
      fail(error);
    }
  });
  port.postMessage({ type: 'ready' });
} catch (error) {
  fail(error);
}
