#!/usr/bin/env node
// Part of `npm run build`: bundles the compiled CLI (dist/cli/main.js and every
// module it imports, dependencies included) into one file,
// dist/cli/main.bundle.cjs, which bin/povalloc.js runs (through bin/load-cli.js).
// Node then reads and compiles one file at start-up instead of some 450 modules
// (povalloc's own, zod's, csv-parse's, ...): a run on a small table starts
// several times faster.
//
// The bundle is a CommonJS script, not a module, so that V8 can cache its
// compiled code (Node 20 has no such cache for modules): after bundling, this
// makes the caches (scripts/code-cache.mjs, once for each set of Node options
// the CLI is started with) in dist/cli/code-cache/. `import.meta.url` becomes
// the bundle's own file URL.
//
// The bundle lies beside dist/cli/main.js, so what the code finds relative to
// its own file (the package root for data files, ./sweep-worker.js for the
// sweep's worker threads) is where it was. Two things stay outside it:
// exceljs and the workbook module that uses it (loaded only by `report --xlsx`,
// from dist/render/workbook.js, bundled on its own below, see
// src/cli/module-import.ts), so that other commands never load exceljs.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
// Node's modules that only some commands use are loaded when first called, not when the bundle starts:
// - child_process, which commander requires when it loads, to start subcommands that are programs of their own
//   (povalloc has none), and which loads dgram and the rest of Node's process machinery: `--version` a median
//   106.0 ms instead of 107.5 ms (20 runs each, alternated);
// - zlib and worker_threads, some 7 ms to load (their own modules, compiled as they load), which only a large
//   run, a sweep or a gzip log uses: `--version` 139.0 against 141.7 ms (means of 60, alternated).
// Their stand-in is an ES module: for each function the module has (its classes too), a function of that name
// that loads the module when first called and calls it (or, called with `new`, constructs it: the object made is
// the module's own). A CommonJS stand-in would not do for the ES modules that import them by name: esbuild wraps
// it in __toESM, which copies every member when the bundle starts (loading the module); an ES stand-in required
// from CommonJS (commander) is wrapped in __toCommonJS, whose getters give the wrappers. A module read for
// anything but a function (workerData, constants) makes the build fail on that import.
const LAZY_BUILTINS = /^node:(child_process|zlib|worker_threads)$/;
const lazyBuiltins = {
  name: 'lazy-builtins',
  setup(build) {
    build.onResolve({ filter: LAZY_BUILTINS }, (args) => (args.namespace === 'lazy-builtin' ? { path: args.path, external: true } : { path: args.path, namespace: 'lazy-builtin' }));
    build.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, async (args) => {
      const real = await import(args.path);
      const names = Object.keys(real).filter((name) => name !== 'default' && typeof real[name] === 'function' && /^[A-Za-z_$][\w$]*$/.test(name));
      const members = names.map(
        (name) => `export function ${name}(...args) {
  const member = load().${name};
  return new.target === undefined ? member.apply(this, args) : Reflect.construct(member, args);
}`,
      );
      return { loader: 'js', contents: `let real;\nconst load = () => (real ??= require(${JSON.stringify(args.path)}));\n${members.join('\n')}\n` };
    });
  },
};

await build({
  entryPoints: [`${root}dist/cli/main.js`],
  outfile: `${root}dist/cli/main.bundle.cjs`,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['exceljs'],
  define: { 'import.meta.url': '__povallocBundleUrl' },
  banner: { js: "const __povallocBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  legalComments: 'none',
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
  plugins: [lazyBuiltins],
});

// Each worker thread's module, made one file in place of what tsc wrote, so that a worker starts from it without
// Node's module loader finding, reading, compiling and linking the dozens of modules it imports, which on each
// worker took about 30 ms of CPU (the sweep's worker about 120 ms) more than loading one file. They stay ES
// modules beside the others (where the code looks for them, `new URL('./csv-worker.js', import.meta.url)`), may
// wait at the top level as they did, and `import.meta.url` is the bundle's own, in the same folder as the module
// was. Nothing bundled in them calls `require`, which an ES module does not have (the test checks that too).
// WORKER_MODULES must name every module started as a worker (tests/worker-bundles.test.ts checks it).
const WORKER_MODULES = ['chain-part-worker', 'chain-worker', 'csv-rows-worker', 'csv-worker', 'group-numbers-worker', 'integrity-worker', 'previous-worker', 'sweep-worker'];
await build({
  entryPoints: WORKER_MODULES.map((name) => `${root}dist/cli/${name}.js`),
  outdir: `${root}dist/cli`,
  allowOverwrite: true,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['exceljs'],
  legalComments: 'none',
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
});
// tsc's source maps are of the modules as they were, not of the bundles.
for (const name of WORKER_MODULES) rmSync(`${root}dist/cli/${name}.js.map`, { force: true });

// `report --xlsx`'s module (dist/render/workbook.js: the workbook writer, exceljs and the libraries it uses, and
// the report's own modules), made one ES module in place of what tsc wrote, as the workers' are. Node otherwise
// finds, reads and compiles some 700 modules one by one (exceljs's own are about 660): importing it took 275 to
// 285 ms, and 94 to 98 ms as one file. It stays outside the CLI's bundle, so that other commands never load
// exceljs. exceljs and its libraries are CommonJS, and require Node's modules; an ES module has no require of its
// own, so the bundle begins by making one (esbuild's stand-in for require calls it).
// Node warns (DEP0005) when `Buffer()` or `new Buffer()` is called from outside node_modules, which the bundle is:
// archiver-utils 2 (archiver's, which exceljs's zip is made with) makes a buffer of each text it is given that way.
// In that file the calls become the same buffer made by Buffer.alloc or Buffer.from, as Node's Buffer() makes it
// (lib/buffer.js), without the warning. The report's tests check that `report --xlsx` writes nothing on stderr.
const LEGACY_BUFFER_FILES = /[\\/]node_modules[\\/]archiver-utils[\\/]index\.js$/;
const legacyBufferCalls = {
  name: 'legacy-buffer-calls',
  setup(build) {
    build.onLoad({ filter: LEGACY_BUFFER_FILES }, (args) => ({
      loader: 'js',
      contents: readFileSync(args.path, 'utf8').replace(/\bnew Buffer\(/g, '__povallocLegacyBuffer('),
    }));
  },
};
const LEGACY_BUFFER = `const __povallocLegacyBuffer = (value, encodingOrOffset, length) => {
  if (typeof value !== 'number') return Buffer.from(value, encodingOrOffset, length);
  if (typeof encodingOrOffset === 'string') throw new TypeError('The "string" argument must be of type string. Received type number');
  return Buffer.alloc(value);
};`;
await build({
  entryPoints: [`${root}dist/render/workbook.js`],
  outfile: `${root}dist/render/workbook.js`,
  allowOverwrite: true,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  banner: { js: `import { createRequire as __povallocCreateRequire } from 'node:module';const require = __povallocCreateRequire(import.meta.url);\n${LEGACY_BUFFER}` },
  legalComments: 'none',
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
  plugins: [legacyBufferCalls],
});
rmSync(`${root}dist/render/workbook.js.map`, { force: true });

// The code caches: one for `node bin/povalloc.js` (no options) and one for the options of the bin's #! line
// (`npx povalloc`, the benchmark). Each is made by a Node started with those options, as V8 requires.
rmSync(`${root}dist/cli/code-cache`, { recursive: true, force: true });
const shebang = readFileSync(`${root}bin/povalloc.js`, 'utf8').split('\n', 1)[0];
const shebangOptions = shebang.replace(/^#!.*?\bnode\b/, '').trim().split(/\s+/).filter(Boolean);
for (const options of [[], shebangOptions]) {
  const made = spawnSync(process.execPath, [...options, `${root}scripts/code-cache.mjs`], { cwd: root, stdio: 'inherit' });
  // Not a failure of the build: the CLI compiles the bundle as before without it (the tests check that it is made).
  if (made.status !== 0) console.error(`bundle: warning: could not make the code cache for node ${options.join(' ')}; povalloc works without it, only starts slower`);
}
