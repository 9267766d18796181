/**
 * allocations.csv's population and incidence cells, formatted in integers
 * from the figures' exact texts, are the text the decimal path gives.
 */
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allocate } from '../src/core/allocate.js';
import { decimal, ZERO } from '../src/core/money.js';
import { loadInputs } from '../src/io/load-inputs.js';
import { displayWidth } from '../src/render/summary.js';
import { allocationsTable, formatIncidence, formatIncidenceTexts, formatPopulation, formatPopulationText } from '../src/render/tables.js';
import { SMALL } from './helpers.js';

const decimalText = fc.oneof(
  fc.bigInt({ min: 0n, max: 10n ** 15n }).map(String),
  fc.tuple(fc.bigInt({ min: 0n, max: 10n ** 12n }), fc.stringMatching(/^\d{1,20}$/)).map(([whole, fraction]) => `${whole}.${fraction}`),
  fc.constantFrom('0', '0.0', '1', '3', '7', '862', '3201', '0.005', '0.015', '2.125', '100.00', '0.5', '0100', '007', '00'),
);

describe('population and incidence cells from exact texts', () => {
  it('formatPopulationText is formatPopulation of the decimal (property)', () => {
    fc.assert(
      fc.property(decimalText, (text) => {
        expect(formatPopulationText(text)).toBe(formatPopulation(decimal(text)));
      }),
      { numRuns: 2_000 },
    );
  });

  it('formatIncidenceTexts is formatIncidence of the decimal quotient (property)', () => {
    fc.assert(
      fc.property(decimalText, decimalText, (poor, rural) => {
        const quotient = decimal(rural).isZero() ? ZERO : decimal(poor).div(decimal(rural));
        expect(formatIncidenceTexts(poor, rural)).toBe(formatIncidence(quotient));
      }),
      { numRuns: 2_000 },
    );
  });

  it('formatIncidenceTexts of whole numbers whose quotient often lies on a half at the seventh place (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), fc.constantFrom(2_000_000, 4_000_000, 8_000_000, 20_000_000, 3, 7, 1_999_999, 2_000_001), (poor, rural) => {
        expect(formatIncidenceTexts(String(poor), String(rural))).toBe(formatIncidence(decimal(String(poor)).div(decimal(String(rural)))));
      }),
      { numRuns: 2_000 },
    );
  });

  it('rounds half to even at the sixth place, as decimal.js does', () => {
    expect(formatIncidenceTexts('1', '8')).toBe('0.125000');
    expect(formatIncidenceTexts('1', '3')).toBe('0.333333');
    expect(formatIncidenceTexts('1', '1600000')).toBe('0.000001');
    expect(formatIncidenceTexts('5', '10000000')).toBe('0.000000');
    expect(formatIncidenceTexts('15', '10000000')).toBe('0.000002');
    expect(formatPopulationText('2.125')).toBe('2.12');
    expect(formatPopulationText('2.135')).toBe('2.14');
    expect(formatPopulationText('100.00')).toBe('100');
  });
});

describe('allocations.csv population cells, however the figures are held', () => {
  it('give formatPopulation and formatIncidence of the county decimals: whole figures, leading zeros, a rural population derived from the incidence', () => {
    const dir = mkdtempSync(join(tmpdir(), 'povalloc-population-'));
    try {
      const withIncidence = join(dir, 'derived.csv');
      writeFileSync(withIncidence, 'county_code,county_name,poor_population,incidence\n520111,甲,40000,0.4\n520112,乙,0100,0.03\n520113,丙,7,0.0700\n');
      const whole = join(dir, 'whole.csv');
      writeFileSync(whole, 'county_code,county_name,poor_population,rural_population\n520111,甲,40000,100000\n520112,乙,0100,03000\n520113,丙,7,999999999\n450001,丁,0,5\n');
      for (const counties of [withIncidence, whole]) {
        const loaded = loadInputs({ counties, budget: SMALL.budget, policy: SMALL.policy, encoding: 'auto' });
        const result = allocate(loaded.run);
        const table = allocationsTable(result);
        const at = (column: string): number => table.columns.indexOf(column);
        result.counties.forEach((countyState, index) => {
          const county = countyState.county;
          const row = table.rows[index]!;
          const incidence = county.ruralPopulation.isZero() ? ZERO : county.poorPopulation.div(county.ruralPopulation);
          expect([row[at('poor_population')], row[at('rural_population')], row[at('incidence')]]).toEqual([
            formatPopulation(county.poorPopulation),
            formatPopulation(county.ruralPopulation),
            formatIncidence(incidence),
          ]);
        });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('displayWidth', () => {
  it('counts a cell per character and two for wide (CJK, full-width) ones, a surrogate pair as one character (property)', () => {
    // The rule, character by character (code points).
    const reference = (text: string): number => {
      let width = 0;
      for (const char of text) {
        const code = char.codePointAt(0)!;
        const wide = (code >= 0x1100 && code <= 0x115f) || (code >= 0x2e80 && code <= 0xa4cf) || (code >= 0xac00 && code <= 0xd7a3) || (code >= 0xf900 && code <= 0xfaff) || (code >= 0xfe30 && code <= 0xfe4f) || (code >= 0xff00 && code <= 0xff60) || (code >= 0xffe0 && code <= 0xffe6);
        width += wide ? 2 : 1;
      }
      return width;
    };
    const unit = fc.oneof(fc.constantFrom('a', '甲', '１', '한', '\ud800', '\udc00', '𠀀', '😀', '\u1100', '\u115f', '\u1160', '\ua4cf', '\ua4d0', '\uffe6', '\uffe7'), fc.string({ maxLength: 1, unit: 'binary' }));
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 12 }), (text) => {
        expect(displayWidth(text)).toBe(reference(text));
      }),
      { numRuns: 3_000 },
    );
    expect([displayWidth('贵州 ab'), displayWidth('𠀀x'), displayWidth('\ud800')]).toEqual([7, 2, 1]);
  });
});

