// @ts-check
// The UI's preferences: kept in localStorage, and on the server under app_fe_setting
// "global" when the server is writable (`is_readonly`, docs/api.md), saved 500 ms after a change.
import { signal, effect } from '@preact/signals';
import { post } from './api.js';

const STORAGE_KEY = 'iib.settings';

export const DEFAULT_SHORTCUTS = {
  rate0: '0', rate1: '1', rate2: '2', rate3: '3', rate4: '4', rate5: '5',
  favourite: 'f',
  markDelete: 'x',
  delete: 'Delete',
  download: 'd',
  toggleInfo: 'i',
};

export const DEFAULTS = {
  lang: 'auto',
  theme: 'auto', // auto | dark | light
  thumbSize: 512, // the largest thumbnail the grid requests
  cellWidth: 200, // grid cell width, 64..1024
  sortBy: 'date', // name | date | size
  sortDir: 'desc', // asc | desc
  mediaFilter: 'media', // media | image | video | all
  autoRefresh: true,
  autoRefreshSeconds: 3,
  confirmDelete: true,
  syncToServer: true,
  showTree: true,
  shortcuts: DEFAULT_SHORTCUTS,
  infoPanel: { x: null, y: 56, width: 380, height: 560, collapsed: false },
  changedAt: 0, // ms since the epoch of the last change: the newer of the local and server copies wins
};

export const CELL_MIN = 64;
export const CELL_MAX = 1024;

function clean(raw) {
  const out = { ...DEFAULTS };
  if (!raw || typeof raw !== 'object') return out;
  for (const key of Object.keys(DEFAULTS)) {
    if (raw[key] === undefined || raw[key] === null) continue;
    if (typeof DEFAULTS[key] === 'object' && DEFAULTS[key] !== null) {
      out[key] = { ...DEFAULTS[key], ...(typeof raw[key] === 'object' ? raw[key] : {}) };
    } else if (typeof raw[key] === typeof DEFAULTS[key]) {
      out[key] = raw[key];
    }
  }
  out.cellWidth = Math.min(CELL_MAX, Math.max(CELL_MIN, Math.round(out.cellWidth) || DEFAULTS.cellWidth));
  return out;
}

function readLocal() {
  try {
    return JSON.parse(localStorage.getItem(STORAGE_KEY) || 'null');
  } catch (e) {
    return null;
  }
}

export const settings = signal(clean(readLocal()));

/** settings change: update('cellWidth', 300) or update({theme: 'dark'}). */
export function update(key, value) {
  const patch = typeof key === 'object' ? key : { [key]: value };
  settings.value = clean({ ...settings.peek(), ...patch, changedAt: Date.now() });
}

export function setShortcut(action, key) {
  update('shortcuts', { ...settings.peek().shortcuts, [action]: key });
}

export function resetSettings() {
  settings.value = clean({ lang: settings.peek().lang, changedAt: Date.now() });
}

let serverWritable = false;
let timer = 0;

/** Called once with /global_setting: restore the server's copy, then keep both in sync. */
export function attachServer(globalSetting) {
  serverWritable = !globalSetting.is_readonly;
  const stored = globalSetting.app_fe_setting && globalSetting.app_fe_setting.global;
  const local = readLocal();
  const sync = local ? local.syncToServer !== false : true;
  // The server's copy wins unless this browser changed something after it was saved (a
  // reload within the 500 ms before a change reaches the server must not undo the change).
  const newer = !local || !(Number(local.changedAt) > Number(stored && stored.changedAt || 0));
  if (sync && newer && stored && typeof stored === 'object' && Object.keys(stored).length) {
    settings.value = clean({ ...stored, syncToServer: true });
  } else if (sync && !newer && serverWritable) {
    post('/app_fe_setting', { name: 'global', value: JSON.stringify(settings.peek()) }).catch(() => {});
  }
  let first = true;
  effect(() => {
    const value = settings.value;
    try {
      localStorage.setItem(STORAGE_KEY, JSON.stringify(value));
    } catch (e) {
      /* private mode: keep it in memory */
    }
    if (first) {
      first = false;
      return;
    }
    if (!serverWritable || !value.syncToServer) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      post('/app_fe_setting', { name: 'global', value: JSON.stringify(value) }).catch(() => {});
    }, 500);
  });
}

// -- theme: follows the system unless chosen -------------------------------------------
const systemLight = matchMedia('(prefers-color-scheme: light)');
const systemTheme = signal(systemLight.matches ? 'light' : 'dark');
systemLight.addEventListener('change', (e) => {
  systemTheme.value = e.matches ? 'light' : 'dark';
});

effect(() => {
  const chosen = settings.value.theme;
  document.documentElement.dataset.theme = chosen === 'light' || chosen === 'dark' ? chosen : systemTheme.value;
});
