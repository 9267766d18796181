/**
 * projects.csv (CONTRACT section 4): the construction projects whose cost is
 * shared by level, for rule matching_waiver. Every problem is collected: a
 * missing column, an empty or duplicate id, a county not in counties.csv (a
 * village of a village table: its projects name their village), a
 * cost that is not a positive amount, shares that are not all given or do not
 * add up to exactly 1.
 */
import { cellOf, mapHeader, type ColumnSpec } from './columns.js';
import { isUnitCode, parseDecimal, parseMoney, parseYesNo } from './grammar.js';
import { ONE, sumDecimals, type Dec, type Fen } from './money.js';
import type { Problem } from './problems.js';
import { PAYING_LEVELS, type PayingLevel } from './state.js';
import type { Table } from './table.js';

export const SHARE_COLUMNS: Readonly<Record<PayingLevel, string>> = {
  central: 'share_central',
  provincial: 'share_provincial',
  prefecture: 'share_prefecture',
  county: 'share_county',
};

export const PROJECT_COLUMNS: readonly ColumnSpec[] = [
  { name: 'project_id', aliases: ['项目编号'] },
  { name: 'county_code', aliases: ['县代码'] },
  { name: 'name', aliases: ['项目名称'] },
  { name: 'public_welfare', aliases: ['公益性'] },
  { name: 'state_arranged', aliases: ['国家安排'] },
  { name: 'total_cost', aliases: ['总投资'] },
  { name: 'share_central', aliases: ['中央分担比例'] },
  { name: 'share_provincial', aliases: ['省级分担比例'] },
  { name: 'share_prefecture', aliases: ['地市分担比例'] },
  { name: 'share_county', aliases: ['县级分担比例'] },
];

export interface Project {
  readonly id: string;
  readonly countyCode: string;
  readonly name: string;
  readonly publicWelfare: boolean;
  readonly stateArranged: boolean;
  readonly totalCost: Fen;
  /** The row's own cost shares by level, when it gives them (they add up to exactly 1). */
  readonly shares: ReadonlyMap<PayingLevel, Dec> | undefined;
  readonly line: number;
}

export interface ProjectTable {
  /** Sorted by project id (plain code-unit order). */
  readonly projects: readonly Project[];
  readonly skippedBlankRows: number;
  readonly warnings: readonly Problem[];
}

/**
 * Reads the project table. `countyCodes` are the codes of counties.csv; when
 * undefined (the county table itself is broken) county codes are only checked
 * for their form.
 */
export function readProjects(table: Table, countyCodes: ReadonlySet<string> | undefined): { result?: ProjectTable; problems: Problem[] } {
  const file = table.file;
  const { header, problems } = mapHeader(table, PROJECT_COLUMNS);
  const warnings: Problem[] = [];
  const has = (column: string): boolean => header.index.has(column);
  for (const required of ['project_id', 'county_code', 'public_welfare', 'state_arranged', 'total_cost']) {
    if (!has(required)) problems.push({ file, line: table.headerLine, column: required, message: `required column ${required} is missing` });
  }
  const shareColumnsPresent = PAYING_LEVELS.filter((level) => has(SHARE_COLUMNS[level]));
  if (shareColumnsPresent.length > 0 && shareColumnsPresent.length < PAYING_LEVELS.length) {
    const missing = PAYING_LEVELS.filter((level) => !has(SHARE_COLUMNS[level])).map((level) => SHARE_COLUMNS[level]);
    problems.push({ file, line: table.headerLine, column: missing.join(', '), message: 'the share columns come as a set of four (share_central, share_provincial, share_prefecture, share_county): add the missing ones or remove the others' });
  }
  for (const column of header.unknown) warnings.push({ file, line: table.headerLine, column: column.name, message: 'unknown column ignored' });
  if (problems.length > 0) return { problems };

  const projects: Project[] = [];
  const firstLineOfId = new Map<string, number>();
  // A village table's projects name their village: the codes are the county table's, of its one length.
  const tableCodeLength = countyCodes === undefined ? undefined : (countyCodes.values().next().value as string | undefined)?.length;
  for (const row of table.rows) {
    const line = row.line;
    const before = problems.length;
    const cell = (column: string): string => cellOf(header, row, column) ?? '';

    const id = cell('project_id');
    if (id === '') problems.push({ file, line, column: 'project_id', message: 'is empty but required' });
    else {
      const earlier = firstLineOfId.get(id);
      if (earlier !== undefined) problems.push({ file, line, column: 'project_id', message: `"${id}" appears twice (also on line ${earlier})` });
      else firstLineOfId.set(id, line);
    }

    const countyCode = cell('county_code');
    if (countyCode === '') problems.push({ file, line, column: 'county_code', message: 'is empty but required' });
    else if (!isUnitCode(countyCode)) {
      problems.push({ file, line, column: 'county_code', message: `"${countyCode}" is not a 6-digit administrative code or a 12-digit village code (digits only, e.g. 522701)` });
    } else if (tableCodeLength !== undefined && countyCode.length !== tableCodeLength) {
      problems.push({
        file,
        line,
        column: 'county_code',
        message: `"${countyCode}" has ${countyCode.length} digits, but the county table's codes have ${tableCodeLength}: give each project's ${tableCodeLength === 12 ? 'village (12 digits)' : 'county (6 digits)'}`,
      });
    } else if (countyCodes && !countyCodes.has(countyCode)) {
      problems.push({ file, line, column: 'county_code', message: `"${countyCode}" is not a county of the county table` });
    }

    const yesNo = (column: string): boolean => {
      const text = cell(column);
      const parsed = parseYesNo(text);
      if (!parsed.ok) {
        problems.push({ file, line, column, message: `${JSON.stringify(text)} is not ${parsed.expected}` });
        return false;
      }
      return parsed.value;
    };
    const publicWelfare = yesNo('public_welfare');
    const stateArranged = yesNo('state_arranged');

    const costText = cell('total_cost');
    let totalCost: Fen = 0n;
    if (costText === '') problems.push({ file, line, column: 'total_cost', message: 'is empty but required' });
    else {
      const parsed = parseMoney(costText);
      if (!parsed.ok) problems.push({ file, line, column: 'total_cost', message: `${JSON.stringify(costText)} is not ${parsed.expected}` });
      else if (parsed.value === 0n) problems.push({ file, line, column: 'total_cost', message: `"${costText}" is not an amount greater than 0` });
      else totalCost = parsed.value;
    }

    let shares: Map<PayingLevel, Dec> | undefined;
    if (shareColumnsPresent.length === PAYING_LEVELS.length) {
      const texts = PAYING_LEVELS.map((level) => cell(SHARE_COLUMNS[level]));
      const given = texts.filter((text) => text !== '').length;
      if (given > 0 && given < PAYING_LEVELS.length) {
        const empty = PAYING_LEVELS.filter((_, index) => texts[index] === '').map((level) => SHARE_COLUMNS[level]);
        problems.push({ file, line, column: empty.join(', '), message: 'is empty: give all four shares or none (then the policy\'s standard shares apply)' });
      } else if (given === PAYING_LEVELS.length) {
        shares = new Map();
        let sharesOk = true;
        PAYING_LEVELS.forEach((level, index) => {
          const column = SHARE_COLUMNS[level];
          const text = texts[index]!;
          const parsed = parseDecimal(text);
          if (!parsed.ok) {
            problems.push({ file, line, column, message: `${JSON.stringify(text)} is not ${parsed.expected}` });
            sharesOk = false;
          } else if (parsed.value.greaterThan(ONE)) {
            problems.push({ file, line, column, message: `"${text}" is not a share between 0 and 1` });
            sharesOk = false;
          } else shares!.set(level, parsed.value);
        });
        if (sharesOk) {
          const total = sumDecimals(shares.values());
          if (!total.equals(ONE)) {
            problems.push({ file, line, column: 'share_central', message: `the shares add up to ${total.toFixed()}, not exactly 1 (${texts.join(' + ')})` });
          }
        }
      }
    }

    if (problems.length > before) continue;
    projects.push({ id, countyCode, name: cell('name'), publicWelfare, stateArranged, totalCost, shares, line });
  }
  if (problems.length > 0) return { problems };
  projects.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { problems: [], result: { projects, skippedBlankRows: table.skippedBlankRows, warnings } };
}
