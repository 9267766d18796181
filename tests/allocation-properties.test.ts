/**
 * Allocation invariants over generated inputs (issue 6, part 5; CONTRACT 7).
 * The fuzz suite (npm run fuzz) runs the same properties with more cases.
 */
import { describe } from 'vitest';
import { defineAllocationProperties } from './support/properties.js';

describe('allocation invariants', () => {
  defineAllocationProperties(60);
});
