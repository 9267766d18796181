#!/usr/bin/env node
// Generates povalloc's sample data: data/sample/counties.csv, budget.csv, projects.csv.
//
// REAL columns come from ../shared/data (see data/README.md): the 832 national poverty
// counties (code, name, province, prefecture, exit year) and the 2017 central special fund.
// Every other figure is ILLUSTRATIVE: drawn from a seeded PRNG below. They are not real
// statistics and must not be quoted as such.
//
// Deterministic: a fixed seed, mulberry32 streams, integer/fen arithmetic for money, no
// Math.random, no clock, no transcendental functions (only + - * / and Math.sqrt, which
// IEEE 754 rounds exactly), so every run on every machine writes the same bytes.
//
// Usage (from the project root):  node scripts/generate-sample.mjs [--shared DIR] [--out DIR]
// No dependencies: node: builtins only.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const SEED = 20170612; // date of the 2017 central special fund announcement, used only as a number

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// ---------------------------------------------------------------------------------------
// arguments
function parseArgs(argv) {
  const opts = { shared: path.resolve(projectRoot, '..', 'shared', 'data'), out: path.join(projectRoot, 'data', 'sample') };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if ((a === '--shared' || a === '--out') && i + 1 < argv.length) {
      opts[a.slice(2)] = path.resolve(argv[++i]);
    } else if (a.startsWith('--shared=')) {
      opts.shared = path.resolve(a.slice('--shared='.length));
    } else if (a.startsWith('--out=')) {
      opts.out = path.resolve(a.slice('--out='.length));
    } else if (a === '--help' || a === '-h') {
      process.stdout.write('usage: node scripts/generate-sample.mjs [--shared DIR] [--out DIR]\n');
      process.exit(0);
    } else {
      process.stderr.write(`generate-sample: unknown argument ${JSON.stringify(a)}\n`);
      process.exit(2);
    }
  }
  return opts;
}

// ---------------------------------------------------------------------------------------
// CSV (RFC 4180)
function parseCsv(text, file) {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const rows = [];
  let row = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') { field += '"'; i += 2; continue; }
        quoted = false; i++; continue;
      }
      field += c; i++; continue;
    }
    if (c === '"' && field === '') { quoted = true; i++; continue; }
    if (c === ',') { row.push(field); field = ''; i++; continue; }
    if (c === '\r' && text[i + 1] === '\n') { i++; continue; }
    if (c === '\n') { row.push(field); rows.push(row); row = []; field = ''; i++; continue; }
    field += c; i++;
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  const header = rows.shift();
  return rows.filter((r) => r.length > 1 || r[0] !== '').map((r, n) => {
    if (r.length !== header.length) throw new Error(`${file}:${n + 2}: ${r.length} fields, header has ${header.length}`);
    return Object.fromEntries(header.map((h, k) => [h, r[k]]));
  });
}

function readCsv(dir, name) {
  const file = path.join(dir, name);
  return parseCsv(fs.readFileSync(file, 'utf8'), file);
}

function csvField(v) {
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function csvText(header, rows) {
  return [header, ...rows].map((r) => r.map(csvField).join(',')).join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------
// seeded PRNG: mulberry32, one independent stream per purpose so that changing one column's
// generator does not reshuffle the others.
function mulberry32(a) {
  return function next() {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function fnv1a(s) {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(s, 'utf8')) h = Math.imul(h ^ b, 0x01000193);
  return h >>> 0;
}

function stream(label) {
  const u = mulberry32((SEED ^ fnv1a(label)) >>> 0);
  const rnd = {
    u,
    between: (lo, hi) => lo + (hi - lo) * u(),
    int: (lo, hi) => lo + Math.floor(u() * (hi - lo + 1)), // inclusive
    chance: (p) => u() < p,
    // approximately standard normal (Irwin-Hall of 4 uniforms)
    z: () => (u() + u() + u() + u() - 2) * Math.sqrt(3),
    // positive multiplicative noise around 1, log-symmetric-ish, arithmetic only
    fac: (s) => { const z = rnd.z(); return z >= 0 ? 1 + s * z : 1 / (1 - s * z); },
    shuffle: (arr) => { for (let i = arr.length - 1; i > 0; i--) { const j = Math.floor(u() * (i + 1)); [arr[i], arr[j]] = [arr[j], arr[i]]; } return arr; },
  };
  return rnd;
}

const clamp = (x, lo, hi) => (x < lo ? lo : x > hi ? hi : x);
// like clamp, but a value outside [lo, hi] lands a random bit inside the bound instead of on it,
// so that the bounds do not show up as many identical values
const soft = (x, lo, hi, r) => (x < lo ? lo + (hi - lo) * 0.02 * r.u() : x > hi ? hi - (hi - lo) * 0.05 * r.u() : x);

// money: integer fen -> "1234.56"
function yuan(fen) {
  if (!Number.isSafeInteger(fen) || fen < 0) throw new Error(`bad fen amount ${fen}`);
  return `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
}

// ---------------------------------------------------------------------------------------
// REAL data corrections (documented in data/README.md)
const CODE_FIXES = {
  // 文山市: sheet gives the prefecture code of 文山州; NBS 2016 and 2023 code 532601
  '532600': { name: '文山市', code: '532601' },
  // 临夏市: sheet gives the prefecture code of 临夏州; NBS 2016 and 2023 code 622901
  '622900': { name: '临夏市', code: '622901' },
  // 冷湖行委: sheet gives 630104 (西宁市城西区). Neither division list has 冷湖 (merged into
  // 茫崖市 632803 in 2018, and 632803 is already 茫崖行委's row). 632858 is 冷湖行政委员会's
  // code in NBS statistical division codes before the 2018 merger: NOT verifiable in
  // ../shared/data, see data/README.md.
  '630104': { name: '冷湖行委', code: '632858', prefecture: '海西蒙古族藏族自治州' },
  // 大柴旦行委: 632825 is in neither list; the 2023 NBS list has 大柴旦行政委员会 = 632857
  '632825': { name: '大柴旦行委', code: '632857' },
};
// The sheet's prefecture "[]" marks province-administered county-level units; use the
// division list's own wording.
const DIRECT_PREFECTURE = '省直辖县级行政区划';

// ---------------------------------------------------------------------------------------
// ILLUSTRATIVE contiguous-area membership by geography. No public source lists the exact
// membership; these rules place each county plausibly. First matching rule wins.
const A = {
  LP: '六盘山区', QB: '秦巴山区', WL: '武陵山区', WM: '乌蒙山区', DGQ: '滇桂黔石漠化区', DX: '滇西边境山区',
  DXAL: '大兴安岭南麓山区', YT: '燕山-太行山区', LL: '吕梁山区', DB: '大别山区', LX: '罗霄山区',
  XZ: '西藏区', SSZ: '四省藏区', NJ: '新疆南疆三地州',
};
// [province code, prefecture or '*', county names or null for all, area or '' for none]
const AREA_RULES = [
  // 河北
  ['13', '张家口市', null, A.YT],
  ['13', '承德市', null, A.YT],
  ['13', '保定市', ['阜平县', '涞源县', '易县', '涞水县'], A.YT],
  // 山西
  ['14', '吕梁市', ['中阳县'], ''],
  ['14', '吕梁市', null, A.LL],
  ['14', '临汾市', null, A.LL],
  ['14', '忻州市', ['静乐县', '神池县', '五寨县', '岢岚县'], A.LL],
  ['14', '大同市', null, A.YT],
  ['14', '忻州市', ['五台县', '繁峙县', '代县', '宁武县'], A.YT],
  // 内蒙古
  ['15', '兴安盟', null, A.DXAL],
  ['15', '呼伦贝尔市', null, A.DXAL],
  ['15', '乌兰察布市', ['化德县', '商都县'], A.YT],
  // 吉林, 黑龙江
  ['22', '白城市', null, A.DXAL],
  ['23', '齐齐哈尔市', null, A.DXAL],
  ['23', '绥化市', ['望奎县', '兰西县', '青冈县'], A.DXAL],
  // 安徽
  ['34', '六安市', null, A.DB],
  ['34', '安庆市', null, A.DB],
  ['34', '阜阳市', ['临泉县', '阜南县', '颍上县'], A.DB],
  ['34', '淮南市', null, A.DB],
  // 江西
  ['36', '赣州市', null, A.LX],
  ['36', '吉安市', null, A.LX],
  ['36', '萍乡市', null, A.LX],
  ['36', '抚州市', ['乐安县'], A.LX],
  // 河南
  ['41', '信阳市', null, A.DB],
  ['41', '驻马店市', null, A.DB],
  ['41', '周口市', ['商水县', '沈丘县', '郸城县'], A.DB],
  ['41', '商丘市', ['民权县', '宁陵县'], A.DB],
  ['41', '洛阳市', ['宜阳县'], ''],
  ['41', '洛阳市', null, A.QB],
  ['41', '三门峡市', null, A.QB],
  ['41', '南阳市', ['内乡县', '镇平县', '南召县', '淅川县'], A.QB],
  // 湖北
  ['42', '十堰市', null, A.QB],
  ['42', '襄阳市', null, A.QB],
  ['42', DIRECT_PREFECTURE, ['神农架林区'], A.QB],
  ['42', '恩施土家族苗族自治州', null, A.WL],
  ['42', '宜昌市', null, A.WL],
  ['42', '黄冈市', null, A.DB],
  ['42', '孝感市', null, A.DB],
  // 湖南
  ['43', '株洲市', null, A.LX],
  ['43', '郴州市', null, A.LX],
  ['43', '岳阳市', null, ''],
  ['43', '永州市', null, ''],
  ['43', '*', null, A.WL],
  // 广西
  ['45', '南宁市', null, ''],
  ['45', '桂林市', null, ''],
  ['45', '贺州市', null, ''],
  ['45', '*', null, A.DGQ],
  // 重庆
  ['50', '*', ['城口县', '云阳县', '奉节县', '巫山县', '巫溪县', '开州区', '万州区'], A.QB],
  ['50', '*', null, A.WL],
  // 四川
  ['51', '甘孜藏族自治州', null, A.SSZ],
  ['51', '阿坝藏族羌族自治州', null, A.SSZ],
  ['51', '凉山彝族自治州', ['木里藏族自治县'], A.SSZ],
  ['51', '凉山彝族自治州', ['盐源县'], ''],
  ['51', '凉山彝族自治州', null, A.WM],
  ['51', '泸州市', null, A.WM],
  ['51', '乐山市', ['马边彝族自治县'], A.WM],
  ['51', '宜宾市', null, A.WM],
  ['51', '广元市', null, A.QB],
  ['51', '巴中市', null, A.QB],
  ['51', '达州市', null, A.QB],
  ['51', '绵阳市', null, A.QB],
  // 贵州
  ['52', '毕节市', null, A.WM],
  ['52', '遵义市', ['桐梓县', '习水县', '赤水市'], A.WM],
  ['52', '遵义市', null, A.WL],
  ['52', '铜仁市', null, A.WL],
  ['52', '*', null, A.DGQ],
  // 云南
  ['53', '迪庆藏族自治州', null, A.SSZ],
  ['53', '昭通市', null, A.WM],
  ['53', '曲靖市', ['会泽县', '宣威市'], A.WM],
  ['53', '昆明市', ['禄劝彝族苗族自治县', '寻甸回族彝族自治县'], A.WM],
  ['53', '昆明市', null, ''],
  ['53', '楚雄彝族自治州', ['武定县'], A.WM],
  ['53', '文山壮族苗族自治州', null, A.DGQ],
  ['53', '曲靖市', null, A.DGQ],
  ['53', '红河哈尼族彝族自治州', ['屏边苗族自治县', '泸西县'], A.DGQ],
  ['53', '*', null, A.DX],
  // 西藏
  ['54', '*', null, A.XZ],
  // 陕西
  ['61', '汉中市', null, A.QB],
  ['61', '安康市', null, A.QB],
  ['61', '商洛市', null, A.QB],
  ['61', '宝鸡市', ['太白县'], A.QB],
  ['61', '榆林市', ['绥德县', '米脂县', '佳县', '吴堡县', '清涧县', '子洲县'], A.LL],
  ['61', '宝鸡市', ['陇县', '千阳县', '麟游县'], A.LP],
  ['61', '咸阳市', null, A.LP],
  ['61', '铜川市', ['宜君县'], A.LP],
  // 甘肃
  ['62', '*', ['皋兰县', '景泰县', '正宁县'], ''],
  ['62', '甘南藏族自治州', null, A.SSZ],
  ['62', '武威市', ['天祝藏族自治县'], A.SSZ],
  ['62', '陇南市', null, A.QB],
  ['62', '*', null, A.LP],
  // 青海
  ['63', '海东市', null, A.LP],
  ['63', '西宁市', null, A.LP],
  ['63', '*', null, A.SSZ],
  // 宁夏
  ['64', '*', ['盐池县'], ''],
  ['64', '*', null, A.LP],
  // 新疆
  ['65', '喀什地区', null, A.NJ],
  ['65', '和田地区', null, A.NJ],
  ['65', '克孜勒苏柯尔克孜自治州', null, A.NJ],
];

function areaOf(c) {
  for (const [prov, pref, names, area] of AREA_RULES) {
    if (prov !== c.province_code) continue;
    if (pref !== '*' && pref !== c.prefecture) continue;
    if (names && !names.includes(c.county_name)) continue;
    return area;
  }
  return '';
}

// ---------------------------------------------------------------------------------------
// ILLUSTRATIVE population parameters. rural: mean rural population of the province's
// poverty counties; inc: the incidence (sum poor / sum rural) the province's counties are
// scaled to. Ordered roughly like ../shared/data/provinces_poverty_bands_2016.csv.
const PROVINCE_PARAMS = {
  13: { rural: 270000, inc: 0.075 }, 14: { rural: 140000, inc: 0.125 }, 15: { rural: 150000, inc: 0.085 },
  22: { rural: 200000, inc: 0.075 }, 23: { rural: 240000, inc: 0.065 }, 34: { rural: 580000, inc: 0.095 },
  36: { rural: 380000, inc: 0.095 }, 41: { rural: 650000, inc: 0.1 }, 42: { rural: 380000, inc: 0.125 },
  43: { rural: 470000, inc: 0.125 }, 45: { rural: 330000, inc: 0.13 }, 46: { rural: 120000, inc: 0.11 },
  50: { rural: 560000, inc: 0.085 }, 51: { rural: 380000, inc: 0.12 }, 52: { rural: 520000, inc: 0.145 },
  53: { rural: 300000, inc: 0.18 }, 54: { rural: 28000, inc: 0.25 }, 61: { rural: 260000, inc: 0.13 },
  62: { rural: 300000, inc: 0.21 }, 63: { rural: 230000, inc: 0.13 }, 64: { rural: 230000, inc: 0.13 },
  65: { rural: 300000, inc: 0.22 },
};
// sparsely populated places: [province, prefecture or '*', county names or null, mean rural, min, max]
const RURAL_OVERRIDES = [
  ['*', '*', ['神农架林区', '佛坪县', '留坝县', '太白县', '镇坪县', '宁陕县', '阿尔山市', '贡山独龙族怒族自治县', '城关区'], 40000, 12000, 90000],
  ['54', '*', null, 28000, 6000, 90000],
  ['63', '海北藏族自治州', null, 45000, 8000, 150000],
  ['63', '海南藏族自治州', null, 60000, 8000, 150000],
  ['63', '黄南藏族自治州', null, 45000, 8000, 150000],
  ['63', '果洛藏族自治州', null, 25000, 8000, 150000],
  ['63', '玉树藏族自治州', null, 40000, 8000, 150000],
  ['63', '海西蒙古族藏族自治州', null, 20000, 5000, 150000],
  ['51', '甘孜藏族自治州', null, 50000, 15000, 150000],
  ['51', '阿坝藏族羌族自治州', null, 50000, 15000, 150000],
  ['62', '甘南藏族自治州', null, 60000, 15000, 150000],
  ['53', '迪庆藏族自治州', null, 90000, 30000, 200000],
  ['53', '怒江傈僳族自治州', null, 100000, 30000, 200000],
  ['65', '伊犁哈萨克自治州', null, 90000, 30000, 250000],
  ['65', '塔城地区', null, 60000, 20000, 200000],
  ['65', '阿勒泰地区', null, 50000, 20000, 200000],
  ['65', '哈密市', null, 50000, 20000, 200000],
  ['65', '阿克苏地区', null, 120000, 30000, 300000],
  ['15', '*', null, 150000, 40000, 500000],
  ['46', '*', null, 120000, 50000, 300000],
  ['14', '*', null, 140000, 50000, 400000],
];
const EXIT_YEAR_FACTOR = { 2016: 0.65, 2017: 0.8, 2018: 0.95, 2019: 1.1, 2020: 1.35 };

// focus areas (ILLUSTRATIVE flags, chosen by geography; not the official designations)
const BORDER_PROVINCES = new Set(['54', '65', '53', '45', '15', '23', '22']);
const BORDER_COUNTIES = new Set([
  // 西藏
  '日土县', '噶尔县', '札达县', '普兰县', '仲巴县', '萨嘎县', '吉隆县', '聂拉木县', '定日县', '定结县', '岗巴县',
  '亚东县', '康马县', '洛扎县', '错那县', '隆子县', '浪卡子县', '措美县', '米林县', '墨脱县', '察隅县',
  // 新疆
  '乌恰县', '阿合奇县', '阿克陶县', '塔什库尔干塔吉克自治县', '叶城县', '皮山县', '和田县', '乌什县', '吉木乃县',
  '青河县', '托里县', '察布查尔锡伯自治县', '巴里坤哈萨克自治县',
  // 云南
  '澜沧拉祜族自治县', '孟连傣族拉祜族佤族自治县', '西盟佤族自治县', '沧源佤族自治县', '耿马傣族佤族自治县', '镇康县',
  '江城哈尼族彝族自治县', '勐海县', '勐腊县', '芒市', '盈江县', '陇川县', '龙陵县', '泸水县', '福贡县',
  '贡山独龙族怒族自治县', '金平苗族瑶族傣族自治县', '绿春县', '麻栗坡县', '马关县', '富宁县',
  // 广西
  '龙州县', '宁明县', '大新县', '靖西县', '那坡县',
  // 内蒙古
  '苏尼特右旗', '阿尔山市', '四子王旗', '科尔沁右翼前旗',
  // 黑龙江, 吉林
  '抚远县', '饶河县', '同江市', '绥滨县', '龙井市', '和龙市',
]);
const OLD_BASE_PROVINCES = new Set(['36', '61', '13', '41', '42', '43', '34', '14', '62', '51', '50', '52']);
const OLD_BASE_COUNTIES = new Set([
  '井冈山市', '瑞金市', '兴国县', '于都县', '宁都县', '永新县', '莲花县', '遂川县', '万安县', '金寨县', '岳西县',
  '新县', '光山县', '商城县', '红安县', '麻城市', '大悟县', '通江县', '南江县', '平昌县', '巴州区', '阜平县',
  '平山县', '涞源县', '武乡县', '左权县', '延长县', '延川县', '子洲县', '佳县', '清涧县', '绥德县', '米脂县',
  '会宁县', '华池县', '环县', '桑植县', '平江县', '茶陵县', '炎陵县', '汝城县', '宣汉县', '万源市', '旺苍县',
  '苍溪县', '城口县', '习水县', '赤水市', '东兰县', '凤山县', '巴马瑶族自治县', '田东县',
]);
const ETHNIC_PROVINCES = new Set(['54', '65', '45', '64', '15', '63']);

const ASSESSMENT_COUNTS = { '': 83, failed: 8, poor: 33, fair: 241, good: 342, excellent: 125 }; // sums to 832

const RELOCATION_STANDARD_YUAN = { west: 12000, central: 10000, east: 8000 };

const PROJECT_TYPES = [
  { name: '通村公路', pw: true, sa: true, cost: 12e6 },
  { name: '村组道路硬化工程', pw: true, sa: true, cost: 6e6 },
  { name: '农村安全饮水工程', pw: true, sa: true, cost: 8e6 },
  { name: '小型农田水利设施', pw: true, sa: true, cost: 10e6 },
  { name: '易地扶贫搬迁安置点配套设施', pw: true, sa: true, cost: 30e6 },
  { name: '村级光伏扶贫电站', pw: false, sa: true, cost: 9e6 },
  { name: '扶贫车间', pw: false, sa: false, cost: 3e6 },
  { name: '村卫生室标准化建设', pw: true, sa: true, cost: 2.5e6 },
  { name: '乡村小学校舍改造', pw: true, sa: true, cost: 7e6 },
  { name: '农村电网改造', pw: true, sa: true, cost: 20e6 },
  { name: '特色产业园基础设施', pw: false, sa: true, cost: 25e6 },
  { name: '乡村旅游公路', pw: true, sa: false, cost: 18e6 },
  { name: '小型水库除险加固', pw: true, sa: true, cost: 15e6 },
  { name: '村级综合服务中心', pw: true, sa: false, cost: 2e6 },
];
const SHARE_PRESETS = [
  ['0.50', '0.30', '0.10', '0.10'],
  ['0.60', '0.25', '0.10', '0.05'],
  ['0.40', '0.40', '0.20', '0.00'],
  ['0.70', '0.20', '0.00', '0.10'],
];
const PROJECT_COUNT = 60;

// ---------------------------------------------------------------------------------------
function main() {
  const opts = parseArgs(process.argv.slice(2));

  const provinces = new Map(readCsv(path.join(projectRoot, 'data'), 'provinces.csv').map((p) => [p.province_code, p]));
  const areaNames = new Set(readCsv(path.join(projectRoot, 'data'), 'contiguous_areas.csv').map((a) => a.name_zh));
  const sheet = readCsv(opts.shared, 'poverty_counties_832.csv');
  const aggregates = readCsv(opts.shared, 'poverty_aggregates_cited.csv');

  // ---- real columns
  const counties = sheet.map((r) => {
    const fix = CODE_FIXES[r.county_code];
    if (fix && fix.name !== r.county_name) throw new Error(`code fix ${r.county_code}: expected ${fix.name}, found ${r.county_name}`);
    const code = fix ? fix.code : r.county_code;
    let prefecture = fix && fix.prefecture ? fix.prefecture : r.prefecture;
    if (prefecture === '[]') prefecture = DIRECT_PREFECTURE;
    return {
      county_code: code,
      county_name: r.county_name,
      province_code: code.slice(0, 2),
      prefecture,
      exit_year: r.exit_year,
      sheet_province: r.province,
    };
  });
  counties.sort((a, b) => (a.county_code < b.county_code ? -1 : a.county_code > b.county_code ? 1 : 0));
  if (counties.length !== 832) throw new Error(`expected 832 counties, got ${counties.length}`);
  const codes = new Set(counties.map((c) => c.county_code));
  if (codes.size !== 832) throw new Error('county codes not unique after correction');
  for (const c of counties) {
    if (!/^\d{6}$/.test(c.county_code)) throw new Error(`bad code ${c.county_code}`);
    const p = provinces.get(c.province_code);
    if (!p || p.name_zh !== c.sheet_province) throw new Error(`${c.county_code}: province ${c.province_code} is not ${c.sheet_province}`);
    c.region = p.region;
    if (!/^20(1[6-9]|20)$/.test(c.exit_year)) throw new Error(`${c.county_code}: exit year ${c.exit_year}`);
  }

  // ---- contiguous areas
  for (const c of counties) {
    c.contiguous_area = areaOf(c);
    if (c.contiguous_area && !areaNames.has(c.contiguous_area)) throw new Error(`unknown area ${c.contiguous_area}`);
  }

  // ---- rural population and incidence
  const rr = stream('rural');
  const ri = stream('incidence');
  for (const c of counties) {
    const pp = PROVINCE_PARAMS[c.province_code];
    let mean = pp.rural, lo = 50000, hi = 800000;
    for (const [prov, pref, names, m, l, h] of RURAL_OVERRIDES) {
      if ((prov === '*' || prov === c.province_code) && (pref === '*' || pref === c.prefecture) && (!names || names.includes(c.county_name))) { mean = m; lo = l; hi = h; break; }
    }
    c.rural_population = Math.round(soft(mean * rr.fac(0.45), lo, hi, rr));
    c._inc = pp.inc * EXIT_YEAR_FACTOR[c.exit_year] * ri.fac(0.3) * (c.contiguous_area ? 1.05 : 1);
  }
  const byProvince = new Map();
  for (const c of counties) {
    if (!byProvince.has(c.province_code)) byProvince.set(c.province_code, []);
    byProvince.get(c.province_code).push(c);
  }
  const rTarget = stream('province_incidence');
  for (const code of [...byProvince.keys()].sort()) {
    const list = byProvince.get(code);
    // small jitter so that provinces do not land on round numbers; never crosses 0.15
    const target = PROVINCE_PARAMS[code].inc + rTarget.between(-0.004, 0.004);
    for (let iter = 0; iter < 6; iter++) {
      let poor = 0, rural = 0;
      for (const c of list) { poor += c.rural_population * c._inc; rural += c.rural_population; }
      const k = target / (poor / rural);
      for (const c of list) c._inc = clamp(c._inc * k, 0.03, 0.45);
    }
    for (const c of list) c.poor_population = Math.max(1, Math.min(c.rural_population, Math.round(c.rural_population * c._inc)));
  }

  // ---- key counties: every county outside the contiguous areas is a key county (that is
  // why it is a poverty county at all); the rest of the 592 are chosen among area counties,
  // weighted towards the west, high incidence and late exit. 西藏 has no key counties (its
  // whole territory is the 西藏区 area; the 2012 key-county list covers 21 provinces).
  const KEY_TOTAL = 592;
  const outside = counties.filter((c) => !c.contiguous_area);
  const inside = counties.filter((c) => c.contiguous_area && c.province_code !== '54');
  const needInside = KEY_TOTAL - outside.length;
  if (needInside < 0 || needInside > inside.length) throw new Error(`cannot place ${KEY_TOTAL} key counties`);
  const rk = stream('key_county');
  const scored = inside.map((c) => ({
    c,
    s: (c.poor_population / c.rural_population) * (c.region === 'west' ? 1.25 : 1) * (Number(c.exit_year) >= 2019 ? 1.3 : 1) * (0.35 + rk.u()),
  }));
  scored.sort((a, b) => b.s - a.s || (a.c.county_code < b.c.county_code ? -1 : 1));
  const keySet = new Set([...outside, ...scored.slice(0, needInside).map((x) => x.c)]);
  for (const c of counties) c.key_county = keySet.has(c);

  // ---- income, fiscal revenue, focus areas, relocation, remittances
  const rInc = stream('rural_income');
  const rFis = stream('fiscal_revenue');
  const rOld = stream('old_revolutionary_base');
  const rEth = stream('ethnic_minority_area');
  const rRel = stream('relocation');
  const rRem = stream('remitted');
  for (const c of counties) {
    const inc = c.poor_population / c.rural_population;
    const base = { west: 7000, central: 7800, east: 8800 }[c.region];
    c.income_fen = Math.round(soft(base * (1 - 1.2 * (inc - 0.12)) * rInc.fac(0.12), 4800, 12000, rInc) * 100);
    const fbase = c.region === 'east' ? 1100 : 850;
    c.fiscal_fen = Math.round(soft(fbase * (1 - (inc - 0.12)) * rFis.fac(0.5), 200, 3000, rFis) * 100);

    c.old_revolutionary_base = OLD_BASE_COUNTIES.has(c.county_name) || rOld.chance(OLD_BASE_PROVINCES.has(c.province_code) ? 0.22 : 0.05);
    const autonomous = c.prefecture.includes('自治') || c.county_name.includes('自治');
    const pEth = autonomous || c.province_code === '54' || c.province_code === '65' ? 1
      : ETHNIC_PROVINCES.has(c.province_code) ? 0.85 : c.province_code === '52' || c.province_code === '53' ? 0.6 : 0.04;
    c.ethnic_minority_area = rEth.chance(pEth);
    c.border_area = BORDER_PROVINCES.has(c.province_code) && BORDER_COUNTIES.has(c.county_name);

    const pZero = { west: 0.33, central: 0.5, east: 0.6 }[c.region];
    if (rRel.chance(pZero)) {
      c.relocation_population = 0;
      rRel.fac(0); // keep the stream aligned whether or not the county relocates
    } else {
      // a share of the county's poor population, more in the west; at most 30% of it
      const share = { west: 0.1, central: 0.07, east: 0.05 }[c.region];
      const cap = Math.max(400, Math.min(20000, Math.floor(c.poor_population * 0.3)));
      c.relocation_population = Math.round(soft(c.poor_population * share * rRel.fac(0.6), 200, cap, rRel));
    }

    const central = soft(18e6 * (c.fiscal_fen / 85000) * Math.sqrt(c.rural_population / 300000) * rRem.fac(0.4), 5e6, 80e6, rRem);
    const provincial = soft(central * rRem.between(0.25, 0.45), 2e6, 30e6, rRem);
    const noPrefecture = c.province_code === '50' || c.prefecture === DIRECT_PREFECTURE;
    const prefecture = noPrefecture ? 0 : soft(central * rRem.between(0.03, 0.15), 1e5, 10e6, rRem);
    c.remitted_central_fen = Math.round(central * 100);
    c.remitted_provincial_fen = Math.round(provincial * 100);
    c.remitted_prefecture_fen = Math.round(prefecture * 100);
  }

  // ---- assessment: exact counts, deterministic shuffle
  const grades = [];
  for (const [g, n] of Object.entries(ASSESSMENT_COUNTS)) for (let i = 0; i < n; i++) grades.push(g);
  if (grades.length !== counties.length) throw new Error('assessment counts do not add up to 832');
  stream('assessment').shuffle(grades);
  counties.forEach((c, i) => { c.assessment = grades[i]; });

  // ---- checks on the generated table
  const areaCount = new Map();
  for (const c of counties) if (c.contiguous_area) areaCount.set(c.contiguous_area, (areaCount.get(c.contiguous_area) || 0) + 1);
  for (const a of areaNames) if ((areaCount.get(a) || 0) < 3) throw new Error(`area ${a} has fewer than 3 counties`);
  const provTotals = [...byProvince].map(([code, list]) => {
    const poor = list.reduce((s, c) => s + c.poor_population, 0);
    const rural = list.reduce((s, c) => s + c.rural_population, 0);
    // exact comparison poor/rural > 0.15  <=>  100*poor > 15*rural
    return { code, poor, rural, relocation: list.reduce((s, c) => s + c.relocation_population, 0), priority: poor > 5000000 || 100 * poor > 15 * rural };
  });
  const nPriority = provTotals.filter((p) => p.priority).length;
  if (nPriority < 4 || provTotals.length - nPriority < 8) throw new Error(`priority provinces: ${nPriority} of ${provTotals.length}`);
  const totalPoor = provTotals.reduce((s, p) => s + p.poor, 0);
  if (totalPoor < 30e6 || totalPoor > 35e6) throw new Error(`national poor ${totalPoor} outside 30-35 million`);
  if (counties.filter((c) => c.key_county).length !== KEY_TOTAL) throw new Error('key county count');

  // ---- counties.csv
  const COUNTY_HEADER = ['county_code', 'county_name', 'province_code', 'prefecture', 'poverty_county', 'key_county', 'contiguous_area',
    'poor_population', 'rural_population', 'rural_income_per_capita', 'fiscal_revenue_per_capita', 'old_revolutionary_base',
    'ethnic_minority_area', 'border_area', 'assessment', 'exit_year', 'relocation_population', 'remitted_central',
    'remitted_provincial', 'remitted_prefecture'];
  const countyRows = counties.map((c) => [c.county_code, c.county_name, c.province_code, c.prefecture, 'true', String(c.key_county),
    c.contiguous_area, c.poor_population, c.rural_population, yuan(c.income_fen), yuan(c.fiscal_fen), String(c.old_revolutionary_base),
    String(c.ethnic_minority_area), String(c.border_area), c.assessment, c.exit_year, c.relocation_population,
    yuan(c.remitted_central_fen), yuan(c.remitted_provincial_fen), yuan(c.remitted_prefecture_fen)]);

  // ---- budget.csv
  const fund2017 = aggregates.find((a) => a.scope === 'central_government' && a.year_end === '2017' && a.indicator === 'central_special_poverty_fund');
  if (!fund2017 || fund2017.unit !== '亿元') throw new Error('2017 central special fund not found in poverty_aggregates_cited.csv');
  const centralSpecialFen = decimalToFen(fund2017.value, 1e8); // 亿元 -> fen
  const prov2017 = aggregates.find((a) => a.scope === 'provincial_governments_28' && a.year_end === '2017' && a.indicator === 'provincial_special_poverty_fund');
  if (!prov2017 || prov2017.unit !== '亿元') throw new Error('2017 provincial special funds not found in poverty_aggregates_cited.csv');
  const provincialSpecialFen = decimalToFen(prov2017.value, 1e8);

  const rBud = stream('budget');
  const provCodes = provTotals.map((p) => p.code).sort();
  const special = allocateFen(provincialSpecialFen, provCodes.map((code) => provTotals.find((p) => p.code === code).poor * rBud.fac(0.15)));
  const budgetRows = [];
  let relocationNeedFen = 0;
  const relocationProvincial = [];
  for (const code of provCodes) {
    const p = provTotals.find((x) => x.code === code);
    const needFen = p.relocation * RELOCATION_STANDARD_YUAN[provinces.get(code).region] * 100;
    relocationNeedFen += needFen;
    const share = rBud.between(0.1, 0.4);
    if (p.relocation > 0) relocationProvincial.push([code, Math.round(needFen * share)]);
  }
  // central relocation line: about three quarters of the total need, in whole million yuan,
  // so that provinces whose own line is small end up short.
  const centralRelocationFen = Math.floor((relocationNeedFen * 0.75) / 1e8) * 1e8;
  budgetRows.push(['relocation', 'central', '', yuan(centralRelocationFen)]);
  for (const [code, fen] of relocationProvincial) budgetRows.push(['relocation', 'provincial', code, yuan(fen)]);
  budgetRows.push(['special_poverty', 'central', '', yuan(centralSpecialFen)]);
  provCodes.forEach((code, i) => budgetRows.push(['special_poverty', 'provincial', code, yuan(special[i])]));

  // ---- projects.csv
  const rPro = stream('projects');
  const projectRows = [];
  const used = new Set();
  const shareAt = new Map();
  const sharePicks = rPro.shuffle(Array.from({ length: PROJECT_COUNT }, (_, i) => i)).slice(0, SHARE_PRESETS.length).sort((a, b) => a - b);
  sharePicks.forEach((idx, k) => shareAt.set(idx, SHARE_PRESETS[k]));
  for (let i = 0; i < PROJECT_COUNT; i++) {
    const list = byProvince.get(provCodes[i % provCodes.length]);
    let c, t;
    do {
      c = list[Math.floor(rPro.u() * list.length)];
      t = PROJECT_TYPES[Math.floor(rPro.u() * PROJECT_TYPES.length)];
    } while (used.has(c.county_code + t.name));
    used.add(c.county_code + t.name);
    const pw = rPro.chance(0.1) ? !t.pw : t.pw;
    const sa = rPro.chance(0.1) ? !t.sa : t.sa;
    const costFen = Math.round(soft(t.cost * rPro.fac(0.5), 1e6, 80e6, rPro) * 100);
    const shares = shareAt.get(i) || ['', '', '', ''];
    projectRows.push([`P${String(i + 1).padStart(4, '0')}`, c.county_code, `${c.county_name}${t.name}`, String(pw), String(sa), yuan(costFen), ...shares]);
  }
  for (const s of SHARE_PRESETS) {
    const sum = s.reduce((a, x) => a + Math.round(Number(x) * 100), 0);
    if (sum !== 100) throw new Error(`share preset ${s} does not sum to 1`);
  }

  // ---- write
  fs.mkdirSync(opts.out, { recursive: true });
  const files = [
    ['counties.csv', COUNTY_HEADER, countyRows, `${countyRows.length} counties, ${counties.filter((c) => c.key_county).length} key, ${counties.length - outside.length} in contiguous areas, ${nPriority} priority provinces, poor ${totalPoor}`],
    ['budget.csv', ['fund', 'level', 'province_code', 'amount'], budgetRows,
      `${budgetRows.length} lines, special_poverty central ${yuan(centralSpecialFen)} + provincial ${yuan(special.reduce((a, b) => a + b, 0))}, relocation central ${yuan(centralRelocationFen)} + provincial ${yuan(relocationProvincial.reduce((a, [, f]) => a + f, 0))} (need ${yuan(relocationNeedFen)})`],
    ['projects.csv', ['project_id', 'county_code', 'name', 'public_welfare', 'state_arranged', 'total_cost', 'share_central', 'share_provincial', 'share_prefecture', 'share_county'], projectRows,
      `${projectRows.length} projects in ${new Set(projectRows.map((r) => r[1].slice(0, 2))).size} provinces, ${SHARE_PRESETS.length} with own shares`],
  ];
  for (const [name, header, rows, summary] of files) {
    const file = path.join(opts.out, name);
    fs.writeFileSync(file, csvText(header, rows));
    process.stdout.write(`${path.relative(process.cwd(), file) || file}: ${summary}\n`);
  }
}

// "860.95" in units of `unit` yuan -> integer fen, exactly (string arithmetic, no floats)
function decimalToFen(value, unit) {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(value);
  if (!m) throw new Error(`not a decimal: ${value}`);
  const frac = m[2] || '';
  const big = BigInt(m[1] + frac) * BigInt(unit) * 100n / 10n ** BigInt(frac.length);
  const n = Number(big);
  if (!Number.isSafeInteger(n)) throw new Error(`amount too large: ${value}`);
  return n;
}

// split `total` fen over weights by the largest-remainder method (exact, deterministic)
function allocateFen(total, weights) {
  const sum = weights.reduce((a, b) => a + b, 0);
  const raw = weights.map((w) => (total * w) / sum);
  const out = raw.map((x) => Math.floor(x));
  let rest = total - out.reduce((a, b) => a + b, 0);
  const order = raw.map((x, i) => [x - Math.floor(x), i]).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let k = 0; rest > 0; k = (k + 1) % order.length, rest--) out[order[k][1]]++;
  return out;
}

main();
