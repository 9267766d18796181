#!/usr/bin/env node
// Part of `npm run build`: bundles the compiled CLI (dist/cli/main.js and every
// module it imports, dependencies included) into one file,
// dist/cli/main.bundle.js, which bin/povalloc.js runs. Node then reads and
// compiles one module at start-up instead of some 450 (povalloc's own, zod's,
// csv-parse's, ...): a run on a small table starts several times faster.
//
// The bundle lies beside dist/cli/main.js, so what the code finds relative to
// its own module (the package root for data files, ./sweep-worker.js for the
// sweep's worker threads) is where it was. Two things stay outside it:
// exceljs and the workbook module that uses it (loaded only by `report --xlsx`,
// from dist/render/workbook.js as tsc wrote it), so that other commands never
// load exceljs.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** `import('../../render/workbook.js')` in dist/cli/commands/report.js, seen from dist/cli/main.bundle.js. */
const workbookOutside = {
  name: 'workbook-outside',
  setup(builder) {
    builder.onResolve({ filter: /\/render\/workbook\.js$/ }, () => ({ path: '../render/workbook.js', external: true }));
  },
};

await build({
  entryPoints: [`${root}dist/cli/main.js`],
  outfile: `${root}dist/cli/main.bundle.js`,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['exceljs'],
  plugins: [workbookOutside],
  // commander and other CommonJS dependencies call require() for Node's own modules.
  banner: { js: "import { createRequire as __povallocCreateRequire } from 'node:module'; const require = __povallocCreateRequire(import.meta.url);" },
  legalComments: 'none',
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
});
