// @ts-check
// Application-wide state: the server's global settings, the workspace (columns of tabs),
// toasts, the open dialog, the context menu, the fullscreen preview, the batch list.
import { signal, computed, batch, effect } from '@preact/signals';
import { get, post } from './api.js';
import { joinPath, baseName } from './media.js';

export const globalSetting = signal(null);
export const bootError = signal(null);
export const checkedDirs = signal({}); // candidate output folders → exists (check_path_exists)

export const isReadonly = computed(() => !!(globalSetting.value && globalSetting.value.is_readonly));
export const inWebui = computed(() => !!(globalSetting.value && globalSetting.value.launch_mode === 'sd'));
export const customTags = computed(() => (globalSetting.value && globalSetting.value.all_custom_tags) || []);

function absolute(gs, p) {
  if (!p) return null;
  if (p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p)) return p;
  return joinPath(gs.sd_cwd || '', p.replace(/^\.\//, ''));
}

export function outdirCandidates(gs) {
  const opts = gs.global_setting || {};
  const out = [];
  // The webui's output folder options, in the start page's order, each with the webui's
  // default folder (`webui_outdirs` in /global_setting).
  for (const { key, default: fallback } of gs.webui_outdirs || []) {
    const v = typeof opts[key] === 'string' && opts[key] ? opts[key] : gs.launch_mode === 'sd' ? fallback : null;
    const p = absolute(gs, v);
    if (p && !out.some((o) => o.path === p)) out.push({ key, path: p });
  }
  return out;
}

/** Every root the start page lists: webui outputs, added folders, --extra_paths. */
export const roots = computed(() => {
  const gs = globalSetting.value;
  if (!gs) return [];
  const out = [];
  const exists = checkedDirs.value;
  for (const c of outdirCandidates(gs)) {
    if (exists[c.path]) out.push({ path: c.path, alias: '', source: 'outdir', key: c.key, types: ['scanned'] });
  }
  for (const e of gs.extra_paths || []) {
    const seen = out.find((o) => o.path === e.path);
    if (seen) {
      if (e.alias) seen.alias = e.alias;
      if (!e.types.includes('cli_access_only')) {
        seen.types = [...new Set([...seen.types, ...e.types])];
        seen.stored = true;
      }
      continue;
    }
    const cli = e.types.includes('cli_access_only');
    out.push({ path: e.path, alias: e.alias || '', source: cli ? 'cli' : 'extra', stored: !cli,
      types: cli ? ['scanned'] : e.types });
  }
  return out;
});

export function displayName(path) {
  const r = roots.peek().find((x) => x.path === path);
  return (r && r.alias) || baseName(path) || path;
}

export async function loadGlobalSetting() {
  const gs = await get('/global_setting');
  const candidates = outdirCandidates(gs).map((c) => c.path);
  let exists = {};
  if (candidates.length) {
    try {
      exists = await post('/check_path_exists', { paths: candidates });
    } catch (e) {
      exists = {};
    }
  }
  batch(() => {
    checkedDirs.value = exists;
    globalSetting.value = gs;
  });
  return gs;
}

// -- toasts ------------------------------------------------------------------------------
export const toasts = signal([]);
let toastSeq = 0;

/** toast(text, {kind: 'error'|'info'|'success', action: {label, run}, ms}) → id */
export function toast(text, opts = {}) {
  const id = ++toastSeq;
  const item = { id, text: String(text), kind: opts.kind || 'info', action: opts.action || null };
  toasts.value = [...toasts.peek(), item].slice(-5);
  const ms = opts.ms !== undefined ? opts.ms : item.kind === 'error' ? 9000 : item.action ? 10000 : 3500;
  if (ms > 0) setTimeout(() => dismissToast(id), ms);
  return id;
}

export function dismissToast(id) {
  toasts.value = toasts.peek().filter((x) => x.id !== id);
}

export function toastError(err) {
  toast(err && err.message ? err.message : String(err), { kind: 'error' });
}

// -- modal dialogs: one at a time, each a promise ------------------------------------------
export const dialog = signal(null);
let dialogSeq = 0;

/** confirmDialog({title, message, ok, danger, extra: [{label, value}]}) → true/false/extra value */
export function confirmDialog(opts) {
  return new Promise((resolve) => {
    dialog.value = { id: ++dialogSeq, kind: 'confirm', ...opts, resolve: (v) => { dialog.value = null; resolve(v); } };
  });
}

/** promptDialog({title, label, value, ok}) → the text, or null when cancelled */
export function promptDialog(opts) {
  return new Promise((resolve) => {
    dialog.value = { id: ++dialogSeq, kind: 'prompt', ...opts, resolve: (v) => { dialog.value = null; resolve(v); } };
  });
}

/** pickFolderDialog({title, ok}) → a folder path, or null */
export function pickFolderDialog(opts) {
  return new Promise((resolve) => {
    dialog.value = { id: ++dialogSeq, kind: 'folder', ...opts, resolve: (v) => { dialog.value = null; resolve(v); } };
  });
}

// -- context menu and preview ------------------------------------------------------------
export const contextMenu = signal(null); // {x, y, items}
export const preview = signal(null); // {model, index}

// -- batch download list (fed from any grid or walk stream) --------------------------------
// Kept in localStorage (the fields a row needs); batch.js drops files that are gone.
const BATCH_KEY = 'iib.batch';
const BATCH_FIELDS = ['type', 'name', 'fullpath', 'bytes', 'size', 'date', 'created_time'];
export const BATCH_MAX = 10000; // the zip route's limit per archive

function slimFile(f) {
  const out = {};
  for (const k of BATCH_FIELDS) if (f[k] !== undefined && f[k] !== null) out[k] = f[k];
  return out;
}

export const batchList = signal((() => {
  try {
    const v = JSON.parse(localStorage.getItem(BATCH_KEY) || '[]');
    return Array.isArray(v) ? v.filter((f) => f && f.type === 'file' && typeof f.fullpath === 'string' && typeof f.name === 'string') : [];
  } catch (e) {
    return [];
  }
})());

effect(() => {
  try {
    localStorage.setItem(BATCH_KEY, JSON.stringify(batchList.value.map(slimFile)));
  } catch (e) {
    /* full or private mode: kept in memory */
  }
});

export function addToBatch(files) {
  const have = new Set(batchList.peek().map((f) => f.fullpath));
  const add = [];
  for (const f of files) {
    if (f.type !== 'file' || have.has(f.fullpath) || have.size >= BATCH_MAX) continue;
    have.add(f.fullpath);
    add.push(slimFile(f));
  }
  if (add.length) batchList.value = [...batchList.peek(), ...add];
  return add.length;
}

// -- recent folders and move targets (this browser only) ---------------------------------
function storedList(key) {
  const s = signal((() => {
    try {
      const v = JSON.parse(localStorage.getItem(key) || '[]');
      return Array.isArray(v) ? v.filter((x) => typeof x === 'string') : [];
    } catch (e) {
      return [];
    }
  })());
  effect(() => {
    try {
      localStorage.setItem(key, JSON.stringify(s.value));
    } catch (e) {
      /* ignore */
    }
  });
  return s;
}

export const recentFolders = storedList('iib.recent');
export const recentTargets = storedList('iib.targets');

export function remember(list, path, max = 20) {
  list.value = [path, ...list.peek().filter((p) => p !== path)].slice(0, max);
}
