// @ts-check
// The tags page: custom tags with how many files carry them; create, rename,
// recolour, delete; a key bound to each tag (it toggles the tag on the selection or the
// previewed file); the translation table (tag name → shown name) with JSON import/export.
import { useEffect, useState } from 'preact/hooks';
import { html } from '../html.js';
import { t } from '../i18n.js';
import { Icon } from '../icons.js';
import { useKeyRecorder } from '../keys.js';
import { settings } from '../settings.js';
import { customTags, isReadonly, toast, toastError, confirmDialog, promptDialog } from '../store.js';
import { openTab } from '../workspace.js';
import {
  BUILTIN_TAGS, createTag, renameTag, recolourTag, deleteTag, fetchGroups, tagShortcutAction, setTagShortcut,
  translations, saveTranslations, parseTranslations, tagLabel,
} from '../tags.js';

const HEX = /^#[0-9a-f]{6}$/i;

function KeyButton({ tag, value, disabled }) {
  const [recording, record] = useKeyRecorder((name) => setTagShortcut(tag.id, name));
  const own = tagShortcutAction(tag.id);
  const taken = value && Object.entries(settings.value.shortcuts).find(([a, k]) => a !== own && k && k.toLowerCase() === value.toLowerCase());
  return html`<span class="row tag-key">
    <button class=${'key-btn' + (recording ? ' recording' : '')} disabled=${disabled} onClick=${record}
      aria-label=${t('tags.keyFor', { tag: tag.name })}>
      ${recording ? t('settings.pressKey') : value ? html`<kbd>${value}</kbd>` : t('settings.noKey')}</button>
    ${value ? html`<button class="icon-btn small" title=${t('action.clear')} aria-label=${t('action.clear')}
      onClick=${() => setTagShortcut(tag.id, '')}><${Icon} name="close" size=${13} /></button>` : null}
    ${taken ? html`<span class="error-text small">${t('tags.keyTaken')}</span>` : null}
  </span>`;
}

function TagRow({ tag, count, writable, onChanged }) {
  const builtin = BUILTIN_TAGS.includes(tag.name);
  const color = HEX.test(tag.color || '') ? tag.color : '#6c93ff';
  const label = tagLabel(tag);
  const run = async (fn) => {
    try {
      await fn();
      onChanged();
    } catch (err) {
      toastError(err);
    }
  };
  const rename = async () => {
    const name = await promptDialog({ title: t('tags.renameTitle', { tag: tag.name }), label: t('tags.name'), value: tag.name, ok: t('action.rename') });
    if (!name || !name.trim() || name.trim() === tag.name) return;
    run(async () => {
      await renameTag(tag, name);
      toast(t('tags.renamed', { tag: name.trim() }), { kind: 'success', ms: 1500 });
    });
  };
  const remove = async () => {
    const ok = await confirmDialog({ title: t('tags.deleteTitle', { tag: tag.name }), message: t('tags.deleteNote', { n: count }), ok: t('action.delete'), danger: true });
    if (!ok) return;
    run(async () => {
      await deleteTag(tag);
      toast(t('tags.deleted', { tag: tag.name }), { kind: 'success', ms: 1500 });
    });
  };
  return html`<tr data-tag=${tag.name} data-id=${tag.id}>
    <td><input type="color" class="tag-color" value=${color} disabled=${!writable} aria-label=${t('tags.colourOf', { tag: tag.name })}
      onChange=${(e) => { const v = e.currentTarget.value; run(() => recolourTag(tag, v)); }} /></td>
    <td class="tag-cell-name">
      <span class="tag-swatch" style=${tag.color ? { background: tag.color } : undefined}></span>
      <span class="tag-name">${tag.name}</span>
      ${label !== tag.name ? html`<span class="muted small"> · ${label}</span>` : null}
      ${builtin ? html`<span class="badge">${t('tags.builtin')}</span>` : null}
    </td>
    <td class="tag-count-cell">${count === undefined ? '' : count}</td>
    <td><${KeyButton} tag=${tag} value=${settings.value.shortcuts[tagShortcutAction(tag.id)] || ''} disabled=${!writable} /></td>
    <td class="tag-actions">
      <button class="icon-btn small" title=${t('tags.showImages')} aria-label=${t('tags.showImagesOf', { tag: tag.name })}
        onClick=${() => openTab({ kind: 'tagsearch', state: { and: [{ id: tag.id, name: tag.name, type: 'custom' }] } })}><${Icon} name="search" size=${14} /></button>
      <button class="icon-btn small tag-rename" title=${t('action.rename')} aria-label=${t('tags.renameTitle', { tag: tag.name })}
        disabled=${!writable || builtin} onClick=${rename}><${Icon} name="edit" size=${14} /></button>
      <button class="icon-btn small danger tag-delete" title=${t('action.delete')} aria-label=${t('tags.deleteTitle', { tag: tag.name })}
        disabled=${!writable || builtin} onClick=${remove}><${Icon} name="trash" size=${14} /></button>
    </td>
  </tr>`;
}

function Translations({ writable }) {
  const table = translations.value;
  const [name, setName] = useState('');
  const [value, setValue] = useState('');
  const [io, setIo] = useState(null); // null | 'export' | 'import'
  const [text, setText] = useState('');
  const [error, setError] = useState(null);
  const save = async (next) => {
    try {
      await saveTranslations(next);
      setError(null);
      return true;
    } catch (err) {
      toastError(err);
      return false;
    }
  };
  const add = async (e) => {
    e.preventDefault();
    if (!name.trim() || !value.trim()) return;
    if (await save({ ...table, [name.trim()]: value.trim() })) {
      setName('');
      setValue('');
    }
  };
  const edit = (key, v) => {
    const next = { ...table };
    if (v.trim()) next[key] = v.trim();
    else delete next[key];
    save(next);
  };
  const doImport = async (replace) => {
    let parsed;
    try {
      parsed = parseTranslations(text);
    } catch (err) {
      setError(t('tags.importError', { error: err.message }));
      return;
    }
    if (await save(replace ? parsed : { ...table, ...parsed })) {
      toast(t('tags.imported', { n: Object.keys(parsed).length }), { kind: 'success' });
      setIo(null);
    }
  };
  const entries = Object.entries(table).sort((a, b) => (a[0] < b[0] ? -1 : 1));
  return html`<section class="settings-section tag-translations">
    <h2>${t('tags.translations')}</h2>
    <p class="muted small">${t('tags.translationsHint')}</p>
    <table class="tag-table translations-table"><tbody>
      ${entries.map(([k, v]) => html`<tr key=${k} data-name=${k}>
        <td>${k}</td>
        <td><input class="input compact" value=${v} disabled=${!writable} aria-label=${t('tags.translationOf', { tag: k })}
          onChange=${(e) => edit(k, e.currentTarget.value)} /></td>
        <td><button class="icon-btn small danger" disabled=${!writable} title=${t('tags.remove')} aria-label=${t('tags.removeTranslation', { tag: k })}
          onClick=${() => edit(k, '')}><${Icon} name="close" size=${13} /></button></td>
      </tr>`)}
    </tbody></table>
    ${writable ? html`<form class="row tag-translation-add" onSubmit=${add}>
      <input class="input compact" name="tr-name" value=${name} placeholder=${t('tags.name')} aria-label=${t('tags.name')} onInput=${(e) => setName(e.currentTarget.value)} />
      <input class="input compact" name="tr-value" value=${value} placeholder=${t('tags.translation')} aria-label=${t('tags.translation')} onInput=${(e) => setValue(e.currentTarget.value)} />
      <button class="btn small" type="submit" disabled=${!name.trim() || !value.trim()}>${t('tags.add')}</button>
    </form>` : null}
    <div class="row tag-io">
      <button class="btn small" onClick=${() => { setIo('export'); setText(JSON.stringify(table, null, 2)); setError(null); }}>${t('tags.export')}</button>
      ${writable ? html`<button class="btn small" onClick=${() => { setIo('import'); setText(''); setError(null); }}>${t('tags.import')}</button>` : null}
    </div>
    ${io ? html`<div class="tag-io-box">
      <textarea class="input tag-io-text" rows="8" readonly=${io === 'export'} value=${text} aria-label=${io === 'export' ? t('tags.export') : t('tags.import')}
        placeholder=${io === 'import' ? t('tags.importPlaceholder') : undefined}
        onInput=${(e) => setText(e.currentTarget.value)} onFocus=${io === 'export' ? (e) => e.currentTarget.select() : undefined}></textarea>
      ${error ? html`<div class="error-text small" role="alert">${error}</div>` : null}
      <div class="row">
        ${io === 'import' ? html`<button class="btn small primary tag-import-merge" onClick=${() => doImport(false)}>${t('tags.importMerge')}</button>
          <button class="btn small tag-import-replace" onClick=${() => doImport(true)}>${t('tags.importReplace')}</button>` : null}
        <button class="btn small" onClick=${() => setIo(null)}>${t('tags.close')}</button>
      </div>
    </div>` : null}
  </section>`;
}

export function TagsPage() {
  const tags = customTags.value;
  const writable = !isReadonly.value;
  const [counts, setCounts] = useState({});
  const [name, setName] = useState('');
  const loadCounts = async () => {
    try {
      const [custom] = await fetchGroups({ types: ['custom'], limit: 1000 });
      const next = {};
      for (const tg of (custom && custom.tags) || []) next[tg.id] = tg.count;
      setCounts(next);
    } catch (err) {
      toastError(err);
    }
  };
  useEffect(() => {
    loadCounts();
  }, []);
  const create = async (e) => {
    e.preventDefault();
    const n = name.trim();
    if (!n) return;
    try {
      const tag = await createTag(n);
      setName('');
      toast(t('tags.created', { tag: tag.name }), { kind: 'success', ms: 1500 });
      loadCounts();
    } catch (err) {
      toastError(err);
    }
  };
  const list = [...tags].sort((a, b) => {
    const ba = BUILTIN_TAGS.includes(a.name) ? 0 : 1;
    const bb = BUILTIN_TAGS.includes(b.name) ? 0 : 1;
    return ba - bb || a.name.localeCompare(b.name);
  });
  return html`<div class="settings-page tags-page">
    <h1><${Icon} name="tag" size=${20} /> ${t('tab.tags')}</h1>
    <section class="settings-section">
      <h2>${t('tags.custom')}</h2>
      <p class="muted small">${t('tags.customHint')}</p>
      ${writable ? html`<form class="row tag-create" onSubmit=${create}>
        <input class="input" name="new-tag" value=${name} placeholder=${t('tags.newPlaceholder')} aria-label=${t('tags.newPlaceholder')}
          onInput=${(e) => setName(e.currentTarget.value)} />
        <button class="btn primary" type="submit" disabled=${!name.trim()}><${Icon} name="plus" size=${15} /> ${t('tags.create')}</button>
      </form>` : html`<p class="muted small">${t('tags.readonly')}</p>`}
      <table class="tag-table custom-tags">
        <thead><tr><th>${t('tags.colour')}</th><th>${t('tags.name')}</th><th>${t('tags.files')}</th><th>${t('tags.key')}</th><th></th></tr></thead>
        <tbody>
          ${list.map((tag) => html`<${TagRow} key=${tag.id} tag=${tag} count=${counts[tag.id]} writable=${writable} onChanged=${loadCounts} />`)}
        </tbody>
      </table>
    </section>
    <${Translations} writable=${writable} />
  </div>`;
}
