// @ts-check
// Ratings and custom tags of the files on screen, fetched in batches for what is visible
// and cached; culling writes through here so every grid and the preview agree.
import { signal } from '@preact/signals';
import { post, ApiError } from './api.js';
import { customTags, globalSetting, toast } from './store.js';
import { t } from './i18n.js';

export const FAVOURITE_TAG = 'like';
export const DELETE_MARK_TAG = 'marked-for-deletion';

/** path → {rating: number|null, tags: Tag[]} */
export const annotations = signal(new Map());
const wanted = new Set();
const inflight = new Set();
let timer = 0;

export function want(paths) {
  const have = annotations.peek();
  let added = false;
  for (const p of paths) {
    if (!have.has(p) && !inflight.has(p)) {
      wanted.add(p);
      added = true;
    }
  }
  if (added && !timer) timer = setTimeout(flush, 120);
}

async function flush() {
  timer = 0;
  const paths = [...wanted].slice(0, 400);
  for (const p of paths) {
    wanted.delete(p);
    inflight.add(p);
  }
  if (wanted.size) timer = setTimeout(flush, 50);
  try {
    const [tags, ratings] = await Promise.all([
      post('/db/get_image_tags', { paths }),
      post('/db/get_ratings', { paths }).catch(() => ({})),
    ]);
    const next = new Map(annotations.peek());
    for (const p of paths) next.set(p, { rating: (ratings && ratings[p]) || null, tags: (tags && tags[p]) || [] });
    annotations.value = next;
  } catch (e) {
    /* shown without badges; a later scroll asks again */
  } finally {
    for (const p of paths) inflight.delete(p);
  }
}

export function forget(paths) {
  const next = new Map(annotations.peek());
  for (const p of paths) next.delete(p);
  annotations.value = next;
}

function patch(path, fn) {
  const next = new Map(annotations.peek());
  const cur = next.get(path) || { rating: null, tags: [] };
  next.set(path, fn(cur));
  annotations.value = next;
}

const NEED_INDEX = /generate an index/i;

/** Run a tag/rating call; when the index is still empty, build it once and retry. */
async function withIndex(call) {
  try {
    return await call();
  } catch (err) {
    if (err instanceof ApiError && err.status === 400 && NEED_INDEX.test(err.message)) {
      toast(t('toast.indexing'));
      await post('/db/update_image_data', {});
      return call();
    }
    throw err;
  }
}

export async function setRating(files, rating) {
  const value = rating > 0 ? rating : null;
  const one = async (f) => {
    await withIndex(() => post('/db/set_rating', { path: f.fullpath, rating: value }));
    patch(f.fullpath, (cur) => ({ ...cur, rating: value }));
  };
  await one(files[0]); // builds the index first when needed
  for (let i = 1; i < files.length; i += 6) await Promise.all(files.slice(i, i + 6).map(one));
}

/** The custom tag named `name`, created when missing. */
export async function ensureTag(name) {
  const found = customTags.peek().find((tg) => tg.name === name);
  if (found) return found;
  const tag = await post('/db/add_custom_tag', { tag_name: name });
  const gs = globalSetting.peek();
  if (gs && !gs.all_custom_tags.some((tg) => tg.id === tag.id)) {
    globalSetting.value = { ...gs, all_custom_tags: [...gs.all_custom_tags, tag] };
  }
  return tag;
}

export function hasTag(path, name) {
  const a = annotations.value.get(path);
  return !!(a && a.tags.some((tg) => tg.name === name));
}

/**
 * Toggle a custom tag on files. With several files the result is uniform: when any of
 * them lacks the tag, all get it; otherwise it is removed from all.
 */
// Toggles run one after another: two keys pressed in quick succession ("f" then "x") must not
// both read the file's tags before either wrote them (the second would undo the first's badge).
/** @type {Promise<unknown>} */
let toggleChain = Promise.resolve();

export function toggleTag(files, name) {
  const run = toggleChain.then(() => toggleTagNow(files, name));
  toggleChain = run.catch(() => {});
  return run;
}

async function toggleTagNow(files, name) {
  if (!files.length) return;
  const tag = await ensureTag(name);
  const unknown = files.filter((f) => !annotations.peek().has(f.fullpath)).map((f) => f.fullpath);
  if (unknown.length) {
    const found = await post('/db/get_image_tags', { paths: unknown });
    for (const p of unknown) patch(p, (cur) => ({ ...cur, tags: (found && found[p]) || [] }));
  }
  const map = annotations.peek();
  const allHave = files.every((f) => (map.get(f.fullpath) || { tags: [] }).tags.some((tg) => tg.id === tag.id));
  const action = allHave ? 'remove' : 'add';
  await withIndex(() => post('/db/batch_update_image_tag', { img_paths: files.map((f) => f.fullpath), action, tag_id: tag.id }));
  for (const f of files) {
    patch(f.fullpath, (cur) => ({
      ...cur,
      tags: action === 'add' ? [...cur.tags.filter((tg) => tg.id !== tag.id), tag] : cur.tags.filter((tg) => tg.id !== tag.id),
    }));
  }
  return action;
}
