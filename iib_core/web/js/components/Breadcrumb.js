// @ts-check
// The path of the open folder as clickable segments; click the empty end (or the pencil)
// to type a path. A root's alias stands for the root, and can be typed as a shortcut.
import { useState, useRef, useEffect } from 'preact/hooks';
import { html } from '../html.js';
import { t } from '../i18n.js';
import { Icon } from '../icons.js';
import { roots } from '../store.js';
import { sepOf, isInside } from '../media.js';
import { FileName, nameText } from '../names.js';

export function segments(path, rootList) {
  const sep = sepOf(path);
  let root = null;
  for (const r of rootList) {
    if (isInside(path, r.path) && (!root || r.path.length > root.path.length)) root = r;
  }
  const out = [];
  let rest = path;
  if (root && root.alias) {
    out.push({ label: root.alias, path: root.path });
    rest = path.slice(root.path.length);
  } else if (sep === '/') {
    out.push({ label: '/', path: '/' });
    rest = path.slice(1);
  }
  let acc = out.length ? out[out.length - 1].path : '';
  for (const part of rest.split(sep)) {
    if (!part) continue;
    acc = !acc ? part + (/^[A-Za-z]:$/.test(part) ? sep : '') : acc.endsWith(sep) ? acc + part : acc + sep + part;
    out.push({ label: part, path: acc });
  }
  return out;
}

export function Breadcrumb({ model }) {
  const path = model.path.value;
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(path);
  const input = useRef(null);
  useEffect(() => {
    if (editing && input.current) {
      input.current.focus();
      input.current.select();
    }
  }, [editing]);

  const go = (e) => {
    e.preventDefault();
    let target = text.trim();
    const alias = roots.peek().find((r) => r.alias && (r.alias === target || target.startsWith(r.alias + '/')));
    if (alias) target = alias.path + target.slice(alias.alias.length);
    setEditing(false);
    if (!target) return;
    if (model.kind === 'folder') model.navigate(target);
  };

  if (editing) {
    return html`<form class="breadcrumb editing" onSubmit=${go}>
      <input ref=${input} class="input grow path-input" value=${text} aria-label=${t('folder.path')}
        onInput=${(e) => setText(e.currentTarget.value)}
        onKeyDown=${(e) => { if (e.key === 'Escape') setEditing(false); e.stopPropagation(); }}
        onBlur=${() => setEditing(false)} />
    </form>`;
  }
  const parts = segments(path, roots.value);
  const edit = () => {
    setText(path);
    setEditing(model.kind === 'folder');
  };
  return html`<nav class="breadcrumb" aria-label=${t('folder.path')} title=${nameText(path)}>
    ${parts.map((p, i) => html`${i > 0 && parts[i - 1].label !== '/' ? html`<span class="crumb-sep">›</span>` : null}
      <button class=${'crumb' + (i === parts.length - 1 ? ' current' : '')}
        onClick=${() => (model.kind === 'folder' ? model.navigate(p.path) : null)}><${FileName} name=${p.label} /></button>`)}
    ${model.kind === 'folder' ? html`<button class="crumb-edit" title=${t('folder.editPath')} aria-label=${t('folder.editPath')} onClick=${edit}>
      <${Icon} name="edit" size=${14} /></button>` : null}
    <span class="crumb-fill" onClick=${edit}></span>
  </nav>`;
}
