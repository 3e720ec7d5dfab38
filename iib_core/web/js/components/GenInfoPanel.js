// @ts-check
// The generation info panel of the preview: prompt, negative prompt, parameters
// as a table, the raw text, copy buttons, the file's custom tags and its rating. It can
// be dragged by its header, resized from its corner and collapsed. Everything from the
// file is rendered as text (htm escapes it), never as HTML.
import { useState, useEffect, useRef } from 'preact/hooks';
import { html } from '../html.js';
import { FileName, nameText } from '../names.js';
import { t } from '../i18n.js';
import { Icon } from '../icons.js';
import { get } from '../api.js';
import { settings, update } from '../settings.js';
import { kindOf, parentOf, humanSize } from '../media.js';
import { customTags, isReadonly, contextMenu, inWebui } from '../store.js';
import { annotations, FAVOURITE_TAG, DELETE_MARK_TAG } from '../annotations.js';
import { parseGeninfo } from '../geninfo.js';
import { useFrameAsCover, copyText, rate, toggleFavourite, toggleDeleteMark, toggleNamedTag, download, transfer, deleteNodes, menuFor, sendToWebui, webuiTargets, hostTargets } from '../actions.js';
import { RatingStars } from './RatingStars.js';

const cache = new Map(); // path|date → geninfo text

async function loadGeninfo(node) {
  const key = node.fullpath + '|' + (node.date || '');
  if (cache.has(key)) return cache.get(key);
  const text = await get('/image_geninfo', { path: node.fullpath });
  cache.set(key, typeof text === 'string' ? text : '');
  if (cache.size > 300) cache.delete(cache.keys().next().value);
  return cache.get(key);
}

function Section({ title, copy, children, name }) {
  return html`<section class="gi-section" data-section=${name}>
    <header><h4>${title}</h4>${copy ? html`<button class="icon-btn small" title=${t('action.copy')} aria-label=${t('preview.copyX', { what: title })}
      onClick=${() => copyText(copy)}><${Icon} name="copy" size=${14} /></button>` : null}</header>
    ${children}
  </section>`;
}

function Tags({ node }) {
  const a = annotations.value.get(node.fullpath);
  const mine = new Set(((a && a.tags) || []).map((tg) => tg.id));
  const all = customTags.value;
  const [name, setName] = useState('');
  const writable = !isReadonly.value;
  const add = (e) => {
    e.preventDefault();
    const n = name.trim();
    if (!n) return;
    setName('');
    toggleNamedTag([node], n);
  };
  return html`<div class="gi-tags">
    ${all.map((tg) => html`<button key=${tg.id} class=${'chip' + (mine.has(tg.id) ? ' on' : '')} disabled=${!writable}
      style=${tg.color ? { '--chip': tg.color } : undefined} aria-pressed=${mine.has(tg.id)}
      onClick=${() => toggleNamedTag([node], tg.name)}>${tg.name === FAVOURITE_TAG ? html`<${Icon} name="heart" size=${12} fill=${mine.has(tg.id)} /> ` : null}${tg.name}</button>`)}
    ${writable ? html`<form class="chip-add" onSubmit=${add}><input class="input compact" placeholder=${t('preview.newTag')} aria-label=${t('preview.newTag')}
      value=${name} onInput=${(e) => setName(e.currentTarget.value)} onKeyDown=${(e) => e.stopPropagation()} /></form>` : null}
  </div>`;
}

export function GenInfoPanel({ node, model }) {
  const s = settings.value;
  const layout = s.infoPanel;
  const panel = useRef(null);
  const [text, setText] = useState(null);
  const [error, setError] = useState(null);
  const [showRaw, setShowRaw] = useState(false);
  const kind = kindOf(node);
  const a = annotations.value.get(node.fullpath);
  const fav = !!(a && a.tags.some((tg) => tg.name === FAVOURITE_TAG));
  const marked = !!(a && a.tags.some((tg) => tg.name === DELETE_MARK_TAG));
  const writable = !isReadonly.value;
  hostTargets.value; // the send-to buttons follow what the host says it has

  useEffect(() => {
    let alive = true;
    setText(null);
    setError(null);
    loadGeninfo(node).then((v) => { if (alive) setText(v); }, (err) => { if (alive) setError(err.message); });
    return () => { alive = false; };
  }, [node.fullpath, node.date]);

  const info = text ? parseGeninfo(text) : null;

  // Drag by the header; resize from the corner. The layout is a setting (kept across sessions).
  const drag = (e, mode) => {
    if (e.button !== 0 || (mode === 'move' && e.target.closest('button'))) return;
    e.preventDefault();
    const el = panel.current;
    const r = el.getBoundingClientRect();
    const parent = el.parentElement.getBoundingClientRect();
    const sx = e.clientX;
    const sy = e.clientY;
    const move = (ev) => {
      const dx = ev.clientX - sx;
      const dy = ev.clientY - sy;
      if (mode === 'move') {
        const x = Math.min(parent.width - 60, Math.max(-r.width + 60, r.left - parent.left + dx));
        const y = Math.min(parent.height - 40, Math.max(0, r.top - parent.top + dy));
        el.style.left = `${x}px`;
        el.style.top = `${y}px`;
        el.style.right = 'auto';
      } else {
        el.style.width = `${Math.max(240, r.width + dx)}px`;
        el.style.height = `${Math.max(160, r.height + dy)}px`;
      }
    };
    const up = () => {
      window.removeEventListener('pointermove', move);
      window.removeEventListener('pointerup', up);
      const nr = el.getBoundingClientRect();
      update('infoPanel', { ...settings.peek().infoPanel, x: nr.left - parent.left, y: nr.top - parent.top, width: nr.width, height: nr.height });
    };
    window.addEventListener('pointermove', move);
    window.addEventListener('pointerup', up);
  };

  const style = {
    top: `${Math.max(0, layout.y || 0)}px`,
    ...(layout.x === null || layout.x === undefined ? { right: '68px' } : { left: `${layout.x}px` }),
    width: `${layout.width}px`,
    maxHeight: `calc(100% - ${Math.max(0, layout.y || 0) + 8}px)`,
    ...(layout.collapsed ? {} : { height: `${layout.height}px` }),
  };
  const more = (e) => {
    const r = e.currentTarget.getBoundingClientRect();
    contextMenu.value = { x: r.left, y: r.bottom + 4, items: menuFor(model, [node], { inPreview: true }) };
  };
  const toggleCollapsed = () => update('infoPanel', { ...layout, collapsed: !layout.collapsed });
  return html`<aside ref=${panel} class=${'geninfo no-pan' + (layout.collapsed ? ' collapsed' : '')} style=${style} aria-label=${t('preview.info')}
      onWheel=${(e) => e.stopPropagation()} onPointerDown=${(e) => e.stopPropagation()} onDblClick=${(e) => e.stopPropagation()}>
    <header class="gi-head" onPointerDown=${(e) => drag(e, 'move')}>
      <span class="gi-grip" aria-hidden="true">⋮⋮</span>
      <span class="gi-title" title=${nameText(node.fullpath)}><${FileName} name=${node.name} /></span>
      <button class="icon-btn small" title=${layout.collapsed ? t('preview.expand') : t('preview.collapse')}
        aria-label=${layout.collapsed ? t('preview.expand') : t('preview.collapse')} aria-expanded=${!layout.collapsed}
        onClick=${toggleCollapsed}><${Icon} name=${layout.collapsed ? 'down' : 'up'} size=${14} /></button>
    </header>
    <div class="gi-actions">
      <${RatingStars} value=${(a && a.rating) || 0} disabled=${!writable || kind === 'other'} onChange=${(n) => rate([node], n)} />
      <span class="grow"></span>
      <button class=${'icon-btn' + (fav ? ' on fav' : '')} disabled=${!writable} title=${fav ? t('action.unfavourite') : t('action.favourite')}
        aria-label=${t('action.favourite')} aria-pressed=${fav} onClick=${() => toggleFavourite([node])}><${Icon} name="heart" fill=${fav} /></button>
      <button class=${'icon-btn' + (marked ? ' on mark' : '')} disabled=${!writable} title=${marked ? t('action.unmarkDelete') : t('action.markDelete')}
        aria-label=${t('action.markDelete')} aria-pressed=${marked} onClick=${() => toggleDeleteMark([node])}><${Icon} name="flag" fill=${marked} /></button>
      ${kind === 'video' ? html`<button class="icon-btn" title=${t('preview.useFrame')} aria-label=${t('preview.useFrame')} disabled=${!writable}
        onClick=${() => useFrameAsCover(node, document.querySelector('.preview video'))}><${Icon} name="image" /></button>` : null}
      <button class="icon-btn" title=${t('action.download')} aria-label=${t('action.download')} onClick=${() => download([node])}><${Icon} name="download" /></button>
      <button class="icon-btn" title=${t('action.copyPath')} aria-label=${t('action.copyPath')} onClick=${() => copyText(node.fullpath)}><${Icon} name="link" /></button>
      <button class="icon-btn" title=${t('action.moveTo')} aria-label=${t('action.moveTo')} disabled=${!writable} onClick=${() => transfer([node], 'move')}><${Icon} name="move" /></button>
      <button class="icon-btn danger" title=${t('action.delete')} aria-label=${t('action.delete')} disabled=${!writable} onClick=${() => deleteNodes([node])}><${Icon} name="trash" /></button>
      <button class="icon-btn" title=${t('action.more')} aria-label=${t('action.more')} onClick=${more}><${Icon} name="more" /></button>
    </div>
    ${layout.collapsed ? null : html`<div class="gi-body">
      <p class="gi-meta">${parentOf(node.fullpath)}<br />${node.bytes !== undefined ? humanSize(node.bytes) : node.size || ''}${node.date ? ' · ' + node.date : ''}</p>
      ${inWebui.value && kind === 'image' ? html`<div class="gi-send">${webuiTargets().map((target) => html`<button class="btn small" onClick=${() => sendToWebui(target, node)}>
        <${Icon} name="send" size=${13} /> ${t('webui.' + target)}</button>`)}</div>` : null}
      <${Section} title=${t('preview.tags')} name="tags"><${Tags} node=${node} /></${Section}>
      ${error ? html`<p class="error-text">${error}</p>` : text === null ? html`<span class="spinner small"></span>` : !info ? html`<p class="muted">${t('preview.noInfo')}</p>` : html`
        ${info.positive ? html`<${Section} title=${t('preview.prompt')} copy=${info.positive} name="prompt"><p class="gi-text gi-prompt">${info.positive}</p></${Section}>` : null}
        ${info.negative ? html`<${Section} title=${t('preview.negative')} copy=${info.negative} name="negative"><p class="gi-text gi-negative">${info.negative}</p></${Section}>` : null}
        ${info.params.length ? html`<${Section} title=${t('preview.params')} copy=${info.paramsLine} name="params">
          <table class="gi-params"><tbody>${info.params.map(([k, v]) => html`<tr><th>${k}</th><td>${v}</td></tr>`)}</tbody></table></${Section}>` : null}
        <${Section} title=${t('preview.raw')} copy=${text} name="raw">
          <button class="link-btn" aria-expanded=${showRaw} onClick=${() => setShowRaw(!showRaw)}>${showRaw ? t('preview.hideRaw') : t('preview.showRaw')}</button>
          ${showRaw ? html`<pre class="gi-raw">${text}</pre>` : null}
        </${Section}>`}
    </div>`}
    ${layout.collapsed ? null : html`<div class="gi-resize" aria-hidden="true" onPointerDown=${(e) => drag(e, 'resize')}></div>`}
  </aside>`;
}
