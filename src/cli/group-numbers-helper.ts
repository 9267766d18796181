/**
 * Stage 2 of a large run on two cores: the factor values, totals (and, for a
 * province of at most 10,000 eligible units, shares) and scores of the
 * provinces are computed on a worker thread (group-numbers-worker.ts). When
 * the county table is in code order, each province is given to the worker as
 * soon as its last row is read (EarlyStageTwo, below), so that the worker
 * computes every province while this thread reads the rest of the table and
 * runs the rules before stage 2, which then only allocates. Otherwise, at
 * stage 2, the last provinces (about 65% of the eligible units) are given to
 * the worker while this thread computes the first provinces' and allocates
 * them; by the time it reaches the others, their numbers are there. The
 * worker runs the core's own `groupNumbers` on the same figures, so the
 * run's outputs are the same bytes with or without it (the tests compare
 * them). Groups whose figures are not all packed in the table's store, and
 * any group the worker could not compute, are computed here as before. Where
 * the worker's module is not beside this one (tests run on the TypeScript
 * sources), nothing is offloaded.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { allocate, type AllocationResult } from '../core/allocate.js';
import type { AllocationObserver, RunInputs } from '../core/state.js';
import { RULES } from '../core/rules/index.js';
import { eligibilityBits, eligibilityFlagsOf } from '../core/rules/eligibility.js';
import { focusBitsOf, focusMultipliersFor, plainPotWeightsKey } from '../core/rules/special-poverty-counties.js';
import { isLargeRun } from '../core/audit-blocks.js';
import { packedColumns, type County } from '../core/counties.js';
import { keepsShares, ScaledColumn, withGroupNumbersHelper, type GroupNumbersHelper, type GroupNumbersResult, type ScaledColumnArrays } from '../core/factors.js';
import { ZERO, type Scaled } from '../core/money.js';
import type { Policy } from '../core/policy.js';
import { WORKER_LOADER } from './worker-answer.js';
import { threadName } from '../io/thread-name.js';

/** Offload only when the groups the worker would take have at least this many villages in all: below, starting it costs more than it saves. */
export const MIN_OFFLOADED_UNITS = 20_000;
/**
 * The part of the eligible units whose groups go to the worker, taken from
 * the last province back. This thread also pools and allocates every province,
 * and reads the figures out for the worker, so the worker takes more than half.
 */
const WORKER_PART = 0.65;
/**
 * Gives up on the worker when it has not answered in this long (a group takes
 * it a fraction of a second: it is stuck, or gone): the main thread then
 * computes that group and every later one itself, with the same result.
 */
const STALL_MS = 60_000;

interface Answer {
  /** Set, with no id, when the module could not be loaded (see WORKER_LOADER): no group will be answered. */
  readonly error?: string;
  readonly id: number;
  readonly failed?: string;
  readonly values?: { readonly length: number; readonly arrays: ScaledColumnArrays };
  readonly totals?: readonly Scaled[];
  readonly shares?: { readonly length: number; readonly arrays: ScaledColumnArrays };
  readonly scores?: { readonly length: number; readonly arrays: ScaledColumnArrays };
  /** The scores times each unit's focus multiplier (the pot weights of a province with no multiplier of an earlier rule). */
  readonly weighted?: { readonly length: number; readonly arrays: ScaledColumnArrays };
}

/** A group sent to the worker: its counties (to know it again when asked) and, once here, the answer. */
interface GroupJob {
  readonly id: number;
  readonly counties: readonly County[];
  /** The key the worker's pot weights are remembered by (see plainPotWeightsKey). */
  readonly weightsKey: string;
  answer?: Answer;
}

/**
 * Each unit's focus multiplier as the worker is given it: a code per unit
 * (an index into the texts of the focus multipliers its flags give) and the
 * key the scores times them are remembered by, so that stage 2 need not
 * multiply each score by its focus multiplier here (see potWeights in
 * special-poverty-counties.ts).
 */
function focusMultipliers(counties: readonly County[], policy: Policy, key: string): { key: string; codes: Uint8Array; texts: string[] } {
  const codes = new Uint8Array(counties.length);
  const codeOfBits = new Map<number, number>();
  const texts: string[] = [];
  const focus = focusMultipliersFor(policy);
  for (let index = 0; index < counties.length; index++) {
    const bits = focusBitsOf(counties[index]!);
    let code = codeOfBits.get(bits);
    if (code === undefined) {
      code = texts.length;
      codeOfBits.set(bits, code);
      texts.push(focus.of(bits).text);
    }
    codes[index] = code;
  }
  return { key, codes, texts };
}

/**
 * A helper that computes groups on a worker thread, or undefined when the
 * worker's module is not there. The thread is started at once, so that it
 * has loaded its modules by the time stage 2 offers it groups (the rules
 * before stage 2 take a few tenths of a second at 100,000 villages). Call
 * `close` when the run is allocated. The options are for tests: another
 * worker module, and a shorter wait before it is given up.
 */
export function workerGroupNumbers(
  options: { readonly worker?: URL; readonly stallMs?: number } = {},
): (GroupNumbersHelper & {
  offer(counties: readonly County[], policy: Policy): void;
  close(): void;
  /** Waits (up to the stall limit) until the worker has answered every group it was given, and is stopped (for tests). */
  settle(): void;
  /** Whether the worker has been stopped (for tests). */
  readonly stopped: boolean;
  readonly givenUp: string | undefined;
}) | undefined {
  const url = options.worker ?? new URL('./group-numbers-worker.js', import.meta.url);
  const stallMs = options.stallMs ?? STALL_MS;
  if (url.protocol !== 'file:' || !existsSync(fileURLToPath(url))) return undefined;
  const answered = new SharedArrayBuffer(4);
  const counter = new Int32Array(answered);
  const channel = new MessageChannel();
  const port = channel.port1;
  let worker: Worker | undefined = new Worker(WORKER_LOADER, { eval: true, workerData: { module: url.href, threadName: threadName('pv-stage2'), port: channel.port2, answered, signal: answered }, transferList: [channel.port2] });
  // The run never waits for the worker to end: it is stopped once done, and never keeps the process alive.
  worker.unref();
  let offered = false;
  let received = 0;
  let policyOffered: Policy | undefined;
  const jobs: GroupJob[] = [];
  const byId = new Map<number, GroupJob>();

  /** Why the worker was given up, if it was (for tests). */
  let givenUp: string | undefined;
  /** Stops the worker: from then on every group is computed on the main thread. */
  const stop = (): void => {
    port.close();
    void worker?.terminate();
    worker = undefined;
  };

  /**
   * Reads every answer the worker has sent so far; once it has answered every
   * group it was given (none is given once stage 2 asks), stops it, giving
   * its memory back. False when the worker's module could not be loaded.
   */
  const readAnswers = (): boolean => {
    while (worker !== undefined) {
      const message = receiveMessageOnPort(port) as { message: Answer } | undefined;
      if (message === undefined) return true;
      received++;
      if (message.message.error !== undefined) {
        givenUp = `its module could not be loaded: ${message.message.error}`;
        stop();
        return false;
      }
      const answered = byId.get(message.message.id);
      if (answered) answered.answer = message.message;
      if (received === jobs.length) stop();
    }
    return true;
  };

  /** Waits for the answer of JOB (while the worker has groups to answer) up to the stall limit; undefined when the worker does not answer. */
  const await_ = (job: GroupJob): Answer | undefined => {
    const deadline = Date.now() + stallMs;
    while (readAnswers() && job.answer === undefined && worker !== undefined && received < jobs.length) {
      if (Date.now() > deadline) {
        givenUp = `no answer in ${stallMs / 1000} s`;
        stop();
        return undefined;
      }
      // Sleeps until the worker has counted another answer (or a moment has passed: the count may be up already).
      Atomics.wait(counter, 0, received, 100);
    }
    return job.answer;
  };

  /** What the worker is given of a policy: the figure columns its factors read, their weights, and the key of its pot weights. */
  let given: { readonly columns: readonly string[]; readonly weights: readonly (readonly [string, string])[]; readonly weightsKey: string } | undefined;
  /** Sends the worker COUNTIES' group (when all their figures are packed); false when it cannot be sent, and the worker is stopped. */
  const send = (counties: readonly County[], policy: Policy): boolean => {
    if (policyOffered === undefined) {
      policyOffered = policy;
      given = {
        columns: [...new Set(policy.factors.flatMap((factor) => (factor.denominator ? [factor.numerator, factor.denominator] : [factor.numerator])))],
        weights: policy.factors.map((factor) => [factor.id, (policy.countyWeights.get(factor.id) ?? ZERO).toFixed()] as const),
        weightsKey: plainPotWeightsKey(policy),
      };
    }
    if (policy !== policyOffered || worker === undefined) return false;
    const { columns, weights, weightsKey } = given!;
    try {
      const packed = packedColumns(counties, columns);
      if (packed === undefined) return true;
      const job: GroupJob = { id: jobs.length, counties, weightsKey };
      jobs.push(job);
      byId.set(job.id, job);
      const multipliers = focusMultipliers(counties, policy, weightsKey);
      const transfer = [...packed.flatMap((column) => [column.digits.buffer as ArrayBuffer, column.places.buffer as ArrayBuffer]), multipliers.codes.buffer as ArrayBuffer];
      port.postMessage({ id: job.id, count: counties.length, columns, packed, factors: policy.factors, weights, keepShares: keepsShares(counties.length), multipliers }, transfer);
      return true;
    } catch {
      // A group that cannot be sent (a factor the worker cannot be given): this thread computes them all.
      stop();
      return false;
    }
  };

  return {
    offer(counties, policy) {
      if (counties.length === 0) return;
      offered = true;
      send(counties, policy);
    },
    begin(groups, policy) {
      if (offered || worker === undefined) return;
      offered = true;
      const total = groups.reduce((sum, group) => sum + group.length, 0);
      // From the last province back, whole groups, until the worker has its part.
      const chosen: (readonly County[])[] = [];
      let taken = 0;
      for (let at = groups.length - 1; at >= 0 && taken < total * WORKER_PART; at--) {
        const group = groups[at]!;
        if (group.length === 0) continue;
        if (taken + group.length > total * WORKER_PART && taken > 0) continue;
        chosen.unshift(group);
        taken += group.length;
      }
      if (taken < MIN_OFFLOADED_UNITS) return;
      for (const counties of chosen) if (!send(counties, policy)) return;
    },
    take(counties, policy): GroupNumbersResult | undefined {
      if (policy !== policyOffered) return undefined;
      const job = jobs.find((candidate) => candidate.counties.length === counties.length && candidate.counties.every((county, index) => county === counties[index]));
      if (job === undefined) return undefined;
      const answer = await_(job);
      if (answer === undefined || answer.failed !== undefined || !answer.values || !answer.totals || !answer.scores) return undefined;
      return {
        values: new ScaledColumn(answer.values.length, answer.values.arrays),
        totals: answer.totals,
        shares: answer.shares === undefined ? undefined : new ScaledColumn(answer.shares.length, answer.shares.arrays),
        scores: new ScaledColumn(answer.scores.length, answer.scores.arrays),
        weighted: answer.weighted === undefined ? undefined : { key: job.weightsKey, weights: new ScaledColumn(answer.weighted.length, answer.weighted.arrays) },
      };
    },
    close: stop,
    settle() {
      // A job no answer is for: waits until every group is answered (and the worker stopped).
      await_({ id: -1, counties: [], weightsKey: '' });
    },
    get stopped() {
      return worker === undefined;
    },
    get givenUp() {
      return givenUp;
    },
  };
}

/**
 * Stage 2's numbers begun while the county table is read (`onProvinceRead`,
 * see LoadOptions): in a table in code order each province's rows come
 * together, and once a province's last row is read, the worker can compute
 * its eligible units' factor values and scores (eligibility depends only on a
 * unit's flags and the policy) while this thread reads on and runs the rules
 * before stage 2. Begun only once the table has more rows than a large run
 * (the provinces read before are then offered at once). A province whose rows
 * come again later, or in another order than the table's, gives a group that
 * stage 2 does not ask for (it asks by the very counties, in order): it
 * computes that province itself, with the same result; the worker is offered
 * nothing more once the provinces come out of order. A table out of order
 * before the worker was begun gets none from here: allocateOnTwoCores then
 * begins one at stage 2, as for any run.
 */
export class EarlyStageTwo {
  private helper: ReturnType<typeof workerGroupNumbers>;
  private started = false;
  private rows = 0;
  /** Eligible groups read before the table was known to be large. */
  private waiting: (readonly County[])[] = [];
  /** The policy the reading was told of (a run with another is given no early worker). */
  private policy: Policy | undefined;
  private readonly provincesRead = new Set<string>();
  private lastCode = '';
  private outOfOrder = false;

  constructor(private readonly options: Parameters<typeof workerGroupNumbers>[0] = {}) {}

  /** See LoadOptions.onProvinceRead. */
  readonly onProvinceRead = (counties: readonly County[], start: number, end: number, policy: Policy): void => {
    if (this.outOfOrder || (this.policy !== undefined && policy !== this.policy)) return;
    this.policy = policy;
    const first = counties[start]!;
    const province = first.province.code;
    if (this.provincesRead.has(province) || first.code <= this.lastCode) {
      this.outOfOrder = true;
      return;
    }
    this.provincesRead.add(province);
    this.lastCode = counties[end - 1]!.code;
    const eligible = eligibleAmong(counties, start, end, eligibilityFlagsOf(policy.eligibilityFlags));
    this.rows += end - start;
    if (!this.started) {
      this.waiting.push(eligible);
      if (!isLargeRun(this.rows)) return;
      this.started = true;
      this.helper = workerGroupNumbers(this.options);
      for (const group of this.waiting) this.helper?.offer(group, policy);
      this.waiting = [];
      return;
    }
    this.helper?.offer(eligible, policy);
  };

  /** The helper for the run with POLICY, if the table's reading began one for it (then this object no longer closes it). */
  take(policy: Policy): ReturnType<typeof workerGroupNumbers> {
    const helper = this.helper;
    if (helper === undefined || policy !== this.policy) return undefined;
    this.helper = undefined;
    return helper;
  }

  /** Stops the worker if no run took it. */
  close(): void {
    this.helper?.close();
    this.helper = undefined;
  }
}

/**
 * The eligible counties at START to END - 1 of COUNTIES (FLAGS: the policy's, see eligibilityBits). A loop of its own:
 * in onProvinceRead, V8 compiled it alone while it ran (on-stack replacement), without the code after it, and each
 * later province entered that code and left it again there.
 */
function eligibleAmong(counties: readonly County[], start: number, end: number, flags: ReturnType<typeof eligibilityFlagsOf>): County[] {
  const eligible: County[] = [];
  for (let at = start; at < end; at++) if (eligibilityBits(counties[at]!, flags) !== 0) eligible.push(counties[at]!);
  return eligible;
}

/**
 * allocate(input), with a large run's stage-2 scores computed partly on a
 * worker thread (see above): the same result. EARLY, if given, may hold a
 * worker begun while the table was read.
 */
export function allocateOnTwoCores(input: RunInputs, observer?: AllocationObserver, early?: EarlyStageTwo): AllocationResult {
  const large = isLargeRun(input.counties.counties.length);
  const helper = (large ? early?.take(input.policy) : undefined) ?? (large ? workerGroupNumbers() : undefined);
  if (helper === undefined) return allocate(input, RULES, observer);
  try {
    return withGroupNumbersHelper(helper, () => allocate(input, RULES, observer));
  } finally {
    helper.close();
  }
}
