// @ts-check
// The compare tab (like ImgSli): two images over each other with a draggable split
// (pointer, touch, ←/→), or side by side; swap; zoom at the pointer or by pinching, +/−, fit, 1:1 and pan,
// the same view for both images. Below: the generation info diff (prompt and negative
// prompt word by word, the parameters that differ). tab.state = {a, b, mode} (paths), so a
// reload restores the comparison.
import { useState, useEffect, useRef, useLayoutEffect } from 'preact/hooks';
import { html } from '../html.js';
import { t } from '../i18n.js';
import { Icon } from '../icons.js';
import { get, post, fileUrl } from '../api.js';
import { baseName, parentOf } from '../media.js';
import { updateTabState } from '../workspace.js';
import { draggedNodes, endDrag } from '../dnd.js';
import { useDropZone } from '../hooks/dropzone.js';
import { keyName, isTyping } from '../keys.js';
import { isImage, compareFirst } from '../compare.js';
import { InfoDiff } from './CompareInfo.js';
import { usePinch } from '../pinch.js';

const MIN_SCALE = 0.02;
const MAX_SCALE = 32;
const FIT = { mode: 'fit', scale: 1, x: 0, y: 0 };
const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));

async function loadNode(path) {
  try {
    const info = await post('/batch_get_files_info', { paths: [path] });
    const n = info && info[path];
    if (n && n.type === 'file') return { ...n, fullpath: path };
  } catch (err) {
    return { missing: true, fullpath: path, name: baseName(path), error: err.message };
  }
  return { missing: true, fullpath: path, name: baseName(path) };
}

async function loadText(path) {
  try {
    const text = await get('/image_geninfo', { path });
    return typeof text === 'string' ? text : '';
  } catch (err) {
    return '';
  }
}

/** The files, their generation info and natural sizes for the paths `a` and `b`. */
function useSides(a, b) {
  const [nodes, setNodes] = useState({});
  const [texts, setTexts] = useState({});
  useEffect(() => {
    let alive = true;
    for (const p of [a, b]) {
      if (!p || nodes[p]) continue;
      loadNode(p).then((n) => { if (alive) setNodes((o) => ({ ...o, [p]: n })); });
      loadText(p).then((x) => { if (alive) setTexts((o) => ({ ...o, [p]: x })); });
    }
    return () => { alive = false; };
  }, [a, b]);
  return [nodes, texts];
}

function Picture({ node, side, box, transform, pixelated, onNat }) {
  if (!node) return html`<div class=${'cmp-missing ' + side}><span class="spinner small"></span></div>`;
  if (node.missing) return html`<div class=${'cmp-missing ' + side}>${t('compare.missing', { name: node.name })}</div>`;
  return html`<img class=${'cmp-img ' + side} src=${fileUrl(node)} alt=${node.name} draggable=${false}
    style=${box ? { width: `${box.w}px`, height: `${box.h}px`, transform, imageRendering: pixelated ? 'pixelated' : 'auto' } : { opacity: 0 }}
    onLoad=${(e) => onNat(node.fullpath, { w: e.currentTarget.naturalWidth, h: e.currentTarget.naturalHeight })} />`;
}

/** The page before both images are picked: what to do, and what is picked already. */
function CompareEmpty({ a, over, root, drop }) {
  const first = compareFirst.value;
  return html`<div class=${'compare-page empty' + (over ? ' over' : '')} ref=${root} tabindex="-1" ...${drop}>
    <div class="cmp-empty">
      <${Icon} name="compare" size=${48} />
      <h2>${t('tab.compare')}</h2>
      <p>${t('compare.empty')}</p>
      <p class="muted">${t('compare.dropHint')}</p>
      ${a ? html`<p class="cmp-have">A: ${baseName(a)}</p>` : null}
      ${first ? html`<p class="cmp-have">${t('compare.pending', { name: first.name })}</p>` : null}
    </div>
  </div>`;
}

/** Names of A and B, swap, the mode, and the zoom buttons. */
function CompareToolbar({ A, B, a, b, mode, view, scale, swap, setMode, zoom }) {
  const name = (n, p) => (n ? n.name : baseName(p));
  return html`<div class="pane-toolbar cmp-toolbar">
      <span class="cmp-name" title=${a}><span class="cmp-tag a">A</span> ${name(A, a)}</span>
      <button class="icon-btn" title=${t('compare.swap') + ' (S)'} aria-label=${t('compare.swap')} onClick=${swap}><${Icon} name="refresh" /></button>
      <span class="cmp-name" title=${b}><span class="cmp-tag b">B</span> ${name(B, b)}</span>
      <span class="grow"></span>
      <div class="segmented" role="group" aria-label=${t('compare.mode')}>
        <button class=${'btn small' + (mode === 'slider' ? ' on' : '')} aria-pressed=${mode === 'slider'} onClick=${() => setMode('slider')}>${t('compare.slider')}</button>
        <button class=${'btn small' + (mode === 'side' ? ' on' : '')} aria-pressed=${mode === 'side'} onClick=${() => setMode('side')}>${t('compare.side')}</button>
      </div>
      <button class="icon-btn" title=${t('preview.zoomOut') + ' (−)'} aria-label=${t('preview.zoomOut')} onClick=${() => zoom('out')}><${Icon} name="zoomOut" /></button>
      <button class=${'icon-btn' + (view.mode === 'fit' ? ' on' : '')} title=${t('preview.fit') + ' (0)'} aria-label=${t('preview.fit')} onClick=${() => zoom('fit')}><${Icon} name="fit" /></button>
      <button class=${'icon-btn' + (view.mode === 'actual' ? ' on' : '')} title=${t('preview.actual') + ' (1)'} aria-label=${t('preview.actual')} onClick=${() => zoom('actual')}><${Icon} name="actual" /></button>
      <button class="icon-btn" title=${t('preview.zoomIn') + ' (+)'} aria-label=${t('preview.zoomIn')} onClick=${() => zoom('in')}><${Icon} name="zoomIn" /></button>
      <span class="cmp-zoom" title=${t('compare.keys')}>${Math.round(scale * 100)}%</span>
    </div>`;
}

/** The image stages: A and B over each other with the split handle, or side by side. */
function CompareStages({ stages, mode, zoomed, pct, scale, onWheel, onPointerDown, handle, A, B, box, transform, pixelated, onNat }) {
  return html`<div class=${'cmp-stages ' + mode} ref=${stages}>
    ${mode === 'slider' ? html`
      <div class=${'cmp-stage slider' + (zoomed ? ' pannable' : '')} data-split=${pct} data-scale=${scale.toFixed(4)}
          onWheel=${onWheel} onPointerDown=${onPointerDown}>
        <${Picture} node=${A} side="a" box=${box} transform=${transform} pixelated=${pixelated} onNat=${onNat} />
        <div class="cmp-clip" style=${{ clipPath: `inset(0 0 0 ${pct}%)` }}>
          <${Picture} node=${B} side="b" box=${box} transform=${transform} pixelated=${pixelated} onNat=${onNat} />
        </div>
        <span class="cmp-label a">A</span><span class="cmp-label b">B</span>
        ${handle}
      </div>` : html`
      <div class="cmp-stage side a pannable" data-scale=${scale.toFixed(4)} onWheel=${onWheel} onPointerDown=${onPointerDown}>
        <${Picture} node=${A} side="a" box=${box} transform=${transform} pixelated=${pixelated} onNat=${onNat} />
        <span class="cmp-label a">A</span>
      </div>
      <div class="cmp-stage side b pannable" data-scale=${scale.toFixed(4)} onWheel=${onWheel} onPointerDown=${onPointerDown}>
        <${Picture} node=${B} side="b" box=${box} transform=${transform} pixelated=${pixelated} onNat=${onNat} />
        <span class="cmp-label b">B</span>
      </div>`}
    </div>`;
}

export function ComparePage({ tab }) {
  const st = tab.state || {};
  const a = typeof st.a === 'string' ? st.a : '';
  const b = typeof st.b === 'string' ? st.b : '';
  const mode = st.mode === 'side' ? 'side' : 'slider';
  const [nodes, texts] = useSides(a, b);
  const [nat, setNat] = useState({});
  const [split, setSplit] = useState(typeof st.split === 'number' ? clamp(st.split, 0, 1) : 0.5);
  const [view, setView] = useState(FIT);
  const [stage, setStage] = useState({ w: 0, h: 0 });
  // Images dropped here (from any grid) become A and/or B.
  const [over, drop] = useDropZone(() => {
    const imgs = (draggedNodes() || []).filter(isImage);
    endDrag();
    if (imgs.length >= 2) setState({ a: imgs[0].fullpath, b: imgs[1].fullpath });
    else if (imgs.length === 1) {
      const p = imgs[0].fullpath;
      if (!a) setState({ a: p });
      else if (p !== a) setState({ b: p });
    }
  });
  const root = useRef(null);
  const stages = useRef(null);
  const live = useRef(null);
  const A = a ? nodes[a] : null;
  const B = b ? nodes[b] : null;
  const natA = a ? nat[a] : null;
  const natB = b ? nat[b] : null;
  compareFirst.value; // the empty page's hint follows the pick

  // Measure one stage (both stages of the side-by-side mode have the same size).
  useLayoutEffect(() => {
    const el = stages.current;
    if (!el) return undefined;
    const measure = () => {
      const s = el.querySelector('.cmp-stage');
      if (s) setStage({ w: s.clientWidth, h: s.clientHeight });
    };
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, [mode, !!(a && b)]);

  useEffect(() => {
    if (root.current && !root.current.contains(document.activeElement)) root.current.focus({ preventScroll: true });
  }, []);

  // Another pair starts at "fit" (a swap keeps the zoom: the same region of both stays in view).
  const pair = [a, b].sort().join('\n');
  const firstPair = useRef(pair);
  useEffect(() => {
    if (firstPair.current !== pair) setView(FIT);
    firstPair.current = pair;
  }, [pair]);

  // Both images share one box: the larger one's natural size; each is fitted inside it.
  const both = [natA, natB].filter(Boolean);
  const box = both.length ? both.reduce((m, n) => (n.w * n.h > m.w * m.h ? n : m)) : null;
  const fit = box && stage.w ? Math.min(stage.w / box.w, stage.h / box.h) : 1;
  const scale = view.mode === 'fit' ? fit : view.mode === 'actual' ? 1 : view.scale;
  const x = view.mode === 'fit' ? 0 : view.x;
  const y = view.mode === 'fit' ? 0 : view.y;
  const transform = `translate(calc(-50% + ${x}px), calc(-50% + ${y}px)) scale(${scale})`;
  const zoomed = scale > fit * 1.001;

  const setState = (patch) => updateTabState(tab.id, patch);
  const swap = () => setState({ a: b, b: a });
  const setMode = (m) => setState({ mode: m });
  const zoom = (cmd) => {
    if (cmd === 'fit') setView(FIT);
    else if (cmd === 'actual') setView({ mode: 'actual', scale: 1, x: 0, y: 0 });
    else {
      const f = cmd === 'in' ? 1.25 : 0.8;
      const next = clamp(scale * f, MIN_SCALE, MAX_SCALE);
      const k = next / scale;
      setView({ mode: 'custom', scale: next, x: x * k, y: y * k });
    }
  };
  const moveSplit = (v, save = true) => {
    const s = clamp(v, 0, 1);
    setSplit(s);
    if (save) setState({ split: Math.round(s * 1000) / 1000 });
  };
  live.current = { split, scale, x, y, fit, zoomed, mode };
  const pinch = usePinch(root, () => live.current, (v) => { if (box) setView(v); }, [MIN_SCALE, MAX_SCALE], '.cmp-stage');

  const onWheel = (e) => {
    if (!box) return;
    e.preventDefault();
    const r = e.currentTarget.getBoundingClientRect();
    const px = e.clientX - (r.left + r.width / 2);
    const py = e.clientY - (r.top + r.height / 2);
    const next = clamp(scale * Math.exp(-e.deltaY * 0.0015), MIN_SCALE, MAX_SCALE);
    const k = next / scale;
    setView({ mode: 'custom', scale: next, x: px - k * (px - x), y: py - k * (py - y) });
  };

  const onPointerDown = (e) => {
    if (e.button !== 0 || !box || pinch.current.active) return; // a second finger belongs to the pinch
    const el = e.currentTarget;
    const r = el.getBoundingClientRect();
    const cur = live.current;
    const onHandle = !!e.target.closest('.cmp-handle');
    const splitting = cur.mode === 'slider' && (onHandle || !cur.zoomed);
    e.preventDefault();
    if (onHandle) e.target.closest('.cmp-handle').focus({ preventScroll: true });
    else if (root.current) root.current.focus({ preventScroll: true });
    el.setPointerCapture(e.pointerId);
    const sx = e.clientX;
    const sy = e.clientY;
    const { scale: s0, x: x0, y: y0, split: split0 } = cur;
    // A mouse press moves the split at once; a finger only once it moves or lifts, so the first
    // finger of a pinch leaves the split where it is.
    let jumped = false;
    const jump = (clientX) => {
      jumped = true;
      moveSplit((clientX - r.left) / r.width, false);
    };
    if (splitting && !onHandle && e.pointerType !== 'touch') jump(e.clientX);
    const move = (ev) => {
      if (pinch.current.used) return; // a second finger turned this into a pinch
      if (splitting) jump(ev.clientX);
      else setView({ mode: 'custom', scale: s0, x: x0 + ev.clientX - sx, y: y0 + ev.clientY - sy });
    };
    const up = () => {
      el.removeEventListener('pointermove', move);
      el.removeEventListener('pointerup', up);
      el.removeEventListener('pointercancel', up);
      if (!splitting) return;
      if (pinch.current.used) moveSplit(split0); // a pinch leaves the split alone
      else if (!jumped && !onHandle) moveSplit((sx - r.left) / r.width); // a tap
      else moveSplit(live.current.split);
    };
    el.addEventListener('pointermove', move);
    el.addEventListener('pointerup', up);
    el.addEventListener('pointercancel', up);
  };

  const onKeyDown = (e) => {
    if (isTyping(e) || e.defaultPrevented) return;
    const key = keyName(e);
    const step = key.startsWith('Shift+') ? 0.1 : 0.02;
    const plain = key.replace(/^Shift\+/, '');
    let done = true;
    if ((plain === 'ArrowLeft' || plain === 'ArrowRight') && mode === 'slider') moveSplit(split + (plain === 'ArrowLeft' ? -step : step));
    else if (plain === 'Home' && mode === 'slider') moveSplit(0);
    else if (plain === 'End' && mode === 'slider') moveSplit(1);
    else if (key === '+' || key === '=') zoom('in');
    else if (key === '-') zoom('out');
    else if (key === '0') zoom('fit');
    else if (key === '1') zoom('actual');
    else if (key === 's' && a && b) swap();
    else if (key === 'm') setMode(mode === 'slider' ? 'side' : 'slider');
    else done = false;
    if (done) e.preventDefault();
  };

  const onNat = (path, n) => setNat((o) => (o[path] && o[path].w === n.w && o[path].h === n.h ? o : { ...o, [path]: n }));
  const pixelated = scale >= 3;
  const pct = Math.round(split * 1000) / 10;

  if (!a || !b) return html`<${CompareEmpty} a=${a} over=${over} root=${root} drop=${drop} />`;

  const handle = html`<div class="cmp-handle" style=${{ left: `${pct}%` }} role="slider" tabindex="0"
      aria-label=${t('compare.split')} aria-valuemin="0" aria-valuemax="100" aria-valuenow=${pct} aria-orientation="horizontal">
    <span class="cmp-knob" aria-hidden="true"><${Icon} name="left" size=${12} /><${Icon} name="right" size=${12} /></span>
  </div>`;
  return html`<div class=${'compare-page' + (over ? ' over' : '')} ref=${root} tabindex="-1" onKeyDown=${onKeyDown} ...${drop}
      data-a=${a} data-b=${b} data-mode=${mode}>
    <${CompareToolbar} A=${A} B=${B} a=${a} b=${b} mode=${mode} view=${view} scale=${scale} swap=${swap} setMode=${setMode} zoom=${zoom} />
    <${CompareStages} stages=${stages} mode=${mode} zoomed=${zoomed} pct=${pct} scale=${scale} onWheel=${onWheel}
      onPointerDown=${onPointerDown} handle=${handle} A=${A} B=${B} box=${box} transform=${transform} pixelated=${pixelated} onNat=${onNat} />
    <div class="cmp-below">
      <div class="cmp-files">
        <span title=${a}><span class="cmp-tag a">A</span> ${parentOf(a)}</span>
        <span title=${b}><span class="cmp-tag b">B</span> ${parentOf(b)}</span>
      </div>
      <${InfoDiff} A=${A} B=${B} textA=${texts[a]} textB=${texts[b]} natA=${natA} natB=${natB} />
    </div>
  </div>`;
}
