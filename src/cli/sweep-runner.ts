/**
 * Runs the points of a sweep, in this thread or on worker threads, and hands
 * each point's result back in any order (the caller restores point order).
 *
 * Inputs are read and validated once per thread, never per point; a point
 * only compiles its own policy (the base document plus its overrides) and
 * allocates. Worker threads get a larger young generation: the engine's
 * decimals are short-lived garbage, and the default nursery makes the
 * scavenger a third of the run time.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Metrics } from '../core/metrics.js';
import { InputError, InternalError, type Problem } from '../core/problems.js';
import type { Override } from '../core/scenario.js';
import { allocatePoint, evaluatePoint } from '../core/sweep.js';
import { computeMetrics } from '../core/metrics.js';
import { outcomeFromResult } from '../core/outcome.js';
import { compileWithOverrides, loadInputs, type LoadedInputs } from '../io/load-inputs.js';
import type { EncodingChoice } from '../io/read-inputs.js';
import { renderCsv } from '../render/csv.js';
import { allocationsTable } from '../render/tables.js';

/** What a thread needs to load the inputs itself: plain data, sent to workers. */
export interface LoadSpec {
  readonly counties: string;
  readonly budget: string;
  readonly policy: string | undefined;
  readonly encoding: EncodingChoice;
  readonly overrides: readonly Override[];
  /** Standard input, read once by the main thread when an input is '-'. */
  readonly stdinBytes: Uint8Array | undefined;
}

export interface PointTask {
  readonly index: number;
  readonly overrides: readonly Override[];
}

export interface PointResult {
  readonly index: number;
  readonly metrics: Metrics;
  /** allocations.csv of the point, when asked for. */
  readonly allocationsCsv?: string;
}

export function loadFromSpec(spec: LoadSpec): LoadedInputs {
  return loadInputs({
    counties: spec.counties,
    budget: spec.budget,
    policy: spec.policy,
    encoding: spec.encoding,
    overrides: spec.overrides,
    stdin: () => Buffer.from(spec.stdinBytes ?? new Uint8Array()),
  });
}

/** The source name problems of a point's policy carry. */
export function pointSource(index: number): string {
  return `--vary point ${index + 1}`;
}

/** Computes one point on inputs already loaded. */
export function computePoint(loaded: LoadedInputs, task: PointTask, withAllocations: boolean): PointResult {
  const { policy, problems } = compileWithOverrides(loaded.policyFile.displayName, loaded.run.policy, task.overrides, pointSource(task.index));
  if (!policy) throw new InputError(problems);
  if (!withAllocations) return { index: task.index, metrics: evaluatePoint(loaded.run, policy) };
  const result = allocatePoint(loaded.run, policy);
  return { index: task.index, metrics: computeMetrics(outcomeFromResult(result)), allocationsCsv: renderCsv(allocationsTable(result)) };
}

/** Problems of every point's policy, checked before anything runs (the first few, and a count). */
export function checkPoints(loaded: LoadedInputs, tasks: readonly PointTask[], shown = 10): Problem[] {
  const problems: Problem[] = [];
  let failing = 0;
  for (const task of tasks) {
    const { problems: pointProblems } = compileWithOverrides(loaded.policyFile.displayName, loaded.run.policy, task.overrides, pointSource(task.index));
    if (pointProblems.length === 0) continue;
    failing++;
    if (failing <= shown) problems.push(...pointProblems);
  }
  if (failing > shown) problems.push({ file: '--vary', line: 0, message: `${failing} of ${tasks.length} grid points are invalid; the first ${shown} are shown` });
  return problems;
}

/** Worker threads to use: at most one per core, and none when there are too few points to pay for starting them. */
export function chooseJobs(requested: number | undefined, points: number): number {
  const cores = availableParallelism();
  const jobs = requested ?? cores;
  // Starting a worker and loading the inputs there costs about as much as a few dozen points.
  if (requested === undefined && points < 64) return 0;
  return Math.max(1, Math.min(jobs, points));
}

/** Points handed to a worker at a time: small enough to balance the threads, large enough to keep messages rare. */
const BATCH = 16;
const YOUNG_GENERATION_MB = 96;

type WorkerMessage = { type: 'ready' } | { type: 'results'; results: PointResult[] } | { type: 'input-error'; problems: Problem[] } | { type: 'fatal'; error: string };

/** The next message of a worker, or its failure. */
function nextMessage(worker: Worker): Promise<WorkerMessage> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: WorkerMessage): void => {
      cleanup();
      if (message.type === 'input-error') reject(new InputError(message.problems));
      else if (message.type === 'fatal') reject(new InternalError(`sweep worker: ${message.error}`));
      else resolve(message);
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(new InternalError(`sweep worker: ${error.message}`));
    };
    const onExit = (code: number): void => {
      cleanup();
      reject(new InternalError(`sweep worker stopped with exit code ${code}`));
    };
    const cleanup = (): void => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
}

/**
 * Worker threads for a sweep. They start loading the inputs as soon as they
 * are created, so the main thread can check the grid meanwhile; `run` then
 * hands them the points in batches.
 */
export class SweepWorkers {
  private readonly workers: Worker[];
  private readonly ready: Promise<WorkerMessage>[];

  constructor(spec: LoadSpec, jobs: number, withAllocations: boolean) {
    this.workers = Array.from(
      { length: jobs },
      () =>
        new Worker(new URL('./sweep-worker.js', import.meta.url), {
          workerData: { spec, withAllocations },
          resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
        }),
    );
    this.ready = this.workers.map((worker) => nextMessage(worker));
    // A failure before run() is awaited there; until then it must not count as unhandled.
    for (const ready of this.ready) ready.catch(() => undefined);
  }

  async run(tasks: readonly PointTask[], onResult: (result: PointResult) => void): Promise<void> {
    let next = 0;
    const takeBatch = (): PointTask[] => {
      const batch = tasks.slice(next, next + BATCH);
      next += batch.length;
      return batch;
    };
    await Promise.all(
      this.workers.map(async (worker, index) => {
        await this.ready[index];
        for (let batch = takeBatch(); batch.length > 0; batch = takeBatch()) {
          const reply = nextMessage(worker);
          worker.postMessage({ type: 'points', tasks: batch });
          const message = await reply;
          if (message.type === 'results') for (const result of message.results) onResult(result);
        }
      }),
    );
  }

  async terminate(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }
}

/**
 * Runs the tasks; `onResult` is called once per task as it completes. Without
 * workers, everything runs in this thread on `loaded`.
 */
export async function runPoints(
  loaded: LoadedInputs,
  tasks: readonly PointTask[],
  workers: SweepWorkers | undefined,
  withAllocations: boolean,
  onResult: (result: PointResult) => void,
): Promise<void> {
  if (workers) {
    try {
      await workers.run(tasks, onResult);
    } finally {
      await workers.terminate();
    }
    return;
  }
  for (const task of tasks) {
    onResult(computePoint(loaded, task, withAllocations));
    // Let the progress bar paint between points.
    if (task.index % 8 === 7) await new Promise((resolve) => setImmediate(resolve));
  }
}
