/**
 * The message table: every key in both languages, the same placeholders in
 * both, and every name the run folder and the rules produce has a label.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULES } from '../src/core/rules/index.js';
import { langFromLocale, resolveLang } from '../src/cli/lang.js';
import { hasMessage, LANGS, message, MESSAGES, messageOr, placeholdersOf } from '../src/render/messages.js';
import { BANDS, DIMENSIONS, METRICS } from '../src/render/scenario-report-html.js';
import { readCsvRows, ROOT, runCli, SAMPLE, SMALL, tempDir } from './helpers.js';

describe('message table', () => {
  const entries = Object.entries(MESSAGES) as [string, Record<string, string>][];

  it('has every key in both languages, non-empty', () => {
    expect(entries.length).toBeGreaterThan(200);
    for (const [key, entry] of entries) {
      for (const lang of LANGS) {
        expect(typeof entry[lang], `${key}.${lang}`).toBe('string');
        expect(entry[lang]!.trim(), `${key}.${lang}`).not.toBe('');
      }
      expect(Object.keys(entry).sort(), key).toEqual([...LANGS].sort());
    }
  });

  it('uses the same placeholders in both languages', () => {
    for (const [key, entry] of entries) expect(placeholdersOf(entry['zh']!), key).toEqual(placeholdersOf(entry['en']!));
  });

  it('has Chinese text in every Chinese entry that has English words', () => {
    for (const [key, entry] of entries) {
      if (!/[A-Za-z]/.test(entry['en']!.replace(/\{\w+\}/g, ''))) continue;
      expect(entry['zh'], key).toMatch(/[\u4e00-\u9fff]/);
    }
  });

  it('fills placeholders and falls back to the raw id for unknown dynamic keys', () => {
    expect(message('zh', 'summary.warnings', { count: 3 })).toBe('checks.csv 中有 3 条警告。');
    expect(messageOr('zh', 'rule.some_future_rule', 'some_future_rule')).toBe('some_future_rule');
    expect(messageOr('zh', 'rule.refund', 'refund')).toBe('县级财政收入全额返还');
  });

  it('has a label for every column of the run tables, every rule, and every compare/sweep name', () => {
    const dir = join(tempDir(), 'run');
    const previous = join(ROOT, 'data', 'sample', 'previous-allocations.csv');
    expect(runCli(['allocate', '--counties', SAMPLE.counties, '--budget', SAMPLE.budget, '--projects', SAMPLE.projects, '--previous', previous, '--out', dir]).code).toBe(0);
    const columns = ['allocations.csv', 'provinces.csv', 'checks.csv', 'projects.csv'].flatMap((file) => Object.keys(readCsvRows(join(dir, file))[0]!));
    for (const column of columns) expect(hasMessage(`col.${column}`), column).toBe(true);
    for (const rule of RULES) expect(hasMessage(`rule.${rule.id}`), rule.id).toBe(true);
    for (const check of new Set(readCsvRows(join(dir, 'checks.csv')).map((row) => row['check']!))) {
      expect(hasMessage(`check.${check}.title`), check).toBe(true);
      expect(hasMessage(`check.${check}.message`), check).toBe(true);
    }
    for (const band of BANDS) expect(hasMessage(`band.${band}`)).toBe(true);
    for (const dimension of DIMENSIONS) expect(hasMessage(`dimension.${dimension}`)).toBe(true);
    for (const metric of METRICS) expect(hasMessage(`metric.${metric}`)).toBe(true);
    // The columns the rules issue adds (CONTRACT section 5).
    for (const column of ['relocation', 'refund_central', 'refund_provincial', 'refund_prefecture', 'refund_total']) expect(hasMessage(`col.${column}`), column).toBe(true);
  });

  it('keeps clause ids as they are in both languages', () => {
    expect(message('en', 'summary.priority_note')).toContain('IV.1');
    expect(message('zh', 'summary.priority_note')).toContain('IV.1');
  });
});

describe('language from the locale', () => {
  it('takes LC_ALL, then LC_MESSAGES, then LANG; zh* is Chinese, anything else English', () => {
    expect(langFromLocale({})).toBe('en');
    expect(langFromLocale({ LANG: 'zh_CN.UTF-8' })).toBe('zh');
    expect(langFromLocale({ LANG: 'zh_TW.UTF-8', LC_ALL: 'en_US.UTF-8' })).toBe('en');
    expect(langFromLocale({ LANG: 'en_US.UTF-8', LC_MESSAGES: 'zh_CN.GB18030' })).toBe('zh');
    expect(langFromLocale({ LANG: 'C.UTF-8', LC_ALL: '' })).toBe('en');
    expect(resolveLang('zh', { LANG: 'en_US' })).toBe('zh');
    expect(resolveLang(undefined, { LANG: 'zh_CN' })).toBe('zh');
    expect(() => resolveLang('fr', {})).toThrow(/--lang fr/);
  });
});

describe('allocate --lang: the terminal summary', () => {
  const args = (out: string): string[] => ['allocate', '--counties', SMALL.counties, '--budget', SMALL.budget, '--policy', SMALL.policy, '--out', out, '--force'];
  const english = { LC_ALL: '', LC_MESSAGES: '', LANG: 'en_US.UTF-8' };

  it('prints Chinese labels with --lang zh and the same figures as in English', () => {
    const out = join(tempDir(), 'run');
    const en = runCli([...args(out), '--lang', 'en']);
    const zh = runCli([...args(out), '--lang', 'zh']);
    expect(en.code).toBe(0);
    expect(zh.code).toBe(0);
    expect(en.stdout).toContain('central (yuan)');
    expect(en.stdout).toContain('1,000,000.00 yuan unallocated: see checks.csv.');
    expect(zh.stdout).toContain('中央（元）');
    expect(zh.stdout).toContain('未分配 1,000,000.00 元：见 checks.csv。');
    expect(zh.stdout).toContain('* 重点省份（条款 IV.1）');
    expect(zh.stdout).not.toMatch(/\b(central|provincial|unallocated|counties)\b/);
    const figures = (text: string): string[] => text.match(/\d[\d,]*\.\d{2}/g) ?? [];
    expect(figures(zh.stdout)).toEqual(figures(en.stdout));
  });

  it('takes the language from the locale when --lang is absent; CSV files are the same either way', () => {
    const base = tempDir();
    const zh = runCli(args(join(base, 'zh')), { env: { ...english, LANG: 'zh_CN.UTF-8' } });
    const en = runCli(args(join(base, 'en')), { env: english });
    expect(zh.stdout).toContain('运行目录');
    expect(en.stdout).toContain('Run folder');
    for (const file of ['allocations.csv', 'provinces.csv', 'checks.csv']) {
      expect(readFileSync(join(base, 'zh', file))).toEqual(readFileSync(join(base, 'en', file)));
    }
  });

  it('refuses an unknown language with exit 2, writing nothing', () => {
    const out = join(tempDir(), 'run');
    const result = runCli([...args(out), '--lang', 'fr']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--lang fr: expected zh or en');
    expect(existsSync(out)).toBe(false);
  });
});
