/**
 * Rule `special_poverty_counties`, clauses IV.2 and IV.3 (stage 2).
 *
 * Seed: "Take the old revolutionary base areas, ethnic minority areas, border
 * areas and concentrated contiguous poverty-stricken areas as the focus of
 * poverty alleviation." Each province's pool (its stage-1 share of the central
 * line plus its own provincial special_poverty line) is shared among its
 * eligible counties by the same factors, each county's weighted score times
 * its focus multipliers (their product capped) and any multiplier an earlier
 * rule set. Every eligible county gets at least the floor and at most the cap
 * (a share of the pool); the rest is shared by score among the counties not
 * held at either. A county's floor is the policy floor or a larger one an
 * earlier rule set (hold_harmless). When the pool cannot pay every floor the
 * floors are reduced ratably; when the province has too few eligible
 * counties for the cap, the cap is not applied. Each county's amount is then
 * split into the part paid from the central line and the part from the
 * provincial line.
 *
 * Example: a pool of 10,000,000.00 (central 6,000,000.00, provincial
 * 4,000,000.00), floor 2,000,000.00, no cap, two counties with scores 0.9 and
 * 0.1: the shares 9,000,000 / 1,000,000 put the second below its floor, so it
 * gets 2,000,000.00 and the first 8,000,000.00; central parts 4,800,000.00 and
 * 1,200,000.00.
 */
import { isLargeRun } from '../audit-blocks.js';
import { distinctNames } from '../canonical-json.js';
import { budgetKey, provincialAmounts } from '../budget.js';
import { beginGroupNumbers, countyGroupScores, keepsShares, ScaledColumn } from '../factors.js';
import {
  bigintDigits,
  decimalFromBigInt,
  decimalFromScaled,
  floorToFen,
  formatDecimal,
  formatFenFraction,
  formatFenFractionAsYuan,
  formatQuotient,
  formatYuan,
  minDecimal,
  multiplyScaled,
  ONE,
  scaledFromBigInt,
  scaledOf,
  ZERO,
  type Dec,
  type Fen,
  type Scaled,
} from '../money.js';
import type { County } from '../counties.js';
import { FOCUS_FLAGS, type Policy } from '../policy.js';
import { allocatePotAsColumns } from '../pot.js';
import { invariant } from '../problems.js';
import { declareColumn, StepSeries, tracing, UnitStep, type CountyState, type ProvinceState, type RunState, type StageTwoScores } from '../state.js';
import type { Rule } from './rule.js';
import { SPECIAL_CENTRAL } from './special-poverty-provinces.js';

export const SPECIAL_PROVINCIAL = 'special_poverty_provincial';

function focusFlagHolds(county: County, flag: (typeof FOCUS_FLAGS)[number]): boolean {
  switch (flag) {
    case 'contiguous_area':
      return county.contiguousArea !== '';
    case 'key_county':
      return county.keyCounty;
    case 'old_revolutionary_base':
      return county.oldRevolutionaryBase;
    case 'ethnic_minority_area':
      return county.ethnicMinorityArea;
    case 'border_area':
      return county.borderArea;
  }
}

/** Which focus flags hold for a county: bit i for FOCUS_FLAGS[i]. */
export function focusBitsOf(county: County): number {
  let bits = 0;
  for (let bit = 0; bit < FOCUS_FLAGS.length; bit++) if (focusFlagHolds(county, FOCUS_FLAGS[bit]!)) bits |= 1 << bit;
  return bits;
}

/**
 * What a province's pot weights (base score x focus multiplier, with no
 * multiplier of an earlier rule) are remembered by with its scores
 * (CountyGroup.remember): a stage-2 worker that computed them, as
 * groupNumbers does given the focus multipliers, hands them over by this key.
 */
export function plainPotWeightsKey(policy: Policy): string {
  return `${focusKeyOf(policy)}|none`;
}

const focusKeys = new WeakMap<Policy, string>();

/** The focus parameters as text: equal texts, equal focus multipliers. */
function focusKeyOf(policy: Policy): string {
  let key = focusKeys.get(policy);
  if (key === undefined) {
    key = `${FOCUS_FLAGS.map((flag) => policy.focusMultipliers.get(flag)!.toFixed()).join(',')};${policy.multiplierCap.toFixed()}`;
    focusKeys.set(policy, key);
  }
  return key;
}

/** A combination of focus flags' capped multiplier, its integer form and texts. */
export interface FocusMultiplier {
  readonly multiplier: Dec;
  readonly scaled: Scaled;
  readonly text: string;
  readonly flags: string;
}

/** The focus multiplier of each combination of flags under one set of focus parameters, made when first asked for. */
export class FocusMultipliers {
  private readonly byFlags = new Map<number, FocusMultiplier>();

  constructor(private readonly policy: Policy) {}

  /** The multiplier of a county whose flags are BITS (see focusBitsOf): the product of theirs, capped. */
  of(bits: number): FocusMultiplier {
    let capped = this.byFlags.get(bits);
    if (capped === undefined) {
      let product = ONE;
      FOCUS_FLAGS.forEach((flag, bit) => {
        if ((bits & (1 << bit)) !== 0) product = product.times(this.policy.focusMultipliers.get(flag)!);
      });
      const multiplier = minDecimal(product, this.policy.multiplierCap);
      const flags = FOCUS_FLAGS.filter((_, bit) => (bits & (1 << bit)) !== 0).join(', ');
      capped = { multiplier, scaled: scaledOf(multiplier), text: multiplier.toFixed(), flags };
      this.byFlags.set(bits, capped);
    }
    return capped;
  }
}

/**
 * The focus multipliers by the focus parameters (focusKeyOf): every province
 * of a run, every point of a sweep that keeps the parameters and the stage-2
 * worker's helper share them (decimals, which nothing changes). The last few
 * sets of parameters are kept.
 */
const focusMultipliersByKey = new Map<string, FocusMultipliers>();
const FOCUS_KEYS_KEPT = 4;

export function focusMultipliersFor(policy: Policy): FocusMultipliers {
  const key = focusKeyOf(policy);
  let multipliers = focusMultipliersByKey.get(key);
  if (multipliers === undefined) {
    if (focusMultipliersByKey.size >= FOCUS_KEYS_KEPT) focusMultipliersByKey.delete(focusMultipliersByKey.keys().next().value!);
    multipliers = new FocusMultipliers(policy);
    focusMultipliersByKey.set(key, multipliers);
  }
  return multipliers;
}

/**
 * The cap: the cap share of the pool, rounded down to the fen, unless that
 * rounding alone would make the caps unable to take the whole pool when the
 * exact caps can (the pot would then drop the caps altogether); then it is
 * rounded up. Example: 0.5 of a pool of 10.01 yuan for two counties is 5.005;
 * rounded down, 5.00 + 5.00 cannot pay 10.01 and the cap would be dropped,
 * giving the larger county two thirds, and half again once the pool grew by
 * a fen. Rounded up, 5.01, the caps hold.
 */
export function countyCap(pool: Fen, capShare: Dec, recipients: readonly { weight: Dec; floor: Fen }[]): Fen {
  return countyCapByIntegers(
    pool,
    capShare,
    recipients.map(({ weight }) => (weight.isZero() ? 0n : 1n)),
    recipients.map(({ floor }) => floor),
  );
}

/**
 * `countyCap` for recipients given as columns: only whether a weight is 0
 * matters. What the recipients can take exactly is the decimal.js sum of the
 * exact cap and the floors, computed in integers: whenever it needs at most 50
 * digits no partial sum was rounded, so the integer sum is that decimal.
 */
export function countyCapByIntegers(pool: Fen, capShare: Dec, weights: readonly bigint[], floors: readonly Fen[]): Fen {
  if (capShare.isNegative() || !capShare.isFinite()) return countyCapByDecimals(pool, capShare, weights, floors);
  const exact = multiplyScaled(scaledFromBigInt(pool), scaledOf(capShare));
  const roundedDown = scaledFloor(exact);
  const exactHasFraction = exact.digits !== 0 && scaledToIntegerOrUndefined(exact) === undefined;
  const { reachableRoundedDown, atExact, floorsTaken } = reachableUnderCap(weights, floors, roundedDown, exactHasFraction);
  if (reachableRoundedDown >= pool) return roundedDown;
  const unit = Math.min(exact.exponent, 0);
  const reachableExact = atExact * exact.coefficient * powerOfTenBig(exact.exponent - unit) + floorsTaken * powerOfTenBig(-unit);
  if (bigintDigits(reachableExact) > 50) return countyCapByDecimals(pool, capShare, weights, floors);
  const roundingDropsCaps = reachableExact >= pool * powerOfTenBig(-unit);
  return roundingDropsCaps ? roundedDown + 1n : roundedDown;
}

/**
 * What the recipients can take under a cap of ROUNDED_DOWN fen (the exact cap rounded down; EXACT_HAS_FRACTION when
 * that dropped a fraction): a county with a score up to the cap (at least its floor), one without its floor; how many
 * are held at the exact cap, and the floors of the others. A loop of its own (see zeroSpecialAmounts): in
 * countyCapByIntegers V8 left its compiled loop again at each province (30 times at a million villages with --previous).
 */
function reachableUnderCap(
  weights: readonly bigint[],
  floors: readonly Fen[],
  roundedDown: Fen,
  exactHasFraction: boolean,
): { reachableRoundedDown: Fen; atExact: bigint; floorsTaken: Fen } {
  let reachableRoundedDown = 0n;
  let atExact = 0n;
  let floorsTaken = 0n;
  for (let i = 0; i < weights.length; i++) {
    const floor = floors[i]!;
    if (weights[i] === 0n) {
      reachableRoundedDown += floor;
      floorsTaken += floor;
    } else {
      reachableRoundedDown += roundedDown > floor ? roundedDown : floor;
      if (roundedDown > floor || (roundedDown === floor && exactHasFraction)) atExact += 1n;
      else floorsTaken += floor;
    }
  }
  return { reachableRoundedDown, atExact, floorsTaken };
}

function powerOfTenBig(exponent: number): bigint {
  return 10n ** BigInt(exponent);
}

/** The largest whole number not above a value. */
function scaledFloor(value: Scaled): bigint {
  if (value.digits === 0) return 0n;
  return value.exponent >= 0 ? value.coefficient * powerOfTenBig(value.exponent) : value.coefficient / powerOfTenBig(-value.exponent);
}

function scaledToIntegerOrUndefined(value: Scaled): bigint | undefined {
  if (value.exponent >= 0) return value.coefficient * powerOfTenBig(value.exponent);
  const divisor = powerOfTenBig(-value.exponent);
  return value.coefficient % divisor === 0n ? value.coefficient / divisor : undefined;
}

/** `countyCapByIntegers` in decimal.js, step by step (for what the integer form does not cover). */
export function countyCapByDecimals(pool: Fen, capShare: Dec, weights: readonly bigint[], floors: readonly Fen[]): Fen {
  const exact = decimalFromBigInt(pool).times(capShare);
  const roundedDown = floorToFen(exact);
  let reachableRoundedDown = 0n;
  let reachableExact = ZERO;
  for (let i = 0; i < weights.length; i++) {
    const floor = floors[i]!;
    const floorDecimal = decimalFromBigInt(floor);
    if (weights[i] === 0n) {
      reachableRoundedDown += floor;
      reachableExact = reachableExact.plus(floorDecimal);
    } else {
      reachableRoundedDown += roundedDown > floor ? roundedDown : floor;
      reachableExact = reachableExact.plus(exact.greaterThan(floorDecimal) ? exact : floorDecimal);
    }
  }
  const roundingDropsCaps = reachableRoundedDown < pool && !reachableExact.lessThan(decimalFromBigInt(pool));
  return roundingDropsCaps ? roundedDown + 1n : roundedDown;
}

const STEP_LABEL = 'stage 2: share of the province pool';
/** The kind of columns (see StepColumnNames) of a county with no multiplier or floor of an earlier rule, with and without a central split. */
const PLAIN_KIND_SPLIT = '||true';
const PLAIN_KIND = '||false';

/**
 * Sets each county's two special-fund amounts to 0 before the pool is allocated. A function of its own rather than a
 * loop inside allocateProvince: there, V8 compiled that large function from the loop while it ran (on-stack
 * replacement), before the code after it had run, and at a million villages each later province entered that code
 * and left it again at once (20 deoptimisations), running the rest of its call unoptimised.
 */
function zeroSpecialAmounts(counties: readonly CountyState[]): void {
  for (const countyState of counties) {
    countyState.amounts.set(SPECIAL_CENTRAL, 0n);
    countyState.amounts.set(SPECIAL_PROVINCIAL, 0n);
  }
}

function allocateProvince(state: RunState, province: ProvinceState, provincialLine: Fen): void {
  const policy = state.inputs.policy;
  const fund = policy.specialFund;
  const code = province.province.code;
  const centralPart = province.amounts.get(SPECIAL_CENTRAL) ?? 0n;
  const pool = centralPart + provincialLine;
  const eligible = province.counties.filter((countyState) => countyState.eligible);
  province.amounts.set(SPECIAL_PROVINCIAL, 0n);
  zeroSpecialAmounts(province.counties);

  const floor = policy.countyFloor;
  // The pool's make-up, so the audit log shows where each county's money comes from.
  const poolStep = (values: Record<string, string>): void => {
    if (!tracing(state)) return;
    state.steps.push({
      type: 'pot_allocated',
      rule: 'special_poverty_counties',
      clause: 'IV.2',
      subject: code,
      label: 'stage 2: the province pool',
      values: { central_part: formatYuan(centralPart), provincial_line: formatYuan(provincialLine), pool: formatYuan(pool), eligible_counties: String(eligible.length), ...values },
    });
  };
  if (eligible.length === 0) {
    poolStep({ allocated: '0.00', unallocated: formatYuan(pool) });
    if (provincialLine > 0n) {
      state.checks.push({
        check: 'no_eligible_county',
        severity: 'warning',
        rule: 'special_poverty_counties',
        clause: 'IV.2',
        scope: 'province',
        code,
        name: province.province.nameZh,
        message: `the provincial ${fund} line of ${formatYuan(provincialLine)} yuan has no eligible county to go to: left unallocated`,
        value: formatYuan(provincialLine),
        threshold: 'at least 1 eligible county',
      });
    }
    state.pots.push({
      id: `${fund}.pool.${code}`,
      fund,
      level: 'pool',
      provinceCode: code,
      rule: 'special_poverty_counties',
      clause: 'IV.2',
      amount: pool,
      allocated: 0n,
      unallocated: pool,
      unallocatedReason: pool > 0n ? 'the province has no eligible county' : '',
      recipients: 0,
      roundingFen: 0n,
    });
    return;
  }

  const file = state.inputs.files.counties;
  // Values and shares do not depend on the weights, scores only on the county weights: both are
  // cached across runs on the same counties (see factors.ts).
  const group = countyGroupScores(
    eligible.map((countyState) => countyState.county),
    policy,
    file,
  );
  // Decimals of what stage 2 computed, built only for what is read as decimals (see StageTwoScores).
  const stageTwo: StageTwoScores = {
    factorValues: (index) => group.valuesMap(index),
    factorShares: (index) => group.sharesMap(index),
    baseScore: (index) => decimalFromScaled(group.score(index)),
    score: (index) => decimalFromScaled(weights.get(index)),
    scoreText: (index, places) => weights.format(index, places),
  };
  // The capped product of focus multipliers depends only on which flags hold and the focus parameters.
  const focusMultipliers = focusMultipliersFor(policy);
  const focus = eligible.map((countyState, index) => {
    countyState.scoredBy(stageTwo, index);
    const capped = focusMultipliers.of(focusBitsOf(countyState.county));
    countyState.focusMultiplier = capped.multiplier;
    return capped;
  });
  // Pot weights: base score x focus x any multiplier earlier rules set (each product rounded as
  // decimal.js rounds it), and their integer form. A group too large to keep its shares (see
  // SHARES_KEPT_UP_TO) does not keep the integers either (a bigint each): they are made again when needed.
  const keepIntegers = keepsShares(eligible.length);
  const potWeights = (): { weights: ScaledColumn; integers?: bigint[] } => {
    const weights = new ScaledColumn(eligible.length);
    eligible.forEach((countyState, index) => {
      let score = multiplyScaled(group.score(index), focus[index]!.scaled);
      for (const multiplier of countyState.scoreMultipliers) score = multiplyScaled(score, scaledOf(multiplier.value));
      weights.set(index, score);
    });
    return keepIntegers ? { weights, integers: weights.commonScaleIntegers() } : { weights };
  };
  // They depend only on the scores, the focus parameters and the other multipliers: a sweep that
  // keeps the county weights, focus and assessment multipliers reuses them (see countyGroupScores).
  // Multipliers earlier rules set (assessment) are part of the key: they depend only on the policy and the county.
  // Without any, a stage-2 worker may have computed them already (see plainPotWeightsKey).
  const remembered = group.remember(
    eligible.some((countyState) => countyState.scoreMultipliers.length > 0)
      ? `${focusKeyOf(policy)}|${eligible.map((countyState) => countyState.scoreMultipliers.map((multiplier) => multiplier.value.toFixed()).join('*')).join(',')}`
      : plainPotWeightsKey(policy),
    potWeights,
  );
  const weights = remembered.weights;
  const integers = remembered.integers ?? weights.commonScaleIntegers();

  // How many floors of earlier rules each county has now. Floors are only ever added, after those there are
  // (CountyRecord.addFloor): the step shows the first so many, read again when the audit log is written.
  const floorCounts = new Uint32Array(eligible.length);
  const floors = eligible.map((countyState, index) => {
    let countyFloor = floor;
    const ruleFloors = countyState.floors;
    for (const ruleFloor of ruleFloors) if (ruleFloor.amount > countyFloor) countyFloor = ruleFloor.amount;
    floorCounts[index] = ruleFloors.length;
    countyState.appliedFloor = countyFloor;
    return countyFloor;
  });
  const cap = countyCapByIntegers(pool, policy.countyCapShare, integers, floors);
  // allocatePotByIntegers with the weights' common-scale integers is allocatePot with the weights.
  const ids = eligible.map((countyState) => countyState.county.code);
  const pot = allocatePotAsColumns(pool, {
    ids,
    idsUnique: true,
    weights: integers,
    floors,
    caps: eligible.map(() => cap),
  });

  // Split each county's amount into central and provincial parts. Money the pot
  // could not place is taken from the two lines in proportion to their size.
  const centralAllocated = pool === 0n ? 0n : (centralPart * pot.allocated) / pool;
  const split = allocatePotAsColumns(centralAllocated, { ids, idsUnique: true, weights: pot.amounts() });
  invariant(split.unallocated === 0n || pot.allocated === 0n, `central split of province ${code} left money over`);
  poolStep({
    floor: formatYuan(floor),
    cap: pot.capsDropped ? 'not applied' : formatYuan(cap),
    floors_reduced: String(pot.floorsReduced),
    allocated: formatYuan(pot.allocated),
    unallocated: formatYuan(pot.unallocated),
    central_allocated: formatYuan(centralAllocated),
  });

  const weightTexts = group.factors.map((factor) => (policy.countyWeights.get(factor.id) ?? ZERO).toFixed());
  const traced = tracing(state);
  const largeRun = isLargeRun(state.counties.length);
  let provincialAllocated = 0n;
  // Multipliers of earlier rules, captured now (only for the counties that have any). A county's multipliers are a
  // list it replaces, never changes (CountyRecord.addScoreMultiplier), so the lists themselves are kept. Floors are
  // counted instead (floorCounts): with --previous every eligible village has one, made as a list only when read.
  const capturedMultipliers = new Map<number, readonly { rule: string; value: Dec }[]>();
  eligible.forEach((countyState, index) => {
    const amount = pot.amount(index);
    const central = index < split.length ? split.amount(index) : 0n;
    const provincial = amount - central;
    if (provincial < 0n) invariant(false, `county ${countyState.county.code} has a negative provincial part`);
    provincialAllocated += provincial;
    countyState.binding = pot.binding(index);
    countyState.amounts.set(SPECIAL_CENTRAL, central);
    countyState.amounts.set(SPECIAL_PROVINCIAL, provincial);
    if (!traced) return;
    if (countyState.scoreMultipliers.length > 0) capturedMultipliers.set(index, countyState.scoreMultipliers);
  });
  // What each county's step shows, formatted only when the audit log reads it (once, while it is
  // written): a run of many counties holds no step object per county, and no ~25 strings each.
  // Factor values, shares and scores are formatted from their exact integer forms (the text
  // toFixed writes for the same decimals, see money.ts formatScaled).
  const codes = ids;
  const poolText = formatYuan(pool);
  const capText = pot.capsDropped ? 'not applied' : formatYuan(cap);
  // Most counties have the policy floor: its text written once.
  const floorText = formatYuan(floor);
  if (traced) state.steps.push(new StepSeries(eligible.length, stepAt));
  function stepAt(index: number): UnitStep {
    const amount = pot.amount(index);
    const hasCentralSplit = index < split.length;
    const central = hasCentralSplit ? split.amount(index) : 0n;
    const provincial = amount - central;
    const numerator = pot.exactNumerator(index);
    const multipliers = capturedMultipliers.get(index);
    const floorCount = floorCounts[index]!;
    const ruleFloors = floorCount === 0 ? undefined : eligible[index]!.floors.slice(0, floorCount);
    // The cells written into a list of their number, made once: pushed one by one, a list grows twice on the way
    // (to 17 places, then 41), some 500 bytes of garbage per village.
    // Counted in the order written: per factor value, share and weight; score, focus flags and multiplier; the
    // multipliers of earlier rules; weight, pool and floor; the floors of earlier rules; cap and binding; the
    // fraction (small runs); exact yuan, rounding fen, amount and share of the pool; the central split's exact yuan
    // and rounding fen; central and provincial.
    const cellCount =
      3 * weightTexts.length + 3 + (multipliers?.length ?? 0) + 3 + (ruleFloors?.length ?? 0) + 2 + (largeRun ? 0 : 1) + 4 + (hasCentralSplit ? 2 : 0) + 2;
    const cells = new Array<string>(cellCount);
    let at = 0;
    for (let f = 0; f < weightTexts.length; f++) {
      cells[at++] = group.valueText(index, f, 6);
      cells[at++] = group.shareText(index, f, 10);
      cells[at++] = weightTexts[f]!;
    }
    cells[at++] = group.scoreText(index, 10);
    cells[at++] = focus[index]!.flags;
    cells[at++] = focus[index]!.text;
    for (const multiplier of multipliers ?? []) cells[at++] = multiplier.value.toFixed();
    const floorAmount = floors[index]!;
    cells[at++] = weights.format(index, 10);
    cells[at++] = poolText;
    cells[at++] = floorAmount === floor ? floorText : formatYuan(floorAmount);
    for (const ruleFloor of ruleFloors ?? []) cells[at++] = formatYuan(ruleFloor.amount);
    cells[at++] = capText;
    cells[at++] = pot.binding(index);
    // A large run leaves the fraction out: exact_yuan and the pot's values determine it, and at a million villages it is the bulk of the log.
    if (!largeRun) cells[at++] = formatFenFraction(numerator, pot.exactDenominator);
    cells[at++] = formatFenFractionAsYuan(numerator, pot.exactDenominator, 6);
    cells[at++] = pot.roundingFenOf(index) === 0n ? '0' : '1';
    cells[at++] = formatYuan(amount);
    cells[at++] = pool === 0n ? formatDecimal(ZERO, 10) : formatQuotient(amount, pool, 10);
    if (hasCentralSplit) {
      cells[at++] = formatFenFractionAsYuan(split.exactNumerator(index), split.exactDenominator, 6);
      cells[at++] = split.roundingFenOf(index) === 0n ? '0' : '1';
    }
    cells[at++] = formatYuan(central);
    cells[at++] = formatYuan(provincial);
    if (at !== cellCount) invariant(false, `stage-2 step of ${codes[index]!} has ${at} cells, not ${cellCount}`);
    const columns = stepColumnNames.of(multipliers, ruleFloors, hasCentralSplit);
    // Every cell is a number formatted here, a policy decimal, a fixed name or one of these joined: none holds a character JSON escapes.
    return new UnitStep('pot_allocated', 'special_poverty_counties', 'IV.2', codes[index]!, STEP_LABEL, columns.names, columns.pick ? columns.pick.map((at) => cells[at]!) : cells, true);
  }
  const stepColumnNames = new StepColumnNames(group.factors, largeRun);
  province.amounts.set(SPECIAL_PROVINCIAL, provincialAllocated);

  const name = province.province.nameZh;
  if (pot.floorsReduced) {
    const floorTotal = floors.reduce((sum, value) => sum + value, 0n);
    const raised = eligible.filter((countyState) => countyState.appliedFloor !== floor).length;
    const what =
      raised === 0
        ? `the floor of ${formatYuan(floor)} to each of ${eligible.length} eligible counties`
        : `the floors of its ${eligible.length} eligible counties (${raised} raised by an earlier rule above ${formatYuan(floor)})`;
    state.checks.push({
      check: 'floor_reduced',
      severity: 'warning',
      rule: 'special_poverty_counties',
      clause: 'IV.2',
      scope: 'province',
      code,
      name,
      message: `the pool of ${formatYuan(pool)} yuan cannot pay ${what} (${formatYuan(floorTotal)}): floors reduced ratably, short by ${formatYuan(floorTotal - pool)}`,
      value: formatYuan(pool),
      threshold: formatYuan(floorTotal),
    });
  }
  if (pot.capsDropped) {
    state.checks.push({
      check: 'cap_not_applied',
      severity: 'warning',
      rule: 'special_poverty_counties',
      clause: 'IV.2',
      scope: 'province',
      code,
      name,
      message: `the cap of ${policy.countyCapShare.toFixed()} of the pool cannot be met with ${eligible.length} eligible counties: not applied`,
      value: String(eligible.length),
      threshold: `${policy.countyCapShare.toFixed()} x counties >= 1`,
    });
  }
  state.pots.push({
    id: `${fund}.pool.${code}`,
    fund,
    level: 'pool',
    provinceCode: code,
    rule: 'special_poverty_counties',
    clause: 'IV.2',
    amount: pool,
    allocated: pot.allocated,
    unallocated: pot.unallocated,
    unallocatedReason: pot.unallocated > 0n ? 'every eligible county has a score of 0: only the floors were paid' : '',
    recipients: eligible.length,
    roundingFen: pot.roundingFen,
  });
}

export const specialPovertyCounties: Rule = {
  id: 'special_poverty_counties',
  clause: 'IV.2',
  title: 'Special fund, stage 2: province pools to counties',
  seed: 'Take the old revolutionary base areas, ethnic minority areas, border areas and concentrated contiguous poverty-stricken areas as the focus of poverty alleviation.',
  apply(state) {
    const fund = state.inputs.policy.specialFund;
    for (const level of ['central', 'provincial'] as const) {
      const name = level === 'central' ? SPECIAL_CENTRAL : SPECIAL_PROVINCIAL;
      declareColumn(state, { name, rule: 'special_poverty_counties', fund, kind: 'transfer', payingLevel: level, fromBudget: true, inTotal: true, shownIn: 'both' });
    }
    const provincialLines = provincialAmounts(state.inputs.budget, fund);
    // A large run may have the scores of some provinces computed on another thread meanwhile (the same numbers).
    beginGroupNumbers(
      () => state.provinces.map((province) => province.counties.filter((countyState) => countyState.eligible).map((countyState) => countyState.county)),
      state.inputs.policy,
    );
    state.provinces.forEach((province, index) => {
      const provincialLine = provincialLines.get(province.province.code) ?? 0n;
      if (provincialLines.has(province.province.code)) state.consumedBudgetLines.add(budgetKey(fund, 'provincial', province.province.code));
      allocateProvince(state, province, provincialLine);
      state.observer?.provinces?.(index + 1, state.provinces.length);
    });
  },
};

/**
 * A stage-2 step's value names (see StepColumnNames), and which cells they
 * pick when a name came twice. Of a class, so that every province's have one
 * map: stepAt's optimised code met the spread copies of distinctNames' object
 * with another map in the next province, and was thrown away.
 */
class StepColumns {
  constructor(
    readonly names: readonly string[],
    readonly pick: readonly number[] | undefined,
  ) {}
}

/**
 * The value names of a stage-2 step, in the order stepAt writes them: one
 * list for every county with the same multipliers, floors and central split
 * (most counties of a province share one). An object of a class rather than
 * closures made for each province: stepAt's optimised code, which inlines
 * `of`, then calls the same function in every province (a closure of each
 * province's own threw that code away at the next province).
 */
class StepColumnNames {
  private readonly columnsByKind = new Map<string, StepColumns>();
  /** The kind of a county with one floor of an earlier rule and no multiplier, by that rule and central split. */
  private readonly oneFloorKinds = [new Map<string, string>(), new Map<string, string>()];

  constructor(
    private readonly factors: readonly { readonly id: string }[],
    private readonly largeRun: boolean,
  ) {}

  of(
    multipliers: readonly { rule: string }[] | undefined,
    ruleFloors: readonly { rule: string }[] | undefined,
    centralSplit: boolean,
  ): StepColumns {
    // Most counties have neither, or (with --previous) one floor: their kind is one of a few texts, not made again for each.
    const kind =
      multipliers === undefined && ruleFloors === undefined
        ? (centralSplit ? PLAIN_KIND_SPLIT : PLAIN_KIND)
        : multipliers === undefined && ruleFloors!.length === 1
          ? this.oneFloorKind(ruleFloors![0]!.rule, centralSplit)
          : `${(multipliers ?? []).map((multiplier) => multiplier.rule).join(',')}|${(ruleFloors ?? []).map((ruleFloor) => ruleFloor.rule).join(',')}|${centralSplit}`;
    let columns = this.columnsByKind.get(kind);
    if (columns === undefined) {
      const names: string[] = [];
      for (const factor of this.factors) names.push(`${factor.id}.value`, `${factor.id}.share`, `${factor.id}.weight`);
      names.push('base_score', 'focus_flags', 'focus_multiplier');
      for (const multiplier of multipliers ?? []) names.push(`${multiplier.rule}.multiplier`);
      names.push('score', 'pool', 'floor');
      for (const ruleFloor of ruleFloors ?? []) names.push(`${ruleFloor.rule}.floor`);
      names.push('cap', 'binding');
      if (!this.largeRun) names.push('exact_amount');
      names.push('exact_yuan', 'rounding_fen', 'amount', 'share_of_pool');
      if (centralSplit) names.push('central_exact_yuan', 'central_rounding_fen');
      names.push('central_part', 'provincial_part');
      const distinct = distinctNames(names);
      columns = new StepColumns(distinct.names, distinct.pick);
      this.columnsByKind.set(kind, columns);
    }
    return columns;
  }

  private oneFloorKind(rule: string, centralSplit: boolean): string {
    const kinds = this.oneFloorKinds[centralSplit ? 1 : 0]!;
    let kind = kinds.get(rule);
    if (kind === undefined) {
      kind = `|${rule}|${centralSplit}`;
      kinds.set(rule, kind);
    }
    return kind;
  }
}
