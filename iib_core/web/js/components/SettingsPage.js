// @ts-check
// Global settings: language, theme, thumbnails, grid cell width, default sort and filter,
// auto refresh, confirmations, sync with the server, and the keyboard shortcuts.
import { html } from '../html.js';
import { t, LANGUAGES } from '../i18n.js';
import { Icon } from '../icons.js';
import { tagOfAction, tagLabel } from '../tags.js';
import { settings, update, setShortcut, resetSettings, DEFAULT_SHORTCUTS, CELL_MIN, CELL_MAX } from '../settings.js';
import { isReadonly, confirmDialog } from '../store.js';
import { useKeyRecorder } from '../keys.js';
import { CacheSection } from './CacheSection.js';

const SHORTCUT_ACTIONS = ['rate0', 'rate1', 'rate2', 'rate3', 'rate4', 'rate5', 'favourite', 'markDelete', 'delete', 'download', 'toggleInfo'];

/** A shortcut action's name: a built-in one, or "Tag: <name>" for a key bound to a custom tag. */
function actionLabel(action) {
  const tag = tagOfAction(action);
  if (tag) return `${t('tab.tags')}: ${tagLabel(tag)}`;
  return t('shortcut.' + action);
}

function ShortcutRow({ action, value }) {
  const [recording, record] = useKeyRecorder((name) => setShortcut(action, name));
  const taken = Object.entries(settings.value.shortcuts).filter(([a, k]) => a !== action && k && value && k.toLowerCase() === value.toLowerCase());
  return html`<tr data-action=${action}>
    <td>${t('shortcut.' + action)}</td>
    <td><button class=${'key-btn' + (recording ? ' recording' : '')} onClick=${record}>
      ${recording ? t('settings.pressKey') : value ? html`<kbd>${value}</kbd>` : t('settings.noKey')}</button>
      ${taken.length ? html`<span class="error-text small">${t('settings.keyTaken', { action: actionLabel(taken[0][0]) })}</span>` : null}</td>
    <td>${value ? html`<button class="icon-btn small" title=${t('action.clear')} aria-label=${t('action.clear')} onClick=${() => setShortcut(action, '')}><${Icon} name="close" size=${14} /></button>` : null}
      ${value !== DEFAULT_SHORTCUTS[action] ? html`<button class="link-btn" onClick=${() => setShortcut(action, DEFAULT_SHORTCUTS[action])}>${t('settings.default')}</button>` : null}</td>
  </tr>`;
}

export function SettingsPage() {
  const s = settings.value;
  const field = (label, control, hint) => html`<div class="setting"><label><span class="setting-label">${label}</span>${control}</label>
    ${hint ? html`<p class="muted small">${hint}</p>` : null}</div>`;
  const reset = async () => {
    if (await confirmDialog({ title: t('settings.resetTitle'), ok: t('settings.reset'), danger: true })) resetSettings();
  };
  return html`<div class="settings-page">
    <h1>${t('tab.settings')}</h1>
    <section class="settings-section">
      <h2>${t('settings.appearance')}</h2>
      ${field(t('settings.language'), html`<select class="input" name="lang" value=${s.lang} onChange=${(e) => update('lang', e.currentTarget.value)}>
        <option value="auto">${t('settings.auto')}</option>
        ${LANGUAGES.map((l) => html`<option value=${l.id}>${l.name}</option>`)}
      </select>`)}
      ${field(t('settings.theme'), html`<select class="input" name="theme" value=${s.theme} onChange=${(e) => update('theme', e.currentTarget.value)}>
        <option value="auto">${t('settings.themeAuto')}</option>
        <option value="dark">${t('settings.themeDark')}</option>
        <option value="light">${t('settings.themeLight')}</option>
      </select>`)}
    </section>
    <section class="settings-section">
      <h2>${t('settings.grid')}</h2>
      ${field(t('settings.cellWidth'), html`<div class="row"><input type="range" min=${CELL_MIN} max=${CELL_MAX} step="8" value=${s.cellWidth}
          onInput=${(e) => update('cellWidth', Number(e.currentTarget.value))} aria-label=${t('settings.cellWidth')} />
        <input class="input narrow" type="number" name="cellWidth" min=${CELL_MIN} max=${CELL_MAX} value=${s.cellWidth}
          onChange=${(e) => update('cellWidth', Number(e.currentTarget.value))} /> px</div>`, t('settings.cellWidthHint'))}
      ${field(t('settings.thumbSize'), html`<select class="input" name="thumbSize" value=${String(s.thumbSize)} onChange=${(e) => update('thumbSize', Number(e.currentTarget.value))}>
        ${[256, 384, 512, 768, 1024].map((n) => html`<option value=${String(n)}>${n} px</option>`)}
      </select>`, t('settings.thumbSizeHint'))}
      ${field(t('settings.defaultSort'), html`<select class="input" name="sort" value=${`${s.sortBy}:${s.sortDir}`}
          onChange=${(e) => { const [sortBy, sortDir] = e.currentTarget.value.split(':'); update({ sortBy, sortDir }); }}>
        <option value="date:desc">${t('sort.dateDesc')}</option>
        <option value="date:asc">${t('sort.dateAsc')}</option>
        <option value="name:asc">${t('sort.nameAsc')}</option>
        <option value="name:desc">${t('sort.nameDesc')}</option>
        <option value="size:desc">${t('sort.sizeDesc')}</option>
        <option value="size:asc">${t('sort.sizeAsc')}</option>
      </select>`)}
      ${field(t('settings.defaultFilter'), html`<select class="input" name="filter" value=${s.mediaFilter} onChange=${(e) => update('mediaFilter', e.currentTarget.value)}>
        <option value="media">${t('filter.media')}</option>
        <option value="image">${t('filter.image')}</option>
        <option value="video">${t('filter.video')}</option>
        <option value="all">${t('filter.all')}</option>
      </select>`)}
    </section>
    <section class="settings-section">
      <h2>${t('settings.behaviour')}</h2>
      ${field(t('settings.autoRefresh'), html`<span class="row"><input type="checkbox" name="autoRefresh" checked=${s.autoRefresh} onChange=${(e) => update('autoRefresh', e.currentTarget.checked)} />
        <input class="input narrow" type="number" min="1" max="600" value=${s.autoRefreshSeconds} disabled=${!s.autoRefresh}
          aria-label=${t('settings.autoRefreshSeconds')} onChange=${(e) => update('autoRefreshSeconds', Math.max(1, Number(e.currentTarget.value) || 3))} /> ${t('settings.seconds')}</span>`, t('settings.autoRefreshHint'))}
      ${field(t('settings.confirmDelete'), html`<input type="checkbox" name="confirmDelete" checked=${s.confirmDelete} onChange=${(e) => update('confirmDelete', e.currentTarget.checked)} />`)}
      ${field(t('settings.sync'), html`<input type="checkbox" name="sync" checked=${s.syncToServer} disabled=${isReadonly.value} onChange=${(e) => update('syncToServer', e.currentTarget.checked)} />`,
        isReadonly.value ? t('settings.syncReadonly') : t('settings.syncHint'))}
    </section>
    <section class="settings-section">
      <h2>${t('settings.shortcuts')}</h2>
      <p class="muted small">${t('settings.shortcutsHint')}</p>
      <table class="shortcut-table"><tbody>
        ${SHORTCUT_ACTIONS.map((a) => html`<${ShortcutRow} key=${a} action=${a} value=${s.shortcuts[a] || ''} />`)}
      </tbody></table>
    </section>
    <${CacheSection} />
    <section class="settings-section">
      <button class="btn danger" onClick=${reset}>${t('settings.reset')}</button>
    </section>
  </div>`;
}
