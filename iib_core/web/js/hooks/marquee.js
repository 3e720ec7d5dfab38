// @ts-check
// Marquee (box) selection on the grid's background: dragging a rectangle selects the cells it
// touches (added to the selection with Ctrl, Meta or Shift); the pane scrolls near its edges.
import { useState } from 'preact/hooks';
import { GAP, PAD } from './virtualgrid.js';

/**
 * @typedef {{ left: number, top: number, right: number, bottom: number }} Box
 * @param {any} model the pane's model
 * @param {{ current: HTMLElement | null }} scrollRef the scrolling element
 * @param {{ items: any[], cols: number, rows: number, rowH: number, cellW: number, capH: number }} layout
 * @returns {[Box | null, (e: PointerEvent) => void]}
 */
export function useMarquee(model, scrollRef, { items, cols, rows, rowH, cellW, capH }) {
  /** @type {[Box | null, (b: Box | null) => void]} */
  const [marquee, setMarquee] = useState(null);
  /** @param {PointerEvent} e */
  const onPointerDown = (e) => {
    if (e.button !== 0 || e.pointerType === 'touch' || /** @type {Element} */ (e.target).closest('.cell')) return;
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
  return [marquee, onPointerDown];
}
