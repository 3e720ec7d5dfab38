// @ts-check
// File operations behind the context menu, the toolbar, the preview and the shortcuts.
// Each action reports its outcome in a toast; API errors appear as their readable detail.
import { signal } from '@preact/signals';
import { post, fileUrl, bumpCover, startDownload } from './api.js';
import { t } from './i18n.js';
import { nameText } from './names.js';
import { settings } from './settings.js';
import { kindOf, parentOf, joinPath, baseName, isInside } from './media.js';
import {
  toast, toastError, confirmDialog, promptDialog, pickFolderDialog, preview,
  remember, recentTargets, inWebui, isReadonly, customTags,
} from './store.js';
import { allModels, refreshFolders } from './models.js';
import { openTab, openInSplit } from './workspace.js';
import { setRating, toggleTag, forget, FAVOURITE_TAG, DELETE_MARK_TAG, hasTag } from './annotations.js';
import { addAndTell, packAndDownload } from './batch.js';
import { compareEntries } from './compare.js';
import { tagLabel, tagOfAction, createTag, BUILTIN_TAGS } from './tags.js';

export const WEBUI_TARGETS = ['txt2img', 'img2img', 'inpaint', 'extras', 'controlnet', 'outpaint'];

const files = (nodes) => nodes.filter((n) => n.type === 'file');
const media = (nodes) => nodes.filter((n) => ['image', 'video', 'audio'].includes(kindOf(n)));

async function guarded(fn) {
  try {
    return await fn();
  } catch (err) {
    if (err && err.name === 'AbortError') return undefined;
    toastError(err);
    return undefined;
  }
}

// -- opening ------------------------------------------------------------------------------
export function openNode(model, node, index) {
  if (node.special) return; // never followed or read (the cell says why)
  if (node.type === 'dir') {
    if (model.kind === 'folder') model.navigate(node.fullpath);
    else openTab({ kind: 'folder', path: node.fullpath });
    return;
  }
  const i = index !== undefined ? index : model.items.peek().indexOf(node);
  preview.value = { model, index: i };
}

export function openFolderTab(node, split) {
  const path = node.type === 'dir' ? node.fullpath : parentOf(node.fullpath);
  return split ? openInSplit({ kind: 'folder', path }) : openTab({ kind: 'folder', path });
}

// -- clipboard and downloads ----------------------------------------------------------------
export async function copyText(text) {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
    } else {
      const area = document.createElement('textarea');
      area.value = text;
      area.setAttribute('readonly', '');
      area.style.position = 'fixed';
      area.style.opacity = '0';
      document.body.appendChild(area);
      area.select();
      document.execCommand('copy');
      area.remove();
    }
    toast(t('toast.copied'), { kind: 'success', ms: 1500 });
  } catch (err) {
    toastError(err);
  }
}

/** Save a Blob as a download named `name` (the object URL is freed a while later). */
export function saveBlob(blob, name) {
  const url = URL.createObjectURL(blob);
  startDownload(url, name);
  setTimeout(() => URL.revokeObjectURL(url), 30000);
}

export function download(nodes) {
  const list = files(nodes);
  if (!list.length) return;
  if (list.length === 1) {
    startDownload(fileUrl(list[0], true), list[0].name);
    return;
  }
  return downloadZip(list);
}

export function downloadZip(list) {
  return guarded(async () => {
    toast(t('toast.zipping', { n: list.length }));
    // Stored, not deflated: images and videos are compressed already. Packed on the server,
    // then streamed to disk by the browser (no archive in page memory).
    await packAndDownload(list.map((f) => f.fullpath), false);
  });
}

// -- move, copy, delete, rename, new folder --------------------------------------------------
export async function transfer(nodes, op, dest) {
  // Folders can be moved, not copied (docs/api.md, "Files and folders").
  const list = nodes.filter((n) => n.fullpath && (op === 'move' || n.type === 'file'));
  if (!list.length) return;
  if (!dest) {
    dest = await pickFolderDialog({ title: t(op === 'move' ? 'dialog.moveTitle' : 'dialog.copyTitle', { n: list.length }), ok: t(op === 'move' ? 'action.move' : 'action.copy') });
    if (!dest) return;
  }
  if (op === 'move' && list.every((n) => parentOf(n.fullpath) === dest)) {
    toast(t('toast.sameFolder'));
    return;
  }
  if (op === 'move' && list.some((n) => n.type === 'dir' && isInside(dest, n.fullpath))) {
    toast(t('toast.intoItself'), { kind: 'error' });
    return;
  }
  return guarded(async () => {
    const route = op === 'move' ? '/move_files' : '/copy_files';
    const res = await post(route, { file_paths: list.map((n) => n.fullpath), dest, create_dest_folder: true, continue_on_error: true });
    const errors = (res && res.errors) || [];
    remember(recentTargets, dest, 12);
    if (op === 'move') {
      const moved = new Set(list.map((n) => n.fullpath));
      for (const m of allModels()) m.removePaths([...moved]);
      forget([...moved]);
    }
    refreshFolders([dest, ...new Set(list.map((n) => parentOf(n.fullpath)))]);
    const done = list.length - errors.length;
    if (done > 0) {
      toast(t(op === 'move' ? 'toast.moved' : 'toast.copiedFiles', { n: done, dest: baseName(dest) }), { kind: 'success' });
    }
    for (const e of errors.slice(0, 3)) toast(e, { kind: 'error' });
  });
}

export async function deleteNodes(nodes, { ask = true } = {}) {
  const list = nodes.filter((n) => n.fullpath);
  if (!list.length) return;
  if (ask && settings.peek().confirmDelete) {
    const ok = await confirmDialog({
      title: t('dialog.deleteTitle', { n: list.length }),
      message: list.length === 1 ? list[0].name : list.slice(0, 5).map((n) => n.name).join(', ') + (list.length > 5 ? ' …' : ''),
      note: t('dialog.deleteNote'),
      ok: t('action.delete'),
      danger: true,
    });
    if (!ok) return;
  }
  return guarded(async () => {
    let res;
    try {
      res = await post('/delete_files', { file_paths: list.map((n) => n.fullpath) });
    } finally {
      // Items before a failing one are gone either way: re-list their folders.
      refreshFolders([...new Set(list.map((n) => parentOf(n.fullpath)))]);
    }
    const items = (res && res.items) || [];
    const gone = items.map((i) => i.path);
    for (const m of allModels()) m.removePaths(gone.length ? gone : list.map((n) => n.fullpath));
    forget(gone);
    const ids = items.map((i) => i.trash_id).filter(Boolean);
    toast(t('toast.deleted', { n: items.length || list.length }), {
      kind: 'success',
      action: ids.length ? { label: t('action.undo'), run: () => undoDelete(ids) } : null,
    });
  });
}

export function undoDelete(ids) {
  return guarded(async () => {
    const res = await post('/trash/restore', { ids });
    const restored = (res && res.restored) || [];
    refreshFolders([...new Set(restored.map((p) => parentOf(p)))]);
    for (const m of allModels()) if (m.kind === 'walk') m.restart();
    toast(t('toast.restored', { n: ids.length }), { kind: 'success' });
  });
}

export async function renameNode(node) {
  const name = await promptDialog({ title: t('dialog.renameTitle'), label: t('dialog.newName'), value: node.name, ok: t('action.rename'), selectStem: node.type === 'file' });
  if (!name || name === node.name) return;
  if (/[\\/]/.test(name)) {
    toast(t('toast.badName'), { kind: 'error' });
    return;
  }
  return guarded(async () => {
    await post('/db/rename', { path: node.fullpath, name });
    forget([node.fullpath]);
    refreshFolders([parentOf(node.fullpath)]);
    toast(t('toast.renamed', { name: nameText(name) }), { kind: 'success' });
  });
}

export async function newFolder(model) {
  const folder = model.path.peek();
  const name = await promptDialog({ title: t('dialog.newFolderTitle'), label: t('dialog.folderName'), value: '', ok: t('action.create') });
  if (!name) return;
  if (/[\\/]/.test(name) || name === '.' || name === '..') {
    toast(t('toast.badName'), { kind: 'error' });
    return;
  }
  return guarded(async () => {
    await post('/mkdirs', { dest_folder: joinPath(folder, name) });
    refreshFolders([folder]);
    toast(t('toast.folderCreated', { name }), { kind: 'success' });
  });
}

// -- culling: rating, favourite, mark for deletion ----------------------------------------------
export function rate(nodes, stars) {
  const list = media(nodes);
  if (!list.length) return undefined;
  return guarded(async () => {
    await setRating(list, stars);
    toast(stars > 0 ? t('toast.rated', { n: stars }) : t('toast.unrated'), { kind: 'success', ms: 1200 });
  });
}

export function toggleFavourite(nodes) {
  return toggleNamedTag(nodes, FAVOURITE_TAG, 'toast.favourited', 'toast.unfavourited');
}

export function toggleDeleteMark(nodes) {
  return toggleNamedTag(nodes, DELETE_MARK_TAG, 'toast.marked', 'toast.unmarked');
}

export function toggleNamedTag(nodes, name, addedKey = 'toast.tagAdded', removedKey = 'toast.tagRemoved') {
  const list = media(nodes);
  if (!list.length) return undefined;
  return guarded(async () => {
    const action = await toggleTag(list, name);
    toast(t(action === 'add' ? addedKey : removedKey, { tag: name, n: list.length }), { kind: 'success', ms: 1200 });
  });
}

/** A shortcut bound to a custom tag ("tag:<id>", set on the tags page): toggle it. */
export function runTagShortcut(nodes, action) {
  const tag = tagOfAction(action);
  if (!tag) return false;
  if (!isReadonly.peek()) toggleNamedTag(nodes, tag.name);
  return true;
}

/** Ask for a name, create the custom tag and put it on the files. */
export async function newTagFor(nodes) {
  const list = media(nodes);
  const name = await promptDialog({ title: t('tags.newTitle'), label: t('tags.name'), value: '', ok: t('tags.createAndAdd') });
  if (!name || !name.trim() || !list.length) return undefined;
  return guarded(async () => {
    const tag = await createTag(name);
    const action = await toggleTag(list, tag.name);
    toast(t(action === 'add' ? 'toast.tagAdded' : 'toast.tagRemoved', { tag: tag.name, n: list.length }), { kind: 'success', ms: 1200 });
  });
}

/** The frame the preview's video shows becomes the file's cover. */
export function useFrameAsCover(node, video) {
  return guarded(async () => {
    if (!video || !video.videoWidth) {
      toast(t('preview.noFrame'), { kind: 'error' });
      return;
    }
    const canvas = document.createElement('canvas');
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    canvas.getContext('2d').drawImage(video, 0, 0);
    await post('/set_target_frame_as_video_cover', { base64_img: canvas.toDataURL('image/webp', 0.9), path: node.fullpath, updated_time: node.date || '' }, { blob: true });
    bumpCover(node.fullpath);
    for (const m of allModels()) m.nodes.value = m.nodes.peek().slice(); // re-render the covers
    toast(t('toast.coverSet'), { kind: 'success' });
  });
}

// -- host and system -----------------------------------------------------------------------------
// The webui page around the iframe (javascript/iib.js) takes {type: 'iib/send-to', ...}
// messages, answers each with 'iib/send-to-result', and says which targets it has ('iib/host').
export const hostTargets = signal(null);
const sends = new Map(); // id → target
let sendSeq = 0;

window.addEventListener('message', (e) => {
  if (e.source !== window.parent || e.origin !== location.origin || window.parent === window) return;
  const d = e.data;
  if (!d || typeof d !== 'object') return;
  if (d.type === 'iib/host' && Array.isArray(d.targets)) {
    hostTargets.value = d.targets.filter((x) => typeof x === 'string');
  } else if (d.type === 'iib/send-to-result' && sends.has(d.id)) {
    const target = sends.get(d.id);
    sends.delete(d.id);
    if (d.ok) toast(t('toast.sentTo', { target: t('webui.' + target) }), { kind: 'success' });
    else toast(t('toast.sendFailed', { target: t('webui.' + target), error: String(d.error || '') }), { kind: 'error' });
  }
});

/** The send-to targets to offer: what the host said it has, else the usual ones. */
export function webuiTargets() {
  const known = hostTargets.peek();
  return known ? WEBUI_TARGETS.filter((x) => known.includes(x)) : WEBUI_TARGETS;
}

/** Ask the webui page around the iframe to send this file to one of its tabs. */
export function sendToWebui(target, node) {
  const id = `iib-ui-${++sendSeq}`;
  const message = { type: 'iib/send-to', id, target, path: node.fullpath };
  window.dispatchEvent(new CustomEvent('iib:send-to', { detail: message }));
  if (!window.parent || window.parent === window) {
    toast(t('toast.noHost'), { kind: 'error' });
    return;
  }
  sends.set(id, target);
  window.parent.postMessage(message, location.origin);
}

export function openOnServer(node, how) {
  return guarded(() => post(how === 'app' ? '/open_with_default_app' : '/open_folder', { path: node.fullpath }));
}

// -- the menu: one list of actions for the context menu, the toolbar and the preview ----------
/**
 * Menu entries for `nodes` (the selection, or the item under the pointer) of `model`.
 * Each entry: {id, label, icon, run, danger, children, key}
 */
export function menuFor(model, nodes, { inPreview = false } = {}) {
  const one = nodes.length === 1 ? nodes[0] : null;
  const fileList = files(nodes);
  const mediaList = media(nodes);
  const writable = !isReadonly.peek();
  const sc = settings.peek().shortcuts;
  const items = [];
  const add = (entry) => items.push(entry);
  if (one && !inPreview) {
    add({ id: 'open', label: t('action.open'), icon: one.type === 'dir' ? 'folder' : 'image', run: () => openNode(model, one) });
  }
  if (one) {
    add({ id: 'openTab', label: one.type === 'dir' ? t('action.openInNewTab') : t('action.openFolderInNewTab'), icon: 'plus', run: () => openFolderTab(one, false) });
    add({ id: 'openSplit', label: t('action.openInSplit'), icon: 'split', run: () => openFolderTab(one, true) });
    if (one.type === 'dir') add({ id: 'walk', label: t('action.openWalk'), icon: 'walk', run: () => openTab({ kind: 'walk', path: one.fullpath }) });
  }
  add({ id: 'copyPath', label: nodes.length > 1 ? t('action.copyPaths') : t('action.copyPath'), icon: 'link', run: () => copyText(nodes.map((n) => n.fullpath).join('\n')) });
  if (fileList.length) {
    add({ id: 'download', label: fileList.length > 1 ? t('action.downloadZip') : t('action.download'), icon: 'download', key: sc.download, run: () => download(fileList), disabled: fileList.length > 1 && !writable });
    add({ id: 'batch', label: t('action.addToBatch'), icon: 'batch', run: () => addAndTell(fileList) });
  }
  for (const entry of compareEntries(nodes)) add(entry);
  if (mediaList.length) {
    const favAll = mediaList.every((f) => hasTag(f.fullpath, FAVOURITE_TAG));
    const markAll = mediaList.every((f) => hasTag(f.fullpath, DELETE_MARK_TAG));
    add({ sep: true });
    add({ id: 'favourite', label: favAll ? t('action.unfavourite') : t('action.favourite'), icon: 'heart', key: sc.favourite, run: () => toggleFavourite(mediaList), disabled: !writable });
    add({ id: 'rating', label: t('action.rate'), icon: 'star', disabled: !writable, children: [0, 1, 2, 3, 4, 5].map((n) => ({
      id: 'rate' + n, label: n ? '★'.repeat(n) : t('action.noRating'), key: sc['rate' + n], run: () => rate(mediaList, n),
    })) });
    const tags = customTags.peek().filter((tg) => !BUILTIN_TAGS.includes(tg.name));
    const tagKey = (tg) => sc['tag:' + tg.id] || undefined;
    add({ id: 'tags', label: t('action.tags'), icon: 'tag', disabled: !writable, children: [
      ...tags.map((tg) => ({
        id: 'tag' + tg.id, label: tagLabel(tg), key: tagKey(tg), check: mediaList.every((f) => hasTag(f.fullpath, tg.name)), run: () => toggleNamedTag(mediaList, tg.name),
      })),
      { id: 'newTag', label: t('tags.newEllipsis'), icon: 'plus', run: () => newTagFor(mediaList) },
    ] });
    add({ id: 'mark', label: markAll ? t('action.unmarkDelete') : t('action.markDelete'), icon: 'flag', key: sc.markDelete, run: () => toggleDeleteMark(mediaList), disabled: !writable });
  }
  if (inWebui.peek() && one && kindOf(one) === 'image') {
    add({ sep: true });
    add({ id: 'sendTo', label: t('action.sendTo'), icon: 'send', children: webuiTargets().map((target) => ({
      id: 'send-' + target, label: t('webui.' + target), run: () => sendToWebui(target, one),
    })) });
  }
  add({ sep: true });
  add({ id: 'moveTo', label: t('action.moveTo'), icon: 'move', run: () => transfer(nodes, 'move'), disabled: !writable });
  add({ id: 'copyTo', label: t('action.copyTo'), icon: 'copy', run: () => transfer(nodes, 'copy'), disabled: !writable || !fileList.length });
  if (one) add({ id: 'rename', label: t('action.rename'), icon: 'edit', key: 'F2', run: () => renameNode(one), disabled: !writable });
  if (model && model.kind === 'folder' && !inPreview) {
    add({ id: 'newFolder', label: t('action.newFolder'), icon: 'newFolder', run: () => newFolder(model), disabled: !writable });
  }
  if (one) {
    add({ id: 'system', label: t('action.system'), icon: 'external', disabled: !writable, children: [
      { id: 'reveal', label: t('action.revealOnServer'), run: () => openOnServer(one, 'folder') },
      ...(one.type === 'file' ? [{ id: 'defaultApp', label: t('action.openOnServer'), run: () => openOnServer(one, 'app') }] : []),
    ] });
  }
  add({ sep: true });
  add({ id: 'delete', label: t('action.delete'), icon: 'trash', danger: true, key: sc.delete, run: () => deleteNodes(nodes), disabled: !writable });
  return items;
}
