/**
 * counties.csv (CONTRACT section 2) into typed counties, with every problem
 * collected. Codes stay strings. Rural population may be given directly, or
 * derived from the incidence as poor / incidence (kept exact, not rounded to
 * whole persons), or both (then they must agree to the precision given).
 */
import { cellOf, mapHeader, type ColumnSpec } from './columns.js';
import {
  parseDecimal,
  parseMoney,
  parseRatioOrPercent,
  parseWholeNumber,
  parseYear,
  parseYesNo,
  type Parsed,
} from './grammar.js';
import { ZERO, type Dec, type Fen } from './money.js';
import type { Problem } from './problems.js';
import { normaliseAreaName, type Province, type Reference } from './reference.js';
import type { Table } from './table.js';

export const ASSESSMENT_GRADES = ['excellent', 'good', 'fair', 'poor', 'failed'] as const;
export type AssessmentGrade = (typeof ASSESSMENT_GRADES)[number];
const ASSESSMENT_ZH: Record<string, AssessmentGrade> = { 好: 'excellent', 较好: 'good', 一般: 'fair', 较差: 'poor', 未完成: 'failed' };

export const COUNTY_COLUMNS: readonly ColumnSpec[] = [
  { name: 'county_code', aliases: ['县代码'] },
  { name: 'county_name', aliases: ['县名'] },
  { name: 'province_code', aliases: ['省代码'] },
  { name: 'poor_population', aliases: ['贫困人口'] },
  { name: 'rural_population', aliases: ['农村人口'] },
  { name: 'incidence', aliases: ['贫困发生率'] },
  { name: 'prefecture', aliases: ['地市'] },
  { name: 'poverty_county', aliases: ['贫困县'] },
  { name: 'key_county', aliases: ['重点县'] },
  { name: 'contiguous_area', aliases: ['连片特困地区'] },
  { name: 'rural_income_per_capita', aliases: ['农民人均收入'] },
  { name: 'fiscal_revenue_per_capita', aliases: ['人均财政收入'] },
  { name: 'old_revolutionary_base', aliases: ['革命老区'] },
  { name: 'ethnic_minority_area', aliases: ['民族地区'] },
  { name: 'border_area', aliases: ['边境地区'] },
  { name: 'assessment', aliases: ['考核结果'] },
  { name: 'exit_year', aliases: ['摘帽年份'] },
  { name: 'relocation_population', aliases: ['易地搬迁人口'] },
  { name: 'remitted_central', aliases: ['上解中央'] },
  { name: 'remitted_provincial', aliases: ['上解省级'] },
  { name: 'remitted_prefecture', aliases: ['上解地市'] },
];

/** Columns whose values are decimal figures a factor may read. */
const POSITIVE_DECIMAL_COLUMNS = new Set(['rural_income_per_capita', 'fiscal_revenue_per_capita']);
/** Figures read by their own rules above, never as generic factor columns. */
const BUILT_IN_FIGURES = new Set(['poor_population', 'rural_population', 'relocation_population']);
const MONEY_COLUMNS = ['remitted_central', 'remitted_provincial', 'remitted_prefecture'] as const;
export type RemittedColumn = (typeof MONEY_COLUMNS)[number];

export interface County {
  readonly code: string;
  readonly name: string;
  readonly province: Province;
  readonly prefecture: string;
  readonly poorPopulation: Dec;
  readonly ruralPopulation: Dec;
  /** True when rural population was derived from the incidence column. */
  readonly ruralPopulationDerived: boolean;
  readonly povertyCounty: boolean;
  readonly keyCounty: boolean;
  /** Canonical Chinese name of the contiguous area, or ''. */
  readonly contiguousArea: string;
  readonly oldRevolutionaryBase: boolean;
  readonly ethnicMinorityArea: boolean;
  readonly borderArea: boolean;
  readonly assessment: AssessmentGrade | undefined;
  readonly exitYear: string;
  readonly relocationPopulation: Dec | undefined;
  /** Remitted revenue per level, in fen; absent when the column is absent. */
  readonly remitted: Partial<Record<RemittedColumn, Fen>>;
  /** Every numeric column a factor may read, by canonical name. */
  readonly figures: ReadonlyMap<string, Dec>;
  /** Line in counties.csv. */
  readonly line: number;
}

export interface CountyTable {
  /** Sorted by code. */
  readonly counties: readonly County[];
  readonly columns: ReadonlySet<string>;
  readonly skippedBlankRows: number;
  readonly warnings: readonly Problem[];
}

/**
 * Reads the county table. `factorColumns` are the columns the policy's factors
 * read: they are required, and read as decimals > 0 unless built in.
 */
export function readCounties(
  table: Table,
  reference: Reference,
  factorColumns: readonly string[],
): { result?: CountyTable; problems: Problem[] } {
  const file = table.file;
  const { header, problems } = mapHeader(table, COUNTY_COLUMNS);
  const warnings: Problem[] = [];
  const has = (column: string): boolean => header.index.has(column);

  for (const required of ['county_code', 'county_name', 'poor_population']) {
    if (!has(required)) problems.push({ file, line: table.headerLine, column: required, message: `required column ${required} is missing` });
  }
  if (!has('rural_population') && !has('incidence')) {
    problems.push({ file, line: table.headerLine, column: 'rural_population', message: 'either rural_population or incidence is required' });
  }
  const derivable = new Set(['rural_population']);
  for (const column of factorColumns) {
    if (!has(column) && !(derivable.has(column) && has('incidence'))) {
      problems.push({ file, line: table.headerLine, column, message: `column ${column} is missing: the policy's factors use it` });
    }
  }
  const factorSet = new Set(factorColumns);
  for (const column of header.unknown) {
    if (!factorSet.has(column.name)) {
      warnings.push({ file, line: table.headerLine, column: column.name, message: 'unknown column ignored' });
    }
  }
  if (problems.length > 0) return { problems };

  const counties: County[] = [];
  const firstLineOfCode = new Map<string, number>();
  // A village table uses 12-digit statistical codes (the first six are the county's); one length per file.
  let codeLength: { length: number; line: number } | undefined;
  const areaNames = reference.areas.map((area) => area.nameZh).join(', ');

  for (const row of table.rows) {
    const line = row.line;
    let rowOk = true;
    const report = (column: string, value: string, expected: string): void => {
      problems.push({ file, line, column, message: `${JSON.stringify(value)} is not ${expected}` });
      rowOk = false;
    };
    const take = <T>(column: string, parser: (text: string) => Parsed<T>): T | undefined => {
      const text = cellOf(header, row, column);
      if (text === undefined) return undefined;
      const parsed = parser(text);
      if (!parsed.ok) {
        report(column, text, parsed.expected);
        return undefined;
      }
      return parsed.value;
    };
    const requireCell = (column: string): string | undefined => {
      const text = cellOf(header, row, column);
      if (text === undefined) return undefined;
      if (text === '') {
        problems.push({ file, line, column, message: 'is empty but required' });
        rowOk = false;
        return undefined;
      }
      return text;
    };

    const code = requireCell('county_code') ?? '';
    let province: Province | undefined;
    if (code !== '') {
      if (!/^(\d{6}|\d{12})$/.test(code)) {
        report('county_code', code, 'a 6-digit administrative code or a 12-digit village code (digits only, e.g. 522701)');
      } else if (codeLength !== undefined && code.length !== codeLength.length) {
        problems.push({
          file,
          line,
          column: 'county_code',
          message: `"${code}" has ${code.length} digits but line ${codeLength.line} has ${codeLength.length}: a table uses one code length (6-digit counties or 12-digit villages)`,
        });
        rowOk = false;
      } else {
        codeLength ??= { length: code.length, line };
        province = reference.provinces.get(code.slice(0, 2));
        if (!province) {
          problems.push({ file, line, column: 'county_code', message: `"${code}" starts with ${code.slice(0, 2)}, which is not a province code` });
          rowOk = false;
        }
        const earlier = firstLineOfCode.get(code);
        if (earlier !== undefined) {
          problems.push({ file, line, column: 'county_code', message: `"${code}" appears twice (also on line ${earlier})` });
          rowOk = false;
        } else {
          firstLineOfCode.set(code, line);
        }
      }
    }
    const name = requireCell('county_name') ?? '';
    const provinceCode = cellOf(header, row, 'province_code');
    if (provinceCode !== undefined && provinceCode !== '' && province && provinceCode !== province.code) {
      problems.push({ file, line, column: 'province_code', message: `"${provinceCode}" does not match the county code ${code} (province ${province.code})` });
      rowOk = false;
    }

    const poorText = requireCell('poor_population');
    const poor = poorText === undefined ? undefined : take('poor_population', parseWholeNumber);
    const ruralText = cellOf(header, row, 'rural_population');
    const incidenceText = cellOf(header, row, 'incidence');
    let rural: Dec | undefined;
    let ruralDerived = false;
    if (ruralText !== undefined && ruralText !== '') {
      rural = take('rural_population', parseWholeNumber);
      if (rural && rural.isZero()) {
        report('rural_population', ruralText, 'a whole number greater than 0');
        rural = undefined;
      }
    }
    let incidence: { value: Dec; halfUnit: Dec } | undefined;
    if (incidenceText !== undefined && incidenceText !== '') incidence = take('incidence', parseRatioOrPercent);
    if ((ruralText === undefined || ruralText === '') && (incidenceText === undefined || incidenceText === '')) {
      problems.push({ file, line, column: has('rural_population') ? 'rural_population' : 'incidence', message: 'is empty: rural_population or incidence is required' });
      rowOk = false;
    }
    if (poor && rural && poor.greaterThan(rural)) {
      problems.push({ file, line, column: 'poor_population', message: `poor_population ${poor.toFixed()} is greater than rural_population ${rural.toFixed()}` });
      rowOk = false;
    }
    if (poor && incidence) {
      if (rural) {
        const actual = poor.div(rural);
        if (actual.minus(incidence.value).abs().greaterThan(incidence.halfUnit)) {
          problems.push({
            file,
            line,
            column: 'incidence',
            message: `"${incidenceText}" does not agree with poor_population / rural_population = ${poor.toFixed()} / ${rural.toFixed()} = ${actual.toFixed(6)}`,
          });
          rowOk = false;
        }
      } else if (ruralText === undefined || ruralText === '') {
        if (incidence.value.isZero()) {
          problems.push({ file, line, column: 'incidence', message: `"${incidenceText}" is 0, so rural population cannot be derived from it: give rural_population` });
          rowOk = false;
        } else {
          rural = poor.div(incidence.value);
          ruralDerived = true;
        }
      }
    }

    const povertyCounty = take('poverty_county', parseYesNo) ?? false;
    const keyCounty = take('key_county', parseYesNo) ?? false;
    const oldRevolutionaryBase = take('old_revolutionary_base', parseYesNo) ?? false;
    const ethnicMinorityArea = take('ethnic_minority_area', parseYesNo) ?? false;
    const borderArea = take('border_area', parseYesNo) ?? false;

    let contiguousArea = '';
    const areaText = cellOf(header, row, 'contiguous_area') ?? '';
    if (areaText !== '') {
      const area = reference.areaBySpelling.get(normaliseAreaName(areaText));
      if (area) contiguousArea = area.nameZh;
      else report('contiguous_area', areaText, `one of the 14 contiguous areas (${areaNames}) or empty`);
    }

    let assessment: AssessmentGrade | undefined;
    const assessmentText = cellOf(header, row, 'assessment') ?? '';
    if (assessmentText !== '') {
      const lowered = assessmentText.toLowerCase();
      assessment = (ASSESSMENT_GRADES as readonly string[]).includes(lowered) ? (lowered as AssessmentGrade) : ASSESSMENT_ZH[assessmentText];
      if (!assessment) report('assessment', assessmentText, 'one of excellent, good, fair, poor, failed (好, 较好, 一般, 较差, 未完成) or empty');
    }
    const exitYearText = cellOf(header, row, 'exit_year') ?? '';
    const exitYear = exitYearText === '' ? '' : (take('exit_year', parseYear) ?? '');
    const relocationText = cellOf(header, row, 'relocation_population');
    const relocationPopulation =
      relocationText === undefined ? undefined : relocationText === '' ? ZERO : take('relocation_population', parseWholeNumber);

    const remitted: Partial<Record<RemittedColumn, Fen>> = {};
    for (const column of MONEY_COLUMNS) {
      const text = cellOf(header, row, column);
      if (text === undefined) continue;
      remitted[column] = text === '' ? 0n : take(column, parseMoney);
    }

    const figures = new Map<string, Dec>();
    if (poor) figures.set('poor_population', poor);
    if (rural) figures.set('rural_population', rural);
    if (relocationPopulation) figures.set('relocation_population', relocationPopulation);
    for (const column of new Set([...POSITIVE_DECIMAL_COLUMNS, ...factorColumns])) {
      if (BUILT_IN_FIGURES.has(column)) continue;
      const text = cellOf(header, row, column);
      if (text === undefined) continue;
      if (text === '') {
        if (factorSet.has(column)) {
          problems.push({ file, line, column, message: 'is empty but the policy\'s factors use it' });
          rowOk = false;
        }
        continue;
      }
      const value = take(column, parseDecimal);
      if (value === undefined) continue;
      if (POSITIVE_DECIMAL_COLUMNS.has(column) && value.isZero()) {
        report(column, text, 'a decimal greater than 0');
        continue;
      }
      figures.set(column, value);
    }

    if (!rowOk || !province || !poor || !rural) continue;
    counties.push({
      code,
      name,
      province,
      prefecture: cellOf(header, row, 'prefecture') ?? '',
      poorPopulation: poor,
      ruralPopulation: rural,
      ruralPopulationDerived: ruralDerived,
      povertyCounty,
      keyCounty,
      contiguousArea,
      oldRevolutionaryBase,
      ethnicMinorityArea,
      borderArea,
      assessment,
      exitYear,
      relocationPopulation,
      remitted,
      figures,
      line,
    });
  }
  if (table.rows.length === 0) problems.push({ file, line: 0, message: 'the table has a header but no counties' });
  if (problems.length > 0) return { problems };
  counties.sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  return {
    problems: [],
    result: { counties, columns: new Set(header.index.keys()), skippedBlankRows: table.skippedBlankRows, warnings },
  };
}
