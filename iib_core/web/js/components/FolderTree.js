// @ts-check
// The folder tree of every root: sub-folders load when a node opens; the open
// folder's ancestors open by themselves. Nodes take drops (move/copy into that folder).
import { useEffect } from 'preact/hooks';
import { signal } from '@preact/signals';
import { html } from '../html.js';
import { FileName } from '../names.js';
import { t } from '../i18n.js';
import { Icon } from '../icons.js';
import { get } from '../api.js';
import { roots } from '../store.js';
import { isInside, baseName } from '../media.js';
import { dropOnFolder, dragOverFolder } from '../dnd.js';

const children = signal(new Map()); // path → {dirs: [{name, fullpath}], error}
const loading = new Set();

export async function loadChildren(path, force) {
  if (loading.has(path) || (!force && children.peek().has(path))) return;
  loading.add(path);
  let entry;
  try {
    const res = await get('/files', { folder_path: path });
    const dirs = (res.files || []).filter((n) => n.type === 'dir' && !n.special) // an unreadable folder cannot be expanded
      .map((n) => ({ name: n.name, fullpath: n.fullpath }))
      .sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }));
    entry = { dirs };
  } catch (err) {
    entry = { dirs: [], error: err.message };
  } finally {
    loading.delete(path);
  }
  const next = new Map(children.peek());
  next.set(path, entry);
  children.value = next;
}

function Node({ model, path, label, depth, open, current }) {
  const isOpen = open.has(path);
  const entry = children.value.get(path);
  const toggle = (e) => {
    e.stopPropagation();
    const next = new Set(model.treeOpen.peek());
    if (isOpen) next.delete(path);
    else {
      next.add(path);
      loadChildren(path, true);
    }
    model.treeOpen.value = next;
  };
  const here = current === path;
  return html`<li role="treeitem" aria-expanded=${isOpen} aria-selected=${here}>
    <div class=${'tree-row' + (here ? ' current' : '')} style=${{ paddingLeft: `${6 + depth * 14}px` }}
        onClick=${() => model.navigate(path)} title=${path}
        onDragOver=${(e) => dragOverFolder(e, path)} onDragLeave=${(e) => e.currentTarget.classList.remove('drop-target')}
        onDrop=${(e) => { e.currentTarget.classList.remove('drop-target'); dropOnFolder(e, path); }}>
      <button class="tree-toggle" onClick=${toggle} aria-label=${isOpen ? t('tree.collapse') : t('tree.expand')}>
        <${Icon} name=${isOpen ? 'down' : 'right'} size=${12} />
      </button>
      <${Icon} name="folder" size=${15} />
      <span class="tree-label"><${FileName} name=${label} /></span>
    </div>
    ${isOpen && entry ? html`<ul role="group">
      ${entry.error ? html`<li class="tree-error" style=${{ paddingLeft: `${20 + depth * 14}px` }}>${entry.error}</li>` : null}
      ${entry.dirs.map((d) => html`<${Node} key=${d.fullpath} model=${model} path=${d.fullpath} label=${d.name} depth=${depth + 1} open=${open} current=${current} />`)}
    </ul>` : null}
  </li>`;
}

export function FolderTree({ model }) {
  if (!model.treeOpen) model.treeOpen = signal(new Set());
  const current = model.path.value;
  const list = roots.value;
  const open = model.treeOpen.value;

  useEffect(() => {
    // Open the ancestors of the current folder inside its root.
    const root = list.filter((r) => isInside(current, r.path)).sort((a, b) => b.path.length - a.path.length)[0];
    if (!root) return;
    const next = new Set(model.treeOpen.peek());
    let changed = false;
    let p = current;
    const chain = [];
    while (p && p.length >= root.path.length) {
      chain.push(p);
      if (p === root.path) break;
      const i = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'));
      if (i <= 0) break;
      p = p.slice(0, i);
    }
    for (const c of chain.slice(1)) {
      if (!next.has(c)) {
        next.add(c);
        changed = true;
      }
      loadChildren(c);
    }
    if (changed) model.treeOpen.value = next;
  }, [current, list.length]);

  useEffect(() => {
    // Folders created or removed in the open folder show up in the tree after a reload.
    if (children.peek().has(current)) loadChildren(current, true);
  }, [model.version.value]);

  return html`<aside class="tree" aria-label=${t('tree.label')}>
    <ul role="tree">
      ${list.map((r) => html`<${Node} key=${r.path} model=${model} path=${r.path} label=${r.alias || baseName(r.path)} depth=${0} open=${open} current=${current} />`)}
      ${list.some((r) => isInside(current, r.path)) ? null
        : html`<${Node} key=${current} model=${model} path=${current} label=${baseName(current) || current} depth=${0} open=${open} current=${current} />`}
    </ul>
  </aside>`;
}
