/**
 * A worker thread that computes the stage-2 numbers of large groups (the
 * eligible villages of a province: factor values, totals and weighted
 * scores) while the main thread allocates the provinces before them. It runs
 * the core's own `groupNumbers` on the figures it is sent as packed columns,
 * so the numbers are the ones the main thread would compute. See
 * group-numbers-helper.ts for the other end.
 */
import { workerData, type MessagePort } from 'node:worker_threads';
import { nameThisWorker } from '../io/worker-name.js';
import { PackedGroupFigures, type PackedColumn } from '../core/counties.js';
import { groupNumbers } from '../core/factors.js';
import { decimal, scaledOf } from '../core/money.js';
import type { FactorSpec } from '../core/policy.js';

nameThisWorker();

/** One group to compute (see GroupJob in group-numbers-helper.ts). */
interface Job {
  readonly id: number;
  readonly count: number;
  readonly columns: readonly string[];
  readonly packed: readonly PackedColumn[];
  readonly factors: readonly FactorSpec[];
  /** The county weights as exact decimal texts, by factor id. */
  readonly weights: readonly (readonly [string, string])[];
  /** Whether the group keeps its shares (a small one, see factors.ts keepsShares). */
  readonly keepShares: boolean;
  /** Each unit's multiplier (by code, as exact decimal texts) and its key, when the scores times them are wanted too. */
  readonly multipliers?: { readonly key: string; readonly codes: Uint8Array; readonly texts: readonly string[] };
}

const { port, answered } = workerData as { port: MessagePort; answered: SharedArrayBuffer };
const counter = new Int32Array(answered);

port.on('message', (job: Job) => {
  try {
    const figures = new PackedGroupFigures(job.count, job.columns, job.packed);
    const weights = new Map(job.weights.map(([id, text]) => [id, decimal(text)] as const));
    const given = job.multipliers;
    const unitMultipliers = given && { key: given.key, codes: given.codes, multipliers: given.texts.map((text) => scaledOf(decimal(text))) };
    const { values, totals, shares, scores, weighted } = groupNumbers(figures, job.factors, weights, job.keepShares, unitMultipliers);
    const columns = { values, shares, scores, weighted: weighted?.weights };
    const answer: Record<string, unknown> = { id: job.id, totals };
    const transfer: ArrayBuffer[] = [];
    for (const [name, column] of Object.entries(columns)) {
      if (column === undefined) continue;
      const arrays = column.arrays();
      answer[name] = { length: column.length, arrays };
      // The columns' memory goes over as it is, not copied.
      transfer.push(...[arrays.limbs, arrays.exponents, arrays.digits].map((array) => array.buffer as ArrayBuffer));
    }
    port.postMessage(answer, transfer);
  } catch (error) {
    // A zero denominator, or anything else: the main thread computes the group itself and reports what it finds.
    port.postMessage({ id: job.id, failed: error instanceof Error ? error.message : String(error) });
  }
  // Posted before counted: once the count is up, the answer is on the port.
  Atomics.add(counter, 0, 1);
  Atomics.notify(counter, 0);
});
