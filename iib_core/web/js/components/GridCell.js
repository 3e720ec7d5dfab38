// @ts-check
// One cell of the thumbnail grid: a file's thumbnail (or a folder's covers), its badges and
// caption, with click, context menu and drag and drop.
import { useRef, useEffect } from 'preact/hooks';
import { html } from '../html.js';
import { t } from '../i18n.js';
import { Icon } from '../icons.js';
import { thumbUrl, coverUrl } from '../api.js';
import { FileName, nameText } from '../names.js';
import { kindOf, specialReason } from '../media.js';
import { contextMenu } from '../store.js';
import { FAVOURITE_TAG, DELETE_MARK_TAG } from '../annotations.js';
import { covers } from '../covers.js';
import { menuFor, openNode } from '../actions.js';
import { TagDots } from '../tags.js';
import { startDrag, endDrag, folderDropProps } from '../dnd.js';

const loadedThumbs = new Set(); // URLs the browser has (shown at once, even mid-scroll)

function remember(url) {
  if (loadedThumbs.size > 5000) loadedThumbs.clear();
  loadedThumbs.add(url);
}

function Thumb({ node, kind, size, load }) {
  const url = kind === 'image' ? thumbUrl(node, size) : kind === 'video' ? coverUrl(node) : null;
  const ref = useRef(null);
  // An image leaving the DOM before it loaded: drop its request (it would hold up the rest).
  useEffect(() => () => {
    const el = ref.current;
    // Only when it still asks for this URL (a new size may already be set on the same element).
    if (el && !el.complete && el.getAttribute('src') === url) el.removeAttribute('src');
  }, [url]);
  if (!url) return null;
  const show = load || loadedThumbs.has(url);
  return html`<img ref=${ref} class="thumb-img" src=${show ? url : undefined} alt="" draggable=${false} decoding="async"
      onLoad=${() => remember(url)} onError=${(e) => { e.currentTarget.dataset.failed = '1'; }} />
    ${kind === 'video' ? html`<span class="play-badge"><${Icon} name="play" size=${16} fill /></span>` : null}`;
}

function FolderCover({ node, size }) {
  const list = covers.value.get(node.fullpath) || [];
  if (!list.length) return null;
  return html`<div class=${'folder-covers n' + Math.min(4, list.length)}>
    ${list.slice(0, 4).map((c) => html`<img key=${c.fullpath} src=${c.media_type === 'video' ? coverUrl(c) : thumbUrl(c, Math.min(256, size))} alt="" draggable=${false}
      onError=${(e) => { e.currentTarget.dataset.failed = '1'; }} />`)}
  </div>`;
}

export function Cell({ node, index, model, cellW, capH, size, selected, focused, ann, load }) {
  const kind = kindOf(node);
  const dir = kind === 'dir';
  const reason = kind === 'special' ? specialReason(node) : null;
  const a = ann || null;
  const fav = a && a.tags.some((tg) => tg.name === FAVOURITE_TAG);
  const marked = a && a.tags.some((tg) => tg.name === DELETE_MARK_TAG);
  const onClick = (e) => {
    e.preventDefault();
    const ctrl = e.ctrlKey || e.metaKey;
    if (ctrl || (model.keepSelection.peek() && !e.shiftKey)) {
      model.toggle(node.fullpath);
      model.anchor = index;
      model.focus.value = index;
      return;
    }
    if (e.shiftKey) {
      const from = model.anchor >= 0 ? model.anchor : Math.max(0, model.focus.peek());
      model.selectRange(from, index, false);
      model.focus.value = index;
      return;
    }
    model.anchor = index;
    model.focus.value = index;
    openNode(model, node, index);
  };
  const onContext = (e) => {
    e.preventDefault();
    e.stopPropagation();
    if (!model.selected.peek().has(node.fullpath)) {
      model.selectOnly([node.fullpath]);
      model.anchor = index;
    }
    model.focus.value = index;
    contextMenu.value = { x: e.clientX, y: e.clientY, items: menuFor(model, model.selectedNodes()) };
  };
  const onDragStart = (e) => {
    const sel = model.selected.peek();
    startDrag(e, sel.has(node.fullpath) ? model.selectedNodes() : [node]);
  };
  return html`<div class=${'cell' + (selected ? ' selected' : '') + (focused ? ' focused' : '') + (dir ? ' is-dir' : '') + (marked ? ' marked' : '') + (reason ? ' special' : '')}
      data-index=${index} data-name=${node.name} data-kind=${kind} data-special=${node.special || undefined}
      title=${reason ? `${nameText(node.name)}\n${reason}` : nameText(node.name)} role="gridcell" aria-selected=${selected}
      aria-disabled=${reason ? 'true' : undefined} aria-description=${reason || undefined}
      draggable=${true} onClick=${onClick} onContextMenu=${onContext} onDragStart=${onDragStart} onDragEnd=${endDrag}
      ...${folderDropProps(dir ? node.fullpath : null)}>
    <div class="thumb" style=${{ height: `${cellW}px` }}>
      <span class="thumb-icon"><${Icon} name=${dir || node.type === 'dir' ? 'folder' : kind === 'other' || reason ? 'file' : kind} size=${Math.max(20, Math.min(64, cellW / 3))} /></span>
      ${dir ? html`<${FolderCover} node=${node} size=${size} />` : html`<${Thumb} node=${node} kind=${kind} size=${size} load=${load} />`}
      ${selected ? html`<span class="check"><${Icon} name="check" size=${14} /></span>` : null}
      <span class="badges">
        ${a && a.rating ? html`<span class="badge-rating" title=${t('preview.rating')}>★${a.rating}</span>` : null}
        ${fav ? html`<span class="badge-fav" title=${t('action.favourite')}><${Icon} name="heart" size=${13} fill /></span>` : null}
        ${marked ? html`<span class="badge-mark" title=${t('action.markDelete')}><${Icon} name="flag" size=${13} fill /></span>` : null}
        ${a && a.tags.length ? html`<${TagDots} tags=${a.tags} />` : null}
      </span>
    </div>
    ${capH ? html`<div class="caption" style=${{ height: `${capH}px` }}>
      <span class="name"><${FileName} name=${node.name} /></span>
      <span class="meta">${reason || (dir ? node.date || '' : `${node.size || ''}${node.date ? ' · ' + node.date.slice(0, 16) : ''}`)}</span>
    </div>` : null}
  </div>`;
}
