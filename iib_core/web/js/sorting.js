// @ts-check
// Sorting and filtering of listings: folders first, then files by name, date or size.
import { kindOf } from './media.js';

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

function comparer(by) {
  if (by === 'name') return (a, b) => collator.compare(a.name, b.name);
  if (by === 'size') return (a, b) => (a.bytes || 0) - (b.bytes || 0) || collator.compare(a.name, b.name);
  if (by === 'created') {
    return (a, b) => cmpStr(a.created_time || a.date || '', b.created_time || b.date || '') || collator.compare(a.name, b.name);
  }
  // IIB dates (YYYY-MM-DD HH:MM:SS) order as strings.
  return (a, b) => cmpStr(a.date || '', b.date || '') || collator.compare(a.name, b.name);
}

const cmpStr = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

export function matchesFilter(node, filter) {
  if (node.type === 'dir') return true;
  const k = kindOf(node);
  if (filter === 'all') return true;
  if (filter === 'image') return k === 'image';
  if (filter === 'video') return k === 'video' || k === 'audio';
  return k !== 'other'; // 'media'
}

/** Folders first (by name, or the same order for date), then the files. */
export function arrange(nodes, by, dir, filter, { dirs = true } = {}) {
  const cmp = comparer(by);
  const sign = dir === 'asc' ? 1 : -1;
  const folders = [];
  const files = [];
  for (const n of nodes) {
    if (n.type === 'dir') {
      if (dirs) folders.push(n);
    } else if (matchesFilter(n, filter)) {
      files.push(n);
    }
  }
  const ordered = (a, b) => sign * cmp(a, b);
  folders.sort(by === 'size' ? (a, b) => collator.compare(a.name, b.name) : ordered);
  files.sort(ordered);
  return folders.length ? folders.concat(files) : files;
}
