/**
 * Counterexamples the allocation properties found, kept as unit tests.
 *
 * 1. The county cap was rounded down to the fen before the pot checked that
 *    the caps can take the whole pool. Where counties x cap share = 1 (two
 *    counties at 0.5) the rounded-down caps fall one fen short of an odd
 *    pool, so the pot dropped the caps altogether: the larger county got its
 *    full weighted share, and half the pool once the pool grew by a fen. The
 *    monotonicity property saw a county lose half its money when its poor
 *    population grew. Fixed in `countyCap` (special-poverty-counties.ts):
 *    rounded up exactly when rounding down alone would drop the caps.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { decimal } from '../src/core/money.js';
import { countyCap } from '../src/core/rules/special-poverty-counties.js';
import { ROOT } from './helpers.js';
import { runScenario, type CountyRow, type Scenario } from './support/scenarios.js';

function policy(capShare: string): Record<string, unknown> {
  const document = JSON.parse(readFileSync(join(ROOT, 'data', 'policies', 'default.json'), 'utf8')) as Record<string, any>;
  const special = document['special_poverty'];
  for (const level of ['province', 'county']) {
    for (const factor of Object.keys(special[level].weights)) special[level].weights[factor].value = factor === 'poverty_scale' ? '1' : '0';
  }
  special.county.floor.value = '0.00';
  special.county.cap_share.value = capShare;
  return document;
}

function county(code: string, poor: number, eligible = true): CountyRow {
  return {
    county_code: code,
    county_name: `县${code}`,
    poor_population: String(poor),
    rural_population: '1000000',
    rural_income_per_capita: '5000.00',
    fiscal_revenue_per_capita: '500.00',
    poverty_county: String(eligible),
    key_county: 'false',
    contiguous_area: '',
    old_revolutionary_base: 'false',
    ethnic_minority_area: 'false',
    border_area: 'false',
  };
}

function totals(scenario: Scenario): Record<string, string> {
  const rows = parse(runScenario(scenario).outputs.get('allocations.csv')!, { bom: true, columns: true }) as Record<string, string>[];
  return Object.fromEntries(rows.map((row) => [row['county_code'], `${row['total']} ${row['binding']}`]));
}

describe('county cap rounding (found by the monotonicity property)', () => {
  it('two counties at cap share 0.5 and an odd pool: the caps hold, 5.01 and 5.00, not 6.67 and 3.34', () => {
    const scenario: Scenario = { counties: [county('520001', 2000), county('520002', 1000)], budget: [['special_poverty', 'central', '', '10.01']], policy: policy('0.5') };
    expect(totals(scenario)).toEqual({ '520001': '5.01 cap', '520002': '5.00 share' });
  });

  it('a county whose poor population grows keeps about half, rather than dropping from two thirds to half', () => {
    const before: Scenario = { counties: [county('520001', 2000), county('520002', 1000)], budget: [['special_poverty', 'central', '', '10.01']], policy: policy('0.5') };
    const after: Scenario = { ...before, counties: [county('520001', 3000), county('520002', 1000)] };
    expect(totals(before)['520001']).toBe('5.01 cap');
    expect(totals(after)['520001']).toBe('5.01 cap');
  });

  it('a county without score does not hide the problem: three eligible, one with no poor population', () => {
    const scenario: Scenario = {
      counties: [county('620001', 0), county('620002', 250472), county('620003', 20)],
      budget: [
        ['special_poverty', 'central', '', '0.00'],
        ['special_poverty', 'provincial', '62', '1953329206.41'],
      ],
      policy: policy('0.5'),
    };
    expect(totals(scenario)).toEqual({ '620001': '0.00 none', '620002': '976664603.21 cap', '620003': '976664603.20 share' });
  });

  it('countyCap rounds down unless rounding down alone would drop the caps', () => {
    const weighted = (count: number): { weight: ReturnType<typeof decimal>; floor: bigint }[] => Array.from({ length: count }, () => ({ weight: decimal('1'), floor: 0n }));
    expect(countyCap(1001n, decimal('0.5'), weighted(2))).toBe(501n);
    expect(countyCap(1002n, decimal('0.5'), weighted(2))).toBe(501n);
    // 0.12 of 1001 fen is 120.12: rounded down, nine counties can still take 1081 fen.
    expect(countyCap(1001n, decimal('0.12'), weighted(9))).toBe(120n);
    // Too few counties for the cap: rounding does not matter, the pot drops it.
    expect(countyCap(1001n, decimal('0.12'), weighted(8))).toBe(120n);
    // A county without score takes only its floor, so it does not count towards the caps.
    expect(countyCap(1001n, decimal('0.5'), [...weighted(2), { weight: decimal('0'), floor: 0n }])).toBe(501n);
  });
});
