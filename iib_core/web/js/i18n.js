// @ts-check
// The string table: every visible text goes through t(). Dictionaries live in
// ../i18n/<lang>.json plus one file per feature, ../i18n/<part>/<lang>.json (merged);
// English is the fallback for a key a dictionary lacks.
import { signal, computed } from '@preact/signals';

export const LANGUAGES = [
  { id: 'en', name: 'English' },
  { id: 'zh-hans', name: '简体中文' },
  { id: 'zh-hant', name: '繁體中文' },
  { id: 'de', name: 'Deutsch' },
];

export const PARTS = ['search', 'tags', 'compare', 'batch', 'index', 'ai', 'cache', 'special'];
/** @type {import('@preact/signals').Signal<Record<string, Record<string, string>>>} */
const dictionaries = signal({});
export const lang = signal('en');
const current = computed(() => dictionaries.value[lang.value] || {});
const fallback = computed(() => dictionaries.value.en || {});

/** The browser's language mapped onto ours. */
export function detectLanguage(list = navigator.languages || [navigator.language || 'en']) {
  for (const raw of list) {
    const l = String(raw).toLowerCase();
    if (l.startsWith('zh')) {
      return /(hant|tw|hk|mo)/.test(l) ? 'zh-hant' : 'zh-hans';
    }
    if (l.startsWith('de')) return 'de';
    if (l.startsWith('en')) return 'en';
  }
  return 'en';
}

async function load(id) {
  if (dictionaries.peek()[id]) return;
  const files = [`${id}.json`, ...PARTS.map((part) => `${part}/${id}.json`)];
  const tables = await Promise.all(files.map(async (file) => {
    const res = await fetch(`${window.IIB_ASSETS}i18n/${file}`);
    if (!res.ok) throw new Error(`cannot load the strings ${file} (HTTP ${res.status})`);
    return res.json();
  }));
  dictionaries.value = { ...dictionaries.peek(), [id]: Object.assign({}, ...tables) };
}

/** Switch language ('auto' follows the browser). Loads the table first, then switches. */
export async function setLanguage(choice) {
  const id = !choice || choice === 'auto' ? detectLanguage() : choice;
  const known = LANGUAGES.some((l) => l.id === id) ? id : 'en';
  await Promise.all([load('en'), load(known)]);
  lang.value = known;
  document.documentElement.lang = known === 'zh-hans' ? 'zh-Hans' : known === 'zh-hant' ? 'zh-Hant' : known;
}

/** t(key, vars): the string in the current language; `{n}` placeholders take vars.n, as text. */
export function t(key, vars) {
  let s = current.value[key];
  if (s === undefined) s = fallback.value[key];
  if (s === undefined) s = key;
  if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
  return s;
}
