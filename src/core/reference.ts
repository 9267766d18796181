/**
 * Reference tables: provinces (code, names, region) and the 14 contiguous
 * poverty areas with their accepted spellings. The text is read by src/io;
 * this module only parses it.
 */
import { InternalError } from './problems.js';
import { parseCsvTable } from './table.js';

export type Region = 'east' | 'central' | 'west';

export interface Province {
  readonly code: string;
  readonly nameZh: string;
  readonly nameShort: string;
  readonly nameEn: string;
  readonly region: Region;
}

export interface ContiguousArea {
  readonly id: string;
  readonly nameZh: string;
  readonly namePinyin: string;
  readonly nameEn: string;
}

export interface Reference {
  readonly provinces: ReadonlyMap<string, Province>;
  readonly areas: readonly ContiguousArea[];
  /** Normalised spelling (see `normaliseAreaName`) to area. */
  readonly areaBySpelling: ReadonlyMap<string, ContiguousArea>;
}

/** Lower case, no spaces, hyphens, dots or apostrophes: `Yanshan-Taihang` -> `yanshantaihang`. */
export function normaliseAreaName(name: string): string {
  return name.normalize('NFKC').toLowerCase().replace(/[\s\-‐–—_.'’·()（）]/g, '');
}

function columnsOf(file: string, text: string): Record<string, string>[] {
  const { table, problems } = parseCsvTable(file, text);
  if (!table || problems.length > 0) throw new InternalError(`reference table ${file} cannot be read`);
  return table.rows.map((row) => Object.fromEntries(table.header.map((name, index) => [name, row.cells[index] ?? ''])));
}

export function parseReference(provincesCsv: string, areasCsv: string): Reference {
  const provinces = new Map<string, Province>();
  for (const row of columnsOf('data/provinces.csv', provincesCsv)) {
    const region = row['region'];
    if (region !== 'east' && region !== 'central' && region !== 'west') throw new InternalError(`bad region in provinces.csv: ${region}`);
    const code = row['province_code'] ?? '';
    provinces.set(code, { code, nameZh: row['name_zh'] ?? '', nameShort: row['name_short'] ?? '', nameEn: row['name_en'] ?? '', region });
  }
  const areas: ContiguousArea[] = [];
  const areaBySpelling = new Map<string, ContiguousArea>();
  for (const row of columnsOf('data/contiguous_areas.csv', areasCsv)) {
    const area: ContiguousArea = { id: row['area_id'] ?? '', nameZh: row['name_zh'] ?? '', namePinyin: row['name_pinyin'] ?? '', nameEn: row['name_en'] ?? '' };
    areas.push(area);
    const spellings = [area.id, area.nameZh, area.namePinyin, area.nameEn, ...(row['aliases'] ?? '').split('|')];
    for (const spelling of spellings) {
      const key = normaliseAreaName(spelling);
      if (key !== '') areaBySpelling.set(key, area);
    }
  }
  return { provinces, areas, areaBySpelling };
}
