/**
 * Rule `relocation`, clause I.3.
 *
 * Seed: "Implement ex situ relocation to help the poor ... It is necessary to
 * increase investment in the central budget and local governments at all
 * levels ... and raise 600 billion yuan of funds through multiple channels."
 * A county's need is the policy's per-person standard for its region (east
 * 8,000, central 10,000, west 12,000 yuan) times its relocation_population,
 * whether or not it is eligible for the special fund. The central relocation
 * line is shared among the provinces in proportion to their need. Each
 * province pool (that share plus its provincial relocation line) pays its
 * counties: when the pool is smaller than the need, in proportion to need
 * (a ratable reduction) with a `relocation_shortfall` warning; otherwise each
 * county gets exactly its need and the surplus is reported unallocated. Each
 * county's amount is split into the part paid from the central line and the
 * part from the provincial line, as in stage 2 of the special fund (money the
 * pool did not place is taken from both in proportion to their size).
 *
 * Example: central line 1,000,000.00 and one western province with two
 * counties of 50 and 40 people: need 600,000.00 and 480,000.00 (1,080,000.00);
 * the province gets the whole central line and has a provincial line of
 * 79,999.99, so its pool is 1,079,999.99, one fen short: exactly
 * 599,999.994... and 479,999.995... yuan, rounded by largest remainder to
 * 599,999.99 and 480,000.00, and checks.csv reports a shortfall of 0.01.
 */
import { budgetKey, centralAmount, provincialAmounts } from '../budget.js';
import { packedWholeFigure } from '../counties.js';
import { decimalFromBigInt, formatDecimal, formatYuan } from '../money.js';
import { allocatePot, allocatePotByIntegers } from '../pot.js';
import { invariant } from '../problems.js';
import { declareColumn, type CountyState, type ProvinceState, type RunState, tracing } from '../state.js';
import { withRememberedOutcome } from './remembered.js';
import { skipRule, type Rule } from './rule.js';

const RULE = 'relocation';
const CLAUSE = 'I.3';
export const RELOCATION = 'relocation';
export const RELOCATION_CENTRAL = 'relocation_central';
export const RELOCATION_PROVINCIAL = 'relocation_provincial';

/** A county's relocation need in fen: standard for its region x people to relocate. */
export function relocationNeed(state: RunState, countyState: CountyState): bigint {
  const county = countyState.county;
  // relocation_population is a whole number (the grammar allows digits only): read as one from the table when
  // it was packed so (a sweep reads it at every point), else from its decimal.
  const whole = packedWholeFigure(county, 'relocation_population');
  let people: bigint;
  if (whole !== undefined) {
    people = BigInt(whole);
  } else {
    const decimal = county.relocationPopulation;
    people = decimal === undefined ? 0n : BigInt(decimal.toFixed(0));
  }
  if (people === 0n) return 0n;
  const standard = state.inputs.policy.relocationStandards.get(county.province.region) ?? 0n;
  return standard * people;
}

function payProvince(state: RunState, province: ProvinceState, centralShare: bigint, provincialLine: bigint, needs: Map<string, bigint>): void {
  const fund = state.inputs.policy.relocationFund;
  const code = province.province.code;
  const pool = centralShare + provincialLine;
  const recipients = province.counties.filter((countyState) => (needs.get(countyState.county.code) ?? 0n) > 0n);
  const need = recipients.reduce((sum, countyState) => sum + needs.get(countyState.county.code)!, 0n);
  // A pool at least as large as the need pays the need exactly; the surplus stays unallocated.
  const payable = pool < need ? pool : need;
  // Whole-number weights (fen): allocatePotByIntegers is allocatePot with them as decimals, without the decimals.
  const pot = allocatePotByIntegers(
    payable,
    recipients.map((countyState) => ({ id: countyState.county.code, weight: needs.get(countyState.county.code)! })),
  );
  invariant(pot.unallocated === 0n || recipients.length === 0, `relocation pool of province ${code} left money over among counties with need`);

  // Central part of what was paid, in proportion to the central share of the pool, rounded down.
  const centralPaid = pool === 0n ? 0n : (centralShare * pot.allocated) / pool;
  const split = allocatePotByIntegers(
    centralPaid,
    recipients.map((countyState, index) => ({ id: countyState.county.code, weight: pot.parts[index]!.amount })),
  );
  invariant(split.unallocated === 0n || pot.allocated === 0n, `relocation central split of province ${code} left money over`);
  recipients.forEach((countyState, index) => {
    const part = pot.parts[index]!;
    const central = split.parts[index]?.amount ?? 0n;
    const provincial = part.amount - central;
    if (provincial < 0n) invariant(false, `county ${countyState.county.code} has a negative provincial relocation part`);
    countyState.amounts.set(RELOCATION, part.amount);
    countyState.amounts.set(RELOCATION_CENTRAL, central);
    countyState.amounts.set(RELOCATION_PROVINCIAL, provincial);
    const county = countyState.county;
    if (tracing(state)) state.steps.push({
      type: 'pot_allocated',
      rule: RULE,
      clause: CLAUSE,
      subject: county.code,
      label: pool < need ? 'relocation: share of a short pool, in proportion to need' : 'relocation: need paid in full',
      values: {
        relocation_population: county.relocationPopulation?.toFixed(0) ?? '0',
        region: county.province.region,
        standard_per_person: formatYuan(state.inputs.policy.relocationStandards.get(county.province.region) ?? 0n),
        need: formatYuan(needs.get(county.code)!),
        province_need: formatYuan(need),
        pool: formatYuan(pool),
        exact_amount: `${part.exactNumerator}/${part.exactDenominator} fen`,
        rounding_fen: part.roundingFen.toString(),
        amount: formatYuan(part.amount),
        central_part: formatYuan(central),
        provincial_part: formatYuan(provincial),
      },
    });
  });

  const name = province.province.nameZh;
  if (pool < need) {
    state.checks.push({
      check: 'relocation_shortfall',
      severity: 'warning',
      rule: RULE,
      clause: CLAUSE,
      scope: 'province',
      code,
      name,
      message: `the relocation pool of ${formatYuan(pool)} yuan is short of the need of ${formatYuan(need)} yuan (${recipients.length} counties) by ${formatYuan(need - pool)}: every county paid ${formatDecimal(decimalFromBigInt(pool).div(decimalFromBigInt(need)), 6)} of its need`,
      value: formatYuan(pool),
      threshold: formatYuan(need),
    });
  }
  const surplus = pool - pot.allocated;
  state.pots.push({
    id: `${fund}.pool.${code}`,
    fund,
    level: 'pool',
    provinceCode: code,
    rule: RULE,
    clause: CLAUSE,
    amount: pool,
    allocated: pot.allocated,
    unallocated: surplus,
    unallocatedReason: surplus === 0n ? '' : need === 0n ? 'no county of the province has people to relocate' : `the pool exceeds the relocation need of ${formatYuan(need)} yuan`,
    recipients: recipients.length,
    roundingFen: pot.roundingFen,
  });
}

export const relocation: Rule = {
  id: RULE,
  clause: CLAUSE,
  title: 'Ex situ relocation',
  seed: 'Implement ex situ relocation to help the poor ... It is necessary to increase investment in the central budget and local governments at all levels, innovate investment and financing methods, and raise 600 billion yuan of funds through multiple channels.',
  apply(state) {
    const fund = state.inputs.policy.relocationFund;
    declareColumn(state, { name: RELOCATION, rule: RULE, fund, kind: 'sum', fromBudget: false, inTotal: true, shownIn: 'both' });
    declareColumn(state, { name: RELOCATION_CENTRAL, rule: RULE, fund, kind: 'transfer', payingLevel: 'central', fromBudget: true, inTotal: false, shownIn: 'both' });
    declareColumn(state, { name: RELOCATION_PROVINCIAL, rule: RULE, fund, kind: 'transfer', payingLevel: 'provincial', fromBudget: true, inTotal: false, shownIn: 'both' });
    if (!state.inputs.counties.columns.has('relocation_population')) {
      // The columns stay empty and the fund's lines are left to the engine, which reports them unallocated.
      const money = state.inputs.budget.lines.some((line) => line.fund === fund && line.amount > 0n);
      skipRule(state, relocation, `counties.csv has no relocation_population column${money ? `: the ${fund} budget lines are not allocated` : ''}`, money ? 'warning' : 'info');
      return;
    }

    // The rule reads nothing but the county table, the budget, the fund and the per-person standards: a sweep's
    // later points with the same ones write the first one's outcome (see remembered.ts).
    const standards = [...state.inputs.policy.relocationStandards].map(([region, standard]) => `${region}=${standard}`).join(',');
    withRememberedOutcome(state, RULE, `${fund}|${standards}`, [RELOCATION, RELOCATION_CENTRAL, RELOCATION_PROVINCIAL], () => allocateRelocation(state, fund));
  },
};

/** Relocation's two stages: the central line to provinces by need, then each province pool to its counties. */
function allocateRelocation(state: RunState, fund: string): void {
  const needs = new Map<string, bigint>();
  for (const countyState of state.counties) {
    needs.set(countyState.county.code, relocationNeed(state, countyState));
    countyState.amounts.set(RELOCATION, 0n);
    countyState.amounts.set(RELOCATION_CENTRAL, 0n);
    countyState.amounts.set(RELOCATION_PROVINCIAL, 0n);
  }
  const provinceNeed = (province: ProvinceState): bigint => province.counties.reduce((sum, countyState) => sum + needs.get(countyState.county.code)!, 0n);

  // Stage 1: the central line to provinces by need.
  const line = centralAmount(state.inputs.budget, fund);
  state.consumedBudgetLines.add(budgetKey(fund, 'central', ''));
  const withNeed = state.provinces.filter((province) => provinceNeed(province) > 0n);
  const central = allocatePot(
    line,
    withNeed.map((province) => ({ id: province.province.code, weight: decimalFromBigInt(provinceNeed(province)) })),
  );
  state.pots.push({
    id: `${fund}.central`,
    fund,
    level: 'central',
    provinceCode: '',
    rule: RULE,
    clause: CLAUSE,
    amount: line,
    allocated: central.allocated,
    unallocated: central.unallocated,
    unallocatedReason: central.unallocated > 0n ? 'no county has people to relocate' : '',
    recipients: withNeed.length,
    roundingFen: central.roundingFen,
  });
  const centralShares = new Map(central.parts.map((part) => [part.id, part.amount]));
  withNeed.forEach((province, index) => {
    if (tracing(state)) state.steps.push({
      type: 'pot_allocated',
      rule: RULE,
      clause: CLAUSE,
      subject: province.province.code,
      label: 'relocation: share of the central line, in proportion to need',
      values: { need: formatYuan(provinceNeed(province)), central_line: formatYuan(line), amount: formatYuan(central.parts[index]!.amount) },
    });
  });

  // Stage 2: each province pool to its counties.
  const provincialLines = provincialAmounts(state.inputs.budget, fund);
  for (const province of state.provinces) {
    const code = province.province.code;
    const centralShare = centralShares.get(code) ?? 0n;
    const provincialLine = provincialLines.get(code) ?? 0n;
    if (provincialLines.has(code)) state.consumedBudgetLines.add(budgetKey(fund, 'provincial', code));
    if (centralShare === 0n && provincialLine === 0n && provinceNeed(province) === 0n) continue;
    payProvince(state, province, centralShare, provincialLine, needs);
  }
}
