// @ts-check
// A result grid with the folder view's behaviour (selection, preview, context menu, keys,
// drag to folders, batch): the page above it supplies the toolbar (`children`).
import { html } from '../html.js';
import { t } from '../i18n.js';
import { settings, update, CELL_MIN, CELL_MAX } from '../settings.js';
import { Grid } from './Grid.js';
import { SelectionBar, StatusTail } from './FolderPane.js';

export function ResultsPane({ model, children, className = '', extraStatus = null }) {
  const s = settings.value;
  const items = model.items.value;
  const sel = model.selected.value;
  const more = !model.done.value;
  return html`<div class=${'folder-pane results-pane ' + className} data-count=${items.length}
      data-loading=${model.loading.value ? 'true' : 'false'} data-done=${String(model.done.value)}>
    <div class="pane-toolbar results-toolbar">
      ${children}
      <input class="cell-slider" type="range" min=${CELL_MIN} max=${Math.min(CELL_MAX, 512)} step="8" value=${s.cellWidth}
        title=${t('settings.cellWidth')} aria-label=${t('settings.cellWidth')}
        onInput=${(e) => update('cellWidth', Number(e.currentTarget.value))} />
    </div>
    <div class="pane-main">
      <div class="grid-wrap">
        ${model.error.value ? html`<div class="pane-error" role="alert">${model.error.value}</div>` : null}
        <${Grid} model=${model} />
      </div>
    </div>
    ${sel.size ? html`<${SelectionBar} model=${model} />` : null}
    <div class="status-bar">
      <span class="status-count results-count">${model.started.value ? t('results.count', { n: items.length + (more ? '+' : '') }) : ''}</span>
      ${model.loading.value ? html`<span class="spinner small" aria-label=${t('app.loading')}></span>` : null}
      ${extraStatus}
      <${StatusTail} model=${model} />
    </div>
  </div>`;
}
