/** The allocation invariants of tests/allocation-properties.test.ts with more cases. */
import { describe } from 'vitest';
import { defineAllocationProperties } from '../support/properties.js';

describe('fuzz: allocation invariants', () => {
  defineAllocationProperties(500);
});
