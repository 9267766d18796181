/**
 * Rule `matching_waiver`, clause IV.2. Needs `--projects`.
 *
 * Seed: "For public welfare construction projects arranged by the state in
 * poverty-stricken areas, the matching funds at and below the county level
 * and in contiguous poverty-stricken areas in the west will be cancelled."
 * (取消县级和西部连片特困地区地市级配套资金.) A project's cost is split by level
 * by the policy's standard shares (central 0.60, provincial 0.20, prefecture
 * 0.10, county 0.10) or by the row's own share_* columns. For a project that
 * is both public-welfare and state-arranged, in an eligible county, the county
 * share is waived; when the county is also in a contiguous area of a region
 * the policy lists (default: the west) the prefecture share is waived too. The
 * waived money is absorbed by the higher levels by the policy's absorption
 * shares (default: the province pays all of it). Both splits go through the
 * pot primitive, so each project's final amounts add up exactly to its cost.
 *
 * Example (defaults): a 1,000,000.01 yuan state-arranged public-welfare
 * project in a western contiguous-area county: standard 600,000.01 /
 * 200,000.00 / 100,000.00 / 100,000.00 (exactly 600,000.006 / 200,000.002 /
 * 100,000.001 / 100,000.001: the odd fen goes to the largest remainder); county
 * and prefecture shares waived (200,000.00), absorbed by the province: final
 * 600,000.01 / 400,000.00 / 0.00 / 0.00. The same project in an eastern key
 * county outside the areas: only the county share is waived: 600,000.01 /
 * 300,000.00 / 100,000.00 / 0.00.
 */
import { formatYuan, ZERO, type Dec, type Fen } from '../money.js';
import { ABSORBING_LEVELS, type AbsorbingLevel } from '../policy.js';
import { allocatePot } from '../pot.js';
import { invariant } from '../problems.js';
import type { Project } from '../projects.js';
import { declareColumn, PAYING_LEVELS, type CountyState, type PayingLevel, type ProjectResult, type RunState, tracing } from '../state.js';
import { skipRule, type Rule } from './rule.js';

const RULE = 'matching_waiver';
const CLAUSE = 'IV.2';

/** Province-row columns: the final project cost per level, the total and the waived money. */
export const PROJECT_COST = 'project_cost';
export function projectLevelColumn(level: PayingLevel): string {
  return `project_${level}`;
}
export const PROJECT_WAIVED = 'project_waived';

/** Splits `amount` by level shares through the pot primitive: the parts add up to it exactly. */
function splitByShares<L extends string>(amount: Fen, levels: readonly L[], shares: ReadonlyMap<L, Dec>): Map<L, Fen> {
  const pot = allocatePot(amount, levels.map((level) => ({ id: level, weight: shares.get(level) ?? ZERO })));
  invariant(pot.unallocated === 0n, 'a level split left money over');
  return new Map(levels.map((level, index) => [level, pot.parts[index]!.amount]));
}

/** The waiver that applies to a project, and why. */
function waiverFor(state: RunState, project: Project, countyState: CountyState): { county: boolean; prefecture: boolean; reason: string } {
  const policy = state.inputs.policy;
  const county = countyState.county;
  const missing: string[] = [];
  if (!project.publicWelfare) missing.push('not a public-welfare project');
  if (!project.stateArranged) missing.push('not arranged by the state');
  if (!countyState.eligible) missing.push(`county ${county.code} is not an eligible (poverty) county`);
  if (!policy.waiveCountyShare) missing.push('the policy does not waive the county share');
  if (missing.length > 0) return { county: false, prefecture: false, reason: `no waiver: ${missing.join('; ')}` };
  const region = county.province.region;
  const prefecture = county.contiguousArea !== '' && policy.waivePrefectureShareIn.has(region);
  const reason = prefecture
    ? `state-arranged public-welfare project in ${county.contiguousArea}, a contiguous area in the ${region}: county and prefecture shares waived`
    : `state-arranged public-welfare project in an eligible county: county share waived${county.contiguousArea === '' ? '' : ` (the prefecture share is waived only in contiguous areas of: ${[...policy.waivePrefectureShareIn].join(', ') || 'no region'})`}`;
  return { county: true, prefecture, reason };
}

function applyToProject(state: RunState, project: Project): ProjectResult {
  const policy = state.inputs.policy;
  const countyState = state.countyByCode.get(project.countyCode);
  invariant(countyState !== undefined, `project ${project.id} names county ${project.countyCode}, which the project reader should have refused`);
  const shares = project.shares ?? policy.matchingStandardShares;
  const standard = splitByShares(project.totalCost, PAYING_LEVELS, shares);
  const waiver = waiverFor(state, project, countyState);
  const waivedCounty = waiver.county ? standard.get('county')! : 0n;
  const waivedPrefecture = waiver.prefecture ? standard.get('prefecture')! : 0n;
  const absorbed = splitByShares<AbsorbingLevel>(waivedCounty + waivedPrefecture, ABSORBING_LEVELS, policy.absorbedBy);
  const final = new Map<PayingLevel, Fen>();
  for (const level of PAYING_LEVELS) {
    let amount = standard.get(level)!;
    if (level === 'county') amount -= waivedCounty;
    if (level === 'prefecture') amount -= waivedPrefecture;
    if (level === 'central' || level === 'provincial') amount += absorbed.get(level)!;
    final.set(level, amount);
  }
  const finalTotal = [...final.values()].reduce((sum, value) => sum + value, 0n);
  invariant(finalTotal === project.totalCost, `project ${project.id}: the final amounts add up to ${finalTotal} fen, not its cost ${project.totalCost}`);
  return {
    projectId: project.id,
    countyCode: project.countyCode,
    name: project.name,
    publicWelfare: project.publicWelfare,
    stateArranged: project.stateArranged,
    totalCost: project.totalCost,
    sharesFrom: project.shares ? 'row' : 'policy',
    shares,
    standard,
    waivedCounty,
    waivedPrefecture,
    absorbed,
    final,
    waiver: waiver.prefecture ? 'county_prefecture_waived' : waiver.county ? 'county_waived' : 'none',
    reason: waiver.reason,
  };
}

export const matchingWaiver: Rule = {
  id: RULE,
  clause: CLAUSE,
  title: 'Matching-fund waiver',
  seed: 'For public welfare construction projects arranged by the state in poverty-stricken areas, the matching funds at and below the county level and in contiguous poverty-stricken areas in the west will be cancelled.',
  apply(state) {
    const projects = state.inputs.projects;
    if (!projects) {
      skipRule(state, matchingWaiver, 'no --projects file was given');
      return;
    }
    declareColumn(state, { name: PROJECT_COST, rule: RULE, fund: 'projects', kind: 'memo', fromBudget: false, inTotal: false, shownIn: 'provinces' });
    for (const level of PAYING_LEVELS) {
      declareColumn(state, { name: projectLevelColumn(level), rule: RULE, fund: 'projects', kind: 'project', payingLevel: level, fromBudget: false, inTotal: false, shownIn: 'provinces' });
    }
    declareColumn(state, { name: PROJECT_WAIVED, rule: RULE, fund: 'projects', kind: 'memo', fromBudget: false, inTotal: false, shownIn: 'provinces' });
    for (const countyState of state.counties) {
      for (const column of [PROJECT_COST, PROJECT_WAIVED, ...PAYING_LEVELS.map(projectLevelColumn)]) countyState.amounts.set(column, 0n);
    }

    for (const project of projects.projects) {
      const result = applyToProject(state, project);
      state.projects.push(result);
      const countyState = state.countyByCode.get(project.countyCode)!;
      const add = (column: string, amount: Fen): void => {
        countyState.amounts.set(column, (countyState.amounts.get(column) ?? 0n) + amount);
      };
      add(PROJECT_COST, result.totalCost);
      add(PROJECT_WAIVED, result.waivedCounty + result.waivedPrefecture);
      for (const level of PAYING_LEVELS) add(projectLevelColumn(level), result.final.get(level)!);

      const values: Record<string, string> = {
        project_id: result.projectId,
        total_cost: formatYuan(result.totalCost),
        shares_from: result.sharesFrom,
      };
      for (const level of PAYING_LEVELS) {
        values[`share_${level}`] = (result.shares.get(level) ?? ZERO).toFixed();
        values[`standard_${level}`] = formatYuan(result.standard.get(level)!);
      }
      values['waived_county'] = formatYuan(result.waivedCounty);
      values['waived_prefecture'] = formatYuan(result.waivedPrefecture);
      for (const level of ABSORBING_LEVELS) {
        values[`absorption_share_${level}`] = (state.inputs.policy.absorbedBy.get(level) ?? ZERO).toFixed();
        values[`absorbed_${level}`] = formatYuan(result.absorbed.get(level)!);
      }
      for (const level of PAYING_LEVELS) values[`final_${level}`] = formatYuan(result.final.get(level)!);
      values['waiver'] = result.waiver;
      if (tracing(state)) state.steps.push({
        type: 'rule_applied',
        rule: RULE,
        clause: CLAUSE,
        subject: result.countyCode,
        label: `project ${result.projectId}: ${result.reason}`,
        values,
      });
    }
  },
};

