// @ts-check
// Natural-language grouping & search: scope persistence, the clustering job and
// result sources for topic / semantic-search tabs.
import { signal } from '@preact/signals';
import { get, post } from './api.js';
import { globalSetting } from './store.js';
import { lang } from './i18n.js';

export const SCOPE_KEY = 'topic_search_scope';
const PAGE = 200;

/** The UI language as the clustering routes want it (en, zhHans, zhHant, de). */
export function titleLang() {
  return { 'zh-hans': 'zhHans', 'zh-hant': 'zhHant' }[lang.peek()] || lang.peek();
}

export function storedScope() {
  const gs = globalSetting.peek();
  const raw = gs && gs.app_fe_setting ? gs.app_fe_setting[SCOPE_KEY] : null;
  const list = Array.isArray(raw) ? raw : raw && Array.isArray(raw.folders) ? raw.folders : [];
  return list.filter((p) => typeof p === 'string' && p);
}

export async function saveScope(folders) {
  await post('/app_fe_setting', { name: SCOPE_KEY, value: JSON.stringify(folders) });
  const gs = globalSetting.peek();
  if (gs) globalSetting.value = { ...gs, app_fe_setting: { ...(gs.app_fe_setting || {}), [SCOPE_KEY]: folders } };
}

/**
 * Run a job that reports through `statusRoute` until it ends; onProgress(job) on each poll.
 * @param {string} startRoute
 * @param {object} body
 * @param {(job: any) => void} onProgress
 * @param {{ statusRoute?: string, every?: number, isAlive?: () => boolean }} [opts]
 */
export async function runJob(startRoute, body, onProgress, { statusRoute = '/db/cluster_iib_output_job_status', every = 800, isAlive = () => true } = {}) {
  const { job_id: jobId } = await post(startRoute, body);
  for (;;) {
    if (!isAlive()) throw new Error('cancelled');
    const job = await get(statusRoute, { job_id: jobId });
    onProgress(job);
    if (job.status === 'completed' || job.status === 'done') return job;
    if (job.status === 'error') throw new Error(job.error || 'error');
    await new Promise((r) => setTimeout(r, every));
  }
}

/** FileNodes for paths, a page at a time (missing files are left out). */
export function pathsSource(paths) {
  return async (cursor) => {
    const start = Number(cursor || 0);
    const slice = paths.slice(start, start + PAGE);
    const info = slice.length ? await post('/batch_get_files_info', { paths: slice }) : {};
    const files = slice.map((p) => info[p]).filter((n) => n && n.fullpath && n.type === 'file');
    const next = start + PAGE < paths.length ? String(start + PAGE) : '';
    return { files, cursor: { has_next: !!next, next } };
  };
}

/** The paths a topic-results tab shows: a cluster of a cached result, or a sentence search. */
export async function topicPaths(state) {
  if (state.mode === 'cluster') {
    const res = await post('/db/cluster_tag_graph_cluster_paths', { topic_cluster_cache_key: state.key, cluster_id: state.cluster });
    return { paths: res.paths || [], scores: null };
  }
  const res = await post('/db/search_iib_output_by_prompt', { query: state.query, folder_paths: state.folders, top_k: state.topK || 100 });
  const results = res.results || [];
  return { paths: results.map((r) => r.path), scores: new Map(results.map((r) => [r.path, r.score])) };
}

export const lastSearches = signal([]);
