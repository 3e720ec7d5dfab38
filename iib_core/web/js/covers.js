// @ts-check
// Folder cards show up to four of the folder's newest media (batch_top_4_media_info).
import { signal } from '@preact/signals';
import { post } from './api.js';

export const covers = signal(new Map()); // folder → DirCoverItem[]
const wanted = new Set();
const asked = new Set();
let timer = 0;

export function wantCovers(paths) {
  let added = false;
  for (const p of paths) {
    if (!asked.has(p)) {
      wanted.add(p);
      asked.add(p);
      added = true;
    }
  }
  if (added && !timer) timer = setTimeout(flush, 80);
}

async function flush() {
  timer = 0;
  const paths = [...wanted].slice(0, 100);
  for (const p of paths) wanted.delete(p);
  if (wanted.size) timer = setTimeout(flush, 50);
  try {
    const res = await post('/batch_top_4_media_info', { paths });
    const next = new Map(covers.peek());
    for (const p of paths) next.set(p, (res && res[p]) || []);
    covers.value = next;
  } catch (e) {
    for (const p of paths) asked.delete(p); // try again when they scroll back into view
  }
}

/** Forget covers (a folder's content changed). */
export function dropCovers(paths) {
  for (const p of paths) asked.delete(p);
}
