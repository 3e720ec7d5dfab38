// @ts-check
// The text search page: one box with the query language (or plain text, or a regular
// expression), folder scope and media type; results in the same endless grid as folders
// (ResultsPane), search history and an inline cheat sheet. The last search is kept in the
// tab's state, so a reload shows it again; another part of the UI opens a search with
// openTab/showPage('search', {q, mode, media, folders, ran: true}). Keys: / or Ctrl+F focus the box, Enter runs,
// ArrowDown moves into the grid, Escape closes an open panel.
import { useState, useEffect, useRef } from 'preact/hooks';
import { html } from '../html.js';
import { t } from '../i18n.js';
import { Icon } from '../icons.js';
import { roots, preview, dialog, contextMenu } from '../store.js';
import { updateTabState, activeTab } from '../workspace.js';
import { resultsModelFor } from '../results.js';
import { keyName, isTyping } from '../keys.js';
import { MODES, MEDIA, EXAMPLES, searchOptions, searchSource, searchHistory, rememberSearch, forgetSearch, clearHistory } from '../search.js';
import { ResultsPane } from './ResultsPane.js';

const searchKey = (o) => JSON.stringify([o.q, o.mode, o.media, o.folders]);

function HistoryPanel({ onPick }) {
  const list = searchHistory.value;
  return html`<div class="search-panel search-history" role="region" aria-label=${t('search.history')}>
    <div class="search-panel-head">
      <h4>${t('search.history')}</h4>
      <span class="grow"></span>
      ${list.length ? html`<button class="btn small" onClick=${clearHistory}>${t('search.clearHistory')}</button>` : null}
    </div>
    ${list.length ? html`<ul class="history-list">
      ${list.map((e) => html`<li key=${e.mode + ':' + e.q} class="history-item">
        <button class="history-run" title=${t('search.rerun')} onClick=${() => onPick(e)}>
          <span class=${'mode-badge mode-' + e.mode}>${t('search.mode.' + e.mode)}</span>
          <span class="history-q">${e.q}</span>
        </button>
        <button class="icon-btn small history-remove" title=${t('search.removeHistory')} aria-label=${t('search.removeHistory')}
          onClick=${() => forgetSearch(e)}><${Icon} name="close" size=${14} /></button>
      </li>`)}
    </ul>` : html`<p class="muted">${t('search.historyEmpty')}</p>`}
  </div>`;
}

function HelpPanel({ onPick }) {
  return html`<div class="search-panel search-help" role="region" aria-label=${t('search.syntax')}>
    <div class="search-panel-head"><h4>${t('search.syntax')}</h4></div>
    <p class="muted small">${t('search.help.intro')}</p>
    <dl class="help-grid">
      ${EXAMPLES.map(([example, key]) => html`<div key=${example} class="help-row">
        <dt><button class="help-example" title=${t('search.tryExample')} onClick=${() => onPick(example)}><code>${example}</code></button></dt>
        <dd>${t(key)}</dd>
      </div>`)}
    </dl>
    <p class="muted small">${t('search.help.modes')}</p>
  </div>`;
}

function ScopePanel({ folders, onChange }) {
  const [path, setPath] = useState('');
  const known = roots.value;
  const extra = folders.filter((f) => !known.some((r) => r.path === f));
  const toggle = (p) => onChange(folders.includes(p) ? folders.filter((f) => f !== p) : [...folders, p]);
  const add = () => {
    const p = path.trim();
    if (p && !folders.includes(p)) onChange([...folders, p]);
    setPath('');
  };
  return html`<div class="search-panel search-scope" role="region" aria-label=${t('search.scope')}>
    <div class="search-panel-head"><h4>${t('search.scope')}</h4></div>
    <label class="scope-row">
      <input type="checkbox" checked=${!folders.length} onChange=${() => onChange([])} />
      <span>${t('search.scopeAll')}</span>
    </label>
    ${known.map((r) => html`<label key=${r.path} class="scope-row" title=${r.path}>
      <input type="checkbox" data-path=${r.path} checked=${folders.includes(r.path)} onChange=${() => toggle(r.path)} />
      <span class="scope-name">${r.alias || r.path}</span>
      ${r.alias ? html`<span class="muted scope-path">${r.path}</span>` : null}
    </label>`)}
    ${extra.map((p) => html`<label key=${p} class="scope-row" title=${p}>
      <input type="checkbox" data-path=${p} checked=${true} onChange=${() => toggle(p)} />
      <span class="scope-name">${p}</span>
    </label>`)}
    <div class="scope-add">
      <input class="input compact" value=${path} placeholder=${t('search.addFolder')} aria-label=${t('search.addFolder')}
        onInput=${(e) => setPath(e.currentTarget.value)}
        onKeyDown=${(e) => { if (e.key === 'Enter') { e.preventDefault(); add(); } }} />
      <button class="btn small" disabled=${!path.trim()} onClick=${add}>${t('search.add')}</button>
    </div>
  </div>`;
}

export function SearchPage({ tab }) {
  const model = resultsModelFor(tab);
  if (!model.searchReady) {
    // The server filters by media type; the folder view's client-side filter stays out of it.
    model.searchReady = true;
    model.filter.value = 'all';
  }
  const init = searchOptions(tab.state);
  const [q, setQ] = useState(init.q);
  const [mode, setMode] = useState(init.mode);
  const [media, setMedia] = useState(init.media);
  const [folders, setFolders] = useState(init.folders);
  const [panel, setPanel] = useState(null); // 'history' | 'help' | 'scope' | null
  const inputRef = useRef(null);
  const rootRef = useRef(null);
  model.emptyText = () => (model.started.peek() ? t('search.noResults') : t('search.start'));

  const current = { q, mode, media, folders };
  const run = (over = {}, { remember = true } = {}) => {
    const opts = { ...current, ...over };
    if (over.q !== undefined) setQ(over.q);
    if (over.mode !== undefined) setMode(over.mode);
    model.searchKey = searchKey(opts);
    updateTabState(tab.id, { ...opts, ran: true });
    if (remember) rememberSearch(opts.q, opts.mode);
    return model.restart(searchSource(opts));
  };
  // An option changed: search again when a search is shown, else just remember it.
  const change = (over) => {
    if (over.media !== undefined) setMedia(over.media);
    if (over.folders !== undefined) setFolders(over.folders);
    if (over.mode !== undefined) setMode(over.mode);
    if (model.started.peek()) run(over, { remember: false });
    else updateTabState(tab.id, over);
  };

  // Keyboard first: a new search page starts in its box.
  useEffect(() => {
    if (!(tab.state && tab.state.ran) && !model.started.peek() && inputRef.current) inputRef.current.focus();
  }, []);
  // A restored tab (reload, snapshot) shows its search again; so does a tab whose state another
  // part of the UI set: openTab({kind: 'search', state: {q, mode, ran: true}}) or showPage().
  useEffect(() => {
    const st = tab.state || {};
    if (!st.ran) return;
    const o = searchOptions(st);
    if (model.searchKey === searchKey(o)) return; // shown already (this tab was only hidden)
    setQ(o.q);
    setMode(o.mode);
    setMedia(o.media);
    setFolders(o.folders);
    run(o, { remember: model.started.peek() });
  }, [tab.state]);

  // `/` or Ctrl+F: the box, when this page is the active tab.
  useEffect(() => {
    const onKey = (e) => {
      if (e.defaultPrevented || !activeTab.peek() || activeTab.peek().id !== tab.id) return;
      if (preview.peek() || dialog.peek() || contextMenu.peek()) return;
      const key = keyName(e);
      if (key === 'Ctrl+f' || key === 'Meta+f' || (key === '/' && !isTyping(e))) {
        const el = inputRef.current;
        if (!el) return;
        e.preventDefault();
        el.focus();
        el.select();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [tab.id]);

  const focusGrid = () => {
    const grid = rootRef.current && rootRef.current.querySelector('.grid-scroll');
    if (!grid || !model.items.peek().length) return false;
    if (model.focus.peek() < 0) model.focus.value = 0;
    grid.focus({ preventScroll: true });
    if (model.scrollTo) model.scrollTo(model.focus.peek());
    return true;
  };

  const onInputKey = (e) => {
    const key = keyName(e);
    if (key === 'Enter') {
      e.preventDefault();
      setPanel(null);
      run({ q: e.currentTarget.value });
    } else if (key === 'ArrowDown') {
      if (focusGrid()) e.preventDefault();
    } else if (key === 'Escape' && panel) {
      e.preventDefault();
      setPanel(null);
    }
  };
  const onPanelKey = (e) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      setPanel(null);
      if (inputRef.current) inputRef.current.focus();
    }
  };
  const togglePanel = (name) => setPanel(panel === name ? null : name);
  const pick = (over) => {
    setPanel(null);
    run(over);
    if (inputRef.current) inputRef.current.focus();
  };

  const scopeLabel = folders.length ? t('search.scopeSome', { n: folders.length }) : t('search.scopeAll');
  const placeholder = t('search.placeholder.' + mode);
  return html`<div class="search-page" ref=${rootRef} data-mode=${mode} data-epoch=${model.epoch.value}>
    <${ResultsPane} model=${model} className="search-results">
      <div class="search-box">
        <${Icon} name="search" size=${16} />
        <input ref=${inputRef} class="search-input" type="text" value=${q} placeholder=${placeholder}
          aria-label=${t('search.label')} enterkeyhint="search" spellcheck=${false} autocomplete="off"
          onInput=${(e) => setQ(e.currentTarget.value)} onKeyDown=${onInputKey} />
        <button class="icon-btn small search-run" title=${t('search.run')} aria-label=${t('search.run')}
          onClick=${() => { setPanel(null); run({ q: inputRef.current ? inputRef.current.value : q }); }}><${Icon} name="right" size=${16} /></button>
      </div>
      <div class="search-modes" role="group" aria-label=${t('search.modeLabel')}>
        ${MODES.map((m) => html`<button key=${m} class=${'btn small search-mode' + (mode === m ? ' on' : '')} data-mode=${m}
          aria-pressed=${mode === m} title=${t('search.modeHint.' + m)} onClick=${() => change({ mode: m })}>${t('search.mode.' + m)}</button>`)}
      </div>
      <select class="input compact search-media" aria-label=${t('search.media')} title=${t('search.media')} value=${media}
        onChange=${(e) => change({ media: e.currentTarget.value })}>
        ${MEDIA.map((m) => html`<option key=${m} value=${m}>${t('search.media.' + m)}</option>`)}
      </select>
      <button class=${'btn small search-scope-btn' + (panel === 'scope' ? ' on' : '') + (folders.length ? ' scoped' : '')}
        aria-expanded=${panel === 'scope'} onClick=${() => togglePanel('scope')}><${Icon} name="folder" size=${15} /> ${scopeLabel}</button>
      <button class=${'icon-btn search-history-btn' + (panel === 'history' ? ' on' : '')} title=${t('search.history')} aria-label=${t('search.history')}
        aria-expanded=${panel === 'history'} onClick=${() => togglePanel('history')}><${Icon} name="undo" /></button>
      <button class=${'icon-btn search-help-btn' + (panel === 'help' ? ' on' : '')} title=${t('search.syntax')} aria-label=${t('search.syntax')}
        aria-expanded=${panel === 'help'} onClick=${() => togglePanel('help')}><${Icon} name="info" /></button>
      ${panel ? html`<div class="search-panel-wrap" onKeyDown=${onPanelKey}>
        ${panel === 'history' ? html`<${HistoryPanel} onPick=${(e) => pick({ q: e.q, mode: e.mode })} />` : null}
        ${panel === 'help' ? html`<${HelpPanel} onPick=${(example) => pick({ q: example, mode: 'query' })} />` : null}
        ${panel === 'scope' ? html`<${ScopePanel} folders=${folders} onChange=${(list) => change({ folders: list })} />` : null}
      </div>` : null}
    <//>
  </div>`;
}
