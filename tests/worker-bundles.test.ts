import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// The build makes each module a worker thread starts one file (scripts/bundle.mjs, WORKER_MODULES), so that a
// worker does not load its imports one by one. These read the built files: `npm test` builds first.
const SRC = new URL('../src/cli/', import.meta.url);
const DIST = new URL('../dist/cli/', import.meta.url);

/** The worker modules the code starts: `new URL('./NAME.js', import.meta.url)` in src/cli. */
function workerModules(): string[] {
  const names = new Set<string>();
  for (const file of readdirSync(SRC).filter((name) => name.endsWith('.ts'))) {
    const text = readFileSync(new URL(file, SRC), 'utf8');
    for (const match of text.matchAll(/new URL\('\.\/([\w-]+)\.js', import\.meta\.url\)/g)) names.add(match[1]!);
  }
  return [...names].sort();
}

describe('worker modules are built as single files', () => {
  it('finds the worker modules the code starts', () => {
    // A change in how the code names them would make the next test check nothing.
    expect(workerModules()).toEqual(expect.arrayContaining(['csv-worker', 'group-numbers-worker', 'sweep-worker']));
    expect(workerModules().length).toBeGreaterThanOrEqual(8);
  });

  it.each(workerModules())('%s.js imports nothing of the project', (name) => {
    const text = readFileSync(new URL(`${name}.js`, DIST), 'utf8');
    // tsc's output imports its neighbours ("../core/audit.js"); the bundle has them inside and imports only node: modules.
    expect(text).not.toMatch(/(?:from|import)\s*\(?\s*["']\.{1,2}\//);
    expect(text).toMatch(/from\s*["']node:worker_threads["']/);
    // An ES module has no require: for a bundled CommonJS module's require of a module left outside, esbuild
    // leaves a stand-in that throws "Dynamic require of ... is not supported" when called.
    expect(text).not.toContain('Dynamic require of');
  });
});

describe("report --xlsx's workbook module is built as a single file", () => {
  it('imports nothing of the project and has exceljs inside', () => {
    const text = readFileSync(new URL('../dist/render/workbook.js', import.meta.url), 'utf8');
    expect(text).not.toMatch(/(?:from|import)\s*\(?\s*["']\.{1,2}\//);
    // exceljs and its libraries are inside (about 660 modules), not required from node_modules as the module loads.
    expect(text).not.toMatch(/(?:from|require\()\s*["']exceljs["']/);
    expect(text).toContain('WorkbookWriter');
    // Their require of Node's modules goes to the require the bundle makes for itself.
    expect(text.startsWith("import { createRequire as __povallocCreateRequire } from 'node:module';")).toBe(true);
  });
});
