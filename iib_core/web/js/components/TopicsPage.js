// @ts-check
// Natural-language grouping & search: a persisted folder scope, topics refreshed by
// a clustering job with progress, topic cards (title, keywords, size, samples) that open their
// images, sentence search, the tag relation graph, and organising into topic folders.
import { useState, useEffect, useRef } from 'preact/hooks';
import { html } from '../html.js';
import { t } from '../i18n.js';
import { Icon } from '../icons.js';
import { post, thumbUrl } from '../api.js';
import { roots, toast, toastError, isReadonly, pickFolderDialog } from '../store.js';
import { openTab, updateTabState } from '../workspace.js';
import { refreshFolders } from '../models.js';
import { parentOf } from '../media.js';
import { storedScope, saveScope, runJob, titleLang } from '../topics.js';
import { TagGraph } from './TagGraph.js';

function Scope({ scope, setScope }) {
  const list = roots.value;
  const toggle = (path) => {
    const next = scope.includes(path) ? scope.filter((p) => p !== path) : [...scope, path];
    setScope(next);
  };
  return html`<fieldset class="topic-scope">
    <legend>${t('ai.scope')}</legend>
    ${list.length ? list.map((r) => html`<label key=${r.path} class="scope-item" title=${r.path}>
        <input type="checkbox" name="scope" value=${r.path} checked=${scope.includes(r.path)} onChange=${() => toggle(r.path)} />
        <span>${r.alias || r.path}</span></label>`)
      : html`<p class="muted">${t('ai.noRoots')}</p>`}
  </fieldset>`;
}

function JobProgress({ job }) {
  if (!job) return null;
  const p = job.progress || {};
  let figure = '';
  if (job.stage === 'embedding' && p.to_embed !== undefined) figure = t('ai.embedded', { n: p.embedded_done || 0, total: p.to_embed || 0 });
  else if (job.stage === 'clustering' && p.items_total) figure = t('ai.clustered', { n: p.items_done || 0, total: p.items_total });
  else if (job.stage === 'titling' && p.clusters_total) figure = t('ai.titled', { n: p.clusters_done || 0, total: p.clusters_total });
  return html`<div class="topic-progress" role="status" aria-live="polite" data-stage=${job.stage || ''}>
    <span class="spinner small"></span><strong>${t('ai.stage.' + (job.stage || 'queued'))}</strong><span class="muted">${figure}</span>
  </div>`;
}

function TopicCard({ cluster, onOpen }) {
  const samples = (cluster.paths || []).slice(0, 4);
  return html`<li class="topic-card" data-id=${cluster.id} data-size=${cluster.size}>
    <button class="topic-open" onClick=${onOpen} title=${cluster.sample_prompt || ''}>
      <div class=${'topic-samples n' + samples.length}>
        ${samples.map((p) => html`<img key=${p} src=${thumbUrl({ fullpath: p }, 256)} alt="" loading="lazy" draggable=${false}
          onError=${(e) => { e.currentTarget.dataset.failed = '1'; }} />`)}
      </div>
      <div class="topic-text">
        <span class="topic-title">${cluster.title || cluster.id}</span>
        <span class="topic-size">${t('ai.images', { n: cluster.size })}</span>
      </div>
      ${cluster.keywords && cluster.keywords.length ? html`<div class="topic-keywords">${cluster.keywords.map((k) => html`<span key=${k} class="chip">${k}</span>`)}</div>` : null}
    </button>
  </li>`;
}

function Organise({ scope, params }) {
  const [dest, setDest] = useState('');
  const [plan, setPlan] = useState(null); // {jobId, topics: [{title, folder, moves: [{src, dest, conflict, unchanged}]}]}
  const [job, setJob] = useState(null);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState(null); // {jobId, moved, failed, undone}
  const writable = !isReadonly.value;
  const choose = async () => {
    const picked = await pickFolderDialog({ title: t('ai.destTitle') });
    if (picked) setDest(picked);
  };
  const makePlan = async () => {
    setBusy(true);
    setPlan(null);
    setOutcome(null);
    try {
      const done = await runJob('/db/organize_files_start', { ...params, folder_paths: scope, dest_folder: dest.trim() }, setJob);
      setPlan({ jobId: done.job_id, topics: (done.plan && done.plan.topics) || [] });
    } catch (err) {
      toastError(err);
    } finally {
      setBusy(false);
      setJob(null);
    }
  };
  const touched = (results) => [...new Set(results.flatMap((r) => [r.src, r.dest].filter(Boolean).map(parentOf)))];
  const confirm = async () => {
    setBusy(true);
    try {
      const res = await post('/db/organize_files_confirm', { job_id: plan.jobId });
      const results = res.results || [];
      setOutcome({ jobId: plan.jobId, moved: res.moved || 0, failed: res.failed || 0, undone: false,
        errors: results.filter((r) => !r.ok).slice(0, 20) });
      toast(t('ai.organised', { n: res.moved || 0 }), { kind: res.failed ? 'error' : 'success' });
      refreshFolders(touched(results));
      setPlan(null);
    } catch (err) {
      toastError(err);
    } finally {
      setBusy(false);
    }
  };
  const undo = async () => {
    setBusy(true);
    try {
      const res = await post('/db/organize_files_undo', { job_id: outcome.jobId });
      setOutcome({ ...outcome, undone: true, restored: res.restored || 0 });
      toast(t('ai.undone', { n: res.restored || 0 }), { kind: res.failed ? 'error' : 'success' });
      refreshFolders(touched(res.results || []));
    } catch (err) {
      toastError(err);
    } finally {
      setBusy(false);
    }
  };
  const topics = plan ? plan.topics.filter((tp) => tp.moves.length) : [];
  const moving = topics.reduce((n, tp) => n + tp.moves.filter((m) => !m.unchanged).length, 0);
  const conflicts = topics.reduce((n, tp) => n + tp.moves.filter((m) => m.conflict).length, 0);
  return html`<section class="topic-organise">
    <h2>${t('ai.organise')}</h2>
    <p class="muted">${t('ai.organiseHint')}</p>
    <div class="organise-row">
      <input class="input" name="dest" value=${dest} placeholder=${t('ai.destPlaceholder')} aria-label=${t('ai.destPlaceholder')}
        onInput=${(e) => setDest(e.currentTarget.value)} />
      <button class="btn" onClick=${choose}><${Icon} name="folder" size=${15} /> ${t('ai.chooseDest')}</button>
      <button class="btn primary organise-plan" disabled=${!writable || busy || !dest.trim() || !scope.length} onClick=${makePlan}>${t('ai.plan')}</button>
    </div>
    <${JobProgress} job=${job} />
    ${plan ? html`<div class="organise-plan-view" data-moves=${moving}>
      <p><strong>${t('ai.planSummary', { n: moving, folders: topics.length })}</strong>
        ${conflicts ? html` <span class="error-text">${t('ai.conflicts', { n: conflicts })}</span>` : null}</p>
      <ul class="plan-groups">${topics.map((tp) => html`<li key=${tp.folder} data-folder=${tp.folder}>
        <details><summary><code>${tp.folder}</code> · ${t('ai.images', { n: tp.moves.length })}</summary>
          <ul>${tp.moves.map((m) => html`<li key=${m.src} class=${m.conflict ? 'conflict' : ''}><code>${m.src}</code></li>`)}</ul></details></li>`)}</ul>
      <div class="organise-row">
        <button class="btn primary organise-confirm" disabled=${busy || !moving} onClick=${confirm}>${t('ai.confirmMoves', { n: moving })}</button>
        <button class="btn" onClick=${() => setPlan(null)}>${t('action.cancel')}</button>
      </div>
    </div>` : null}
    ${outcome ? html`<div class="organise-outcome" data-moved=${outcome.moved} data-undone=${String(outcome.undone)}>
      <p class="muted">${outcome.undone ? t('ai.undone', { n: outcome.restored }) : t('ai.organisedSummary', { n: outcome.moved, failed: outcome.failed })}</p>
      ${outcome.errors && outcome.errors.length ? html`<ul class="error-text small">${outcome.errors.map((r) => html`<li key=${r.src}><code>${r.src}</code>: ${r.error}</li>`)}</ul>` : null}
      ${!outcome.undone && outcome.moved ? html`<button class="btn organise-undo" disabled=${busy || !writable} onClick=${undo}><${Icon} name="undo" size=${15} /> ${t('ai.undo')}</button>` : null}
    </div>` : null}
  </section>`;
}

export function TopicsPage({ tab }) {
  const [scope, setScopeState] = useState(() => storedScope());
  const [result, setResult] = useState(null);
  const [cacheKey, setCacheKey] = useState('');
  const [meta, setMeta] = useState(null);
  const [job, setJob] = useState(null);
  const [error, setError] = useState(null);
  const [query, setQuery] = useState('');
  const [showGraph, setShowGraph] = useState(false);
  const alive = useRef(true);
  useEffect(() => () => { alive.current = false; }, []);

  const st = tab.state || {};
  const [threshold, setThreshold] = useState(typeof st.threshold === 'number' ? st.threshold : 0.9);
  const [minSize, setMinSize] = useState(typeof st.minSize === 'number' ? st.minSize : 2);
  const body = (folders) => ({ folder_paths: folders, lang: titleLang(), threshold, min_cluster_size: minSize });
  const tune = (patch) => {
    if (patch.threshold !== undefined) setThreshold(patch.threshold);
    if (patch.minSize !== undefined) setMinSize(patch.minSize);
    updateTabState(tab.id, patch);
  };

  const loadCached = async (folders) => {
    const res = await post('/db/cluster_iib_output_cached', body(folders));
    if (!alive.current) return res;
    setResult(res.result || null);
    setCacheKey(res.cache_key || '');
    setMeta({ cachedAt: res.cached_at, stale: res.stale });
    return res;
  };

  const refresh = async (folders = scope) => {
    if (!folders.length) return;
    setError(null);
    try {
      const done = await runJob('/db/cluster_iib_output_job_start', body(folders), (j) => { if (alive.current) setJob(j); },
        { isAlive: () => alive.current });
      if (!alive.current) return;
      setResult(done.result || null);
      setCacheKey(done.cache_key || '');
      setMeta({ cachedAt: new Date().toISOString(), stale: false });
    } catch (err) {
      if (alive.current) setError(err.message || String(err));
    } finally {
      if (alive.current) setJob(null);
    }
  };

  // A persisted scope: show the cached topics at once, then refresh them once (seed guide).
  useEffect(() => {
    if (!scope.length) return;
    loadCached(scope).then((res) => { if (!res || res.stale) refresh(scope); }).catch((err) => setError(err.message || String(err)));
  }, []);

  const setScope = (next) => {
    setScopeState(next);
    setResult(null);
    setCacheKey('');
    saveScope(next).catch(toastError);
    if (next.length) loadCached(next).catch(() => {});
  };

  const search = (e) => {
    e.preventDefault();
    const q = query.trim();
    if (!q || !scope.length) return;
    openTab({ kind: 'topic', state: { mode: 'search', query: q, folders: scope, topK: 200 } });
  };

  const openCluster = (c) => {
    if (!cacheKey) return;
    openTab({ kind: 'topic', state: { mode: 'cluster', key: cacheKey, cluster: c.id, title: c.title || c.id } });
  };

  const clusters = (result && result.clusters) || [];
  const running = !!job;
  return html`<div class="topics-page" data-running=${running ? 'true' : 'false'} data-topics=${clusters.length}>
    <header class="topics-header">
      <h1><${Icon} name="sparkles" size=${22} /> ${t('ai.title')}</h1>
    </header>
    <p class="muted">${t('ai.intro')}</p>
    <${Scope} scope=${scope} setScope=${setScope} />
    <form class="topic-search" onSubmit=${search}>
      <input class="input" name="nlquery" value=${query} placeholder=${t('ai.searchPlaceholder')} aria-label=${t('ai.searchPlaceholder')}
        onInput=${(e) => setQuery(e.currentTarget.value)} />
      <button class="btn primary" type="submit" disabled=${!query.trim() || !scope.length}><${Icon} name="search" size=${15} /> ${t('ai.search')}</button>
    </form>
    <div class="topic-actions">
      <button class="btn topic-refresh" disabled=${running || !scope.length} onClick=${() => refresh()}><${Icon} name="refresh" size=${15} /> ${t('ai.refresh')}</button>
      <button class=${'btn' + (showGraph ? ' on' : '')} disabled=${!clusters.length} aria-pressed=${showGraph} onClick=${() => setShowGraph(!showGraph)}>${t('ai.graph')}</button>
      ${meta && meta.cachedAt ? html`<span class="muted small">${t('ai.cachedAt', { date: new Date(meta.cachedAt).toLocaleString() })}${meta.stale ? ' · ' + t('ai.stale') : ''}</span>` : null}
      ${result && result.title_method === 'keywords' ? html`<span class="muted small topic-method">${t('ai.keywordTitles')}</span>` : null}
    </div>
    <details class="topic-tuning">
      <summary>${t('ai.tuning')}</summary>
      <label>${t('ai.threshold')} <input class="input compact" type="number" name="threshold" min="0.3" max="0.99" step="0.01" value=${threshold}
        onChange=${(e) => { const v = Number(e.currentTarget.value); if (v >= 0.3 && v <= 0.99) tune({ threshold: v }); }} /></label>
      <label>${t('ai.minSize')} <input class="input compact" type="number" name="min_cluster_size" min="1" max="1000" step="1" value=${minSize}
        onChange=${(e) => { const v = Math.round(Number(e.currentTarget.value)); if (v >= 1) tune({ minSize: v }); }} /></label>
      <span class="muted small">${t('ai.tuningHint')}</span>
    </details>
    <${JobProgress} job=${job} />
    ${error ? html`<p class="error-text" role="alert">${error}</p>` : null}
    ${showGraph && clusters.length ? html`<${TagGraph} folders=${scope} onCluster=${(id) => { const c = clusters.find((x) => x.id === id); if (c) openCluster(c); }} />` : null}
    ${clusters.length ? html`<ul class="topic-cards">${clusters.map((c) => html`<${TopicCard} key=${c.id} cluster=${c} onOpen=${() => openCluster(c)} />`)}</ul>`
      : result ? html`<p class="muted">${t('ai.noTopics')}</p>` : null}
    ${result && result.noise && result.noise.length ? html`<p class="muted small">${t('ai.noise', { n: result.noise.length })}</p>` : null}
    <${Organise} scope=${scope} params=${body(scope)} />
  </div>`;
}
