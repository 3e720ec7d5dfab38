// @ts-check
// The workspace: columns side by side (split view), each with tabs. A tab is a start page,
// a folder view, a walk stream, the settings or the trash. The layout is saved in
// localStorage and restored on reload; named snapshots go to the server
// (app_fe_setting "workspace_snapshot_<id>").
import { signal, effect, computed } from '@preact/signals';
import { post, del } from './api.js';
import { globalSetting } from './store.js';

const STORAGE_KEY = 'iib.workspace';
// Folder-less kinds: pages registered in components/pages.js (search, tags, compare...).
const PATH_KINDS = new Set(['folder', 'walk']);
const KINDS = new Set(['start', 'folder', 'walk', 'settings', 'trash', 'search', 'tagsearch', 'tags', 'favourites',
  'random', 'index', 'compare', 'topics', 'topic']);
const MAX_STATE = 20000; // characters of a page's saved state (query, picked tags...)
let seq = 0;
const newId = (prefix) => `${prefix}${Date.now().toString(36)}${(++seq).toString(36)}`;

/**
 * @typedef {{ id: string, kind: string, path: string, sortBy?: string, sortDir?: string, filter?: string, state?: object }} Tab
 */

/** @returns {Tab} */
export function makeTab(spec) {
  /** @type {Tab} */
  const tab = { id: newId('t'), kind: spec.kind || 'start', path: spec.path || '', ...pick(spec, ['sortBy', 'sortDir', 'filter']) };
  const st = cleanState(spec.state);
  if (st) tab.state = st;
  return tab;
}

/** A page's own state (a plain JSON object, bounded), or null. */
function cleanState(st) {
  if (!st || typeof st !== 'object' || Array.isArray(st)) return null;
  try {
    const text = JSON.stringify(st);
    return text.length <= MAX_STATE ? JSON.parse(text) : null;
  } catch (e) {
    return null;
  }
}

function pick(obj, keys) {
  const out = {};
  for (const k of keys) if (obj[k] !== undefined) out[k] = obj[k];
  return out;
}

function makeColumn(tabs) {
  const list = tabs && tabs.length ? tabs : [makeTab({ kind: 'start' })];
  return { id: newId('c'), tabs: list, active: list[0].id, size: 1 };
}

function fresh() {
  const col = makeColumn();
  return { columns: [col], focused: col.id };
}

/** A saved layout, checked field by field: a bad snapshot gives a fresh workspace. */
export function sanitize(raw) {
  if (!raw || !Array.isArray(raw.columns) || !raw.columns.length) return fresh();
  const columns = [];
  for (const c of raw.columns.slice(0, 6)) {
    if (!c || !Array.isArray(c.tabs)) continue;
    const tabs = c.tabs
      .filter((tb) => tb && KINDS.has(tb.kind) && (!PATH_KINDS.has(tb.kind) || typeof tb.path === 'string'))
      .slice(0, 30)
      .map((tb) => makeTab(tb));
    if (!tabs.length) continue;
    const activeIndex = Math.max(0, c.tabs.findIndex((tb) => tb && tb.id === c.active));
    const col = makeColumn(tabs);
    col.active = tabs[Math.min(activeIndex, tabs.length - 1)].id;
    col.size = typeof c.size === 'number' && c.size > 0.05 && c.size < 20 ? c.size : 1;
    columns.push(col);
  }
  if (!columns.length) return fresh();
  const fi = Math.max(0, raw.columns.findIndex((c) => c && c.id === raw.focused));
  return { columns, focused: columns[Math.min(fi, columns.length - 1)].id };
}

function restore() {
  try {
    return sanitize(JSON.parse(localStorage.getItem(STORAGE_KEY) || 'null'));
  } catch (e) {
    return fresh();
  }
}

export const workspace = signal(restore());

effect(() => {
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(workspace.value));
  } catch (e) {
    /* ignore */
  }
});

export const focusedColumn = computed(() => {
  const ws = workspace.value;
  return ws.columns.find((c) => c.id === ws.focused) || ws.columns[0];
});

export const activeTab = computed(() => {
  const col = focusedColumn.value;
  return col.tabs.find((tb) => tb.id === col.active) || col.tabs[0];
});

function setColumns(fn, focused) {
  const ws = workspace.peek();
  const columns = fn(ws.columns);
  workspace.value = { columns, focused: focused || (columns.some((c) => c.id === ws.focused) ? ws.focused : columns[0].id) };
}

export function findTab(tabId) {
  for (const col of workspace.peek().columns) {
    const tab = col.tabs.find((tb) => tb.id === tabId);
    if (tab) return { col, tab };
  }
  return null;
}

/** Open a tab: in the focused column (or `columnId`), replacing `replaceId` when given. */
/**
 * @param {object} spec
 * @param {{ columnId?: string, replaceId?: string }} [where]
 */
export function openTab(spec, { columnId, replaceId } = {}) {
  const tab = makeTab(spec);
  const target = columnId || (replaceId && findTab(replaceId) ? findTab(replaceId).col.id : workspace.peek().focused);
  setColumns((cols) => cols.map((c) => {
    if (c.id !== target) return c;
    const tabs = replaceId ? c.tabs.map((tb) => (tb.id === replaceId ? tab : tb)) : [...c.tabs, tab];
    return { ...c, tabs, active: tab.id };
  }), target);
  return tab;
}

/** Open a tab in a new column at the right (split view). */
export function openInSplit(spec) {
  const tab = makeTab(spec);
  const col = makeColumn([tab]);
  setColumns((cols) => [...cols, col], col.id);
  return tab;
}

/** Merge into a page tab's saved state (kept across reloads with the layout). */
export function updateTabState(tabId, patch) {
  const found = findTab(tabId);
  if (!found) return;
  const st = cleanState({ ...(found.tab.state || {}), ...patch });
  if (st) updateTab(tabId, { state: st });
}

/** Focus the first open tab of `kind` (e.g. the index page), or open one. */
export function showPage(kind, state) {
  for (const col of workspace.peek().columns) {
    const tab = col.tabs.find((tb) => tb.kind === kind);
    if (tab) {
      if (state) updateTabState(tab.id, state);
      activateTab(col.id, tab.id);
      return tab;
    }
  }
  return openTab({ kind, state });
}

export function updateTab(tabId, patch) {
  setColumns((cols) => cols.map((c) => ({ ...c, tabs: c.tabs.map((tb) => (tb.id === tabId ? { ...tb, ...patch } : tb)) })));
}

export function activateTab(columnId, tabId) {
  setColumns((cols) => cols.map((c) => (c.id === columnId ? { ...c, active: tabId } : c)), columnId);
}

export function focusColumn(columnId) {
  if (workspace.peek().focused !== columnId) setColumns((cols) => cols, columnId);
}

export function closeTab(columnId, tabId) {
  const ws = workspace.peek();
  const col = ws.columns.find((c) => c.id === columnId);
  if (!col) return;
  const rest = col.tabs.filter((tb) => tb.id !== tabId);
  if (!rest.length) {
    if (ws.columns.length > 1) {
      setColumns((cols) => cols.filter((c) => c.id !== columnId));
      return;
    }
    rest.push(makeTab({ kind: 'start' }));
  }
  const i = col.tabs.findIndex((tb) => tb.id === tabId);
  const active = col.active === tabId ? rest[Math.min(i, rest.length - 1)].id : col.active;
  setColumns((cols) => cols.map((c) => (c.id === columnId ? { ...c, tabs: rest, active } : c)));
}

export function closeColumn(columnId) {
  const ws = workspace.peek();
  if (ws.columns.length < 2) return;
  setColumns((cols) => cols.filter((c) => c.id !== columnId));
}

export function resizeColumns(sizes) {
  setColumns((cols) => cols.map((c, i) => ({ ...c, size: sizes[i] || c.size })));
}

// -- named snapshots on the server --------------------------------------------------------
export const SNAPSHOT_PREFIX = 'workspace_snapshot_';

export const snapshots = computed(() => {
  const gs = globalSetting.value;
  const store = (gs && gs.app_fe_setting) || {};
  return Object.entries(store)
    .filter(([k, v]) => k.startsWith(SNAPSHOT_PREFIX) && v && typeof v === 'object')
    .map(([k, v]) => ({ key: k, name: String(v.name || k.slice(SNAPSHOT_PREFIX.length)), savedAt: v.saved_at || 0, workspace: v.workspace }))
    .sort((a, b) => b.savedAt - a.savedAt);
});

function patchStore(key, value) {
  const gs = globalSetting.peek();
  if (!gs) return;
  const store = { ...(gs.app_fe_setting || {}) };
  if (value === undefined) delete store[key];
  else store[key] = value;
  globalSetting.value = { ...gs, app_fe_setting: store };
}

export async function saveSnapshot(name) {
  const key = SNAPSHOT_PREFIX + Date.now().toString(36);
  const value = { name, saved_at: Date.now(), workspace: workspace.peek() };
  await post('/app_fe_setting', { name: key, value: JSON.stringify(value) });
  patchStore(key, value);
}

export function restoreSnapshot(snap) {
  workspace.value = sanitize(snap.workspace);
}

export async function deleteSnapshot(snap) {
  await del('/app_fe_setting', { name: snap.key });
  patchStore(snap.key, undefined);
}
