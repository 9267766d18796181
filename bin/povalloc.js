#!/usr/bin/env -S -u NODE_EXTRA_CA_CERTS GLIBC_TUNABLES=glibc.malloc.hugetlb=1 node --max-semi-space-size=32 --heap-growing-percent=30
// -u NODE_EXTRA_CA_CERTS: Node reads and parses the certificates that variable names as it starts, before any of
//   povalloc runs, and povalloc opens no network connection. Where it names the system's bundle (as on the machine
//   this was measured on, November 30th), `node -e 0` took 60 ms with it and 20 ms without, and a 3,000-county run
//   executed as a program 468.4 against 509.0 ms (medians of 30, alternated). Worker threads read it no more.
// GLIBC_TUNABLES=glibc.malloc.hugetlb=1: glibc's malloc asks the kernel for transparent huge pages (2 MB) for the
//   memory it maps (Buffers, typed arrays, zlib's and the compilers' memory; V8's own heap is not malloc's), where
//   the kernel gives them only when asked ("madvise", as on the machine this was measured on). Each first touch of a
//   4 KB page is a page fault, which cost about 11 us there (filling a fresh 59 MB buffer took 170 ms): a run of a
//   million villages made 289,000 of them, 3 s of system time. Measured on December 1st, alternated with runs
//   without it: 100,000 villages 1.895 against 1.925 s (8 runs), 55,600 faults against 64,000, 0.64 against 0.67 s
//   of system time; a million villages 10.52 against 10.97 s (3 runs), 235,000 faults against 289,000, 2.49
//   against 3.05 s of system time, 763 against 747 MiB at the peak. In a noisier hour after: 100,000 villages 2.020 s
//   either way (8 runs), 55,000-56,000 faults against 63,000-64,000 (4 runs); a million villages 233,600-235,500 faults
//   against 287,400-292,700 and a median 2.82 against 3.14 s of system time (3 runs), the wall time too noisy to tell
//   (10.6 to 13.4 s). It replaces any GLIBC_TUNABLES of the caller's; a glibc before 2.35, or another C library,
//   ignores it. Nothing a run writes depends on it.
// Node options for a batch run, where throughput matters and pauses do not (`node bin/povalloc.js`
// works too, without them). Measured on 2 cores with the benchmark's village tables, in one sitting:
// --max-semi-space-size=32: a young generation of up to 32 MB per semi-space (Node's default is
//   16 MB). A village table makes millions of short-lived strings and objects; with room to die
//   young, fewer survive to be copied: with 16 MB a 1,000,000-village run took about 5% longer.
//   64 MB was about 3% faster still but held 50-70 MB more. Small runs never grow it.
// --heap-growing-percent=30: after each full collection the old generation may grow by 30% before
//   the next (V8 lets it double or more). What a large run keeps is about 400 MB for a million
//   villages; what it makes and drops on the way, unchecked, piled up to about 300 MB more.
//   allocate and replay lift it while they read and allocate, where what the old generation gains is
//   mostly kept, and set it back before they write (src/cli/heap-growth.ts).
// Incremental marking is on (V8's default): an earlier version turned it off when a million
//   villages kept several GB, which made every step of it slow; they keep far less now. With these,
//   a 1,000,000-village run peaks at about 0.84 GB, a 100,000-village run at about 0.27 GB.
'use strict';
const { setFlagsFromString } = require('node:v8');
const { loadCli } = require('./load-cli.js');

const { cli } = loadCli();
// The bundle runs as a script, where import() needs a flag: it loads modules through the bin's (see src/cli/module-import.ts).
cli.setModuleImporter((url) => import(url));

// Standard output is written synchronously, waiting while a pipe is full; a reader that stops early ends the run
// with exit code 0 (src/cli/io.ts, writeStdout).

// --interrupt-budget=250000: a function is optimised (TurboFan) after about 3.7 times more work
// than by default (67,584). A small run is over before most of its functions would repay their
// compilation, which on 2 cores competes with the run itself: an earlier measurement gave a
// 3,000-county run 0.53 s of CPU with a budget of 1,000,000 against 0.82 s with V8's default
// (median of 9), in less wall time. Measured again on November 30th, alternated in one sitting,
// 250,000 is quicker than 1,000,000 at every size: a 3,000-county run in medians of 406.8, 409.8
// and 439.7 ms (24, 20 and 30 runs) against 443.6, 426.1 and 468.5 ms (V8's default 495.7 ms;
// 125,000 and 150,000: 462.0 and 466.6 ms; 200,000 to 500,000: 407.5 to 465.7 ms); the sample with
// projects and last year's allocations 346.2 against 353.8 ms; 100,000 villages 1.648 against
// 1.723 s (8 runs); a million 9.32 against 9.57 s (4 runs); the benchmark's two 1,000-point sweeps
// 3.96 and 5.78 s against 4.25 and 5.92 s (4 runs). Hot loops are optimised sooner, while the
// second core, where V8 compiles, is still free or has cycles to spare. Set here rather than in the
// shebang, so that `node bin/povalloc.js` (npm start, the tests) has it too, and only now: V8
// rejects its cached compilation of Node's own modules (and its cache of povalloc's, see
// load-cli.js) once a flag has changed, so the bundle and the modules it needs are loaded first;
// the budget applies to the functions as they begin to run.
setFlagsFromString('--interrupt-budget=250000');
// --max-inlined-bytecode-size-cumulative=460: TurboFan inlines callees into a function it optimises up to half
// the bytecode it would by default (920). Compiling is a large part of a run's work on 2 cores: at 100,000
// villages the threads that are not povalloc's, mostly TurboFan compiling, took about 0.9 s of CPU beside the main
// thread's 1.4 s, and each of the main thread and the four worker threads compiles its own code. Smaller graphs
// compile faster, and the hot functions inline what they call even so. Measured on December 1st, alternated in
// one sitting with the code before: 100,000 villages 1.915 against 1.990 s, 3.27 against 3.40 s of CPU (12
// runs); 3,000 counties 0.55 s either way (15 runs). Given on the command line (with a code cache made for it):
// 100,000 villages 1.84 against 1.92 s (6 runs), 3,000 counties 0.52 against 0.54 s (15 runs), a million
// villages 10.08 against 10.00 s and 16.7 against 16.9 s of CPU (5 runs); a quarter (230) was slower there,
// 10.12 against 9.92 s (4 runs). Set here for the reason given above.
setFlagsFromString('--max-inlined-bytecode-size-cumulative=460');
// --no-allocation-site-pretenuring: V8 otherwise starts allocating an array or object literal straight into the
// old generation once nearly all of a few hundred made there since the last collection are still alive at one.
// The audit log's lists (a unit's values, a block's rows) live until their block is written, a few
// milliseconds: now and then two collections fell within one block, the site was moved to the old
// generation, and from then on each collection of the young generation kept the strings those old, dead
// lists still pointed to, and moved them to the old generation, which then needed a full collection every
// second or so: at a million villages, one run in five or six did so at one sitting and three in five at
// another, each for 1 to 1.4 s more of collection and up to 50 MB more memory. With it off, alternated with
// runs without, at a million villages: the main thread's collections 1.21-1.83 s in 11 runs, against
// 1.33-2.90 s (5 of 11 runs past 2.4 s); no slower at 3,000 or 100,000 villages (6 runs each). Set here,
// after the bundle is loaded, for the same reason as the budget above.
setFlagsFromString('--no-allocation-site-pretenuring');
// The #! line's --max-semi-space-size is for this, the main thread, whose young generation is sized once it
// starts. V8 would apply it to every worker thread started later as well, over the young generation each asks
// for (resourceLimits): the worker that writes a large run's allocations.csv keeps a small one, and then holds
// about 70 MB while it runs (140 MB with 64 MB semi-spaces). Put back to V8's own default for the threads to come.
setFlagsFromString('--max-semi-space-size=0');
cli.main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
  // Everything is written by now: standard output synchronously (src/cli/io.ts), the files before main resolved.
  // Ending here skips what Node does when a process ends by itself: it tears down each heap, giving back its memory
  // page by page (about a thousand munmap calls after a million villages). Measured on November 30th as the time
  // from the summary's last byte on a pipe to the process's end (medians, alternated with the code before): a
  // million villages 62.8 against 74.7 ms (4 runs each), 100,000 villages 22.1 against 40.0 ms (10), 3,000
  // counties 8.0 against 11.3 ms (20); what is left is mostly the kernel freeing the memory. Standard error is
  // written synchronously to files, terminals and, on Linux, pipes; if a write is still waiting (a pipe on
  // another system), the process ends by itself once it is out.
  if (process.stderr.writableLength === 0) process.exit();
});
