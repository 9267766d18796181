/**
 * End to end: the HTML reports rendered in headless Chromium (Debian's
 * `chromium`, driven by playwright-core). The sample run's report must draw
 * one bar per province and one point per county, load nothing from the
 * network, and have a county table that sorts and searches. The compare and
 * sweep fixtures' reports must draw their bands and metric curves.
 *
 * POVALLOC_WRITE_SCREENSHOT=1 also writes the screenshot to docs/report.png
 * (the one the README shows).
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCsvRows, ROOT, runCli, SAMPLE, tempDir } from './helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const LAUNCH_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

let work: string;
let context: BrowserContext;
/** Every request any page made, by URL. */
const requests: string[] = [];

function decimalOrder(a: string, b: string): number {
  // Non-negative yuan texts with two decimals: compare as whole fen.
  const fen = (text: string): bigint => BigInt(text.replace('.', ''));
  const difference = fen(a) - fen(b);
  return difference < 0n ? -1 : difference > 0n ? 1 : 0;
}

async function openReport(file: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(pathToFileURL(file).href);
  return page;
}

beforeAll(async () => {
  work = tempDir('povalloc-report-browser-');
  const run = join(work, 'run');
  const allocated = runCli(['allocate', '--counties', SAMPLE.counties, '--budget', SAMPLE.budget, '--out', run, '--lang', 'en']);
  expect(allocated.code, allocated.stderr).toBe(0);
  for (const [folder, lang, out] of [
    [run, 'en', 'sample.html'],
    [join(ROOT, 'tests', 'fixtures', 'compare'), 'en', 'compare.html'],
    [join(ROOT, 'tests', 'fixtures', 'sweep'), 'zh', 'sweep.html'],
  ] as const) {
    const reported = runCli(['report', folder, '--html', join(work, out), '--lang', lang]);
    expect(reported.code, reported.stderr).toBe(0);
  }
  expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium`).toBe(true);
  // A fresh profile every run (playwright passes it as --user-data-dir).
  context = await chromium.launchPersistentContext(join(work, 'profile'), { executablePath: CHROMIUM, headless: true, args: LAUNCH_ARGS, viewport: { width: 1100, height: 1700 } });
  await context.route('**/*', async (route) => {
    const url = route.request().url();
    requests.push(url);
    if (url.startsWith('file://') && url.endsWith('.html')) await route.continue();
    else await route.abort();
  });
}, 120_000);

afterAll(async () => {
  await context?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the sample run report in Chromium', () => {
  let page: Page;
  let allocations: Record<string, string>[];
  let provinces: Record<string, string>[];

  beforeAll(async () => {
    allocations = readCsvRows(join(work, 'run', 'allocations.csv'));
    provinces = readCsvRows(join(work, 'run', 'provinces.csv'));
    requests.length = 0;
    page = await openReport(join(work, 'sample.html'));
  });

  it('makes no network request: the only request is the report file itself', async () => {
    await page.waitForLoadState('load');
    expect(requests).toEqual([pathToFileURL(join(work, 'sample.html')).href]);
    const html = readFileSync(join(work, 'sample.html'), 'utf8');
    expect(html).not.toMatch(/\s(src|href)\s*=/i);
    expect(html).not.toMatch(/url\(|@import/i);
  });

  it('draws one bar per province, split central/provincial, with the priority provinces marked', async () => {
    const bars = page.locator('#provinces-chart g.bar');
    expect(await bars.count()).toBe(provinces.length);
    expect(await page.locator('#provinces-chart g.bar rect.segment').count()).toBe(provinces.length * 2);
    const marked = await page.locator('#provinces-chart g.bar[data-marked="true"]').evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-key')));
    expect(marked).toEqual(provinces.filter((row) => row['priority_province'] === 'true').map((row) => row['province_code']));
    expect(marked.length).toBeGreaterThan(0);
  });

  it('draws one point per eligible county with poor people, coloured by area', async () => {
    const expected = allocations.filter((row) => row['eligible'] === 'true' && row['poor_population'] !== '0');
    const points = page.locator('#scatter circle.point');
    expect(await points.count()).toBe(expected.length);
    const keys = await points.evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-key')));
    expect(keys).toEqual(expected.map((row) => row['county_code']));
    const categories = await points.evaluateAll((nodes) => new Set(nodes.map((node) => node.getAttribute('data-category'))).size);
    expect(categories).toBeGreaterThan(10);
  });

  it('puts every county in the histogram once', async () => {
    const counts = await page.locator('#histogram rect.bin').evaluateAll((nodes) => nodes.map((node) => Number(node.getAttribute('data-count'))));
    expect(counts.reduce((sum, count) => sum + count, 0)).toBe(allocations.length);
  });

  it('lists the compliance checks and the totals per fund and paying level', async () => {
    const checks = readCsvRows(join(work, 'run', 'checks.csv'));
    expect(await page.locator('#checks-table tbody tr').count()).toBe(checks.length);
    const totals = await page.locator('#totals table').innerText();
    expect(totals).toContain('Central special poverty fund');
    expect(totals).toContain('86,095,000,000.00');
  });

  it('sorts the county table by a column, both ways, comparing amounts exactly', async () => {
    const header = page.locator('#county-table thead th', { hasText: 'Total (yuan)' });
    await header.click();
    expect(await header.getAttribute('aria-sort')).toBe('ascending');
    const order = allocations.map((row, index) => ({ code: row['county_code']!, total: row['total']!, index }));
    const ascending = [...order].sort((a, b) => decimalOrder(a.total, b.total) || a.index - b.index).map((row) => row.code);
    const shownAscending = await page.locator('#county-table tbody tr').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-key')));
    expect(shownAscending).toEqual(ascending);
    await header.click();
    expect(await header.getAttribute('aria-sort')).toBe('descending');
    const shownDescending = await page.locator('#county-table tbody tr').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-key')));
    expect(shownDescending).toEqual([...ascending].reverse());
  });

  it('searches the county table by province and by county name', async () => {
    const search = page.locator('#county-table-search');
    const visible = async (): Promise<number> => page.locator('#county-table tbody tr:not([hidden])').count();
    await search.fill('贵州');
    const guizhou = allocations.filter((row) => row['province_code'] === '52').length;
    expect(await visible()).toBe(guizhou);
    expect(await page.locator('#county-table-count').innerText()).toBe(String(guizhou));
    const name = allocations[10]!['county_name']!;
    await search.fill(name);
    const withName = allocations.filter((row) => [row['county_code'], row['county_name'], row['province_name'], row['prefecture'], row['contiguous_area']].join(' ').includes(name)).length;
    expect(withName).toBeGreaterThanOrEqual(1);
    expect(await visible()).toBe(withName);
    await search.fill('');
    expect(await visible()).toBe(allocations.length);
  });

  it('takes a screenshot (docs/report.png with POVALLOC_WRITE_SCREENSHOT=1) and prints on A4', async () => {
    await page.evaluate(() => window.scrollTo(0, 0));
    const shot = join(work, 'report.png');
    await page.screenshot({ path: shot, clip: { x: 0, y: 0, width: 1100, height: 1700 } });
    const png = readFileSync(shot);
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(png.length).toBeGreaterThan(20_000);
    if (process.env['POVALLOC_WRITE_SCREENSHOT'] === '1') {
      mkdirSync(join(ROOT, 'docs'), { recursive: true });
      copyFileSync(shot, join(ROOT, 'docs', 'report.png'));
    }
    // Printing follows the page's own @page rule: A4 is 595.3 x 841.9 points.
    const pdf = await page.pdf({ preferCSSPageSize: true, pageRanges: '1' });
    expect(pdf.subarray(0, 4).toString('latin1')).toBe('%PDF');
    const mediaBox = (/\/MediaBox \[([^\]]*)\]/.exec(pdf.toString('latin1'))?.[1] ?? '').split(' ').map(Number);
    expect(mediaBox[2]).toBeCloseTo(595.3, 0);
    expect(mediaBox[3]).toBeCloseTo(841.9, 0);
  });
});

describe('compare and sweep folder reports in Chromium', () => {
  it('draws the winners-and-losers bands and one metric chart per metric of a compare folder', async () => {
    const bands = readCsvRows(join(ROOT, 'tests', 'fixtures', 'compare', 'bands.csv'));
    const metrics = readCsvRows(join(ROOT, 'tests', 'fixtures', 'compare', 'metrics.csv'));
    requests.length = 0;
    const page = await openReport(join(work, 'compare.html'));
    const combinations = new Set(bands.map((row) => `${row['dimension']}|${row['group']}|${row['scenario']}`));
    expect(await page.locator('#bands g.band-row').count()).toBe(combinations.size);
    expect(await page.locator('#bands rect.band').count()).toBe(combinations.size * 5);
    // The overall row of each scenario: segment widths in proportion to the counties per band.
    const overallSegments = await page.locator('#bands g.band-row[data-key="overall|all|incidence_heavy"] rect.band').evaluateAll((nodes) => nodes.map((node) => Number(node.getAttribute('width'))));
    const counts = ['lose_over_5', 'lose_up_to_5', 'no_change', 'gain_up_to_5', 'gain_over_5'].map((band) => Number(bands.find((row) => row['scenario'] === 'incidence_heavy' && row['dimension'] === 'overall' && row['band'] === band)!['counties']));
    const unit = overallSegments[2]! / counts[2]!;
    overallSegments.forEach((width, index) => expect(width).toBeCloseTo(counts[index]! * unit, 0));
    const metricNames = new Set(metrics.map((row) => row['metric']));
    expect(await page.locator('#metrics figure').count()).toBe(metricNames.size);
    expect(await page.locator('#metrics g.metric-bar').count()).toBe(metrics.length);
    expect(await page.locator('#policy-diff tbody tr').count()).toBe(3);
    expect(requests).toHaveLength(1);
    await page.close();
  });

  it('draws the metric curves of a sweep folder: one chart per metric, one point per grid point, one line per other value', async () => {
    const points = readCsvRows(join(ROOT, 'tests', 'fixtures', 'sweep', 'sweep.csv'));
    const sweep = JSON.parse(readFileSync(join(ROOT, 'tests', 'fixtures', 'sweep', 'sweep.json'), 'utf8')) as { metrics: string[] };
    const page = await openReport(join(work, 'sweep.html'));
    expect(await page.locator('#metric-curves figure').count()).toBe(sweep.metrics.length);
    for (const metric of sweep.metrics) {
      const figure = page.locator(`#metric-curves figure[data-metric="${metric}"]`);
      expect(await figure.locator('circle.curve-point').count()).toBe(points.length);
      expect(await figure.locator('polyline').count()).toBe(2);
    }
    expect(await page.locator('h1').innerText()).toBe('参数扫描报告');
    await page.close();
  });
});
