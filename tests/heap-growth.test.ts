import { describe, expect, it } from 'vitest';
import { startingGrowthOf } from '../src/cli/heap-growth.js';

describe('the heap growth a process was started with (src/cli/heap-growth.ts)', () => {
  it("is V8's own (0) without the option", () => {
    expect(startingGrowthOf([])).toBe(0);
    expect(startingGrowthOf(['--max-semi-space-size=32', '', '--heap-growing-percentage=5'])).toBe(0);
  });

  it("is the #! line's 30, in either spelling, the last one winning", () => {
    expect(startingGrowthOf(['--max-semi-space-size=32', '--heap-growing-percent=30'])).toBe(30);
    expect(startingGrowthOf(['--heap_growing_percent=45'])).toBe(45);
    // NODE_OPTIONS come first, then the command line's options, which win.
    expect(startingGrowthOf(['--heap-growing-percent=10', '--heap-growing-percent=30'])).toBe(30);
  });
});
