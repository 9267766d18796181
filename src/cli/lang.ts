/**
 * The language of human output (--lang zh|en). Without the option it comes
 * from the locale, read here in the shell and nowhere else: the first set of
 * LC_ALL, LC_MESSAGES, LANG (POSIX precedence) starting with `zh` gives
 * Chinese, anything else English.
 */
import { Option } from 'commander';
import { UsageError } from '../core/problems.js';
import { parseLang, type Lang } from '../render/messages.js';

export function langOption(): Option {
  return new Option('--lang <lang>', 'language of the labels: zh or en (default: from LC_ALL/LC_MESSAGES/LANG, en otherwise)');
}

export function langFromLocale(env: Readonly<Record<string, string | undefined>>): Lang {
  for (const name of ['LC_ALL', 'LC_MESSAGES', 'LANG']) {
    const value = env[name];
    if (value !== undefined && value !== '') return value.toLowerCase().startsWith('zh') ? 'zh' : 'en';
  }
  return 'en';
}

/** The --lang value, or the locale's language when the option is absent. */
export function resolveLang(option: string | undefined, env: Readonly<Record<string, string | undefined>>): Lang {
  if (option === undefined) return langFromLocale(env);
  const lang = parseLang(option);
  if (lang === undefined) throw new UsageError(`--lang ${option}: expected zh or en`);
  return lang;
}
