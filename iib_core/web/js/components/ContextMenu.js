// @ts-check
// The context menu (also opened from toolbars): entries from actions.menuFor, with
// submenus, shortcut hints and keyboard use (arrows, Enter, Escape).
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { html } from '../html.js';
import { Icon } from '../icons.js';
import { contextMenu } from '../store.js';

function MenuList({ items, onRun, style, level }) {
  const [open, setOpen] = useState(null);
  const ref = useRef(null);
  useLayoutEffect(() => {
    // Keep the menu inside the window: shift the whole menu, or open a submenu leftwards.
    const el = ref.current;
    if (!el) return;
    const r = el.getBoundingClientRect();
    if (level) {
      // Opened with ArrowRight: the first entry takes the focus in the same commit, so the
      // submenu is never on screen without it.
      const owner = el.parentElement;
      if (owner && owner.dataset.kbdOpen) {
        delete owner.dataset.kbdOpen;
        const first = el.querySelector(':scope > .menu-item:not(.disabled)');
        if (first) first.focus();
      }
      if (r.right > window.innerWidth - 4) {
        el.style.left = 'auto';
        el.style.right = '100%';
      }
      if (r.bottom > window.innerHeight - 4) el.style.top = `${-4 - (r.bottom - window.innerHeight + 8)}px`;
      return;
    }
    const dx = r.right > window.innerWidth - 4 ? window.innerWidth - 4 - r.right : r.left < 4 ? 4 - r.left : 0;
    const dy = r.bottom > window.innerHeight - 4 ? window.innerHeight - 4 - r.bottom : r.top < 4 ? 4 - r.top : 0;
    if (dx || dy) {
      const wrap = el.parentElement;
      const [ox, oy] = (wrap.dataset.shift || '0,0').split(',').map(Number);
      wrap.dataset.shift = `${ox + dx},${oy + dy}`;
      wrap.style.transform = `translate(${ox + dx}px, ${oy + dy}px)`;
    }
  });
  return html`<ul class="menu" role="menu" ref=${ref} style=${style}>
    ${items.map((it, i) => it.sep
      ? (i > 0 && i < items.length - 1 && !items[i - 1].sep ? html`<li class="menu-sep" role="separator"></li>` : null)
      : html`<li key=${it.id} class=${'menu-item' + (it.danger ? ' danger' : '') + (it.disabled ? ' disabled' : '') + (it.children ? ' has-sub' : '')}
          role="menuitem" aria-disabled=${it.disabled ? 'true' : 'false'} aria-haspopup=${it.children ? 'true' : undefined} tabindex="-1" data-id=${it.id}
          onMouseEnter=${() => setOpen(it.children ? it.id : null)}
          onClick=${(e) => { e.stopPropagation(); if (it.disabled) return; if (it.children) { setOpen(it.id); return; } onRun(it); }}>
        <span class="menu-icon">${it.icon ? html`<${Icon} name=${it.icon} size=${15} />` : it.check ? html`<${Icon} name="check" size=${15} />` : null}</span>
        <span class="menu-label">${it.label}</span>
        ${it.key ? html`<kbd>${it.key}</kbd>` : null}
        ${it.children ? html`<${Icon} name="right" size=${13} />` : null}
        ${it.children && open === it.id ? html`<${MenuList} items=${it.children} onRun=${onRun} level=${(level || 0) + 1} style=${{ left: '100%', top: '-4px' }} />` : null}
      </li>`)}
  </ul>`;
}

export function ContextMenu() {
  const menu = contextMenu.value;
  useLayoutEffect(() => {
    if (!menu) return undefined;
    const close = () => { contextMenu.value = null; };
    const onKey = (e) => {
      if (e.key === 'Escape') {
        e.stopPropagation();
        close();
      } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        // Move within the menu that holds the focus (a submenu, or the top level).
        const here = document.activeElement && document.activeElement.closest ? document.activeElement.closest('.context-menu .menu') : null;
        const menuEl = here || document.querySelector('.context-menu > .menu');
        if (!menuEl) return;
        const list = /** @type {HTMLElement[]} */ ([...menuEl.children]).filter((el) => el.classList.contains('menu-item') && !el.classList.contains('disabled'));
        if (!list.length) return;
        const i = list.indexOf(/** @type {HTMLElement} */ (document.activeElement));
        const next = e.key === 'ArrowDown' ? (i + 1) % list.length : (i <= 0 ? list.length - 1 : i - 1);
        list[next].focus();
      } else if (e.key === 'ArrowRight' && document.activeElement && document.activeElement.classList.contains('has-sub')) {
        e.preventDefault();
        const parent = /** @type {HTMLElement} */ (document.activeElement);
        const shown = /** @type {HTMLElement | null} */ (parent.querySelector(':scope > .menu > .menu-item:not(.disabled)'));
        if (shown) shown.focus();  // already open (hovered): just step in
        else {
          parent.dataset.kbdOpen = '1';
          parent.click();
        }
      } else if (e.key === 'ArrowLeft' && document.activeElement && document.activeElement.closest) {
        const sub = document.activeElement.closest('.menu');
        const owner = sub && sub.parentElement && /** @type {HTMLElement | null} */ (sub.parentElement.closest('.menu-item.has-sub'));
        if (owner) {
          e.preventDefault();
          owner.focus();
        }
      } else if (e.key === 'Enter' && document.activeElement && document.activeElement.classList.contains('menu-item')) {
        e.preventDefault();
        /** @type {HTMLElement} */ (document.activeElement).click();
      }
    };
    const timer = setTimeout(() => {
      window.addEventListener('pointerdown', onDown, true);
    });
    const onDown = (e) => {
      if (!e.target.closest('.context-menu')) close();
    };
    window.addEventListener('keydown', onKey, true);
    window.addEventListener('blur', close);
    window.addEventListener('resize', close);
    return () => {
      clearTimeout(timer);
      window.removeEventListener('pointerdown', onDown, true);
      window.removeEventListener('keydown', onKey, true);
      window.removeEventListener('blur', close);
      window.removeEventListener('resize', close);
    };
  }, [menu]);
  if (!menu) return null;
  const run = (it) => {
    contextMenu.value = null;
    it.run();
  };
  const style = { left: `${menu.x}px`, top: `${menu.y}px` };
  return html`<div key=${menu.x + ',' + menu.y} class=${'context-menu' + (menu.up ? ' up' : '')} style=${style} onContextMenu=${(e) => e.preventDefault()}>
    <${MenuList} items=${menu.items} onRun=${run} style=${menu.up ? { left: '0px', bottom: '0px' } : { left: '0px', top: '0px' }} level=${0} />
  </div>`;
}
