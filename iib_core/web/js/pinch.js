// @ts-check
// Two-finger pinch for the zoomable viewers (preview, compare). Their stages use
// `touch-action: none` (so one finger pans or swipes instead of scrolling the page), which also
// turns off the browser's own pinch zoom: this hook gives it back, zooming about the fingers'
// midpoint and panning with it, in the viewer's own coordinates (offset of the image centre
// from the stage centre, plus a scale).
import { useEffect, useRef } from 'preact/hooks';

/**
 * `ref`: the element to listen on. `live()`: the current {scale, x, y}. `apply(view)`: set
 * {mode: 'custom', scale, x, y}. `limits`: [min, max] scale. `stage`: a selector for the
 * stage whose centre the coordinates are relative to, when `ref` holds several (compare side
 * by side); by default `ref` itself.
 * Returns a ref whose `.current.active` is true while two fingers are down and `.current.used`
 * stays true from a pinch until the next gesture begins: single-pointer handlers (pan, swipe,
 * slider) check it and stand aside.
 */
export function usePinch(ref, live, apply, limits, stage) {
  const state = useRef({ active: false, used: false });
  const latest = useRef(null);
  latest.current = { live, apply, limits, stage };
  useEffect(() => {
    const el = ref.current;
    if (!el) return undefined;
    const touches = new Map(); // pointerId -> {x, y}
    let start = null;
    let box = el; // the stage the first finger touched
    const centre = () => {
      const r = box.getBoundingClientRect();
      return { cx: r.left + r.width / 2, cy: r.top + r.height / 2 };
    };
    const measure = () => {
      const [p, q] = [...touches.values()];
      const { cx, cy } = centre();
      return { d: Math.hypot(q.x - p.x, q.y - p.y) || 1, mx: (p.x + q.x) / 2 - cx, my: (p.y + q.y) / 2 - cy };
    };
    const begin = () => {
      const m = measure();
      const v = latest.current.live();
      start = { ...m, s: v.scale, x: v.x, y: v.y };
      state.current.active = true;
      state.current.used = true;
    };
    const down = (e) => {
      // Cleared when a new gesture starts (not when the last finger lifts: the viewers' own
      // pointerup handlers run after this one and must still see that a pinch happened).
      if (!touches.size) state.current.used = false;
      if (e.pointerType !== 'touch') return;
      const sel = latest.current.stage;
      const hit = sel ? e.target.closest && e.target.closest(sel) : el;
      if (!hit) return; // a finger on a toolbar is not part of a pinch
      if (!touches.size) box = hit;
      touches.set(e.pointerId, { x: e.clientX, y: e.clientY });
      if (touches.size === 2) begin();
    };
    const move = (e) => {
      if (!touches.has(e.pointerId)) return;
      touches.set(e.pointerId, { x: e.clientX, y: e.clientY });
      if (!start || touches.size < 2) return;
      const m = measure();
      const [lo, hi] = latest.current.limits;
      const scale = Math.min(hi, Math.max(lo, start.s * (m.d / start.d)));
      const k = scale / start.s;
      // The image point under the first midpoint stays under the fingers' current midpoint.
      latest.current.apply({ mode: 'custom', scale, x: m.mx - k * (start.mx - start.x), y: m.my - k * (start.my - start.y) });
    };
    const up = (e) => {
      if (!touches.delete(e.pointerId)) return;
      if (touches.size < 2) {
        start = null;
        state.current.active = false;
      }
      if (touches.size === 2) begin(); // a third finger lifted: go on with the two left
    };
    el.addEventListener('pointerdown', down, true);
    el.addEventListener('pointermove', move, true);
    el.addEventListener('pointerup', up, true);
    el.addEventListener('pointercancel', up, true);
    return () => {
      el.removeEventListener('pointerdown', down, true);
      el.removeEventListener('pointermove', move, true);
      el.removeEventListener('pointerup', up, true);
      el.removeEventListener('pointercancel', up, true);
    };
  }, []);
  return state;
}
