// @ts-check
// Media kinds by extension (as iib_core/media/kinds.py) and the small path helpers the UI needs.
import { t } from './i18n.js';

const IMAGE = new Set(['jpg', 'jpeg', 'png', 'gif', 'bmp', 'webp', 'avif', 'jpe']);
const VIDEO = new Set(['mp4', 'm4v', 'avi', 'mkv', 'mov', 'wmv', 'flv', 'ts', 'webm']);
const AUDIO = new Set(['mp3', 'wav', 'ogg', 'flac', 'm4a', 'aac', 'wma']);

export function extOf(name) {
  const i = name.lastIndexOf('.');
  return i < 0 ? '' : name.slice(i + 1).toLowerCase();
}

/** 'image' | 'video' | 'audio' | 'dir' | 'other' | 'special' (a FIFO, socket, broken or looping
 * link, unreadable folder: listed by the server with `special`, never opened) */
export function kindOf(node) {
  if (node.special) return 'special';
  if (node.type === 'dir') return 'dir';
  const ext = extOf(node.name);
  if (IMAGE.has(ext)) return 'image';
  if (VIDEO.has(ext)) return 'video';
  if (AUDIO.has(ext)) return 'audio';
  return 'other';
}

/** Why an entry is greyed out and cannot be opened (the server's `special` code, translated). */
export function specialReason(node) {
  switch (node.special) {
    case 'fifo': return t('special.fifo');
    case 'socket': return t('special.socket');
    case 'device': return t('special.device');
    case 'broken_link': return t('special.brokenLink');
    case 'link_loop': return t('special.linkLoop');
    case 'link_denied': return t('special.linkDenied');
    case 'unreadable': return t('special.unreadable');
    default: return t('special.other');
  }
}

export const isMedia = (node) => {
  const k = kindOf(node);
  return k === 'image' || k === 'video' || k === 'audio';
};

/** The server's separator: backslashes only on Windows paths. */
export function sepOf(path) {
  return /^[A-Za-z]:\\/.test(path) || (path.includes('\\') && !path.includes('/')) ? '\\' : '/';
}

export function joinPath(dir, name) {
  const sep = sepOf(dir);
  return dir.endsWith(sep) ? dir + name : dir + sep + name;
}

export function parentOf(path) {
  const sep = sepOf(path);
  const trimmed = path.length > 1 && path.endsWith(sep) ? path.slice(0, -1) : path;
  const i = trimmed.lastIndexOf(sep);
  if (i < 0) return trimmed;
  if (i === 0) return sep;
  const parent = trimmed.slice(0, i);
  return /^[A-Za-z]:$/.test(parent) ? parent + sep : parent;
}

export function baseName(path) {
  const sep = sepOf(path);
  const trimmed = path.length > 1 && path.endsWith(sep) ? path.slice(0, -1) : path;
  return trimmed.slice(trimmed.lastIndexOf(sep) + 1) || trimmed;
}

/** True when `path` is `root` or lies inside it, comparing whole components. */
export function isInside(path, root) {
  if (path === root) return true;
  const sep = sepOf(root);
  return path.startsWith(root.endsWith(sep) ? root : root + sep);
}

/** A size in bytes for people: 1.83 MB. */
export function humanSize(bytes) {
  if (bytes === undefined || bytes === null) return '';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let n = bytes;
  let u = 0;
  while (n >= 1024 && u < units.length - 1) {
    n /= 1024;
    u++;
  }
  return (u === 0 ? String(n) : n.toFixed(n < 10 ? 2 : 1)) + ' ' + units[u];
}
