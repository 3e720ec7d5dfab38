// @ts-check
// The trash: deleted files wait here; restore puts them back where they were.
import { useState, useEffect } from 'preact/hooks';
import { html } from '../html.js';
import { t } from '../i18n.js';
import { Icon } from '../icons.js';
import { get, post } from '../api.js';
import { toast, toastError, confirmDialog, isReadonly } from '../store.js';
import { refreshFolders } from '../models.js';
import { parentOf } from '../media.js';

export function TrashPage() {
  const [items, setItems] = useState(null);
  const [error, setError] = useState(null);
  const [picked, setPicked] = useState(new Set());
  const writable = !isReadonly.value;

  const load = async () => {
    try {
      const res = await get('/trash');
      setItems((res && res.items) || []);
      setError(null);
    } catch (err) {
      setError(err.message);
      setItems([]);
    }
  };
  useEffect(() => { load(); }, []);

  const restore = async (ids) => {
    try {
      const res = await post('/trash/restore', { ids });
      refreshFolders([...new Set(((res && res.restored) || []).map(parentOf))]);
      toast(t('toast.restored', { n: ids.length }), { kind: 'success' });
    } catch (err) {
      toastError(err);
    }
    setPicked(new Set());
    load();
  };
  const purge = async (ids) => {
    const ok = await confirmDialog({ title: ids ? t('trash.purgeTitle', { n: ids.length }) : t('trash.emptyTitle'), note: t('trash.purgeNote'), ok: t('trash.purge'), danger: true });
    if (!ok) return;
    try {
      await post('/trash/empty', ids ? { ids } : { all: true });
    } catch (err) {
      toastError(err);
    }
    setPicked(new Set());
    load();
  };
  const toggle = (id) => {
    const next = new Set(picked);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setPicked(next);
  };
  return html`<div class="trash-page">
    <header class="trash-header">
      <h1><${Icon} name="trash" size=${22} /> ${t('tab.trash')}</h1>
      <span class="grow"></span>
      <button class="icon-btn" title=${t('action.refresh')} aria-label=${t('action.refresh')} onClick=${load}><${Icon} name="refresh" /></button>
      ${writable && picked.size ? html`<button class="btn" onClick=${() => restore([...picked])}><${Icon} name="undo" size=${15} /> ${t('trash.restoreN', { n: picked.size })}</button>
        <button class="btn danger" onClick=${() => purge([...picked])}>${t('trash.purge')}</button>` : null}
      ${writable && items && items.length ? html`<button class="btn danger" onClick=${() => purge(null)}>${t('trash.empty')}</button>` : null}
    </header>
    ${error ? html`<p class="error-text" role="alert">${error}</p>` : null}
    ${items === null ? html`<span class="spinner"></span>` : !items.length ? html`<p class="muted">${t('trash.nothing')}</p>` : html`
    <table class="trash-table">
      <thead><tr><th></th><th>${t('trash.name')}</th><th>${t('trash.from')}</th><th>${t('trash.deletedAt')}</th><th>${t('trash.size')}</th><th></th></tr></thead>
      <tbody>${items.map((it) => html`<tr key=${it.id} data-id=${it.id}>
        <td><input type="checkbox" checked=${picked.has(it.id)} onChange=${() => toggle(it.id)} aria-label=${it.name} /></td>
        <td class="trash-name"><${Icon} name=${it.type === 'dir' ? 'folder' : 'file'} size=${15} /> ${it.name}</td>
        <td class="muted trash-from" title=${it.original_path}>${parentOf(it.original_path)}</td>
        <td class="muted">${it.deleted_at}</td>
        <td class="muted">${it.size}</td>
        <td>${writable ? html`<button class="btn small" onClick=${() => restore([it.id])}>${t('trash.restore')}</button>` : null}</td>
      </tr>`)}</tbody>
    </table>`}
  </div>`;
}
