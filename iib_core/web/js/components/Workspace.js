// @ts-check
// Split view: columns side by side, resizable by the dividers between them.
import { useRef } from 'preact/hooks';
import { html } from '../html.js';
import { workspace, resizeColumns } from '../workspace.js';
import { Column } from './Column.js';

export function Workspace() {
  const ws = workspace.value;
  const ref = useRef(null);
  const total = ws.columns.reduce((s, c) => s + c.size, 0);

  const startResize = (i, ev) => {
    ev.preventDefault();
    const box = ref.current.getBoundingClientRect();
    const sizes = ws.columns.map((c) => c.size);
    const pair = sizes[i] + sizes[i + 1];
    const els = ref.current.querySelectorAll(':scope > .column');
    const left = els[i].getBoundingClientRect().left;
    const width = els[i].getBoundingClientRect().width + els[i + 1].getBoundingClientRect().width;
    const move = (e) => {
      const frac = Math.min(0.9, Math.max(0.1, (e.clientX - left) / width));
      const next = sizes.slice();
      next[i] = pair * frac;
      next[i + 1] = pair * (1 - frac);
      resizeColumns(next);
    };
    const up = () => {
      window.removeEventListener('pointermove', move);
      window.removeEventListener('pointerup', up);
      document.body.classList.remove('resizing');
    };
    document.body.classList.add('resizing');
    window.addEventListener('pointermove', move);
    window.addEventListener('pointerup', up);
    void box;
  };

  const parts = [];
  ws.columns.forEach((col, i) => {
    if (i > 0) {
      parts.push(html`<div key=${'d' + col.id} class="col-divider" role="separator" aria-orientation="vertical"
        onPointerDown=${(e) => startResize(i - 1, e)}></div>`);
    }
    parts.push(html`<${Column} key=${col.id} column=${col} focused=${ws.focused === col.id} flex=${col.size / total} single=${ws.columns.length === 1} />`);
  });
  return html`<main class="workspace" ref=${ref}>${parts}</main>`;
}
