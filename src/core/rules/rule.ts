import type { RunState } from '../state.js';

/** A policy rule: one module, named after its id, applied in registry order. */
export interface Rule {
  readonly id: string;
  readonly clause: string;
  readonly title: string;
  /** The seed sentence the rule implements. */
  readonly seed: string;
  apply(state: RunState): void;
}
