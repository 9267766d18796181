/**
 * Human labels for what the run folder holds: column headers, coded values
 * (true/false, regions, bindings, severities), rule and check names, check
 * messages, province and area names, in the report's language. Ids and clause
 * ids are never translated; unknown names fall back to the raw text.
 */
import { groupThousands } from '../core/money.js';
import { normaliseAreaName, type Reference } from '../core/reference.js';
import { messageOr, type Lang } from './messages.js';

export function columnLabel(lang: Lang, column: string): string {
  return messageOr(lang, `col.${column}`, column);
}

const YES_NO_COLUMNS = new Set(['eligible', 'poverty_county', 'key_county', 'priority_province', 'public_welfare', 'state_arranged', 'old_revolutionary_base', 'ethnic_minority_area', 'border_area']);

/** The value of a cell as a person reads it: `true` -> 是/yes, `west` -> 西部, ... */
export function valueLabel(lang: Lang, column: string, value: string, reference?: Reference): string {
  if (value === '') return '';
  const label = valueLabeller(lang, column, reference);
  return label === undefined ? value : label(value);
}

/** Message keys of coded values, by column: `west` in `region` is `region.west`; a check's name is its title. */
const VALUE_KEYS: Readonly<Record<string, (value: string) => string>> = {
  region: (value) => `region.${value}`,
  binding: (value) => `binding.${value}`,
  severity: (value) => `severity.${value}`,
  scope: (value) => `scope.${value}`,
  rule: (value) => `rule.${value}`,
  check: (value) => `check.${value}.title`,
  band: (value) => `band.${value}`,
  dimension: (value) => `dimension.${value}`,
  metric: (value) => `metric.${value}`,
};

/**
 * valueLabel of a column's values, as a function of the value (not '');
 * undefined when the column's values are shown as they are. A table's
 * column is looked at once, not for each of its cells.
 */
export function valueLabeller(lang: Lang, column: string, reference?: Reference): ((value: string) => string) | undefined {
  if (YES_NO_COLUMNS.has(column)) return (value) => (value === 'true' || value === 'false' ? messageOr(lang, `value.${value}`, value) : value);
  const key = Object.prototype.hasOwnProperty.call(VALUE_KEYS, column) ? VALUE_KEYS[column] : undefined;
  if (key !== undefined) return (value) => messageOr(lang, key(value), value);
  if (column === 'contiguous_area' && reference) return (value) => areaName(lang, value, reference);
  return undefined;
}

export function ruleName(lang: Lang, ruleId: string): string {
  return messageOr(lang, `rule.${ruleId}`, ruleId);
}

export function fundName(lang: Lang, fund: string): string {
  return messageOr(lang, `fund.${fund}`, fund);
}

export function levelName(lang: Lang, level: string): string {
  return level === '' ? messageOr(lang, 'level.all', 'all levels') : messageOr(lang, `level.${level}`, level);
}

/** `poor_population=5362118; incidence=0.146936` with the column names translated. */
export function translateFigures(lang: Lang, text: string): string {
  if (lang === 'en') return text;
  return text.replace(/\b([a-z][a-z0-9_]*)(?=\s*(?:=|>=|<=|>|<))/g, (name: string) => columnLabel(lang, name)).replace(/; /g, '；');
}

/**
 * A check's message in the report's language. English shows the message as
 * the engine wrote it; Chinese builds it from the check's value and threshold
 * when the check is known, and keeps the original otherwise.
 */
export function checkMessage(lang: Lang, row: Readonly<Record<string, string>>): string {
  const original = row['message'] ?? '';
  const key = `check.${row['check'] ?? ''}.message`;
  if (lang === 'en' && original !== '') return original;
  const figure = (text: string): string => (/^\d+\.\d{2}$/.test(text) ? groupThousands(text) : translateFigures(lang, text));
  return messageOr(lang, key, original, {
    value: figure(row['value'] ?? ''),
    threshold: figure(row['threshold'] ?? ''),
    name: row['name'] ?? '',
    code: row['code'] ?? '',
  });
}

export function provinceName(lang: Lang, code: string, nameZh: string, reference: Reference): string {
  if (lang === 'zh') return nameZh;
  return reference.provinces.get(code)?.nameEn ?? nameZh;
}

/** Short province name for chart labels (贵州, Guizhou). */
export function provinceShortName(lang: Lang, code: string, nameZh: string, reference: Reference): string {
  const province = reference.provinces.get(code);
  if (!province) return nameZh;
  return lang === 'zh' ? province.nameShort : province.nameEn;
}

export function areaName(lang: Lang, name: string, reference: Reference): string {
  if (name === '') return '';
  const area = reference.areaBySpelling.get(normaliseAreaName(name));
  if (!area) return name;
  return lang === 'zh' ? area.nameZh : area.nameEn;
}
