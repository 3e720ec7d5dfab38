// The tag search page: tags grouped by type, most used first, with a filter box
// that completes over names and translated names; three sets built by clicking (a click adds
// to the chosen set, Shift → OR, Alt/Ctrl → NOT); random order and a folder scope; the
// matches in the usual result grid. The sets live in the tab's state.
import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from '../html.js';
import { t } from '../i18n.js';
import { Icon } from '../icons.js';
import { post } from '../api.js';
import { showPage, updateTabState } from '../workspace.js';
import { resultsModelFor } from '../results.js';
import { fetchGroups, namesByTranslation, tagLabel, typeLabel, translations } from '../tags.js';
import { ResultsPane } from './ResultsPane.js';

const SETS = ['and', 'or', 'not'];
const FIRST_PAGE = 30;
const MORE_PAGE = 120;
const SUGGESTIONS = 10;

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

/** The set a click or key adds to: Shift → OR, Alt/Ctrl/Meta → NOT, else the chosen one. */
function modeOf(e, fallback) {
  if (e.altKey || e.ctrlKey || e.metaKey) return 'not';
  if (e.shiftKey) return 'or';
  return fallback;
}

export function TagSearchPage({ tab }) {
  const st = tab.state || {};
  const sets = setsOf(st);
  const mode = SETS.includes(st.mode) ? st.mode : 'and';
  const model = resultsModelFor(tab);
  const [query, setQuery] = useState('');
  const [groups, setGroups] = useState(null);
  const [loadError, setLoadError] = useState(null);
  const [active, setActive] = useState(-1);
  const [open, setOpen] = useState(false);
  const [folders, setFolders] = useState(st.folders || '');
  const seq = useRef(0);

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

  // The tag lists: reloaded (debounced) when the filter changes.
  const load = async (q) => {
    const mine = ++seq.current;
    try {
      const found = await fetchGroups({ query: q, names: namesByTranslation(q), limit: FIRST_PAGE });
      if (mine === seq.current) {
        setGroups(found);
        setLoadError(null);
      }
    } catch (err) {
      if (mine === seq.current) setLoadError(err.message || String(err));
    }
  };
  useEffect(() => {
    const timer = setTimeout(() => load(query.trim()), query ? 200 : 0);
    return () => clearTimeout(timer);
  }, [query, translations.value]);

  const more = async (group) => {
    try {
      const q = query.trim();
      const [page] = await fetchGroups({ query: q, names: namesByTranslation(q), types: [group.type], limit: MORE_PAGE, offset: group.tags.length });
      if (!page) return;
      setGroups((gs) => gs.map((g) => (g.type === group.type ? { ...g, total: page.total, tags: [...g.tags, ...page.tags] } : g)));
    } catch (err) {
      setLoadError(err.message || String(err));
    }
  };

  const where = (tag) => SETS.find((k) => sets[k].some((x) => x.id === tag.id)) || null;

  /** Put a tag into a set (out of the others); picking it again where it is takes it out. */
  const pick = (tag, into) => {
    const was = where(tag);
    const patch = {};
    for (const k of SETS) patch[k] = sets[k].filter((x) => x.id !== tag.id);
    if (was !== into) patch[into] = [...patch[into], lite(tag)];
    change(patch);
  };
  const removeFrom = (k, tag) => change({ [k]: sets[k].filter((x) => x.id !== tag.id) });
  const clearAll = () => change({ and: [], or: [], not: [] });

  // Autocomplete: the most used matches over all groups.
  const q = query.trim();
  const suggestions = q && groups ? groups.flatMap((g) => g.tags).sort((a, b) => b.count - a.count).slice(0, SUGGESTIONS) : [];
  const showList = open && suggestions.length > 0;
  const onFilterKey = (e) => {
    if (e.key === 'ArrowDown' && suggestions.length) {
      e.preventDefault();
      setOpen(true);
      setActive((i) => (i + 1) % suggestions.length);
    } else if (e.key === 'ArrowUp' && suggestions.length) {
      e.preventDefault();
      setOpen(true);
      setActive((i) => (i <= 0 ? suggestions.length - 1 : i - 1));
    } else if (e.key === 'Enter') {
      const tag = suggestions[active >= 0 ? active : 0];
      if (!tag) return;
      e.preventDefault();
      pick(tag, modeOf(e, mode));
      setQuery('');
      setActive(-1);
    } else if (e.key === 'Escape') {
      if (query || open) {
        e.preventDefault();
        e.stopPropagation();
        setQuery('');
        setOpen(false);
      }
    }
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

  const applyFolders = () => {
    if ((st.folders || '') !== folders) change({ folders });
  };

  return html`<div class="tagsearch-page">
    <aside class="tag-browser" aria-label=${t('tab.tagsearch')}>
      <div class="tag-filter">
        <div class="tag-combo" role="combobox" aria-expanded=${showList ? 'true' : 'false'} aria-haspopup="listbox" aria-owns="tag-suggest">
          <input class="input tag-filter-input" type="search" value=${query} placeholder=${t('tags.filterPlaceholder')} aria-label=${t('tags.filter')}
            aria-autocomplete="list" aria-controls="tag-suggest" aria-activedescendant=${showList && active >= 0 ? 'tag-sg-' + active : undefined}
            onInput=${(e) => { setQuery(e.currentTarget.value); setOpen(true); setActive(-1); }}
            onFocus=${() => setOpen(true)} onBlur=${() => setTimeout(() => setOpen(false), 150)} onKeyDown=${onFilterKey} />
          ${showList ? html`<ul class="tag-suggest" id="tag-suggest" role="listbox" aria-label=${t('tags.suggestions')}>
            ${suggestions.map((tag, i) => html`<li key=${tag.id} id=${'tag-sg-' + i} role="option" aria-selected=${i === active}
                class=${'tag-suggestion' + (i === active ? ' active' : '')} data-name=${tag.name}
                onPointerDown=${(e) => { e.preventDefault(); pick(tag, modeOf(e, mode)); setQuery(''); }}>
              <span class="tag-name">${tagLabel(tag)}</span>
              ${tagLabel(tag) !== tag.name ? html`<span class="muted small">${tag.name}</span>` : null}
              <span class="grow"></span><span class="muted small">${typeLabel(tag.type)} · ${tag.count}</span>
            </li>`)}
          </ul>` : null}
        </div>
        <div class="tag-modes" role="radiogroup" aria-label=${t('tags.clickAdds')}>
          <span class="muted small">${t('tags.clickAdds')}</span>
          ${SETS.map((k) => html`<button key=${k} role="radio" aria-checked=${mode === k ? 'true' : 'false'} data-mode=${k}
            class=${'btn small mode-' + k + (mode === k ? ' on' : '')} title=${t('tags.modeHint.' + k)}
            onClick=${() => updateTabState(tab.id, { mode: k })}>${t('tags.set.' + k)}</button>`)}
        </div>
      </div>
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
      <div class="tag-sets" aria-label=${t('tags.sets')}>
        ${SETS.map((k) => html`<div key=${k} class=${'tag-set set-' + k} data-set=${k}>
          <span class="tag-set-label" title=${t('tags.setHint.' + k)}>${t('tags.set.' + k)}</span>
          ${sets[k].length ? sets[k].map((tag) => html`<span key=${tag.id} class="tag-chip" data-name=${tag.name}>
            ${tagLabel(tag)}
            <button class="icon-btn small" aria-label=${t('tags.removeFromSet', { tag: tagLabel(tag), set: t('tags.set.' + k) })}
              title=${t('tags.remove')} onClick=${() => removeFrom(k, tag)}><${Icon} name="close" size=${12} /></button>
          </span>`) : html`<span class="muted small">${t('tags.setHint.' + k)}</span>`}
        </div>`)}
        <div class="tag-options row">
          <label class="row small"><input type="checkbox" name="random" checked=${!!st.random}
            onChange=${(e) => change({ random: e.currentTarget.checked })} /> ${t('tags.random')}</label>
          <input class="input compact tag-folders" name="folders" value=${folders} placeholder=${t('tags.folderScope')}
            aria-label=${t('tags.folderScope')} title=${t('tags.folderScopeHint')}
            onInput=${(e) => setFolders(e.currentTarget.value)} onBlur=${applyFolders}
            onKeyDown=${(e) => { if (e.key === 'Enter') { e.preventDefault(); applyFolders(); } }} />
          ${anyTag(sets) ? html`<button class="btn small" onClick=${clearAll}>${t('tags.clear')}</button>` : null}
          ${anyTag(sets) ? html`<button class="btn small" title=${t('tags.again')} aria-label=${t('tags.again')} onClick=${() => search(st)}>
            <${Icon} name="refresh" size=${14} /></button>` : null}
        </div>
      </div>
      <${ResultsPane} model=${model} className="tagsearch-results">
        <span class="page-heading"><${Icon} name="tag" size=${16} /> ${t('tab.tagsearch')}</span>
        <span class="grow"></span>
      <//>
    </div>
  </div>`;
}
