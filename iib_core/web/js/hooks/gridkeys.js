// @ts-check
// The grid's keyboard: arrows, PgUp/PgDn, Home/End move the focus (Shift extends the
// selection), Enter opens, Backspace goes up, Space toggles, Ctrl+A selects all, the rename key renames,
// and the user's shortcuts (delete, rate, favourite, tags...) act on the selection.
import { settings } from '../settings.js';
import { preview } from '../store.js';
import { openNode, deleteNodes, rate, toggleFavourite, toggleDeleteMark, download, renameNode, runTagShortcut } from '../actions.js';
import { shortcutAction, keyName, isTyping } from '../keys.js';

/**
 * The grid's keydown handler.
 * @param {any} model the pane's model
 * @param {{ current: HTMLElement | null }} scrollRef the scrolling element
 * @param {{ v: any, items: any[], cols: number, rowH: number }} layout
 * @returns {(e: KeyboardEvent) => void}
 */
export function gridKeyHandler(model, scrollRef, { v, items, cols, rowH }) {
  const moveFocus = (next, e) => {
    if (!items.length) return;
    const n = Math.max(0, Math.min(items.length - 1, next));
    if (e.shiftKey) {
      if (model.anchor < 0) model.anchor = Math.max(0, model.focus.peek());
      model.selectRange(model.anchor, n, e.ctrlKey || e.metaKey);
    } else {
      model.anchor = n;
    }
    model.focus.value = n;
    v.scrollToIndex(Math.floor(n / cols), { align: 'auto' });
  };
  const targets = () => {
    const sel = model.selectedNodes();
    if (sel.length) return sel;
    const f = items[model.focus.peek()];
    return f ? [f] : [];
  };
  const onKeyDown = (e) => {
    if (isTyping(e) || preview.peek()) return;
    const f = model.focus.peek();
    const pageRows = Math.max(1, Math.floor((scrollRef.current.clientHeight || rowH) / rowH));
    const key = keyName(e);
    const plain = key.replace(/^Shift\+/, '');
    switch (plain) {
      case 'ArrowRight': e.preventDefault(); moveFocus(f < 0 ? 0 : f + 1, e); return;
      case 'ArrowLeft': e.preventDefault(); moveFocus(f < 0 ? 0 : f - 1, e); return;
      case 'ArrowDown': e.preventDefault(); moveFocus(f < 0 ? 0 : f + cols, e); return;
      case 'ArrowUp': e.preventDefault(); moveFocus(f < 0 ? 0 : f - cols, e); return;
      case 'PageDown': e.preventDefault(); moveFocus(Math.max(0, f) + pageRows * cols, e); return;
      case 'PageUp': e.preventDefault(); moveFocus(Math.max(0, f) - pageRows * cols, e); return;
      case 'Home': e.preventDefault(); moveFocus(0, e); return;
      case 'End': e.preventDefault(); moveFocus(items.length - 1, e); return;
      default: break;
    }
    if (key === 'Enter') {
      const node = items[f];
      if (node) {
        e.preventDefault();
        openNode(model, node, f);
      }
      return;
    }
    if (key === 'Backspace') {
      if (model.kind === 'folder') {
        e.preventDefault();
        model.up();
      }
      return;
    }
    if (key === 'Escape') {
      model.clearSelection();
      return;
    }
    if (key === 'Space') {
      const node = items[f];
      if (node) {
        e.preventDefault();
        model.toggle(node.fullpath);
        model.anchor = f;
      }
      return;
    }
    if (key === 'Ctrl+a' || key === 'Meta+a') {
      e.preventDefault();
      model.selectOnly(items.map((n) => n.fullpath));
      return;
    }
    if (key === 'F2') {
      const node = items[f];
      if (node) renameNode(node);
      return;
    }
    const action = shortcutAction(e, settings.peek().shortcuts);
    if (!action) return;
    const list = targets();
    if (!list.length) return;
    e.preventDefault();
    if (action === 'delete') deleteNodes(list);
    else if (action.startsWith('rate')) rate(list, Number(action.slice(4)));
    else if (action === 'favourite') toggleFavourite(list);
    else if (action === 'markDelete') toggleDeleteMark(list);
    else if (action === 'download') download(list);
    else runTagShortcut(list, action);
  };
  return onKeyDown;
}
