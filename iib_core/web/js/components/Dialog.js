// @ts-check
// Modal dialogs: confirm (destructive actions), prompt (names), and the folder picker
// for "move to" / "copy to" (roots, recent targets, open panes, or a typed path).
import { useState, useEffect, useLayoutEffect, useRef } from 'preact/hooks';
import { html } from '../html.js';
import { t } from '../i18n.js';
import { Icon } from '../icons.js';
import { get } from '../api.js';
import { dialog, roots, recentTargets } from '../store.js';
import { allModels } from '../models.js';
import { parentOf, baseName } from '../media.js';

function useDialogKeys(onCancel) {
  useLayoutEffect(() => {
    const onKey = (e) => {
      if (e.key === 'Escape') {
        e.preventDefault();
        e.stopPropagation();
        onCancel();
      }
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [onCancel]);
}

function Confirm({ d }) {
  const okRef = useRef(null);
  useDialogKeys(() => d.resolve(false));
  useEffect(() => { if (okRef.current) okRef.current.focus(); }, []);
  return html`<div class="dialog" role="alertdialog" aria-modal="true" aria-labelledby="dlg-title">
    <h3 id="dlg-title">${d.title}</h3>
    ${d.message ? html`<p class="dialog-message">${d.message}</p>` : null}
    ${d.note ? html`<p class="muted">${d.note}</p>` : null}
    <div class="dialog-buttons">
      <button class="btn" onClick=${() => d.resolve(false)}>${t('action.cancel')}</button>
      ${(d.extra || []).map((x) => html`<button class="btn" onClick=${() => d.resolve(x.value)}>${x.label}</button>`)}
      <button ref=${okRef} class=${'btn ' + (d.danger ? 'danger-solid' : 'primary')} onClick=${() => d.resolve(d.okValue !== undefined ? d.okValue : true)}>${d.ok || t('action.ok')}</button>
    </div>
  </div>`;
}

function Prompt({ d }) {
  const [value, setValue] = useState(d.value || '');
  const input = useRef(null);
  useDialogKeys(() => d.resolve(null));
  // Before the first paint: keys typed at once must land in the selection made here.
  useLayoutEffect(() => {
    const el = input.current;
    if (!el) return;
    el.focus();
    const dot = d.selectStem ? value.lastIndexOf('.') : -1;
    el.setSelectionRange(0, dot > 0 ? dot : value.length);
  }, []);
  return html`<form class="dialog" role="dialog" aria-modal="true" aria-labelledby="dlg-title"
      onSubmit=${(e) => { e.preventDefault(); d.resolve(value.trim() ? value.trim() : null); }}>
    <h3 id="dlg-title">${d.title}</h3>
    <label class="field"><span>${d.label}</span>
      <input ref=${input} class="input" value=${value} onInput=${(e) => setValue(e.currentTarget.value)} /></label>
    <div class="dialog-buttons">
      <button type="button" class="btn" onClick=${() => d.resolve(null)}>${t('action.cancel')}</button>
      <button type="submit" class="btn primary" disabled=${!value.trim()}>${d.ok || t('action.ok')}</button>
    </div>
  </form>`;
}

function FolderPicker({ d }) {
  const open = [...new Set(allModels().filter((m) => m.kind === 'folder').map((m) => m.path.peek()))];
  const [path, setPath] = useState(recentTargets.peek()[0] || open[0] || (roots.peek()[0] || {}).path || '');
  const [subdirs, setSubdirs] = useState(null);
  const [error, setError] = useState(null);
  useDialogKeys(() => d.resolve(null));

  const browse = async (p) => {
    setPath(p);
    setError(null);
    try {
      const res = await get('/files', { folder_path: p });
      setSubdirs((res.files || []).filter((n) => n.type === 'dir' && !n.special).map((n) => n.fullpath)
        .sort((a, b) => a.localeCompare(b, undefined, { numeric: true })));
    } catch (err) {
      setSubdirs([]);
      setError(err.message);
    }
  };
  useEffect(() => { if (path) browse(path); }, []);

  const group = (title, list) => (list.length ? html`<div class="picker-group"><h4>${title}</h4>
    ${list.map((p) => html`<button type="button" class=${'picker-item' + (p === path ? ' current' : '')} title=${p} onClick=${() => browse(p)}
      onDblClick=${() => d.resolve(p)}><${Icon} name="folder" size=${15} /><span>${baseName(p) || p}</span><small>${p}</small></button>`)}
  </div>` : null);

  return html`<form class="dialog wide" role="dialog" aria-modal="true" aria-labelledby="dlg-title"
      onSubmit=${(e) => { e.preventDefault(); if (path.trim()) d.resolve(path.trim()); }}>
    <h3 id="dlg-title">${d.title}</h3>
    <label class="field"><span>${t('dialog.destination')}</span>
      <div class="row"><input class="input grow" name="dest" value=${path} onInput=${(e) => setPath(e.currentTarget.value)}
        onKeyDown=${(e) => { if (e.key === 'Tab' && !e.shiftKey && path) { /* keep default */ } }} />
        <button type="button" class="icon-btn" title=${t('folder.up')} aria-label=${t('folder.up')} onClick=${() => browse(parentOf(path))}><${Icon} name="up" /></button>
        <button type="button" class="btn" onClick=${() => browse(path)}>${t('dialog.browse')}</button></div>
    </label>
    <div class="picker">
      <div class="picker-side">
        ${group(t('dialog.recentTargets'), recentTargets.value.slice(0, 8))}
        ${group(t('dialog.openPanes'), open)}
        ${group(t('dialog.roots'), roots.value.map((r) => r.path))}
      </div>
      <div class="picker-main">
        <h4>${t('dialog.subfolders')}</h4>
        ${error ? html`<p class="error-text">${error}</p>` : null}
        ${subdirs && !subdirs.length && !error ? html`<p class="muted">${t('dialog.noSubfolders')}</p>` : null}
        ${(subdirs || []).map((p) => html`<button type="button" class="picker-item" title=${p} onClick=${() => browse(p)}
          onDblClick=${() => d.resolve(p)}><${Icon} name="folder" size=${15} /><span>${baseName(p)}</span></button>`)}
      </div>
    </div>
    <div class="dialog-buttons">
      <button type="button" class="btn" onClick=${() => d.resolve(null)}>${t('action.cancel')}</button>
      <button type="submit" class="btn primary" disabled=${!path.trim()}>${d.ok || t('action.ok')}</button>
    </div>
  </form>`;
}

export function Dialog() {
  const d = dialog.value;
  if (!d) return null;
  const body = d.kind === 'prompt' ? html`<${Prompt} key=${d.id} d=${d} />` : d.kind === 'folder' ? html`<${FolderPicker} key=${d.id} d=${d} />` : html`<${Confirm} key=${d.id} d=${d} />`;
  return html`<div class="modal-backdrop" onPointerDown=${(e) => { if (e.target === e.currentTarget) d.resolve(d.kind === 'confirm' ? false : null); }}>${body}</div>`;
}
