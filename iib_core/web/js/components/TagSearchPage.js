// @ts-check
// The tag search page: tags grouped by type, most used first, with a filter box
// that completes over names and translated names; three sets built by clicking (a click adds
// to the chosen set, Shift → OR, Alt/Ctrl → NOT); random order and a folder scope; the
// matches in the usual result grid. The sets live in the tab's state.
import { useEffect, useState } from 'preact/hooks';
import { html } from '../html.js';
import { t } from '../i18n.js';
import { Icon } from '../icons.js';
import { post } from '../api.js';
import { showPage, updateTabState } from '../workspace.js';
import { resultsModelFor } from '../results.js';
import { tagLabel, typeLabel } from '../tags.js';
import { useTagGroups } from '../hooks/taggroups.js';
import { ResultsPane } from './ResultsPane.js';
import { SETS, modeOf, TagFilter, TagSetsBar } from './TagSearchParts.js';

const lite = (tag) => ({ id: tag.id, name: tag.name, type: tag.type });
const ids = (list) => list.map((tg) => tg.id);

export function splitFolders(text) {
  return String(text || '').split(/[,\n]/).map((s) => s.trim()).filter(Boolean);
}

function setsOf(st) {
  const out = {};
  for (const k of SETS) out[k] = Array.isArray(st[k]) ? st[k].filter((tg) => tg && typeof tg.id === 'number') : [];
  return out;
}

export function TagSearchPage({ tab }) {
  const st = tab.state || {};
  const sets = setsOf(st);
  const mode = SETS.includes(st.mode) ? st.mode : 'and';
  const model = resultsModelFor(tab);
  const [query, setQuery] = useState('');
  const { groups, loadError, more } = useTagGroups(query);

  const anyTag = (s) => SETS.some((k) => s[k].length);
  model.emptyText = () => (anyTag(setsOf(tab.state || {})) ? t('tags.noMatch') : t('tags.pickHint'));

  const search = (state) => {
    const s = setsOf(state);
    if (!anyTag(s)) {
      model.restart(null);
      return;
    }
    const body = { and_tags: ids(s.and), or_tags: ids(s.or), not_tags: ids(s.not), folder_paths: splitFolders(state.folders),
      size: 200, random_sort: !!state.random };
    model.restart((cursor) => post('/db/match_images_by_tags', { ...body, cursor }));
  };

  const change = (patch) => {
    const next = { ...st, ...patch };
    updateTabState(tab.id, patch);
    if (SETS.some((k) => k in patch) || 'random' in patch || 'folders' in patch) search(next);
  };

  useEffect(() => {
    if (!model.started.peek() && anyTag(sets)) search(st);
  }, []);

  const where = (tag) => SETS.find((k) => sets[k].some((x) => x.id === tag.id)) || null;

  /** Put a tag into a set (out of the others); picking it again where it is takes it out. */
  const pick = (tag, into) => {
    const was = where(tag);
    const patch = {};
    for (const k of SETS) patch[k] = sets[k].filter((x) => x.id !== tag.id);
    if (was !== into) patch[into] = [...patch[into], lite(tag)];
    change(patch);
  };

  const onTagKey = (e, tag) => {
    const k = e.key.toLowerCase();
    if (e.key === 'Enter' && (e.shiftKey || e.altKey || e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      pick(tag, modeOf(e, mode));
    } else if (!e.altKey && !e.ctrlKey && !e.metaKey && (k === 'a' || k === 'o' || k === 'n')) {
      e.preventDefault();
      pick(tag, k === 'a' ? 'and' : k === 'o' ? 'or' : 'not');
    }
  };

  const TagButton = (tag) => {
    const inSet = where(tag);
    const label = tagLabel(tag);
    return html`<button key=${tag.id} class=${'tag-pick' + (inSet ? ' in-' + inSet : '')} data-tag-id=${tag.id} data-name=${tag.name}
        data-type=${tag.type} aria-pressed=${inSet ? 'true' : 'false'} style=${tag.color ? { '--tag-color': tag.color } : undefined}
        title=${(label !== tag.name ? tag.name + ' · ' : '') + t('tags.pickHelp')}
        onClick=${(e) => pick(tag, modeOf(e, mode))} onKeyDown=${(e) => onTagKey(e, tag)}>
      ${inSet ? html`<span class="tag-op">${t('tags.set.' + inSet)}</span>` : null}
      <span class="tag-name">${label}</span><span class="tag-count">${tag.count}</span>
    </button>`;
  };

  const q = query.trim();
  return html`<div class="tagsearch-page">
    <aside class="tag-browser" aria-label=${t('tab.tagsearch')}>
      <${TagFilter} tabId=${tab.id} query=${query} setQuery=${setQuery} groups=${groups} mode=${mode} pick=${pick} />
      <div class="tag-groups">
        ${loadError ? html`<div class="pane-error" role="alert">${loadError}</div>` : null}
        ${groups === null && !loadError ? html`<div class="muted"><span class="spinner small"></span></div>` : null}
        ${groups && !groups.length ? html`<div class="tag-empty muted">${q ? t('tags.noTagsMatch') : html`${t('tags.noTags')}
          <button class="link-btn" onClick=${() => showPage('index')}>${t('tags.openIndex')}</button>`}</div>` : null}
        ${(groups || []).map((g) => html`<section key=${g.type} class="tag-group" data-type=${g.type}>
          <h3>${typeLabel(g.type)} <span class="muted small">${g.total}</span></h3>
          <div class="tag-list">
            ${g.tags.map(TagButton)}
            ${g.tags.length < g.total ? html`<button class="link-btn tag-more-btn" onClick=${() => more(g)}>
              ${t('tags.showMore', { n: g.total - g.tags.length })}</button>` : null}
          </div>
        </section>`)}
      </div>
    </aside>
    <div class="tagsearch-main">
      <${TagSetsBar} sets=${sets} st=${st} change=${change} again=${() => search(st)} />
      <${ResultsPane} model=${model} className="tagsearch-results">
        <span class="page-heading"><${Icon} name="tag" size=${16} /> ${t('tab.tagsearch')}</span>
        <span class="grow"></span>
      <//>
    </div>
  </div>`;
}
