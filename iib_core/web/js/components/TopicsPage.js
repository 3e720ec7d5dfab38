// Natural-language grouping & search (issue 7 §5): a persisted folder scope, topics refreshed by
// a clustering job with progress, topic cards (title, keywords, size, samples) that open their
// images, sentence search, the tag relation graph, and organising into topic folders.
import { useState, useEffect, useRef } from 'preact/hooks';
import { html } from '../html.js';
import { t } from '../i18n.js';
import { Icon } from '../icons.js';
import { post, thumbUrl } from '../api.js';
import { roots, toast, toastError, isReadonly, pickFolderDialog } from '../store.js';
import { openTab } from '../workspace.js';
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

function Organise({ scope, result }) {
  const [dest, setDest] = useState('');
  const [plan, setPlan] = useState(null);
  const [job, setJob] = useState(null);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState(null);
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
      const done = await runJob('/db/organize_files_start', { folder_paths: scope, dest_folder: dest, lang: titleLang() }, setJob,
        { statusRoute: '/db/organize_files_status' });
      setPlan({ jobId: done.job_id, ...(done.result || {}) });
    } catch (err) {
      toastError(err);
    } finally {
      setBusy(false);
      setJob(null);
    }
  };
  const confirm = async () => {
    setBusy(true);
    try {
      const res = await post('/db/organize_files_confirm', { job_id: plan.jobId });
      setOutcome(res);
      const items = (res && res.results) || [];
      const moved = items.filter((r) => r.ok !== false && !r.error);
      toast(t('ai.organised', { n: moved.length }), { kind: moved.length === items.length ? 'success' : 'error' });
      refreshFolders([...new Set(items.flatMap((r) => [r.from, r.to].filter(Boolean).map(parentOf)))]);
      setPlan(null);
    } catch (err) {
      toastError(err);
    } finally {
      setBusy(false);
    }
  };
  const moves = plan ? plan.moves || plan.plan || [] : [];
  const groups = new Map();
  for (const m of moves) {
    const folder = parentOf(m.to || m.dest || '');
    if (!groups.has(folder)) groups.set(folder, []);
    groups.get(folder).push(m);
  }
  return html`<section class="topic-organise">
    <h2>${t('ai.organise')}</h2>
    <p class="muted">${t('ai.organiseHint')}</p>
    <div class="organise-row">
      <input class="input" name="dest" value=${dest} placeholder=${t('ai.destPlaceholder')} aria-label=${t('ai.destPlaceholder')}
        onInput=${(e) => setDest(e.currentTarget.value)} />
      <button class="btn" onClick=${choose}><${Icon} name="folder" size=${15} /> ${t('ai.chooseDest')}</button>
      <button class="btn primary organise-plan" disabled=${!writable || busy || !dest.trim() || !scope.length || !result} onClick=${makePlan}>${t('ai.plan')}</button>
    </div>
    <${JobProgress} job=${job} />
    ${plan ? html`<div class="organise-plan-view" data-moves=${moves.length}>
      <p><strong>${t('ai.planSummary', { n: moves.length, folders: groups.size })}</strong></p>
      <ul class="plan-groups">${[...groups.entries()].map(([folder, list]) => html`<li key=${folder}>
        <details><summary><code>${folder}</code> · ${t('ai.images', { n: list.length })}</summary>
          <ul>${list.map((m) => html`<li key=${m.from || m.src}><code>${m.from || m.src}</code></li>`)}</ul></details></li>`)}</ul>
      <div class="organise-row">
        <button class="btn primary organise-confirm" disabled=${busy || !moves.length} onClick=${confirm}>${t('ai.confirmMoves', { n: moves.length })}</button>
        <button class="btn" onClick=${() => setPlan(null)}>${t('action.cancel')}</button>
      </div>
    </div>` : null}
    ${outcome ? html`<p class="muted organise-outcome">${t('ai.organisedSummary', { n: ((outcome.results || []).filter((r) => r.ok !== false && !r.error)).length, failed: ((outcome.results || []).filter((r) => r.ok === false || r.error)).length })}</p>` : null}
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

  const body = (folders) => ({ folder_paths: folders, lang: titleLang() });

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
      await loadCached(folders);
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
    <${JobProgress} job=${job} />
    ${error ? html`<p class="error-text" role="alert">${error}</p>` : null}
    ${showGraph && clusters.length ? html`<${TagGraph} folders=${scope} onCluster=${(id) => { const c = clusters.find((x) => x.id === id); if (c) openCluster(c); }} />` : null}
    ${clusters.length ? html`<ul class="topic-cards">${clusters.map((c) => html`<${TopicCard} key=${c.id} cluster=${c} onOpen=${() => openCluster(c)} />`)}</ul>`
      : result ? html`<p class="muted">${t('ai.noTopics')}</p>` : null}
    ${result && result.noise && result.noise.length ? html`<p class="muted small">${t('ai.noise', { n: result.noise.length })}</p>` : null}
    <${Organise} scope=${scope} result=${result} />
  </div>`;
}
