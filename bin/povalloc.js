#!/usr/bin/env node
import { main } from '../dist/cli/main.bundle.js';

// A reader that stops early (`povalloc sweep ... | head`) closes the pipe: that ends the run, it is not a failure.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

process.exitCode = await main(process.argv.slice(2));
