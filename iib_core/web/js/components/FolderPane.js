// @ts-check
// A folder view or a walk stream: toolbar (breadcrumb, sort, filter, walk), the folder
// tree, the endless grid, the selection bar and a status line.
import { useEffect } from 'preact/hooks';
import { html } from '../html.js';
import { t } from '../i18n.js';
import { Icon } from '../icons.js';
import { settings, update, CELL_MIN, CELL_MAX } from '../settings.js';
import { modelFor } from '../models.js';
import { openTab } from '../workspace.js';
import { isReadonly, contextMenu, batchList } from '../store.js';
import { menuFor, newFolder, transfer, deleteNodes, download } from '../actions.js';
import { Breadcrumb } from './Breadcrumb.js';
import { FolderTree } from './FolderTree.js';
import { Grid } from './Grid.js';
import { toggleDrawer } from '../batch.js';

function SortControls({ model }) {
  const value = `${model.sortBy.value}:${model.sortDir.value}`;
  return html`<select class="input compact" aria-label=${t('folder.sort')} title=${t('folder.sort')} value=${value}
      onChange=${(e) => { const [by, dir] = e.currentTarget.value.split(':'); model.setSort(by, dir); }}>
    <option value="date:desc">${t('sort.dateDesc')}</option>
    <option value="date:asc">${t('sort.dateAsc')}</option>
    <option value="name:asc">${t('sort.nameAsc')}</option>
    <option value="name:desc">${t('sort.nameDesc')}</option>
    <option value="size:desc">${t('sort.sizeDesc')}</option>
    <option value="size:asc">${t('sort.sizeAsc')}</option>
  </select>`;
}

function FilterControl({ model }) {
  return html`<select class="input compact" aria-label=${t('folder.filter')} title=${t('folder.filter')} value=${model.filter.value}
      onChange=${(e) => model.setFilter(e.currentTarget.value)}>
    <option value="media">${t('filter.media')}</option>
    <option value="image">${t('filter.image')}</option>
    <option value="video">${t('filter.video')}</option>
    <option value="all">${t('filter.all')}</option>
  </select>`;
}

export function SelectionBar({ model }) {
  // Read the signals here: a child re-renders for its own signals, not for its parent's.
  const sel = model.selected.value;
  const nodes = model.items.value.filter((n) => sel.has(n.fullpath));
  const writable = !isReadonly.value;
  const anyFile = nodes.some((n) => n.type === 'file');
  const more = (e) => {
    const r = e.currentTarget.getBoundingClientRect();
    contextMenu.value = { x: r.left, y: r.top, up: true, items: menuFor(model, nodes) };
  };
  return html`<div class="selection-bar" role="toolbar" aria-label=${t('folder.selection')}>
    <span class="sel-count">${t('folder.selected', { n: nodes.length })}</span>
    <button class="btn small" disabled=${!writable} onClick=${() => transfer(nodes, 'move')}><${Icon} name="move" size=${15} /> ${t('action.moveTo')}</button>
    <button class="btn small" disabled=${!writable || !anyFile} onClick=${() => transfer(nodes, 'copy')}><${Icon} name="copy" size=${15} /> ${t('action.copyTo')}</button>
    <button class="btn small" disabled=${!anyFile} onClick=${() => download(nodes)}><${Icon} name="download" size=${15} /> ${t('action.download')}</button>
    <button class="btn small danger" disabled=${!writable} onClick=${() => deleteNodes(nodes)}><${Icon} name="trash" size=${15} /> ${t('action.delete')}</button>
    <button class="icon-btn" title=${t('action.more')} aria-label=${t('action.more')} onClick=${more}><${Icon} name="more" /></button>
    <button class="icon-btn" title=${t('action.clearSelection')} aria-label=${t('action.clearSelection')} onClick=${() => model.clearSelection()}><${Icon} name="close" /></button>
  </div>`;
}

/** The end of a pane's status bar: the batch count (opens the drawer) and "keep selection". */
export function StatusTail({ model }) {
  return html`${batchList.value.length ? html`<button class="link-btn muted batch-status" onClick=${toggleDrawer}>${t('folder.inBatch', { n: batchList.value.length })}</button>` : null}
    <span class="grow"></span>
    <label class=${'keep-sel' + (model.keepSelection.value ? ' on' : '')} title=${t('folder.keepSelectionHint')}>
      <input type="checkbox" checked=${model.keepSelection.value} onChange=${(e) => { model.keepSelection.value = e.currentTarget.checked; }} />
      ${t('folder.keepSelection')}
    </label>`;
}

export function FolderPane({ tab }) {
  const model = modelFor(tab);
  const s = settings.value;
  const items = model.items.value;
  const sel = model.selected.value;
  const walk = model.kind === 'walk';
  const showTree = s.showTree && !walk;

  useEffect(() => {
    // A tab whose path changed elsewhere (deep link, snapshot) follows it.
    if (!walk && tab.path && tab.path !== model.path.peek()) model.navigate(tab.path);
  }, [tab.path]);

  const files = items.length - items.filter((n) => n.type === 'dir').length;
  const dirs = items.length - files;
  return html`<div class=${'folder-pane' + (walk ? ' walk' : '')} data-path=${model.path.value} data-count=${items.length}
      data-loading=${model.loading.value ? 'true' : 'false'} data-done=${walk ? String(model.done.value) : undefined}>
    <div class="pane-toolbar">
      ${walk ? null : html`<button class=${'icon-btn' + (s.showTree ? ' on' : '')} title=${t('folder.toggleTree')} aria-label=${t('folder.toggleTree')}
        aria-pressed=${s.showTree} onClick=${() => update('showTree', !s.showTree)}><${Icon} name="tree" /></button>`}
      ${walk ? null : html`<button class="icon-btn" title=${t('folder.up')} aria-label=${t('folder.up')} onClick=${() => model.up()}><${Icon} name="up" /></button>`}
      <${Breadcrumb} model=${model} />
      <div class="toolbar-group">
        <${SortControls} model=${model} />
        <${FilterControl} model=${model} />
        <input class="cell-slider" type="range" min=${CELL_MIN} max=${Math.min(CELL_MAX, 512)} step="8" value=${s.cellWidth}
          title=${t('settings.cellWidth')} aria-label=${t('settings.cellWidth')}
          onInput=${(e) => update('cellWidth', Number(e.currentTarget.value))} />
        ${walk
          ? html`<button class="btn small on" title=${t('folder.exitWalk')} onClick=${() => openTab({ kind: 'folder', path: model.path.peek() }, { replaceId: tab.id })}>
              <${Icon} name="walk" size=${15} /> ${t('folder.walk')}</button>`
          : html`<button class="btn small" title=${t('folder.walkHint')} onClick=${() => openTab({ kind: 'walk', path: model.path.peek() }, { replaceId: tab.id })}>
              <${Icon} name="walk" size=${15} /> ${t('folder.walk')}</button>`}
        ${walk ? null : html`<button class="icon-btn" title=${t('action.newFolder')} aria-label=${t('action.newFolder')} disabled=${isReadonly.value}
          onClick=${() => newFolder(model)}><${Icon} name="newFolder" /></button>`}
        <button class="icon-btn" title=${t('action.refresh')} aria-label=${t('action.refresh')} onClick=${() => model.load()}><${Icon} name="refresh" /></button>
      </div>
    </div>
    <div class="pane-main">
      ${showTree ? html`<${FolderTree} model=${model} />` : null}
      <div class="grid-wrap">
        ${model.error.value ? html`<div class="pane-error" role="alert">${model.error.value}</div>` : null}
        <${Grid} model=${model} />
      </div>
    </div>
    ${sel.size ? html`<${SelectionBar} model=${model} />` : null}
    <div class="status-bar">
      <span class="status-count">${walk
        ? t('folder.walkCount', { n: files, folders: model.folders.value })
        : t('folder.count', { files, dirs })}</span>
      ${model.loading.value ? html`<span class="spinner small" aria-label=${t('app.loading')}></span>` : null}
      ${walk && model.done.value ? html`<span class="muted">${t('folder.walkDone')}</span>` : null}
      <${StatusTail} model=${model} />
    </div>
  </div>`;
}
