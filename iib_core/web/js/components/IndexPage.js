// @ts-check
// The index page: each root's index state (indexed, changed, never indexed),
// "update index" with live progress (files, rate, ETA) and cancel, "rebuild", and the
// list of folders never indexed.
import { useState, useEffect, useRef } from 'preact/hooks';
import { html } from '../html.js';
import { t } from '../i18n.js';
import { Icon } from '../icons.js';
import { get, post } from '../api.js';
import { toast, toastError, confirmDialog, isReadonly } from '../store.js';
import { allModels } from '../models.js';

const POLL_MS = 400;

function fmtSeconds(s) {
  if (s === null || s === undefined || !isFinite(s)) return '–';
  if (s < 60) return t('index.seconds', { n: Math.ceil(s) });
  const m = Math.floor(s / 60);
  return t('index.minutes', { m, s: String(Math.round(s % 60)).padStart(2, '0') });
}

function fmtDate(ts) {
  if (!ts) return '–';
  return new Date(ts * 1000).toLocaleString();
}

function Progress({ job }) {
  const p = job.progress || {};
  const reading = p.phase === 'reading' && p.to_read > 0;
  const pct = reading ? Math.min(100, Math.round((p.parsed / p.to_read) * 100)) : null;
  return html`<div class="index-progress" role="status" aria-live="polite" data-phase=${p.phase || ''}
      data-parsed=${p.parsed || 0} data-to-read=${p.to_read || 0}>
    <div class="index-bar" role="progressbar" aria-valuemin="0" aria-valuemax="100" aria-valuenow=${pct === null ? undefined : pct}>
      <div class=${'index-bar-fill' + (pct === null ? ' indeterminate' : '')} style=${{ width: pct === null ? '100%' : `${pct}%` }}></div>
    </div>
    <div class="index-figures">
      <span class="index-phase">${t('index.phase.' + (p.phase || 'scanning'))}</span>
      <span>${t('index.filesSeen', { n: p.seen || 0 })}</span>
      ${p.to_read ? html`<span class="index-count">${t('index.filesRead', { n: p.parsed || 0, total: p.to_read })}</span>` : null}
      <span>${t('index.rate', { n: Math.round(p.rate || 0) })}</span>
      <span>${t('index.eta', { time: fmtSeconds(p.eta) })}</span>
    </div>
  </div>`;
}

function RootRow({ root }) {
  const badge = root.state === 'indexed' ? 'ok' : root.state === 'changed' ? 'warn' : 'new';
  return html`<li class="index-root" data-path=${root.path} data-state=${root.state}>
    <span class=${'index-badge ' + badge}>${t('index.state.' + root.state)}</span>
    <span class="index-root-path" title=${root.path}>${root.path}</span>
    <span class="muted">${t('index.images', { n: root.images })}</span>
    <span class="muted">${t('index.folders', { n: root.folders })}</span>
    ${root.changed_count ? html`<details class="index-changed"><summary>${t('index.changedN', { n: root.changed_count })}</summary>
      <ul>${root.changed_dirs.map((d) => html`<li key=${d}>${d}</li>`)}</ul></details>` : null}
  </li>`;
}

function Exclusions({ data, onSaved }) {
  const [list, setList] = useState(data.stored || []);
  const [entry, setEntry] = useState('');
  const [saving, setSaving] = useState(false);
  const writable = !isReadonly.value;
  useEffect(() => setList(data.stored || []), [JSON.stringify(data.stored || [])]);
  const dirty = JSON.stringify(list) !== JSON.stringify(data.stored || []);
  const add = (e) => {
    e.preventDefault();
    const v = entry.trim();
    if (v && !list.includes(v)) setList([...list, v]);
    setEntry('');
  };
  const save = async () => {
    setSaving(true);
    try {
      await post('/db/index_exclusions', { dirs: list });
      toast(t('index.exclusionsSaved'), { kind: 'success' });
      onSaved();
    } catch (err) {
      toastError(err);
    } finally {
      setSaving(false);
    }
  };
  return html`<section class="index-exclusions">
    <h2>${t('index.excluded')}</h2>
    <p class="muted">${t('index.excludedHint')}</p>
    <ul class="exclusion-list">
      ${(data.fixed || []).map((d) => html`<li key=${'f' + d} class="fixed"><code>${d}</code><span class="muted">${t('index.fixed')}</span></li>`)}
      <li class="fixed"><code>${data.cache_dir}</code><span class="muted">${t('index.cacheDir')}</span></li>
      ${list.map((d) => html`<li key=${d} data-entry=${d}><code>${d}</code>
        ${writable ? html`<button class="icon-btn small" title=${t('index.removeExclusion')} aria-label=${t('index.removeExclusion') + ' ' + d}
          onClick=${() => setList(list.filter((x) => x !== d))}><${Icon} name="close" size=${14} /></button>` : null}</li>`)}
    </ul>
    ${writable ? html`<form class="exclusion-add" onSubmit=${add}>
      <input class="input" name="exclude" value=${entry} placeholder=${t('index.excludePlaceholder')} aria-label=${t('index.excludePlaceholder')}
        onInput=${(e) => setEntry(e.currentTarget.value)} />
      <button class="btn" type="submit" disabled=${!entry.trim()}><${Icon} name="plus" size=${15} /> ${t('index.addExclusion')}</button>
      <button class="btn primary" type="button" disabled=${!dirty || saving} onClick=${save}>${t('index.saveExclusions')}</button>
    </form>` : null}
  </section>`;
}

export function IndexPage() {
  const [data, setData] = useState(null);
  const [error, setError] = useState(null);
  const [job, setJob] = useState(null);
  const timer = useRef(null);
  const alive = useRef(true);
  const writable = !isReadonly.value;

  const load = async () => {
    try {
      const res = await get('/db/index_overview');
      if (!alive.current) return;
      setData(res);
      setJob(res.job);
      setError(null);
      if (res.job && res.job.running) poll();
    } catch (err) {
      if (alive.current) setError(err.message || String(err));
    }
  };

  const finish = (status) => {
    if (status.state === 'completed') toast(t('index.done'), { kind: 'success' });
    else if (status.state === 'cancelled') toast(t('index.cancelled'));
    else if (status.state === 'error') toast(t('index.failed', { error: status.error || '' }), { kind: 'error' });
    // Result grids and folders may show other files now.
    for (const m of allModels()) if (m.kind === 'folder') m.load({ quiet: true });
    load();
  };

  const poll = () => {
    clearTimeout(timer.current);
    timer.current = setTimeout(async () => {
      try {
        const status = await get('/db/index_status');
        if (!alive.current) return;
        setJob(status);
        if (status.running) poll();
        else finish(status);
      } catch (err) {
        if (alive.current) {
          setError(err.message || String(err));
          poll();
        }
      }
    }, POLL_MS);
  };

  useEffect(() => {
    alive.current = true;
    load();
    return () => {
      alive.current = false;
      clearTimeout(timer.current);
    };
  }, []);

  const start = async (rebuild) => {
    if (rebuild) {
      const ok = await confirmDialog({ title: t('index.rebuildTitle'), note: t('index.rebuildNote'), ok: t('index.rebuild'), danger: true });
      if (!ok) return;
    }
    try {
      const status = await post(rebuild ? '/db/rebuild_index' : '/db/update_image_data', { background: true });
      setJob(status || { running: true, state: 'running' });
      poll();
    } catch (err) {
      toastError(err);
    }
  };

  const cancel = async () => {
    try {
      await post('/db/index_cancel', {});
    } catch (err) {
      toastError(err);
    }
  };

  const running = !!(job && job.running);
  const roots = data ? data.roots : [];
  const pending = roots.filter((r) => r.state !== 'indexed').length;
  return html`<div class="index-page" data-running=${running ? 'true' : 'false'} data-state=${job ? job.state || '' : ''}>
    <header class="index-header">
      <h1><${Icon} name="database" size=${22} /> ${t('tab.index')}</h1>
      <span class="grow"></span>
      <button class="icon-btn" title=${t('action.refresh')} aria-label=${t('action.refresh')} onClick=${load}><${Icon} name="refresh" /></button>
    </header>
    ${error ? html`<p class="error-text" role="alert">${error}</p>` : null}
    <section class="index-actions">
      ${running
        ? html`<button class="btn danger index-cancel" onClick=${cancel} title=${t('index.cancelHint')}><${Icon} name="close" size=${15} /> ${t('index.cancel')}</button>`
        : html`<button class="btn primary index-update" onClick=${() => start(false)}><${Icon} name="refresh" size=${15} /> ${t('index.update')}</button>
          <button class="btn index-rebuild" disabled=${!writable} title=${writable ? t('index.rebuildHint') : t('index.readonly')} onClick=${() => start(true)}>${t('index.rebuild')}</button>`}
      <span class="muted index-summary">${data ? (pending ? t('index.pending', { n: pending }) : t('index.allIndexed')) : ''}</span>
    </section>
    ${running ? html`<${Progress} job=${job} />` : job && job.state && job.state !== 'idle' && job.progress
      ? html`<p class="muted index-last" data-last=${job.state}>${t('index.last.' + (job.state === 'error' ? 'error' : job.state === 'cancelled' ? 'cancelled' : 'completed'),
          { n: job.progress.parsed || 0, time: fmtSeconds(job.progress.elapsed) })}</p>` : null}
    <section>
      <h2>${t('index.roots')}</h2>
      ${data === null ? html`<span class="spinner"></span>` : !roots.length ? html`<p class="muted">${t('index.noRoots')}</p>`
        : html`<ul class="index-roots">${roots.map((r) => html`<${RootRow} key=${r.path} root=${r} />`)}</ul>`}
      ${data && roots.length ? html`<p class="muted small">${t('index.lastChange', { date: fmtDate(Math.max(...roots.map((r) => r.last_change || 0))) })}</p>` : null}
    </section>
    ${data ? html`<${Exclusions} data=${data.exclusions} onSaved=${load} />` : null}
  </div>`;
}
