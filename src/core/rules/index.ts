/**
 * The ordered rule list. Adding a rule is adding a file and a line here; a
 * rule may read what the rules above it wrote.
 */
import { eligibility } from './eligibility.js';
import { priorityProvince } from './priority-province.js';
import type { Rule } from './rule.js';
import { specialPovertyCounties } from './special-poverty-counties.js';
import { specialPovertyProvinces } from './special-poverty-provinces.js';

export const RULES: readonly Rule[] = [eligibility, priorityProvince, specialPovertyProvinces, specialPovertyCounties];

export type { Rule } from './rule.js';
