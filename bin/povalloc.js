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
import { setFlagsFromString } from 'node:v8';
import { main } from '../dist/cli/main.bundle.js';

// A reader that stops early (`povalloc sweep ... | head`) closes the pipe: that ends the run, it is not a failure.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

// --interrupt-budget=1000000: a function is optimised (TurboFan) after about 15 times more work
// than by default (67,584). A small run is over before most of its functions would repay their
// compilation, which on 2 cores competes with the run itself: a 3,000-county run took 0.53 s of
// CPU instead of 0.82 s (median of 9), the sample 0.44 s instead of 0.69 s, each in less wall
// time; a 100,000-village run was no slower (4.5 s of CPU either way), its hot loops being
// optimised a few thousand iterations later. Set here rather than in the shebang, so that
// `node bin/povalloc.js` (npm start, the tests) has it too, and only now: V8 rejects its cached
// compilation of Node's own modules once a flag has changed, so the modules povalloc needs are
// loaded first (its bundle's imports, and stdout's above); the budget applies to the functions
// as they begin to run.
setFlagsFromString('--interrupt-budget=1000000');
process.exitCode = await main(process.argv.slice(2));
