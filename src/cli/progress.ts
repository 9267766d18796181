/**
 * A progress bar on stderr for a long command: `allocate`'s stages reading,
 * allocating and writing (within them the table's rows read, the rule
 * applied with stage 2's provinces done, and the audit entries written);
 * `replay`'s the same and then comparing (and within it the file compared);
 * `validate`'s reading and allocating, as allocate's;
 * `compare`'s reading (the run being read), comparing and writing (the
 * megabytes of compare.json written); `report`'s reading, checking and
 * writing (the workbook's rows written).
 *
 * Shown only when stderr is a terminal and the run has taken more than a
 * second (a quick run, a pipe, a file or a test sees nothing), never on
 * stdout. allocate is synchronous, so the bar is redrawn when the run reports
 * progress (at most every 100 ms), not by a timer; `done` wipes it before the
 * summary is printed.
 */
import type { AllocationObserver } from '../core/state.js';
import type { Io } from './io.js';

export const PROGRESS_STAGES = ['reading', 'allocating', 'writing'] as const;
export type ProgressStage = (typeof PROGRESS_STAGES)[number];
/** `compare`'s stages, and `report`'s. */
export const COMPARE_STAGES = ['reading', 'comparing', 'writing'] as const;
export const REPORT_STAGES = ['reading', 'checking', 'writing'] as const;
/** `validate`'s: allocate's first two (it writes nothing). */
export const VALIDATE_STAGES = ['reading', 'allocating'] as const;
/** `replay`'s: allocate's stages, then comparing the files with the run's. */
export const REPLAY_STAGES = ['reading', 'allocating', 'writing', 'comparing'] as const;

/** Only after this many milliseconds is the bar drawn. */
export const PROGRESS_DELAY_MS = 1000;
const REDRAW_MS = 100;
const WIDTH = 24;

export interface Progress<Stage extends string = ProgressStage> {
  /** A stage begins. */
  stage(stage: Stage): void;
  /** Something more was done within the stage (shown as text, e.g. '120,000 audit entries'). */
  detail(text: string): void;
  /** The run is over (or failed): the bar is wiped. */
  done(): void;
}

/**
 * A whole count with commas between groups of three digits, as
 * `toLocaleString('en-US')` writes it, without loading ICU's number formats
 * (about 10 ms on the first call, a sixth of a small run's start-up).
 */
export function groupThousands(count: number): string {
  const digits = String(count);
  const sign = digits.startsWith('-') ? '-' : '';
  const whole = sign ? digits.slice(1) : digits;
  let grouped = whole.slice(0, ((whole.length - 1) % 3) + 1);
  for (let index = grouped.length; index < whole.length; index += 3) grouped += `,${whole.slice(index, index + 3)}`;
  return sign + grouped;
}

export function progressBar(io: Io, now?: () => number): Progress;
export function progressBar<Stage extends string>(io: Io, now: (() => number) | undefined, stages: readonly [Stage, ...Stage[]]): Progress<Stage>;
export function progressBar(io: Io, now: () => number = io.now ?? (() => performance.now()), stages: readonly [string, ...string[]] = PROGRESS_STAGES): Progress<string> {
  if (!io.stderrIsTty) return { stage: () => {}, detail: () => {}, done: () => {} };
  const started = now();
  let stage = stages[0];
  let detailText = '';
  let drawn = false;
  let lastDraw = -Infinity;
  const draw = (force: boolean): void => {
    const time = now();
    if (time - started < PROGRESS_DELAY_MS) return;
    if (!force && time - lastDraw < REDRAW_MS) return;
    lastDraw = time;
    const index = stages.indexOf(stage);
    const filled = Math.round((WIDTH * index) / stages.length);
    const bar = `${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}`;
    const seconds = ((time - started) / 1000).toFixed(1);
    io.stderr(`\r\x1b[2K[${bar}] ${index + 1}/${stages.length} ${stage}${detailText ? `: ${detailText}` : ''} ${seconds} s`);
    drawn = true;
  };
  return {
    stage(next) {
      stage = next;
      detailText = '';
      draw(true);
    },
    detail(text) {
      detailText = text;
      draw(false);
    },
    done() {
      if (drawn) io.stderr('\r\x1b[2K');
      drawn = false;
    },
  };
}

/**
 * What `allocate` and `replay` tell their bar while they read and allocate:
 * the county table's rows read so far, then the rule being applied (and, in
 * stage 2, the provinces done), so that a long stage still moves.
 */
export function allocationDetails(progress: Pick<Progress<string>, 'detail'>): { readonly rowsRead: (rows: number) => void; readonly observer: AllocationObserver } {
  const tell = (text: string): void => progress.detail(text);
  let rule = '';
  let place = '';
  return {
    rowsRead: (rows) => tell(`${groupThousands(rows)} rows`),
    observer: {
      rule(id, number, count) {
        rule = id;
        place = `rule ${number} of ${count}`;
        tell(`${rule} (${place})`);
      },
      provinces(done, count) {
        tell(`${rule} (${place}), ${done} of ${count} provinces`);
      },
    },
  };
}
