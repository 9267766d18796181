#!/usr/bin/env -S node --max-semi-space-size=64 --no-incremental-marking
// Node options for a batch run, where throughput matters and pauses do not (`node bin/povalloc.js`
// works too, without them):
// --max-semi-space-size=64: a young generation of up to 64 MB per semi-space (Node's default is
//   16 MB). A village table makes millions of short-lived strings and objects; with room to die
//   young, fewer survive to be copied: a 100,000-village run takes about a sixth less CPU. Small
//   runs never grow it.
// --no-incremental-marking: the old generation is marked in one pause instead of in steps
//   between allocations. With a heap of several GB (a million villages) the steps never end, and
//   every young-generation collection meanwhile pays to update the marker's work lists: a
//   1,000,000-village run took 102 s with incremental marking and 52 s without.
import { main } from '../dist/cli/main.bundle.js';

// A reader that stops early (`povalloc sweep ... | head`) closes the pipe: that ends the run, it is not a failure.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

process.exitCode = await main(process.argv.slice(2));
