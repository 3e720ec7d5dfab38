// @ts-check
// One column of the split view: its tab bar and the active tab's pane.
import { html } from '../html.js';
import { t } from '../i18n.js';
import { Icon } from '../icons.js';
import { activateTab, closeTab, closeColumn, focusColumn, openTab, openInSplit, workspace } from '../workspace.js';
import { displayName } from '../store.js';
import { StartPage } from './StartPage.js';
import { FolderPane } from './FolderPane.js';
import { SettingsPage } from './SettingsPage.js';
import { TrashPage } from './TrashPage.js';
import { PAGES } from './pages.js';

export function tabTitle(tab) {
  if (tab.kind === 'start') return t('tab.start');
  if (tab.kind === 'settings') return t('tab.settings');
  if (tab.kind === 'trash') return t('tab.trash');
  const page = PAGES[tab.kind];
  if (page) return page.tabTitle ? page.tabTitle(tab) : t(page.title);
  const name = displayName(tab.path);
  return tab.kind === 'walk' ? `${name} · ${t('tab.walk')}` : name;
}

function TabBar({ column, single }) {
  return html`<div class="tabbar" role="tablist">
    <div class="tabs">
      ${column.tabs.map((tab) => html`<div key=${tab.id} role="tab" aria-selected=${tab.id === column.active}
          class=${'tab' + (tab.id === column.active ? ' active' : '')} title=${tab.path || tabTitle(tab)}
          onClick=${() => activateTab(column.id, tab.id)}
          onAuxClick=${(e) => { if (e.button === 1) closeTab(column.id, tab.id); }}>
        <${Icon} name=${PAGES[tab.kind] ? PAGES[tab.kind].icon : tab.kind === 'walk' ? 'walk' : tab.kind === 'folder' ? 'folder' : tab.kind === 'settings' ? 'settings' : tab.kind === 'trash' ? 'trash' : 'home'} size=${14} />
        <span class="tab-title">${tabTitle(tab)}</span>
        <button class="tab-close" title=${t('action.closeTab')} aria-label=${t('action.closeTab')}
          onClick=${(e) => { e.stopPropagation(); closeTab(column.id, tab.id); }}><${Icon} name="close" size=${12} /></button>
      </div>`)}
      <button class="icon-btn small" title=${t('action.newTab')} aria-label=${t('action.newTab')}
        onClick=${() => openTab({ kind: 'start' }, { columnId: column.id })}><${Icon} name="plus" size=${16} /></button>
    </div>
    <div class="tabbar-tools">
      ${single ? null : html`<button class="btn small col-switch" title=${t('action.nextColumn')} aria-label=${t('action.nextColumn')}
        onClick=${() => { const cols = workspace.peek().columns; const i = cols.findIndex((c) => c.id === column.id); focusColumn(cols[(i + 1) % cols.length].id); }}>
        ${workspace.value.columns.findIndex((c) => c.id === column.id) + 1}/${workspace.value.columns.length}</button>`}
      <button class="icon-btn small" title=${t('action.splitView')} aria-label=${t('action.splitView')}
        onClick=${() => openInSplit({ kind: 'start' })}><${Icon} name="split" size=${16} /></button>
      ${single ? null : html`<button class="icon-btn small" title=${t('action.closeColumn')} aria-label=${t('action.closeColumn')}
        onClick=${() => closeColumn(column.id)}><${Icon} name="close" size=${16} /></button>`}
    </div>
  </div>`;
}

export function Column({ column, focused, flex, single }) {
  const tab = column.tabs.find((tb) => tb.id === column.active) || column.tabs[0];
  let body;
  if (tab.kind === 'folder' || tab.kind === 'walk') body = html`<${FolderPane} key=${tab.id} tab=${tab} />`;
  else if (tab.kind === 'settings') body = html`<${SettingsPage} key=${tab.id} />`;
  else if (tab.kind === 'trash') body = html`<${TrashPage} key=${tab.id} tab=${tab} />`;
  else if (PAGES[tab.kind]) body = html`<${PAGES[tab.kind].component} key=${tab.id} tab=${tab} />`;
  else body = html`<${StartPage} key=${tab.id} tab=${tab} />`;
  return html`<section class=${'column' + (focused ? ' focused' : '')} style=${{ flex: `${flex} 1 0px` }}
      onPointerDownCapture=${() => focusColumn(column.id)} onFocusCapture=${() => focusColumn(column.id)}>
    <${TabBar} column=${column} single=${single} />
    <div class="pane">${body}</div>
  </section>`;
}
