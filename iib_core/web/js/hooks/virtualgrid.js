// @ts-check
// The virtual grid's layout and scrolling: columns and cell size from the pane's width, rows
// virtualised with @tanstack/virtual-core (only the visible rows plus a small overscan exist
// in the DOM), the scroll position kept per pane, thumbnails held back while a row flies past,
// and badges, folder covers and more of a stream asked for as rows come into view.
import { useRef, useState, useLayoutEffect, useEffect, useMemo, useReducer } from 'preact/hooks';
import { Virtualizer, observeElementRect, observeElementOffset, elementScroll } from '@tanstack/virtual-core';
import { settings } from '../settings.js';
import { want } from '../annotations.js';
import { wantCovers } from '../covers.js';
import { isTyping } from '../keys.js';

export const GAP = 8;
export const PAD = 10;
const BUCKETS = [128, 192, 256, 384, 512, 768, 1024];
// While scrolling, a row asks for its thumbnails once it stayed on screen this long: a fast
// scroll through 10,000 files then queues no requests for the rows it flew past.
const SETTLE_MS = 90;

/** @param {number} cellW */
export function captionHeight(cellW) {
  return cellW >= 110 ? 42 : 0;
}

/**
 * The thumbnail size to ask for: the cell's pixel size rounded up to a few cached steps.
 * @param {number} cellW
 * @param {number} max
 */
export function thumbSizeFor(cellW, max) {
  const px = Math.ceil(cellW * (window.devicePixelRatio || 1));
  for (const b of BUCKETS) if (b >= px) return Math.min(b, max);
  return max;
}

/**
 * @param {any} model the pane's model (models.js, results.js)
 * @param {{ current: HTMLElement | null }} scrollRef the scrolling element
 */
export function useVirtualGrid(model, scrollRef) {
  const [, rerender] = useReducer((x) => x + 1, 0);
  const [width, setWidth] = useState(0);
  const s = settings.value;
  const items = model.items.value;

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

  return { v, items, cols, cellW, capH, rowH, rows, size, vrows, settled };
}
