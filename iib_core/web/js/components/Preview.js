// @ts-check
// Fullscreen preview: previous/next by arrow keys, buttons and swipes (across folder
// boundaries in walk mode), wheel zoom at the pointer, pinch zoom, pan by dragging, fit / actual size,
// video and audio with seeking, culling keys, and the generation info panel.
import { useState, useEffect, useRef, useLayoutEffect } from 'preact/hooks';
import { html } from '../html.js';
import { FileName, nameText } from '../names.js';
import { t } from '../i18n.js';
import { Icon } from '../icons.js';
import { fileUrl, thumbUrl, streamUrl, coverUrl } from '../api.js';
import { settings, update } from '../settings.js';
import { kindOf } from '../media.js';
import { preview, contextMenu } from '../store.js';
import { want } from '../annotations.js';
import { menuFor, deleteNodes, rate, toggleFavourite, toggleDeleteMark, download, runTagShortcut } from '../actions.js';
import { shortcutAction, isTyping, keyName } from '../keys.js';
import { GenInfoPanel } from './GenInfoPanel.js';
import { compareFirst, compareWith } from '../compare.js';
import { usePinch } from '../pinch.js';

const MIN_SCALE = 0.02;
const MAX_SCALE = 32;

function Viewer({ node, onSwipe }) {
  const stage = useRef(null);
  const [box, setBox] = useState({ w: 0, h: 0 });
  const [nat, setNat] = useState(null); // natural size once loaded
  const [view, setView] = useState({ mode: 'fit', scale: 1, x: 0, y: 0 });
  const [loaded, setLoaded] = useState(false);
  const [failed, setFailed] = useState(false);
  const kind = kindOf(node);

  useLayoutEffect(() => {
    const el = stage.current;
    const measure = () => setBox({ w: el.clientWidth, h: el.clientHeight });
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const fit = nat && box.w ? Math.min(box.w / nat.w, box.h / nat.h) : 1;
  const scale = view.mode === 'fit' ? fit : view.mode === 'actual' ? 1 : view.scale;
  const x = view.mode === 'fit' ? 0 : view.x;
  const y = view.mode === 'fit' ? 0 : view.y;
  const pinch = usePinch(stage, () => ({ scale, x, y }), (v) => { if (kind === 'image' && nat) setView(v); }, [MIN_SCALE, MAX_SCALE]);

  // The preview's toolbar talks to the viewer through this element's events.
  useEffect(() => {
    const el = stage.current;
    const onCmd = (e) => {
      const cmd = e.detail;
      if (cmd === 'fit') setView({ mode: 'fit', scale: 1, x: 0, y: 0 });
      else if (cmd === 'actual') setView({ mode: 'actual', scale: 1, x: 0, y: 0 });
      else if (cmd === 'in' || cmd === 'out') {
        const f = cmd === 'in' ? 1.25 : 0.8;
        setView({ mode: 'custom', scale: Math.min(MAX_SCALE, Math.max(MIN_SCALE, scale * f)), x: x * f, y: y * f });
      } else if (cmd === 'toggle') {
        setView(view.mode === 'fit' ? { mode: 'actual', scale: 1, x: 0, y: 0 } : { mode: 'fit', scale: 1, x: 0, y: 0 });
      }
    };
    el.addEventListener('iib-zoom', onCmd);
    return () => el.removeEventListener('iib-zoom', onCmd);
  });

  const onWheel = (e) => {
    if (kind !== 'image' || !nat) return;
    e.preventDefault();
    const r = stage.current.getBoundingClientRect();
    const px = e.clientX - (r.left + r.width / 2);
    const py = e.clientY - (r.top + r.height / 2);
    const next = Math.min(MAX_SCALE, Math.max(MIN_SCALE, scale * Math.exp(-e.deltaY * 0.0015)));
    const k = next / scale;
    setView({ mode: 'custom', scale: next, x: px - k * (px - x), y: py - k * (py - y) });
  };

  const onPointerDown = (e) => {
    if (e.button !== 0 || e.target.closest('.no-pan') || pinch.current.active) return; // a second finger belongs to the pinch
    if (kind !== 'image') return;
    const sx = e.clientX;
    const sy = e.clientY;
    const ox = x;
    const oy = y;
    const atFit = view.mode === 'fit' || scale <= fit * 1.001;
    let moved = false;
    stage.current.setPointerCapture(e.pointerId);
    const move = (ev) => {
      if (pinch.current.used) return; // a second finger turned this into a pinch
      const dx = ev.clientX - sx;
      const dy = ev.clientY - sy;
      if (Math.abs(dx) + Math.abs(dy) > 3) moved = true;
      if (!atFit) setView({ mode: 'custom', scale, x: ox + dx, y: oy + dy });
    };
    const up = (ev) => {
      stage.current.removeEventListener('pointermove', move);
      stage.current.removeEventListener('pointerup', up);
      stage.current.removeEventListener('pointercancel', up);
      const dx = ev.clientX - sx;
      const dy = ev.clientY - sy;
      if (atFit && moved && !pinch.current.used && Math.abs(dx) > 60 && Math.abs(dx) > Math.abs(dy) * 1.5) onSwipe(dx < 0 ? 1 : -1);
    };
    stage.current.addEventListener('pointermove', move);
    stage.current.addEventListener('pointerup', up);
    stage.current.addEventListener('pointercancel', up);
  };

  let body;
  if (kind === 'image') {
    const w = nat ? nat.w : 0;
    const h = nat ? nat.h : 0;
    body = html`
      ${!loaded ? html`<img class="preview-placeholder" src=${thumbUrl(node, 512)} alt="" draggable=${false} />` : null}
      <img class=${'preview-img' + (loaded ? ' loaded' : '')} src=${fileUrl(node)} alt=${nameText(node.name)} draggable=${false}
        style=${nat ? { width: `${w}px`, height: `${h}px`, transform: `translate(calc(-50% + ${x}px), calc(-50% + ${y}px)) scale(${scale})`,
          imageRendering: scale >= 3 ? 'pixelated' : 'auto' } : { opacity: 0 }}
        onLoad=${(e) => { setNat({ w: e.currentTarget.naturalWidth, h: e.currentTarget.naturalHeight }); setLoaded(true); }}
        onError=${() => setFailed(true)} />
      ${failed ? html`<div class="preview-error">${t('preview.cannotShow')}</div>` : null}`;
  } else if (kind === 'video') {
    body = html`<video class="preview-media no-pan" src=${streamUrl(node)} poster=${coverUrl(node)} controls autoplay playsinline preload="metadata"></video>`;
  } else if (kind === 'audio') {
    body = html`<div class="preview-audio no-pan"><${Icon} name="audio" size=${72} /><audio src=${streamUrl(node)} controls autoplay preload="metadata"></audio></div>`;
  } else {
    body = html`<div class="preview-error"><${Icon} name="file" size=${72} /><p><${FileName} name=${node.name} /></p></div>`;
  }
  return html`<div class=${'preview-stage' + (view.mode !== 'fit' && scale > fit ? ' pannable' : '')} ref=${stage}
      data-scale=${scale.toFixed(4)} data-mode=${view.mode}
      onWheel=${onWheel} onPointerDown=${onPointerDown}
      onDblClick=${(e) => { if (kind === 'image' && !e.target.closest('.no-pan')) setView(view.mode === 'fit' ? { mode: 'actual', scale: 1, x: 0, y: 0 } : { mode: 'fit', scale: 1, x: 0, y: 0 }); }}>
    ${body}
  </div>`;
}

function fileIndexes(items) {
  const out = [];
  for (let i = 0; i < items.length; i++) if (items[i].type === 'file' && !items[i].special) out.push(i);
  return out;
}

export function Preview() {
  const p = preview.value;
  const model = p.model;
  const items = model.items.value;
  const s = settings.value;
  const stageCmd = (cmd) => {
    const el = document.querySelector('.preview-stage');
    if (el) el.dispatchEvent(new CustomEvent('iib-zoom', { detail: cmd }));
  };

  // Follow the file when the list changes under us (auto refresh, a delete).
  let index = p.index;
  if (!items[index] || items[index].fullpath !== p.path) {
    const found = p.path ? items.findIndex((n) => n.fullpath === p.path) : -1;
    index = found >= 0 ? found : Math.min(p.index, items.length - 1);
  }
  while (index >= 0 && items[index] && items[index].type !== 'file') index++;
  const node = index >= 0 ? items[index] : null;

  useEffect(() => {
    if (!node) {
      if (preview.peek() === p) preview.value = null;
      return;
    }
    // Pin the file by path (unless a key already moved on: then this render is stale).
    if (preview.peek() === p && (p.index !== index || p.path !== node.fullpath)) preview.value = { ...p, index, path: node.fullpath };
    want([node.fullpath]);
  }, [node && node.fullpath, index]);

  const close = () => {
    const cur = preview.peek();
    preview.value = null;
    const list = model.items.peek();
    const at = cur && cur.path ? list.findIndex((n) => n.fullpath === cur.path) : cur ? cur.index : -1;
    if (at >= 0) {
      model.focus.value = at;
      model.anchor = at;
      if (model.scrollTo) model.scrollTo(at);
    }
    setTimeout(() => {
      const grid = /** @type {HTMLElement | null} */ (document.querySelector('.column.focused .grid-scroll'));
      if (grid) grid.focus({ preventScroll: true });
    });
  };

  /** Move by `delta` files from the file shown now (read live: keys may come before effects run). */
  const step = async (delta) => {
    const cur = preview.peek();
    if (!cur) return;
    const list = model.items.peek();
    const here = cur.path ? list.findIndex((n) => n.fullpath === cur.path) : cur.index;
    const files = fileIndexes(list);
    let pos = files.indexOf(here);
    if (pos < 0) pos = files.findIndex((i) => i >= cur.index);
    const next = Math.max(0, pos + delta);
    if (next >= files.length && model.streaming && !model.done.peek()) {
      await model.more(60);
      const again = fileIndexes(model.items.peek());
      const now = preview.peek(); // compare by path: an effect may have replaced the object meanwhile
      if (next < again.length && now && now.path === cur.path) {
        preview.value = { model, index: again[next], path: model.items.peek()[again[next]].fullpath };
      }
      return;
    }
    if (next >= files.length || next === pos) return;
    const i = files[next];
    preview.value = { model, index: i, path: list[i].fullpath };
  };

  const live = useRef(null);
  live.current = { node, step, close };
  useLayoutEffect(() => {
    const onKey = (e) => {
      if (isTyping(e) || document.querySelector('.modal-backdrop') || document.querySelector('.context-menu')) return;
      const { node: shown, step: go, close: shut } = live.current;
      const key = keyName(e);
      if (key === 'Escape') { e.preventDefault(); shut(); return; }
      if (key === 'ArrowRight' || key === 'ArrowDown' || key === 'PageDown') { e.preventDefault(); go(1); return; }
      if (key === 'ArrowLeft' || key === 'ArrowUp' || key === 'PageUp') { e.preventDefault(); go(-1); return; }
      if (key === 'Home') { e.preventDefault(); go(-1e9); return; }
      if (key === '+' || key === '=') { stageCmd('in'); return; }
      if (key === '-') { stageCmd('out'); return; }
      if (!shown) return;
      const action = shortcutAction(e, settings.peek().shortcuts);
      if (!action) return;
      e.preventDefault();
      if (action === 'delete') deleteNodes([shown]);
      else if (action.startsWith('rate')) rate([shown], Number(action.slice(4)));
      else if (action === 'favourite') toggleFavourite([shown]);
      else if (action === 'markDelete') toggleDeleteMark([shown]);
      else if (action === 'download') download([shown]);
      else if (action === 'toggleInfo') update('infoPanel', { ...settings.peek().infoPanel, collapsed: !settings.peek().infoPanel.collapsed });
      else runTagShortcut([shown], action);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const root = useRef(null);
  useEffect(() => {
    if (root.current) root.current.focus({ preventScroll: true });
    const prevOverflow = document.body.style.overflow;
    document.body.style.overflow = 'hidden';
    return () => { document.body.style.overflow = prevOverflow; };
  }, []);

  if (!node) return null;
  const files = fileIndexes(items);
  const pos = files.indexOf(index);
  const more = (e) => {
    const r = e.currentTarget.getBoundingClientRect();
    contextMenu.value = { x: r.left, y: r.bottom + 4, items: menuFor(model, [node], { inPreview: true }) };
  };
  const walking = !!model.streaming && !model.done.value;
  const isImage = kindOf(node) === 'image';
  return html`<div class="preview" ref=${root} tabindex="-1" role="dialog" aria-modal="true" aria-label=${t('preview.label')} data-path=${node.fullpath}>
    <${Viewer} key=${node.fullpath} node=${node} onSwipe=${step} />
    <div class="preview-top no-pan">
      <span class="preview-title" title=${nameText(node.fullpath)}><${FileName} name=${node.name} /></span>
      <span class="preview-pos">${pos + 1} / ${files.length}${walking ? '+' : ''}</span>
      <span class="grow"></span>
      ${isImage ? html`
        <button class="icon-btn zoom-btn" title=${t('preview.zoomOut')} aria-label=${t('preview.zoomOut')} onClick=${() => stageCmd('out')}><${Icon} name="zoomOut" /></button>
        <button class="icon-btn" title=${t('preview.fit')} aria-label=${t('preview.fit')} onClick=${() => stageCmd('fit')}><${Icon} name="fit" /></button>
        <button class="icon-btn" title=${t('preview.actual')} aria-label=${t('preview.actual')} onClick=${() => stageCmd('actual')}><${Icon} name="actual" /></button>
        <button class="icon-btn zoom-btn" title=${t('preview.zoomIn')} aria-label=${t('preview.zoomIn')} onClick=${() => stageCmd('in')}><${Icon} name="zoomIn" /></button>` : null}
      ${isImage ? (() => {
        const first = compareFirst.value;
        const label = first && first.fullpath !== node.fullpath ? t('compare.withX', { name: first.name }) : t('compare.with');
        return html`<button class=${'icon-btn compare-btn' + (first ? ' on' : '')} title=${label} aria-label=${label} onClick=${() => compareWith(node)}><${Icon} name="compare" /></button>`;
      })() : null}
      <button class=${'icon-btn' + (s.infoPanel.collapsed ? '' : ' on')} title=${t('preview.toggleInfo')} aria-label=${t('preview.toggleInfo')}
        onClick=${() => update('infoPanel', { ...s.infoPanel, collapsed: !s.infoPanel.collapsed })}><${Icon} name="info" /></button>
      <button class="icon-btn" title=${t('action.more')} aria-label=${t('action.more')} onClick=${more}><${Icon} name="more" /></button>
      <button class="icon-btn" title=${t('action.close')} aria-label=${t('action.close')} onClick=${close}><${Icon} name="close" /></button>
    </div>
    <button class="preview-nav prev no-pan" aria-label=${t('preview.previous')} title=${t('preview.previous')} disabled=${pos <= 0} onClick=${() => step(-1)}><${Icon} name="left" size=${28} /></button>
    <button class="preview-nav next no-pan" aria-label=${t('preview.next')} title=${t('preview.next')} disabled=${pos >= files.length - 1 && !walking} onClick=${() => step(1)}><${Icon} name="right" size=${28} /></button>
    <${GenInfoPanel} node=${node} model=${model} />
  </div>`;
}
