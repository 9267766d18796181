/**
 * The ordered rule list. Adding a rule is adding a file and a line here; a
 * rule may read what the rules above it wrote. `assessment` and
 * `hold_harmless` set score multipliers and floors that stage 2
 * (`special_poverty_counties`) applies; `growth_check` and
 * `provincial_effort` report on stage 1; `asset_income` reads stage 2.
 */
import { assessment } from './assessment.js';
import { assetIncome } from './asset-income.js';
import { eligibility } from './eligibility.js';
import { growthCheck } from './growth-check.js';
import { holdHarmless } from './hold-harmless.js';
import { matchingWaiver } from './matching-waiver.js';
import { priorityProvince } from './priority-province.js';
import { provincialEffort } from './provincial-effort.js';
import { refund } from './refund.js';
import { relocation } from './relocation.js';
import type { Rule } from './rule.js';
import { specialPovertyCounties } from './special-poverty-counties.js';
import { specialPovertyProvinces } from './special-poverty-provinces.js';

export const RULES: readonly Rule[] = [
  eligibility,
  priorityProvince,
  assessment,
  holdHarmless,
  specialPovertyProvinces,
  growthCheck,
  provincialEffort,
  specialPovertyCounties,
  assetIncome,
  relocation,
  refund,
  matchingWaiver,
];

export type { Rule } from './rule.js';
