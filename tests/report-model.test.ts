import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareDecimalTexts, decimal, ZERO, type Dec } from '../src/core/money.js';
import { InputError } from '../src/core/problems.js';
import { parseCsvText, type CsvFile } from '../src/io/report-folder.js';
import { buildRunFigures, largestIncidence, largestPerPoor, type CountyFigures } from '../src/render/report-model.js';

// The report reads each row's figures from its cells and the amount columns when asked for (a million villages'
// report keeps no decimals per row): they must be what the cells say, every time they are read.

const PROVINCES = 'province_code,province_name,priority_province,special_poverty_central,special_poverty_provincial,total\n52,贵州省,true,0.00,0.00,0.00\n';

interface Row {
  readonly poor: string;
  readonly incidence: string;
  readonly central: bigint;
  readonly provincial: bigint;
  readonly eligible: boolean;
  readonly key: boolean;
}

const yuan = (fen: bigint): string => `${fen < 0n ? '-' : ''}${(fen < 0n ? -fen : fen) / 100n}.${String((fen < 0n ? -fen : fen) % 100n).padStart(2, '0')}`;

function csv(file: string, text: string): CsvFile {
  const parsed = parseCsvText(file, text);
  if (!parsed.csv) throw new Error(JSON.stringify(parsed.problems));
  return parsed.csv;
}

function allocations(rows: readonly Row[], withEligible: boolean): CsvFile {
  const header = ['county_code', 'county_name', 'province_code', 'province_name', 'prefecture', 'contiguous_area', 'key_county', ...(withEligible ? ['eligible'] : []), 'priority_province', 'poor_population', 'incidence', 'special_poverty_central', 'special_poverty_provincial', 'total'];
  const lines = rows.map((row, index) =>
    [String(520111000001 + index), `村${index}`, '52', '贵州省', '', index % 2 === 0 ? '乌蒙山区' : '', String(row.key), ...(withEligible ? [String(row.eligible)] : []), 'true', row.poor, row.incidence, yuan(row.central), yuan(row.provincial), yuan(row.central + row.provincial)].join(','),
  );
  return csv('allocations.csv', `${header.join(',')}\n${lines.join('\n')}\n`);
}

/** Every figure of a county, read out (twice each for the ones computed when read). */
function readOut(county: CountyFigures) {
  return {
    code: county.code,
    name: county.name,
    province: [county.provinceCode, county.provinceName, county.prefecture, county.area],
    flags: [county.keyCounty, county.eligible, county.priority],
    poor: [county.poorPopulation.toFixed(), county.poorPopulation.toFixed()],
    incidence: county.incidence.toFixed(),
    special: [county.special, county.special],
    total: county.total,
    perPoor: [county.perPoor?.toFixed(), county.perPoor?.toFixed()],
    hasPoor: county.hasPoor,
    amounts: [...county.amounts.entries()],
  };
}

const amount = fc.oneof(fc.bigInt({ min: 0n, max: 10n ** 12n }), fc.constant(0n), fc.bigInt({ min: 2n ** 63n, max: 2n ** 70n }));
const row = fc.record({
  poor: fc.oneof(fc.constantFrom('0', '0.00', '000', '1', '12.5'), fc.integer({ min: 0, max: 10_000_000 }).map(String)),
  incidence: fc.constantFrom('0.000000', '0.123456', '1'),
  central: amount,
  provincial: amount,
  eligible: fc.boolean(),
  key: fc.boolean(),
});

describe('the report figures of each row', () => {
  it.each([true, false])('are what its cells say, read as often as asked (an eligible column: %s)', (withEligible) => {
    fc.assert(
      fc.property(fc.array(row, { minLength: 1, maxLength: 12 }), (rows) => {
        const figures = buildRunFigures(allocations(rows, withEligible), csv('provinces.csv', PROVINCES), {});
        expect(figures.counties.map(readOut)).toEqual(
          rows.map((given, index) => {
            const special = given.central + given.provincial;
            const poor = decimal(given.poor);
            const perPoor = poor.isZero() ? undefined : decimal(yuan(special)).div(poor).toFixed();
            return {
              code: String(520111000001 + index),
              name: `村${index}`,
              province: ['52', '贵州省', '', index % 2 === 0 ? '乌蒙山区' : ''],
              flags: [given.key, withEligible ? given.eligible : special > 0n, true],
              poor: [poor.toFixed(), poor.toFixed()],
              incidence: decimal(given.incidence).toFixed(),
              special: [special, special],
              total: special,
              perPoor: [perPoor, perPoor],
              hasPoor: !poor.isZero(),
              amounts: [
                ['special_poverty_central', given.central],
                ['special_poverty_provincial', given.provincial],
                ['total', special],
              ],
            };
          }),
        );
        expect(figures.grandTotal).toBe(rows.reduce((sum, given) => sum + given.central + given.provincial, 0n));
      }),
      { numRuns: 150 },
    );
  });

  it('refuses a row whose poor population or incidence is not a decimal, with its line', () => {
    const good = { poor: '10', incidence: '0.1', central: 1n, provincial: 1n, eligible: true, key: false };
    const table = allocations([good, { ...good, poor: '-3' }, { ...good, incidence: 'n/a' }], true);
    let thrown: unknown;
    try {
      buildRunFigures(table, csv('provinces.csv', PROVINCES), {});
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InputError);
    expect((thrown as InputError).problems.map((problem) => [problem.line, problem.column])).toEqual([
      [3, 'poor_population'],
      [4, 'incidence'],
    ]);
  });
});

describe('the largest figures the axes of a scatter plot reach', () => {
  const decimalText = fc.stringMatching(/^[0-9]{1,4}(\.[0-9]{1,8})?$/);
  const largest = (values: readonly Dec[]): Dec => values.reduce((max, value) => (value.greaterThan(max) ? value : max), ZERO);

  it('are the largest of the decimals each county gives (yuan per poor person, incidence), found without them', () => {
    const anyRow = fc.record({
      poor: fc.oneof(fc.constantFrom('0', '0.00', '000', '1', '12.5', '0.25', '007', '3.000'), fc.integer({ min: 0, max: 10_000_000 }).map(String), decimalText),
      incidence: decimalText,
      central: fc.oneof(amount, fc.bigInt({ min: -(10n ** 6n), max: 0n })),
      provincial: amount,
      eligible: fc.boolean(),
      key: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(anyRow, { minLength: 0, maxLength: 40 }), (rows) => {
        const counties = rows.length === 0 ? [] : buildRunFigures(allocations(rows, true), csv('provinces.csv', PROVINCES), {}).counties;
        const withPoor = counties.filter((county) => county.hasPoor);
        expect(largestPerPoor(withPoor).toFixed()).toBe(largest(withPoor.map((county) => county.perPoor!)).toFixed());
        expect(largestPerPoor(counties).toFixed()).toBe(largest(withPoor.map((county) => county.perPoor!)).toFixed());
        expect(largestIncidence(counties).toFixed()).toBe(largest(counties.map((county) => county.incidence)).toFixed());
      }),
      { numRuns: 300 },
    );
  });

  it('compare decimal texts as decimal.js compares their values (leading and trailing zeros, no places)', () => {
    fc.assert(
      fc.property(fc.oneof(decimalText, fc.constantFrom('0', '00', '0.0', '1', '01.10', '10')), fc.oneof(decimalText, fc.constantFrom('0', '000.000', '1.0', '10.00')), (a, b) => {
        expect(compareDecimalTexts(a, b)).toBe(decimal(a).comparedTo(decimal(b)));
      }),
      { numRuns: 3_000 },
    );
  });
});
