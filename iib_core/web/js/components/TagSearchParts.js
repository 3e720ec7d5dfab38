// @ts-check
// The parts of the tag search page: the filter box with its suggestions and the choice of set
// a click adds to, and the bar of picked sets with the random order and folder scope options.
import { useState } from 'preact/hooks';
import { html } from '../html.js';
import { t } from '../i18n.js';
import { Icon } from '../icons.js';
import { updateTabState } from '../workspace.js';
import { tagLabel, typeLabel } from '../tags.js';

export const SETS = ['and', 'or', 'not'];
const SUGGESTIONS = 10;

/** The set a click or key adds to: Shift → OR, Alt/Ctrl/Meta → NOT, else the chosen one. */
export function modeOf(e, fallback) {
  if (e.altKey || e.ctrlKey || e.metaKey) return 'not';
  if (e.shiftKey) return 'or';
  return fallback;
}

/**
 * The filter box (it also filters the tag lists) with autocomplete over all groups, and the
 * set a click adds to.
 */
export function TagFilter({ tabId, query, setQuery, groups, mode, pick }) {
  const [active, setActive] = useState(-1);
  const [open, setOpen] = useState(false);
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

  return html`<div class="tag-filter">
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
        onClick=${() => updateTabState(tabId, { mode: k })}>${t('tags.set.' + k)}</button>`)}
    </div>
  </div>`;
}

/** The picked sets (each chip removable), random order, folder scope, clear and search again. */
export function TagSetsBar({ sets, st, change, again }) {
  const [folders, setFolders] = useState(st.folders || '');
  const anyTag = SETS.some((k) => sets[k].length);
  const removeFrom = (k, tag) => change({ [k]: sets[k].filter((x) => x.id !== tag.id) });
  const clearAll = () => change({ and: [], or: [], not: [] });
  const applyFolders = () => {
    if ((st.folders || '') !== folders) change({ folders });
  };

  return html`<div class="tag-sets" aria-label=${t('tags.sets')}>
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
      ${anyTag ? html`<button class="btn small" onClick=${clearAll}>${t('tags.clear')}</button>` : null}
      ${anyTag ? html`<button class="btn small" title=${t('tags.again')} aria-label=${t('tags.again')} onClick=${again}>
        <${Icon} name="refresh" size=${14} /></button>` : null}
    </div>
  </div>`;
}
