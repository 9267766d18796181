/**
 * Errors as data. Input problems are collected and reported together; only the
 * CLI turns them into an exit code.
 */

/** One problem in an input: where it is and what is wrong. */
export interface Problem {
  readonly file: string;
  /** 1-based line in the file; 0 when the problem concerns the whole file. */
  readonly line: number;
  /** Column name (or header) the problem concerns, when there is one. */
  readonly column?: string;
  readonly message: string;
}

/** `counties.csv:14: poor_population: "12a" is not a whole number` */
export function formatProblem(problem: Problem): string {
  const where = problem.line > 0 ? `${problem.file}:${problem.line}` : problem.file;
  const column = problem.column ? `${problem.column}: ` : '';
  return `${where}: ${column}${problem.message}`;
}

/** Orders problems by file, then line, then column, so reports are stable. */
export function sortProblems(problems: readonly Problem[]): Problem[] {
  return [...problems].sort((a, b) => {
    if (a.file !== b.file) return a.file < b.file ? -1 : 1;
    if (a.line !== b.line) return a.line - b.line;
    const ca = a.column ?? '';
    const cb = b.column ?? '';
    return ca < cb ? -1 : ca > cb ? 1 : 0;
  });
}

/** Thrown when inputs are invalid: carries every problem found. Exit code 2. */
export class InputError extends Error {
  readonly problems: readonly Problem[];
  constructor(problems: readonly Problem[]) {
    super(`${problems.length} problem(s) in the input`);
    this.name = 'InputError';
    this.problems = problems;
  }
}

/** Thrown for bad command-line usage (missing option, existing --out, ...). Exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A broken invariant: a bug in povalloc, never the user's input. Exit code 3. */
export class InternalError extends Error {
  constructor(message: string) {
    super(`internal error: ${message}`);
    this.name = 'InternalError';
  }
}

/** Throws an InternalError when an invariant does not hold. */
export function invariant(condition: unknown, message: string): asserts condition {
  if (!condition) throw new InternalError(message);
}

/**
 * Appends every item to the list, one by one: `list.push(...items)` passes
 * each item as an argument and overflows the call stack from about 150,000
 * (a village table with that many bad rows).
 */
export function appendAll<T>(list: T[], items: Iterable<T>): void {
  for (const item of items) list.push(item);
}
