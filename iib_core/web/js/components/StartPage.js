// @ts-check
// The start page: roots (webui outputs, added folders with aliases), add/remove folders,
// recent folders, saved workspaces, and the way to settings and the trash.
import { useState, useEffect } from 'preact/hooks';
import { html } from '../html.js';
import { t } from '../i18n.js';
import { Icon } from '../icons.js';
import { get, post, del } from '../api.js';
import { roots, recentFolders, globalSetting, isReadonly, loadGlobalSetting, toast, toastError, promptDialog, confirmDialog, batchList } from '../store.js';
import { openTab, showPage, snapshots, saveSnapshot, restoreSnapshot, deleteSnapshot } from '../workspace.js';
import { openDrawer } from '../batch.js';
import { PAGES, START_PAGES } from './pages.js';

function IndexStatus() {
  const [status, setStatus] = useState(null);
  useEffect(() => {
    let timer = 0;
    let alive = true;
    const poll = async () => {
      try {
        const s = await get('/db/index_status');
        if (!alive) return;
        setStatus(s);
        timer = setTimeout(poll, s && s.running ? 1000 : 10000);
      } catch (e) {
        if (alive) timer = setTimeout(poll, 15000);
      }
    };
    poll();
    return () => {
      alive = false;
      clearTimeout(timer);
    };
  }, []);
  if (!status || !status.running) return null;
  const p = status.progress || {};
  const total = p.to_read || 0;
  return html`<button class="index-status" role="status" onClick=${() => showPage('index')}><span class="spinner"></span>
    ${t('start.indexing')}${total ? ` · ${t('start.indexedFiles', { n: p.parsed || 0, total })}` : ''}</button>`;
}

function RootRow({ root, replaceId }) {
  const writable = !isReadonly.value;
  const open = (kind) => openTab({ kind, path: root.path }, { replaceId });
  const walkDefault = root.types.includes('walk') && !root.types.includes('scanned');
  const rename = async () => {
    const alias = await promptDialog({ title: t('start.aliasTitle'), label: t('start.alias'), value: root.alias, ok: t('action.save') });
    if (alias === null) return;
    try {
      await post('/db/alias_extra_path', { path: root.path, alias });
      await loadGlobalSetting();
    } catch (err) {
      toastError(err);
    }
  };
  const remove = async () => {
    const ok = await confirmDialog({ title: t('start.removeTitle'), message: root.path, note: t('start.removeNote'), ok: t('action.remove'), danger: true });
    if (!ok) return;
    try {
      await del('/db/extra_paths', { path: root.path, types: root.types.filter((x) => x !== 'cli_access_only') });
      await loadGlobalSetting();
    } catch (err) {
      toastError(err);
    }
  };
  return html`<li class="root-row">
    <button class="root-open" onClick=${() => open(walkDefault ? 'walk' : 'folder')} title=${root.path}>
      <${Icon} name=${walkDefault ? 'walk' : 'folder'} size=${20} />
      <span class="root-text"><span class="root-name">${root.alias || root.path.split(/[\\/]/).filter(Boolean).pop() || root.path}</span>
      <span class="root-path">${root.path}</span></span>
    </button>
    <span class="root-badges">
      ${root.source === 'outdir' ? html`<span class="badge">${t('start.webuiOutput')}</span>` : null}
      ${root.source === 'cli' ? html`<span class="badge">${t('start.commandLine')}</span>` : null}
    </span>
    <span class="root-actions">
      <button class="icon-btn" title=${t('action.openWalk')} aria-label=${t('action.openWalk')} onClick=${() => open('walk')}><${Icon} name="walk" /></button>
      <button class="icon-btn" title=${t('action.openInNewTab')} aria-label=${t('action.openInNewTab')} onClick=${() => openTab({ kind: 'folder', path: root.path })}><${Icon} name="plus" /></button>
      ${root.stored && writable ? html`
        <button class="icon-btn" title=${t('start.alias')} aria-label=${t('start.alias')} onClick=${rename}><${Icon} name="edit" /></button>
        <button class="icon-btn danger" title=${t('action.remove')} aria-label=${t('action.remove')} onClick=${remove}><${Icon} name="trash" /></button>` : null}
    </span>
  </li>`;
}

function AddFolder() {
  const [path, setPath] = useState('');
  const [type, setType] = useState('scanned');
  const [busy, setBusy] = useState(false);
  const submit = async (e) => {
    e.preventDefault();
    const p = path.trim();
    if (!p) return;
    setBusy(true);
    try {
      await post('/db/extra_paths', { path: p, types: [type] });
      await loadGlobalSetting();
      setPath('');
      toast(t('start.added'), { kind: 'success' });
      post('/db/update_image_data', { background: true }).catch(() => {});
    } catch (err) {
      toastError(err);
    } finally {
      setBusy(false);
    }
  };
  return html`<form class="add-folder" onSubmit=${submit}>
    <input class="input grow" type="text" placeholder=${t('start.addPlaceholder')} aria-label=${t('start.addFolder')}
      value=${path} onInput=${(e) => setPath(e.currentTarget.value)} />
    <select class="input" value=${type} onChange=${(e) => setType(e.currentTarget.value)} aria-label=${t('start.openAs')}>
      <option value="scanned">${t('start.typeScanned')}</option>
      <option value="walk">${t('start.typeWalk')}</option>
      <option value="scanned-fixed">${t('start.typeFixed')}</option>
    </select>
    <button class="btn primary" type="submit" disabled=${busy || !path.trim()}><${Icon} name="plus" size=${16} /> ${t('start.addFolder')}</button>
  </form>`;
}

export function StartPage({ tab }) {
  const list = roots.value;
  const gs = globalSetting.value;
  const recent = recentFolders.value;
  const snaps = snapshots.value;
  const writable = !isReadonly.value;
  const [openPath, setOpenPath] = useState('');
  const saveWs = async () => {
    const name = await promptDialog({ title: t('start.saveWorkspace'), label: t('start.snapshotName'), value: new Date().toLocaleString(), ok: t('action.save') });
    if (!name) return;
    try {
      await saveSnapshot(name);
      toast(t('start.snapshotSaved'), { kind: 'success' });
    } catch (err) {
      toastError(err);
    }
  };
  return html`<div class="start-page">
    <header class="start-header">
      <div class="brand"><span class="logo">∞</span><h1>${t('app.title')}</h1></div>
      <div class="start-tools">
        ${batchList.value.length ? html`<button class="btn" onClick=${openDrawer}>
          <${Icon} name="batch" size=${16} /> ${t('start.batchDownload', { n: batchList.value.length })}</button>` : null}
        <button class="btn" onClick=${() => openTab({ kind: 'trash' }, { replaceId: tab.id })}><${Icon} name="trash" size=${16} /> ${t('tab.trash')}</button>
        <button class="btn" onClick=${() => openTab({ kind: 'settings' }, { replaceId: tab.id })}><${Icon} name="settings" size=${16} /> ${t('tab.settings')}</button>
      </div>
    </header>
    ${gs.enable_access_control ? html`<p class="notice">${t('start.accessControl')}</p>` : null}
    ${gs.is_readonly ? html`<p class="notice">${t('start.readonly')}</p>` : null}
    <${IndexStatus} />
    <nav class="start-pages" aria-label=${t('start.pages')}>
      ${START_PAGES.map((kind) => html`<button key=${kind} class="btn start-page-link" data-kind=${kind}
        onClick=${() => openTab({ kind }, { replaceId: tab.id })}><${Icon} name=${PAGES[kind].icon} size=${16} /> ${t(PAGES[kind].title)}</button>`)}
    </nav>
    <section class="start-section">
      <h2>${t('start.folders')}</h2>
      ${list.length ? html`<ul class="root-list">${list.map((r) => html`<${RootRow} key=${r.path} root=${r} replaceId=${tab.id} />`)}</ul>`
        : html`<p class="muted">${t('start.noFolders')}</p>`}
      ${writable ? html`<${AddFolder} />` : null}
    </section>
    <section class="start-section">
      <h2>${t('start.openPath')}</h2>
      <form class="add-folder" onSubmit=${(e) => { e.preventDefault(); if (openPath.trim()) openTab({ kind: 'folder', path: openPath.trim() }, { replaceId: tab.id }); }}>
        <input class="input grow" type="text" placeholder=${gs.home || '/'} aria-label=${t('start.openPath')}
          value=${openPath} onInput=${(e) => setOpenPath(e.currentTarget.value)} />
        <button class="btn" type="submit">${t('action.open')}</button>
        ${gs.home ? html`<button class="btn" type="button" onClick=${() => openTab({ kind: 'folder', path: gs.home }, { replaceId: tab.id })}>
          <${Icon} name="home" size=${16} /> ${t('start.home')}</button>` : null}
      </form>
    </section>
    ${recent.length ? html`<section class="start-section">
      <h2>${t('start.recent')} <button class="link-btn" onClick=${() => { recentFolders.value = []; }}>${t('action.clear')}</button></h2>
      <ul class="recent-list">${recent.slice(0, 12).map((p) => html`<li key=${p}>
        <button class="recent" title=${p} onClick=${() => openTab({ kind: 'folder', path: p }, { replaceId: tab.id })}><${Icon} name="folder" size=${16} /><span>${p}</span></button></li>`)}</ul>
    </section>` : null}
    <section class="start-section">
      <h2>${t('start.workspaces')}</h2>
      ${snaps.length ? html`<ul class="recent-list">${snaps.map((s) => html`<li key=${s.key} class="snapshot">
        <button class="recent" onClick=${() => restoreSnapshot(s)}><${Icon} name="split" size=${16} /><span>${s.name}</span></button>
        ${writable ? html`<button class="icon-btn danger" title=${t('action.delete')} aria-label=${t('action.delete')}
          onClick=${() => deleteSnapshot(s).catch(toastError)}><${Icon} name="trash" size=${16} /></button>` : null}</li>`)}</ul>`
        : html`<p class="muted">${t('start.noWorkspaces')}</p>`}
      ${writable ? html`<button class="btn" onClick=${saveWs}><${Icon} name="keep" size=${16} /> ${t('start.saveWorkspace')}</button>` : null}
    </section>
  </div>`;
}
