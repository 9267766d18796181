/**
 * A workbook's table rows are written as the XML exceljs's streaming writer
 * makes of them (src/render/workbook.ts, directRows) rather than through its
 * rows and cells: every file inside the xlsx is the same either way, but for
 * docProps/core.xml, which holds the creation time both are given.
 */
import fc from 'fast-check';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadReference } from '../src/io/load-inputs.js';
import type { CsvFile, SweepFolderFiles } from '../src/io/report-folder.js';
import { readReportFolder } from '../src/io/report-folder.js';
import { checkWithVerify } from '../src/io/run-integrity.js';
import { renderRunWorkbook, renderScenarioWorkbook } from '../src/render/workbook.js';
import { runCli, SAMPLE, tempDir } from './helpers.js';

/** The files of a zip by name, read from its central directory (stored or deflated, as exceljs's zip writes them). */
function zipEntries(zip: Buffer): Map<string, string> {
  let end = zip.length - 22;
  while (end >= 0 && zip.readUInt32LE(end) !== 0x06054b50) end--;
  if (end < 0) throw new Error('no end of central directory');
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const entries = new Map<string, string>();
  for (let index = 0; index < count; index++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error('bad central directory entry');
    const method = zip.readUInt16LE(at + 10);
    const compressed = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const local = zip.readUInt32LE(at + 42);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    const dataAt = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const data = zip.subarray(dataAt, dataAt + compressed);
    entries.set(name, (method === 0 ? data : inflateRawSync(data)).toString('utf8'));
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** Both workbooks' files, the creation time's file left out, after checking that both have the same files. */
function sameFiles(direct: Buffer, throughExceljs: Buffer): { direct: Map<string, string>; throughExceljs: Map<string, string> } {
  const a = zipEntries(direct);
  const b = zipEntries(throughExceljs);
  expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
  a.delete('docProps/core.xml');
  b.delete('docProps/core.xml');
  return { direct: a, throughExceljs: b };
}

let work: string;

beforeAll(() => {
  work = tempDir('povalloc-workbook-rows-');
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('table rows written as exceljs writes them', () => {
  it('makes the same files as exceljs for the sample run, in English and Chinese, on one sheet and split over several', async () => {
    const run = join(work, 'sample');
    const allocated = runCli(['allocate', '--counties', SAMPLE.counties, '--budget', SAMPLE.budget, '--projects', SAMPLE.projects, '--out', run]);
    expect(allocated.code, allocated.stderr).toBe(0);
    const folder = readReportFolder(run);
    if (folder.kind !== 'run') throw new Error('not a run folder');
    const integrity = checkWithVerify(run, folder.manifest, folder.manifestPresent);
    const reference = loadReference();
    for (const [lang, maxRowsPerSheet] of [['en', undefined], ['zh', 300]] as const) {
      const input = { folder, integrity, reference, lang, createdAt: new Date(0), ...(maxRowsPerSheet ? { maxRowsPerSheet } : {}) };
      const { direct, throughExceljs } = sameFiles(await renderRunWorkbook(input), await renderRunWorkbook({ ...input, cellsThroughExceljs: true }));
      for (const [name, xml] of throughExceljs) expect(direct.get(name), `${lang}: ${name}`).toBe(xml);
      // The rows were written: the counties sheet holds a row for each county and the header.
      const counties = direct.get('xl/worksheets/sheet1.xml')!;
      expect(counties.match(/<row /g)!.length).toBe(Math.min(folder.allocations.rows.length, (maxRowsPerSheet ?? Infinity) - 1) + 1);
      expect(counties).toMatch(/<c r="L2" s="\d+"><v>\d+<\/v><\/c>/);
    }
  });

  it('makes the same files as exceljs for any text and decimals: escapes, control characters, empty rows, formulas', async () => {
    const text = fc.oneof(
      fc.constant(''),
      fc.string({ unit: 'binary', maxLength: 12 }),
      fc.string({ unit: fc.constantFrom('&', '<', '>', '"', "'", '\u0001', '\u000b', '\t', '\n', '\r', '\u007f', '=', '+', '-', '@', 'a', '县', '😀'), maxLength: 8 }),
    );
    const decimal = fc.oneof(
      fc.constant(''),
      fc.stringMatching(/^-?\d{1,19}(\.\d{1,12})?$/),
      fc.constantFrom('0.00', '-0.00', '1e5', '007', '12345678901234567.89', 'n/a'),
    );
    const row = fc.record({ county_code: text, name: text, total: decimal, share: decimal, note: text });
    await fc.assert(
      fc.asyncProperty(fc.array(row, { minLength: 1, maxLength: 40 }), async (rows) => {
        const points: CsvFile = { file: 'points.csv', columns: ['county_code', 'name', 'total', 'share', 'note'], rows, lines: rows.map((_, index) => index + 2) };
        const folder: SweepFolderFiles = { kind: 'sweep', dir: work, sweep: { points: rows.length }, points };
        const input = { folder, reference: loadReference(), lang: 'en' as const, createdAt: new Date(0) };
        const { direct, throughExceljs } = sameFiles(await renderScenarioWorkbook(input), await renderScenarioWorkbook({ ...input, cellsThroughExceljs: true }));
        for (const [name, xml] of throughExceljs) expect(direct.get(name), name).toBe(xml);
      }),
      { numRuns: 60 },
    );
  });
});
