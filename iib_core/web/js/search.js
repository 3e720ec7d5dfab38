// @ts-check
// Text search helpers: the request a search sends, its page source for a ResultsModel,
// the search history (this browser, last 20) and the syntax cheat sheet's examples.
import { signal, effect } from '@preact/signals';
import { get, post } from './api.js';

export const MODES = ['query', 'substr', 'regex'];
export const MEDIA = ['all', 'image', 'video'];
// The first page small (quick to show), the next ones larger: fewer round trips (and
// fewer waits at the end of the grid) when scrolling fast through a large result.
export const FIRST_PAGE = 200;
export const NEXT_PAGE = 500;
const HISTORY_KEY = 'iib.searchHistory';
const HISTORY_MAX = 20;

/** A search's options from a tab's saved state (anything odd falls back to the default). */
export function searchOptions(state) {
  const st = state || {};
  return {
    q: typeof st.q === 'string' ? st.q : '',
    mode: MODES.includes(st.mode) ? st.mode : 'query',
    media: MEDIA.includes(st.media) ? st.media : 'all',
    folders: Array.isArray(st.folders) ? st.folders.filter((f) => typeof f === 'string' && f) : [],
  };
}

/** The body of POST /db/search_by_substr for these options and a cursor. */
export function searchBody(opts, cursor = '', size = FIRST_PAGE) {
  const regex = opts.mode === 'regex';
  return {
    surstr: regex ? '' : opts.q,
    regexp: regex ? opts.q : '',
    syntax: opts.mode === 'query' ? 'query' : 'substr',
    cursor: cursor || '',
    folder_paths: opts.folders.length ? opts.folders : null,
    media_type: opts.media === 'all' ? null : opts.media,
    size,
    path_only: false,
  };
}

/** fetchPage(cursor) for a ResultsModel: the options are fixed when the search starts. */
export function searchSource(opts) {
  const frozen = { ...opts, folders: [...opts.folders] };
  return (cursor) => post('/db/search_by_substr', searchBody(frozen, cursor, cursor ? NEXT_PAGE : FIRST_PAGE));
}

/** GET /db/random_images as a one-page source. */
export async function randomPage() {
  const files = await get('/db/random_images');
  return { files: Array.isArray(files) ? files : [], cursor: { has_next: false, next: '' } };
}

// -- history ---------------------------------------------------------------------------------
function readHistory() {
  try {
    const raw = JSON.parse(localStorage.getItem(HISTORY_KEY) || '[]');
    if (!Array.isArray(raw)) return [];
    return raw
      .filter((e) => e && typeof e.q === 'string' && e.q.trim() && MODES.includes(e.mode))
      .slice(0, HISTORY_MAX)
      .map((e) => ({ q: e.q, mode: e.mode }));
  } catch (e) {
    return [];
  }
}

export const searchHistory = signal(readHistory());

effect(() => {
  try {
    localStorage.setItem(HISTORY_KEY, JSON.stringify(searchHistory.value));
  } catch (e) {
    /* private mode or full: the history lives for this page only */
  }
});

// Another tab of the browser changed the history: follow it.
window.addEventListener('storage', (e) => {
  if (e.key === HISTORY_KEY) searchHistory.value = readHistory();
});

const same = (a, b) => a.q === b.q && a.mode === b.mode;

export function rememberSearch(q, mode) {
  const text = q.trim();
  if (!text) return;
  const entry = { q: text, mode };
  searchHistory.value = [entry, ...searchHistory.peek().filter((e) => !same(e, entry))].slice(0, HISTORY_MAX);
}

export function forgetSearch(entry) {
  searchHistory.value = searchHistory.peek().filter((e) => !same(e, entry));
}

export function clearHistory() {
  searchHistory.value = [];
}

// -- the cheat sheet: query text (syntax, not prose) → the key of its explanation ---------------
export const EXAMPLES = [
  ['1girl smile', 'search.help.words'],
  ['"long hair"', 'search.help.phrase'],
  ['flower -rose', 'search.help.exclude'],
  ['night OR sunset', 'search.help.or'],
  ['(cat OR dog) outdoors', 'search.help.group'],
  ['model:dreamshaper', 'search.help.model'],
  ['lora:detail', 'search.help.lora'],
  ['sampler:"DPM++ 2M"', 'search.help.sampler'],
  ['steps>30 cfg:7', 'search.help.numbers'],
  ['seed:12345', 'search.help.seed'],
  ['size:512x768', 'search.help.size'],
  ['date:2026-11', 'search.help.date'],
  ['tag:like', 'search.help.tag'],
  ['ext:webp', 'search.help.ext'],
];
