// The policy keys of the transfer-payment rules: compiled into typed fields, validated with paths.
import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../src/core/policy.js';
import { loadInputs } from '../src/io/load-inputs.js';
import { join } from 'node:path';
import { policyDocument, yuanOf, type PolicyJson } from './build-inputs.js';
import { ROOT, SAMPLE } from './helpers.js';

const problemsOf = (edit: (document: PolicyJson) => void): string[] => {
  const document = policyDocument('default');
  edit(document);
  return compilePolicy('policy.json', document).problems.map((problem) => `${problem.column}: ${problem.message}`);
};

describe('policy keys of the transfer-payment rules', () => {
  it('compiles the defaults into typed fields', () => {
    const { policy, problems } = compilePolicy('default.json', policyDocument('default'));
    expect(problems).toEqual([]);
    expect(Object.fromEntries([...policy!.assessmentMultipliers].map(([grade, value]) => [grade, value.toFixed()]))).toEqual({
      excellent: '1.1',
      good: '1.05',
      fair: '1',
      poor: '0.9',
      failed: '0.8',
      missing: '1',
    });
    expect(policy!.holdHarmlessShare.toFixed()).toBe('0.9');
    expect(policy!.assetIncomeShare.isZero()).toBe(true);
    expect(policy!.provincialEffortMinimumShare.toFixed()).toBe('0.2');
    expect(policy!.previousCentralTotal).toBeUndefined();
    expect([...policy!.relocationStandards].map(([region, fen]) => [region, yuanOf(fen)])).toEqual([
      ['east', '8000.00'],
      ['central', '10000.00'],
      ['west', '12000.00'],
    ]);
    expect([...policy!.matchingStandardShares.values()].map((share) => share.toFixed())).toEqual(['0.6', '0.2', '0.1', '0.1']);
    expect([...policy!.absorbedBy.values()].map((share) => share.toFixed())).toEqual(['0', '1']);
    expect([...policy!.waivePrefectureShareIn]).toEqual(['west']);
    expect([...policy!.refundLevelsContiguous]).toEqual(['central', 'provincial', 'prefecture']);
    expect([...policy!.refundLevelsKeyCounty]).toEqual(['central']);
  });

  it.each<[string, (document: PolicyJson) => void, string]>([
    ['standard shares not adding up to 1', (d) => (d.matching_waiver.standard_shares.county.value = '0.05'), 'matching_waiver.standard_shares: the shares add up to 0.95, not exactly 1'],
    ['absorption shares not adding up to 1', (d) => (d.matching_waiver.absorbed_by.central.value = '0.5'), 'matching_waiver.absorbed_by: the shares add up to 1.5, not exactly 1'],
    ['a hold-harmless share above 1', (d) => (d.hold_harmless.share_of_previous.value = '1.2'), 'hold_harmless.share_of_previous.value: must be between 0 and 1, got 1.2'],
    ['an asset-income share above 1', (d) => (d.asset_income.share_invested.value = '2'), 'asset_income.share_invested.value: must be between 0 and 1, got 2'],
    ['an assessment multiplier of 0', (d) => (d.assessment.multipliers.failed.value = '0'), 'assessment.multipliers.failed.value: must be greater than 0'],
    ['an unknown relocation fund', (d) => (d.relocation.fund = 'moving'), 'relocation.fund: fund "moving" is not listed in funds (relocation, special_poverty)'],
    ['money written as a number', (d) => (d.relocation.standard_per_person.west.value = 12000), 'relocation.standard_per_person.west.value: Invalid input: expected string, received number'],
    ['a missing section', (d) => delete d.refund, 'refund: Invalid input: expected object, received undefined'],
  ])('rejects %s', (_label, edit, expected) => {
    expect(problemsOf(edit)).toContain(expected);
  });

  it('accepts the optional growth_check.previous_central_total', () => {
    const document = policyDocument('default');
    document.growth_check.previous_central_total = { value: '66095000000.00', unit: 'yuan', description: '2016 central special fund', clause: 'IV.2' };
    expect(yuanOf(compilePolicy('policy.json', document).policy!.previousCentralTotal)).toBe('66095000000.00');
  });
});

describe('loadInputs with --projects and --previous', () => {
  it('reads both files and lists them with their roles after counties and budget', () => {
    const loaded = loadInputs({ counties: SAMPLE.counties, budget: SAMPLE.budget, projects: SAMPLE.projects, previous: join(ROOT, 'data', 'sample', 'previous-allocations.csv'), encoding: 'auto' });
    expect(loaded.files.map((entry) => [entry.role, entry.file.displayName, entry.file.encoding])).toEqual([
      ['counties', 'counties.csv', 'utf8'],
      ['budget', 'budget.csv', 'utf8'],
      ['projects', 'projects.csv', 'utf8'],
      ['previous', 'previous-allocations.csv', 'utf8-bom'],
    ]);
    expect(loaded.run.projects!.projects.length).toBe(60);
    expect(yuanOf(loaded.run.previous!.centralTotal)).toBe('66095000000.00');
    expect(loaded.run.files).toMatchObject({ projects: 'projects.csv', previous: 'previous-allocations.csv' });
  });
});
