// The endless thumbnail grid: rows are virtualised with @tanstack/virtual-core, so
// only the visible rows (plus a small overscan) exist in the DOM, whatever the count.
// Thumbnails are requested at the cell's size. Keyboard: arrows, PgUp/PgDn, Home/End
// move the focus, Enter opens, Backspace goes up; Ctrl/Shift click and a marquee select.
import { useRef, useState, useLayoutEffect, useEffect, useMemo, useReducer } from 'preact/hooks';
import { Virtualizer, observeElementRect, observeElementOffset, elementScroll } from '@tanstack/virtual-core';
import { html } from '../html.js';
import { t } from '../i18n.js';
import { Icon } from '../icons.js';
import { thumbUrl, coverUrl } from '../api.js';
import { FileName, nameText } from '../names.js';
import { settings } from '../settings.js';
import { kindOf, specialReason } from '../media.js';
import { contextMenu, preview } from '../store.js';
import { annotations, want, FAVOURITE_TAG, DELETE_MARK_TAG } from '../annotations.js';
import { covers, wantCovers } from '../covers.js';
import { menuFor, openNode, deleteNodes, rate, toggleFavourite, toggleDeleteMark, download, renameNode, runTagShortcut } from '../actions.js';
import { TagDots } from '../tags.js';
import { startDrag, endDrag, dragOverFolder, dropOnFolder } from '../dnd.js';
import { shortcutAction, keyName, isTyping } from '../keys.js';

export const GAP = 8;
export const PAD = 10;
const BUCKETS = [128, 192, 256, 384, 512, 768, 1024];
// While scrolling, a row asks for its thumbnails once it stayed on screen this long: a fast
// scroll through 10,000 files then queues no requests for the rows it flew past.
const SETTLE_MS = 90;
const loadedThumbs = new Set(); // URLs the browser has (shown at once, even mid-scroll)

function remember(url) {
  if (loadedThumbs.size > 5000) loadedThumbs.clear();
  loadedThumbs.add(url);
}

export function captionHeight(cellW) {
  return cellW >= 110 ? 42 : 0;
}

/** The thumbnail size to ask for: the cell's pixel size rounded up to a few cached steps. */
export function thumbSizeFor(cellW, max) {
  const px = Math.ceil(cellW * (window.devicePixelRatio || 1));
  for (const b of BUCKETS) if (b >= px) return Math.min(b, max);
  return max;
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

function Cell({ node, index, model, cellW, capH, size, selected, focused, ann, load }) {
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
      onDragOver=${dir ? (e) => dragOverFolder(e, node.fullpath) : undefined}
      onDragLeave=${dir ? (e) => e.currentTarget.classList.remove('drop-target') : undefined}
      onDrop=${dir ? (e) => { e.currentTarget.classList.remove('drop-target'); dropOnFolder(e, node.fullpath); } : undefined}>
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

export function Grid({ model }) {
  const scrollRef = useRef(null);
  const [, rerender] = useReducer((x) => x + 1, 0);
  const [width, setWidth] = useState(0);
  const [marquee, setMarquee] = useState(null);
  const s = settings.value;
  const items = model.items.value;
  const selected = model.selected.value;
  const focus = model.focus.value;
  const ann = annotations.value;
  covers.value; // re-render when folder covers arrive

  const inner = Math.max(0, width - 2 * PAD);
  // On a phone, two columns at least while cells stay 100 px or wider.
  const phone = window.innerWidth <= 720 && inner >= 2 * 100 + GAP;
  const cols = Math.max(phone ? 2 : 1, Math.floor((inner + GAP) / (s.cellWidth + GAP)));
  const cellW = inner > 0 ? Math.max(40, Math.floor((inner - GAP * (cols - 1)) / cols)) : s.cellWidth;
  const capH = captionHeight(cellW);
  const rowH = cellW + capH + GAP;
  const rows = Math.ceil(items.length / cols);
  const size = thumbSizeFor(cellW, s.thumbSize);
  const getItemKey = useMemo(() => (i) => i, [rowH, cols]); // a new key function drops old row sizes

  const options = {
    count: rows,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => rowH,
    getItemKey,
    overscan: 2,
    paddingStart: PAD,
    paddingEnd: PAD + 40,
    observeElementRect,
    observeElementOffset,
    scrollToFn: elementScroll,
    initialOffset: model.scrollTop || 0,
    onChange: () => rerender(),
  };
  const vRef = useRef(null);
  if (!vRef.current) vRef.current = new Virtualizer(options);
  const v = vRef.current;
  v.setOptions(options);

  useLayoutEffect(() => v._didMount(), []);
  useLayoutEffect(() => {
    v._willUpdate();
  });

  useLayoutEffect(() => {
    const el = scrollRef.current;
    setWidth(el.clientWidth);
    const ro = new ResizeObserver(() => setWidth(el.clientWidth));
    ro.observe(el);
    return () => {
      ro.disconnect();
      model.scrollTop = el.scrollTop;
    };
  }, []);

  // Another folder (or a restarted walk): back to the top.
  const epoch = model.epoch.value;
  const firstEpoch = useRef(epoch);
  useEffect(() => {
    // Keyboard first: a newly shown folder takes the focus, unless the user is typing elsewhere.
    const active = document.activeElement;
    const el = scrollRef.current;
    if (el && (!active || active === document.body || el.closest('.column').contains(active)) && !isTyping({ target: active })) {
      el.focus({ preventScroll: true });
    }
    if (epoch === firstEpoch.current) return;
    model.scrollTop = 0;
    if (el) el.scrollTop = 0;
    v.scrollToOffset(0);
  }, [epoch]);

  const vrows = v.getVirtualItems();
  const firstRow = vrows.length ? vrows[0].index : 0;

  const since = useRef(new Map()); // row → when it was first rendered
  const settleTimer = useRef(0);
  const now = performance.now();
  const live = new Set();
  let waiting = false;
  const settled = (row) => {
    live.add(row);
    if (!since.current.has(row)) since.current.set(row, now);
    if (!v.isScrolling || now - since.current.get(row) >= SETTLE_MS) return true;
    waiting = true;
    return false;
  };
  const lastRow = vrows.length ? vrows[vrows.length - 1].index : -1;

  // Keep the first visible item in view when the column count changes (cell width, resize).
  const layoutRef = useRef({ cols, rowH, first: 0 });
  useLayoutEffect(() => {
    const prev = layoutRef.current;
    if ((prev.cols !== cols || prev.rowH !== rowH) && prev.first > 0 && scrollRef.current) {
      const row = Math.floor(prev.first / cols);
      v.scrollToOffset(row * rowH + PAD);
    }
    const el = scrollRef.current;
    const top = el ? el.scrollTop : 0;
    layoutRef.current = { cols, rowH, first: Math.max(0, Math.floor((top - PAD) / rowH)) * cols };
  });

  // Badges and folder covers for what is on screen; more of the walk near its end.
  useEffect(() => {
    if (lastRow < 0) return;
    const start = firstRow * cols;
    const end = Math.min(items.length, (lastRow + 1) * cols);
    const files = [];
    const dirs = [];
    for (let i = start; i < end; i++) {
      const n = items[i];
      if (n.type === 'dir') {
        if (n.is_under_scanned_path !== false) dirs.push(n.fullpath);
      } else files.push(n.fullpath);
    }
    if (files.length) want(files);
    if (dirs.length) wantCovers(dirs);
    if (model.streaming && !model.done.peek() && lastRow >= rows - 4) model.more();
  }, [firstRow, lastRow, items, cols]);

  useEffect(() => {
    model.scrollTo = (index) => v.scrollToIndex(Math.floor(index / cols), { align: 'auto' });
    for (const row of since.current.keys()) if (!live.has(row)) since.current.delete(row);
    if (waiting && !settleTimer.current) {
      settleTimer.current = setTimeout(() => {
        settleTimer.current = 0;
        rerender();
      }, SETTLE_MS);
    }
  });
  useEffect(() => () => clearTimeout(settleTimer.current), []);

  // -- keyboard ------------------------------------------------------------------------
  const moveFocus = (next, e) => {
    if (!items.length) return;
    const n = Math.max(0, Math.min(items.length - 1, next));
    if (e.shiftKey) {
      if (model.anchor < 0) model.anchor = Math.max(0, model.focus.peek());
      model.selectRange(model.anchor, n, e.ctrlKey || e.metaKey);
    } else {
      model.anchor = n;
    }
    model.focus.value = n;
    v.scrollToIndex(Math.floor(n / cols), { align: 'auto' });
  };
  const targets = () => {
    const sel = model.selectedNodes();
    if (sel.length) return sel;
    const f = items[model.focus.peek()];
    return f ? [f] : [];
  };
  const onKeyDown = (e) => {
    if (isTyping(e) || preview.peek()) return;
    const f = model.focus.peek();
    const pageRows = Math.max(1, Math.floor((scrollRef.current.clientHeight || rowH) / rowH));
    const key = keyName(e);
    const plain = key.replace(/^Shift\+/, '');
    switch (plain) {
      case 'ArrowRight': e.preventDefault(); moveFocus(f < 0 ? 0 : f + 1, e); return;
      case 'ArrowLeft': e.preventDefault(); moveFocus(f < 0 ? 0 : f - 1, e); return;
      case 'ArrowDown': e.preventDefault(); moveFocus(f < 0 ? 0 : f + cols, e); return;
      case 'ArrowUp': e.preventDefault(); moveFocus(f < 0 ? 0 : f - cols, e); return;
      case 'PageDown': e.preventDefault(); moveFocus(Math.max(0, f) + pageRows * cols, e); return;
      case 'PageUp': e.preventDefault(); moveFocus(Math.max(0, f) - pageRows * cols, e); return;
      case 'Home': e.preventDefault(); moveFocus(0, e); return;
      case 'End': e.preventDefault(); moveFocus(items.length - 1, e); return;
      default: break;
    }
    if (key === 'Enter') {
      const node = items[f];
      if (node) {
        e.preventDefault();
        openNode(model, node, f);
      }
      return;
    }
    if (key === 'Backspace') {
      if (model.kind === 'folder') {
        e.preventDefault();
        model.up();
      }
      return;
    }
    if (key === 'Escape') {
      model.clearSelection();
      return;
    }
    if (key === 'Space') {
      const node = items[f];
      if (node) {
        e.preventDefault();
        model.toggle(node.fullpath);
        model.anchor = f;
      }
      return;
    }
    if (key === 'Ctrl+a' || key === 'Meta+a') {
      e.preventDefault();
      model.selectOnly(items.map((n) => n.fullpath));
      return;
    }
    if (key === 'F2') {
      const node = items[f];
      if (node) renameNode(node);
      return;
    }
    const action = shortcutAction(e, settings.peek().shortcuts);
    if (!action) return;
    const list = targets();
    if (!list.length) return;
    e.preventDefault();
    if (action === 'delete') deleteNodes(list);
    else if (action.startsWith('rate')) rate(list, Number(action.slice(4)));
    else if (action === 'favourite') toggleFavourite(list);
    else if (action === 'markDelete') toggleDeleteMark(list);
    else if (action === 'download') download(list);
    else runTagShortcut(list, action);
  };

  // -- marquee (box) selection -----------------------------------------------------------
  const onPointerDown = (e) => {
    if (e.button !== 0 || e.pointerType === 'touch' || e.target.closest('.cell')) return;
    const el = scrollRef.current;
    const box = el.getBoundingClientRect();
    if (e.clientX - box.left > el.clientWidth) return; // the scrollbar
    const add = e.ctrlKey || e.metaKey || e.shiftKey;
    const base = add ? new Set(model.selected.peek()) : new Set();
    const x0 = e.clientX - box.left;
    const y0 = e.clientY - box.top + el.scrollTop;
    let moved = false;
    let last = e;
    const apply = (ev) => {
      last = ev;
      const b = el.getBoundingClientRect();
      const x1 = ev.clientX - b.left;
      const y1 = ev.clientY - b.top + el.scrollTop;
      if (!moved && Math.abs(x1 - x0) + Math.abs(y1 - y0) < 5) return;
      moved = true;
      const r = { left: Math.min(x0, x1), top: Math.min(y0, y1), right: Math.max(x0, x1), bottom: Math.max(y0, y1) };
      setMarquee(r);
      const next = new Set(base);
      const r0 = Math.max(0, Math.floor((r.top - PAD) / rowH));
      const r1 = Math.min(rows - 1, Math.floor((r.bottom - PAD) / rowH));
      for (let row = r0; row <= r1; row++) {
        const cy = PAD + row * rowH;
        if (cy > r.bottom || cy + cellW + capH < r.top) continue;
        for (let c = 0; c < cols; c++) {
          const cx = PAD + c * (cellW + GAP);
          if (cx > r.right || cx + cellW < r.left) continue;
          const i = row * cols + c;
          if (i < items.length) next.add(items[i].fullpath);
        }
      }
      model.selected.value = next;
    };
    const scroller = setInterval(() => {
      if (!moved) return;
      const b = el.getBoundingClientRect();
      if (last.clientY > b.bottom - 24) el.scrollTop += 24;
      else if (last.clientY < b.top + 24) el.scrollTop -= 24;
      else return;
      apply(last);
    }, 40);
    const up = () => {
      clearInterval(scroller);
      window.removeEventListener('pointermove', apply);
      window.removeEventListener('pointerup', up);
      setMarquee(null);
      if (!moved && !add && !model.keepSelection.peek()) model.clearSelection();
    };
    window.addEventListener('pointermove', apply);
    window.addEventListener('pointerup', up);
  };

  const onBackgroundMenu = (e) => {
    if (e.target.closest('.cell') || model.kind !== 'folder') return;
    e.preventDefault();
    contextMenu.value = { x: e.clientX, y: e.clientY, items: menuFor(model, []).filter((it) => it.id === 'newFolder' || it.id === 'copyPath') };
  };

  const folder = model.kind === 'folder' ? model.path.value : null;
  const empty = !items.length && !model.loading.value && !model.error.value;
  return html`<div class="grid-scroll" ref=${scrollRef} tabindex="0" role="grid" aria-label=${t('folder.grid')}
      aria-rowcount=${rows} data-cols=${cols} data-rows=${rows}
      onKeyDown=${onKeyDown} onPointerDown=${onPointerDown} onContextMenu=${onBackgroundMenu}
      onDragOver=${folder ? (e) => dragOverFolder(e, folder) : undefined}
      onDragLeave=${folder ? (e) => e.currentTarget.classList.remove('drop-target') : undefined}
      onDrop=${folder ? (e) => { e.currentTarget.classList.remove('drop-target'); dropOnFolder(e, folder); } : undefined}>
    <div class="grid-inner" style=${{ height: `${v.getTotalSize()}px` }}>
      ${vrows.map((r) => {
        const start = r.index * cols;
        const load = settled(r.index);
        const cells = [];
        for (let i = start; i < Math.min(items.length, start + cols); i++) {
          const node = items[i];
          cells.push(html`<${Cell} key=${node.fullpath} node=${node} index=${i} model=${model} cellW=${cellW} capH=${capH} size=${size}
            selected=${selected.has(node.fullpath)} focused=${focus === i} ann=${ann.get(node.fullpath)} load=${load} />`);
        }
        return html`<div class="grid-row" key=${r.key} role="row" style=${{ transform: `translateY(${r.start}px)`, height: `${cellW + capH}px`,
          gridTemplateColumns: `repeat(${cols}, ${cellW}px)`, columnGap: `${GAP}px`, left: `${PAD}px` }}>${cells}</div>`;
      })}
      ${marquee ? html`<div class="marquee" style=${{ left: `${marquee.left}px`, top: `${marquee.top}px`,
        width: `${marquee.right - marquee.left}px`, height: `${marquee.bottom - marquee.top}px` }}></div>` : null}
    </div>
    ${empty ? html`<div class="grid-empty">${model.emptyText ? model.emptyText() : model.kind === 'walk' ? t('folder.walkEmpty') : t('folder.empty')}</div>` : null}
    ${model.loading.value && !items.length ? html`<div class="grid-empty"><span class="spinner"></span></div>` : null}
  </div>`;
}
