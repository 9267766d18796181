// Loads the bundled CLI, dist/cli/main.bundle.cjs (see scripts/bundle.mjs), with V8's cache of its
// compiled code when the build made one for this Node and these Node options.
//
// Compiling the bundle's 0.7 MB and then each function as it first runs takes a small run about a
// tenth of its time; with the cache V8 takes the compiled code as it is. Node 20 can do that only
// for a classic script (vm.Script's cachedData), not for a module, so the bundle is a CommonJS
// script run here the way Node runs one: wrapped in a function given exports, require, module,
// __filename and __dirname, strict as the modules it was built from.
//
// V8 accepts a cache only if it was made by the same V8 with the same flags (--max-semi-space-size
// and the like), and checks the source only by its length; so each cache is named by a hash of the
// Node version, the Node options and the bundle's text, and the build makes one for each way the CLI
// is started (`npx povalloc` with the #! line's options, `node bin/povalloc.js` without). V8 does
// not check the cache's own bytes (a damaged one can crash Node), so a cache file begins with the
// SHA-256 of the rest, and one whose bytes do not match it is not given to V8. When there is no
// cache, or it is damaged, or V8 refuses it, the bundle is compiled as usual: slower, never different.
//
// CommonJS, as is the bin (see package.json here): Node loads a CommonJS program without setting up
// its module loader for the program and its imports of Node's own modules, which took `--version`
// about 10 ms longer (medians of 15 runs, alternated: 104.9 ms against 114.8 ms).
'use strict';
const { createHash } = require('node:crypto');
const { readFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { dirname, join } = require('node:path');
const { Script } = require('node:vm');

const ROOT = dirname(__dirname);
const BUNDLE = join(ROOT, 'dist', 'cli', 'main.bundle.cjs');
const CODE_CACHE_DIR = join(ROOT, 'dist', 'cli', 'code-cache');

/** The SHA-256 that begins a cache file. */
const CHECKSUM_BYTES = 32;

/** A cache file's bytes: the SHA-256 of V8's cached data, then the data. */
function codeCacheFile(cachedData) {
  return Buffer.concat([createHash('sha256').update(cachedData).digest(), cachedData]);
}

/** V8's cached data in a cache file, or undefined when its bytes do not match their SHA-256. */
function cachedDataOf(file) {
  if (file.length <= CHECKSUM_BYTES) return undefined;
  const data = file.subarray(CHECKSUM_BYTES);
  return createHash('sha256').update(data).digest().equals(file.subarray(0, CHECKSUM_BYTES)) ? data : undefined;
}

/** Where the cache for this bundle text, this Node and these Node options is (or would be). */
function codeCachePath(source, execArgv = process.execArgv, cacheDir = CODE_CACHE_DIR) {
  const key = createHash('sha256').update(`${process.version}\0${execArgv.join('\0')}\0`).update(source).digest('hex');
  return join(cacheDir, `${key}.bin`);
}

/**
 * Runs the bundle and returns its exports (`main`, `setModuleImporter`), the script (to make a cache
 * of), where its cache is, and whether V8 took the cache.
 */
function loadCli({ bundle = BUNDLE, cacheDir = CODE_CACHE_DIR, useCache = true } = {}) {
  const source = readFileSync(bundle, 'utf8');
  const cachePath = codeCachePath(source, process.execArgv, cacheDir);
  let cachedData;
  if (useCache) {
    try {
      cachedData = cachedDataOf(readFileSync(cachePath));
    } catch {
      // No cache for this Node or these options: compiled as usual.
    }
  }
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {'use strict';${source}\n})`, { filename: bundle, cachedData });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(bundle), module, bundle, dirname(bundle));
  return { cli: module.exports, script, cachePath, cacheUsed: cachedData !== undefined && !script.cachedDataRejected };
}

module.exports = { BUNDLE, CODE_CACHE_DIR, codeCacheFile, cachedDataOf, codeCachePath, loadCli };
