/**
 * A run's allocations.csv read by `compare` from its bytes
 * (readAllocationsFromBytes, for a large file as povalloc writes it) gives
 * what reading its text gives (readAllocations): the same counties, texts,
 * flags, populations, amounts and amount columns, or it declines and the
 * text is read. Generated tables, clean and spoilt, hold the two together;
 * a clean one is never declined; and `compare` of two large runs is the
 * same whichever way their tables were read.
 */
import fc from 'fast-check';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CountyOutcome } from '../src/core/outcome.js';
import { decodedParts } from '../src/io/read-inputs.js';
import { BYTES_READ_FROM, readAllocations, readAllocationsFromBytes, readRunOutcome, type ReadAllocations } from '../src/io/run-outcome.js';
import { allocateLargeRun, tempDir } from './helpers.js';

/** allocations.csv's columns as povalloc writes them. */
const HEADER = [
  'county_code', 'county_name', 'province_code', 'province_name', 'region', 'prefecture', 'eligible', 'poverty_county', 'key_county', 'contiguous_area', 'priority_province', 'poor_population', 'rural_population',
  'incidence', 'focus_multiplier', 'score', 'binding', 'special_poverty_central', 'special_poverty_provincial', 'relocation', 'relocation_central', 'relocation_provincial', 'refund_central', 'refund_provincial', 'refund_prefecture', 'total',
];

function describedCounty(county: CountyOutcome): unknown {
  return {
    code: county.code,
    name: county.name,
    provinceCode: county.provinceCode,
    provinceName: county.provinceName,
    region: county.region,
    contiguousArea: county.contiguousArea,
    priorityProvince: county.priorityProvince,
    eligible: county.eligible,
    poorPopulation: county.poorPopulation,
    binding: county.binding,
    amounts: [...county.amounts],
  };
}

function described(read: ReadAllocations): unknown {
  return {
    problems: [read.tableProblems, read.headerProblems, read.rowProblems],
    amountColumns: read.amountColumns,
    counties: read.counties.map(describedCounty),
  };
}

/** readAllocations of the text, decoded in small parts as a large file's is. */
function asText(bytes: Buffer): ReadAllocations {
  const decoded = decodedParts(bytes, 'utf8', 'allocations.csv', 64);
  return readAllocations('allocations.csv', { path: 'allocations.csv', displayName: 'allocations.csv', bytes, parts: decoded.parts!, encoding: decoded.encoding! });
}

const digits = (count: number): fc.Arbitrary<string> => fc.array(fc.integer({ min: 0, max: 9 }), { minLength: count, maxLength: count }).map((list) => list.join(''));
const yuan = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.bigInt({ min: 0n, max: 999_999_999n }), fc.integer({ min: 0, max: 99 })).map(([whole, fen]) => `${whole}.${String(fen).padStart(2, '0')}`) },
  { weight: 1, arbitrary: fc.constantFrom('0.00', '-0.00', '-12.50', '12345678901234567890.99', '90071992547409.93', '0001.00') },
);
const row = fc.record({
  code: fc.oneof(digits(12), digits(6)),
  name: fc.constantFrom('中坝村', 'Village', '新 村', '坪沟村'),
  province: fc.constantFrom(['11', '北京市', 'east'], ['52', '贵州省', 'west'], ['13', '河北省', 'east']),
  eligible: fc.constantFrom('true', 'false', 'TRUE', ''),
  priority: fc.constantFrom('true', 'false'),
  area: fc.constantFrom('', '乌蒙山区', '滇黔桂石漠化区'),
  poor: fc.oneof(fc.nat({ max: 99_999 }).map(String), fc.constantFrom('0012', '12345678901234')),
  binding: fc.constantFrom('share', 'floor', 'cap', ''),
  special: fc.tuple(yuan, yuan),
  relocation: fc.option(fc.tuple(yuan, yuan, yuan), { nil: undefined }),
  total: yuan,
});
type Row = typeof row extends fc.Arbitrary<infer T> ? T : never;

function lineOf(cells: Row, relocationEmpty: boolean): string {
  const [provinceCode, provinceName, region] = cells.province;
  const relocation = relocationEmpty || cells.relocation === undefined ? ['', '', ''] : cells.relocation;
  return [cells.code, cells.name, provinceCode, provinceName, region, '', cells.eligible, 'true', 'false', cells.area, cells.priority, cells.poor, '5000', '0.1', '1.1', '0.5', cells.binding, ...cells.special, ...relocation, '0.00', '', '0.00', cells.total].join(',');
}

function fileOf(lines: readonly string[], options: { bom: boolean; crlf: boolean; lastLineEnd: boolean }): Buffer {
  const end = options.crlf ? '\r\n' : '\n';
  return Buffer.from((options.bom ? '\uFEFF' : '') + [HEADER.join(','), ...lines].join(end) + (options.lastLineEnd ? end : ''), 'utf8');
}

const table = fc.record({ rows: fc.array(row, { minLength: 0, maxLength: 25 }), relocationEmpty: fc.boolean(), bom: fc.boolean(), crlf: fc.boolean(), lastLineEnd: fc.boolean() });

/** Ways a line can differ from what povalloc writes: read from its bytes only if the same comes out. */
const spoil = fc.constantFrom(
  (line: string) => line.replace(/^(\d+),/, '$1 ,'),
  (line: string) => line.replace(/^(\d+),([^,]*),/, '$1, $2,'),
  (line: string) => line.replace(/,(true|false),/, ', $1,'),
  (line: string) => line.replace(/,(true|false),/, ',$1\u3000,'),
  (line: string) => line.replace(/,(\d+),5000,/, ',$1x,5000,'),
  (line: string) => line.replace(/,(\d+),5000,/, ',,5000,'),
  (line: string) => line.replace(/,(-?\d+)\.(\d\d)$/, ',$1.$2 '),
  (line: string) => line.replace(/,(-?\d+)\.(\d\d)$/, ',$1.$2$2'),
  (line: string) => line.replace(/,(-?\d+\.\d\d),(-?\d+\.\d\d),/, ',$1,x$2,'),
  (line: string) => line.replace(/,(-?\d+\.\d\d),(-?\d+\.\d\d),/, ',$1, $2,'),
  (line: string) => line.replace(/,(share|floor|cap),/, ',$1 ,'),
  (line: string) => line.replace(/,,0\.00,/, ',,5.0,'),
  (line: string) => line.replace(/,[^,]*$/, ''),
  (line: string) => `${line},`,
  (line: string) => line.replace(',', ',"'),
  (line: string) => line.replace(/^(\d+),([^,]*),/, '$1,$2\r,'),
  () => '',
  (line: string) => line.replace(/^(\d+),([^,]*),/, '$1,新村,'),
  (line: string) => line.replace(/^(\d+),/, '520111000001,'),
);

describe("a run's allocations.csv read from its bytes", () => {
  it('reads a clean table as its text is read, and never declines it', () => {
    fc.assert(
      fc.property(table, ({ rows, relocationEmpty, ...options }) => {
        const bytes = fileOf(
          rows.map((cells) => lineOf(cells, relocationEmpty)),
          options,
        );
        const fast = readAllocationsFromBytes(bytes);
        expect(fast).toBeDefined();
        expect(described(fast!)).toEqual(described(asText(bytes)));
      }),
      { numRuns: 300 },
    );
  });

  it('gives what the text gives whenever it does not decline a spoilt table', () => {
    let declined = 0;
    let taken = 0;
    fc.assert(
      fc.property(table, fc.array(fc.tuple(fc.nat(), spoil), { minLength: 1, maxLength: 2 }), ({ rows, relocationEmpty, ...options }, spoils) => {
        const lines = rows.map((cells) => lineOf(cells, relocationEmpty));
        if (lines.length === 0) return;
        for (const [at, change] of spoils) lines[at % lines.length] = change(lines[at % lines.length]!);
        const bytes = fileOf(lines, options);
        const fast = readAllocationsFromBytes(bytes);
        if (fast === undefined) {
          declined++;
          return;
        }
        taken++;
        expect(described(fast)).toEqual(described(asText(bytes)));
      }),
      { numRuns: 600 },
    );
    expect(declined).toBeGreaterThan(100);
    expect(taken).toBeGreaterThan(20);
  });

  it("declines a table whose header is not a run's", () => {
    const line = 'x';
    for (const header of [HEADER.filter((column) => column !== 'binding'), [...HEADER, ''], HEADER.map((column, index) => (index === 0 ? ` ${column}` : column))]) {
      const bytes = Buffer.from([header.join(','), line].join('\n'));
      expect(readAllocationsFromBytes(bytes)).toBeUndefined();
    }
  });

  it('reads a large run as its text is read: a run folder povalloc wrote, and the same with a name quoted', () => {
    const dir = tempDir();
    const { run } = allocateLargeRun(dir, 29);
    const table = readFileSync(join(run, 'allocations.csv'));
    expect(table.length).toBeGreaterThan(BYTES_READ_FROM);
    expect(readAllocationsFromBytes(table)).toBeDefined();
    // The same folder with one village's name quoted (the same name): its table is read as text.
    const quoted = join(dir, 'quoted');
    cpSync(run, quoted, { recursive: true });
    const text = table.toString('utf8');
    const firstRow = text.indexOf('\n') + 1;
    const nameStart = text.indexOf(',', firstRow) + 1;
    const nameEnd = text.indexOf(',', nameStart);
    writeFileSync(join(quoted, 'allocations.csv'), `${text.slice(0, nameStart)}"${text.slice(nameStart, nameEnd)}"${text.slice(nameEnd)}`);
    expect(readAllocationsFromBytes(readFileSync(join(quoted, 'allocations.csv')))).toBeUndefined();
    const fromBytes = readRunOutcome(run).outcome;
    const fromText = readRunOutcome(quoted).outcome;
    expect(fromBytes.counties.length).toBe(20_001);
    expect(fromBytes.amountColumns).toEqual(fromText.amountColumns);
    expect([fromBytes.funds, fromBytes.unallocated]).toEqual([fromText.funds, fromText.unallocated]);
    expect(fromBytes.counties.map(describedCounty)).toEqual(fromText.counties.map(describedCounty));
  }, 120_000);
});
