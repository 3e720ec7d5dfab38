// @ts-check
// The batch download drawer: collects files from any grid, search result or walk
// stream ("Add to batch download", or drag items onto it), lists them with thumbnails,
// count and total size, and downloads them as one zip, compressed or stored. The list is
// kept in localStorage; files that no longer exist are dropped with a notice.
// Open and close: the handle at the right edge, the `b` key, Escape closes.
import { useState, useEffect, useRef } from 'preact/hooks';
import { html } from '../html.js';
import { FileName, nameText } from '../names.js';
import { t } from '../i18n.js';
import { Icon } from '../icons.js';
import { thumbUrl, coverUrl, post } from '../api.js';
import { kindOf, parentOf, humanSize } from '../media.js';
import { settings } from '../settings.js';
import { batchList, isReadonly, confirmDialog, preview, toastError } from '../store.js';
import { DRAG_TYPE, draggedNodes, endDrag, isFileDrag } from '../dnd.js';
import { useDropZone } from '../hooks/dropzone.js';
import { keyName, isTyping, shortcutAction } from '../keys.js';
import {
  drawerOpen, zipJob, batchBytes, toggleDrawer, closeDrawer, removeFromBatch, clearBatch, addAndTell,
  validateBatch, downloadBatch,
} from '../batch.js';

const PAGE = 200; // rows rendered at a time (more on demand)
export const BATCH_KEY = 'b';

/** Dropped grid items → batch. The payload's paths are used when the nodes are not at hand. */
async function dropFiles(e) {
  let nodes = draggedNodes();
  endDrag();
  if (!nodes) {
    let paths = [];
    try {
      paths = JSON.parse(e.dataTransfer.getData(DRAG_TYPE) || '[]');
    } catch (err) {
      paths = [];
    }
    if (!Array.isArray(paths) || !paths.length) return;
    try {
      const info = await post('/batch_get_files_info', { paths });
      nodes = paths.map((p) => info[p]).filter((n) => n && n.type === 'file');
    } catch (err) {
      toastError(err);
      return;
    }
  }
  addAndTell(nodes.filter((n) => n.type === 'file'));
}

/** A compact button with the count: for toolbars and status bars. */
export function BatchButton({ className = '' }) {
  const n = batchList.value.length;
  const label = t('batch.toggle', { n });
  return html`<button class=${'btn small batch-button ' + className + (drawerOpen.value ? ' on' : '')} title=${`${label} (${BATCH_KEY.toUpperCase()})`}
      aria-label=${label} aria-expanded=${drawerOpen.value} aria-controls="batch-drawer" onClick=${toggleDrawer}>
    <${Icon} name="batch" size=${15} /> <span class="batch-count">${n}</span></button>`;
}

function Row({ f }) {
  const kind = kindOf(f);
  const url = kind === 'image' ? thumbUrl(f, 128) : kind === 'video' ? coverUrl(f) : null;
  return html`<li class="batch-row" data-path=${f.fullpath} title=${f.fullpath}>
    <span class="batch-thumb">${url
      ? html`<img src=${url} alt="" loading="lazy" draggable=${false} onError=${(e) => { e.currentTarget.dataset.failed = '1'; }} />`
      : html`<${Icon} name=${kind === 'audio' ? 'audio' : 'file'} size=${22} />`}</span>
    <span class="batch-text">
      <span class="batch-name"><${FileName} name=${f.name} /></span>
      <span class="batch-meta">${f.bytes !== undefined ? humanSize(f.bytes) : f.size || ''} · ${parentOf(f.fullpath)}</span>
    </span>
    <button class="icon-btn small batch-remove" title=${t('batch.remove')} aria-label=${t('batch.removeX', { name: nameText(f.name) })}
      onClick=${() => removeFromBatch([f.fullpath])}><${Icon} name="close" size=${14} /></button>
  </li>`;
}

function Progress({ job }) {
  // Packing happens on the server; the download itself then runs in the browser's own
  // download manager, which shows its progress.
  const text = t('batch.packing', { n: job.n });
  return html`<div class="batch-progress" role="status">
    <progress aria-label=${text}></progress>
    <span class="batch-progress-text">${text}</span>
    <button class="btn small" onClick=${job.cancel}>${t('action.cancel')}</button>
  </div>`;
}

export function BatchDrawer() {
  const open = drawerOpen.value;
  const list = batchList.value;
  const job = zipJob.value;
  const readonly = isReadonly.value;
  const [dragging, setDragging] = useState(false); // grid items are being dragged somewhere
  const [over, drop, setOver] = useDropZone(dropFiles, { enter: true, stop: true });
  const [limit, setLimit] = useState(PAGE);
  const panel = useRef(null);
  const returnFocus = useRef(null);

  // Files kept from an earlier session may be gone: check once at start, and on each open.
  useEffect(() => { validateBatch(); }, []);
  useEffect(() => {
    if (!open) return undefined;
    validateBatch();
    returnFocus.current = document.activeElement;
    if (panel.current) panel.current.focus({ preventScroll: true });
    return () => {
      const back = returnFocus.current;
      if (back && back.isConnected && back.focus) back.focus({ preventScroll: true });
    };
  }, [open]);

  useEffect(() => {
    const onKey = (e) => {
      if (e.defaultPrevented || isTyping(e)) return;
      if (document.querySelector('.modal-backdrop') || document.querySelector('.context-menu')) return;
      const key = keyName(e);
      if (key === 'Escape' && drawerOpen.peek() && (!preview.peek() || (panel.current && panel.current.contains(document.activeElement)))) {
        e.preventDefault();
        closeDrawer();
        return;
      }
      if (key === BATCH_KEY && !preview.peek() && !shortcutAction(e, settings.peek().shortcuts)) {
        e.preventDefault();
        toggleDrawer();
      }
    };
    const onDragStart = (e) => { if (isFileDrag(e)) setDragging(true); };
    const onDragEnd = () => { setDragging(false); setOver(false); };
    window.addEventListener('keydown', onKey);
    window.addEventListener('dragstart', onDragStart);
    window.addEventListener('dragend', onDragEnd);
    window.addEventListener('drop', onDragEnd);
    return () => {
      window.removeEventListener('keydown', onKey);
      window.removeEventListener('dragstart', onDragStart);
      window.removeEventListener('dragend', onDragEnd);
      window.removeEventListener('drop', onDragEnd);
    };
  }, []);

  if (!open) {
    if (!list.length && !dragging) return null;
    return html`<div class=${'batch-handle' + (dragging ? ' dragging' : '') + (over ? ' over' : '')} ...${drop}>
      ${dragging ? html`<span class="batch-drop-hint"><${Icon} name="batch" size=${18} /> ${t('batch.dropHere')}</span>` : html`<${BatchButton} />`}
    </div>`;
  }

  const clear = async () => {
    const ok = await confirmDialog({ title: t('batch.clearTitle', { n: list.length }), ok: t('batch.clear'), danger: true });
    if (ok) clearBatch();
  };
  const shown = list.slice(0, limit);
  const busy = !!job;
  return html`<aside id="batch-drawer" ref=${panel} tabindex="-1" class=${'batch-drawer' + (over ? ' over' : '') + (dragging ? ' dragging' : '')}
      role="region" aria-label=${t('batch.title')} data-count=${list.length} ...${drop}>
    <header class="batch-head">
      <${Icon} name="batch" size=${18} />
      <h3>${t('batch.title')}</h3>
      <span class="grow"></span>
      <button class="btn small danger batch-clear" disabled=${!list.length || busy} onClick=${clear}><${Icon} name="trash" size=${14} /> ${t('batch.clear')}</button>
      <button class="icon-btn" title=${`${t('action.close')} (Esc)`} aria-label=${t('action.close')} onClick=${closeDrawer}><${Icon} name="close" /></button>
    </header>
    <p class="batch-summary" aria-live="polite">${t('batch.summary', { n: list.length, size: humanSize(batchBytes.value) })}</p>
    ${list.length ? html`<ul class="batch-list">
        ${shown.map((f) => html`<${Row} key=${f.fullpath} f=${f} />`)}
      </ul>
      ${list.length > limit ? html`<button class="link-btn batch-more" onClick=${() => setLimit(limit + PAGE)}>
        ${t('batch.showMore', { n: Math.min(PAGE, list.length - limit) })}</button>` : null}`
      : html`<div class="batch-empty">
        <${Icon} name="batch" size=${40} />
        <p>${t('batch.empty')}</p>
      </div>`}
    ${dragging ? html`<div class="batch-drop-overlay" aria-hidden="true">${t('batch.dropHere')}</div>` : null}
    <footer class="batch-foot">
      ${job ? html`<${Progress} job=${job} />` : null}
      ${readonly ? html`<p class="muted small">${t('batch.readonly')}</p>` : null}
      <div class="batch-buttons">
        <button class="btn primary batch-zip" disabled=${!list.length || busy || readonly} title=${t('batch.zipHint')}
          onClick=${() => downloadBatch(true)}><${Icon} name="download" size=${15} /> ${t('batch.downloadZip')}</button>
        <button class="btn batch-store" disabled=${!list.length || busy || readonly} title=${t('batch.packStoreHint')}
          onClick=${() => downloadBatch(false)}><${Icon} name="batch" size=${15} /> ${t('batch.packStore')}</button>
      </div>
    </footer>
  </aside>`;
}
