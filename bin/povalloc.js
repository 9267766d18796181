#!/usr/bin/env -S node --max-semi-space-size=64
// --max-semi-space-size=64: a young generation of up to 64 MB per semi-space (Node's default is
// 16 MB). A village table makes millions of short-lived strings and objects; with room to die
// young, fewer survive to be copied, and a 100,000-village run takes about a sixth less CPU.
// Small runs never grow it. (`node bin/povalloc.js` works too, without the option.)
import { main } from '../dist/cli/main.bundle.js';

// A reader that stops early (`povalloc sweep ... | head`) closes the pipe: that ends the run, it is not a failure.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

process.exitCode = await main(process.argv.slice(2));
