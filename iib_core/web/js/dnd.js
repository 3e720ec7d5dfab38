// @ts-check
// Drag and drop of grid items onto a folder (a folder card, a tree node, another pane):
// asks whether to move or copy, then runs the same operation as the menu.
import { t } from './i18n.js';
import { confirmDialog, isReadonly } from './store.js';
import { transfer } from './actions.js';
import { parentOf, baseName, isInside } from './media.js';

export const DRAG_TYPE = 'application/x-iib-files';
let dragging = null; // the nodes being dragged (dataTransfer data is unreadable during dragover)

export function startDrag(e, nodes) {
  dragging = nodes;
  const dt = e.dataTransfer;
  dt.effectAllowed = 'copyMove';
  dt.setData(DRAG_TYPE, JSON.stringify(nodes.map((n) => n.fullpath)));
  dt.setData('text/plain', nodes.map((n) => n.fullpath).join('\n'));
}

export function endDrag() {
  dragging = null;
}

/** The nodes of the drag in progress, or null: for drop targets that are not folders (batch, compare). */
export function draggedNodes() {
  return dragging;
}

/** Does this drag carry grid items (not files from the desktop, not text)? */
export function isFileDrag(e) {
  return !!(e.dataTransfer && Array.from(e.dataTransfer.types || []).includes(DRAG_TYPE));
}

function acceptable(e, folder) {
  if (!e.dataTransfer || !Array.from(e.dataTransfer.types || []).includes(DRAG_TYPE)) return false;
  if (isReadonly.peek() || !folder) return false;
  if (dragging && dragging.some((n) => n.fullpath === folder || (n.type === 'dir' && isInside(folder, n.fullpath)))) return false;
  return true;
}

export function dragOverFolder(e, folder) {
  if (!acceptable(e, folder)) return;
  e.preventDefault();
  e.stopPropagation();
  e.dataTransfer.dropEffect = e.ctrlKey || e.altKey ? 'copy' : 'move';
  e.currentTarget.classList.add('drop-target');
}

export async function dropOnFolder(e, folder) {
  if (!acceptable(e, folder)) return;
  e.preventDefault();
  e.stopPropagation();
  const nodes = dragging || [];
  dragging = null;
  if (!nodes.length) return;
  if (nodes.every((n) => parentOf(n.fullpath) === folder)) return;
  const op = await confirmDialog({
    title: t('dialog.dropTitle', { n: nodes.length, dest: baseName(folder) }),
    message: folder,
    ok: t('action.move'),
    okValue: 'move',
    extra: [{ label: t('action.copy'), value: 'copy' }],
  });
  if (op === 'move' || op === 'copy') await transfer(nodes, op, folder);
}

/**
 * The drag-and-drop handlers of an element that stands for `folder` (a folder card, a tree
 * node, a pane's background); none when `folder` is empty.
 * @param {string | null | undefined} folder
 */
export function folderDropProps(folder) {
  if (!folder) return {};
  return {
    onDragOver: (e) => dragOverFolder(e, folder),
    onDragLeave: (e) => e.currentTarget.classList.remove('drop-target'),
    onDrop: (e) => {
      e.currentTarget.classList.remove('drop-target');
      dropOnFolder(e, folder);
    },
  };
}
