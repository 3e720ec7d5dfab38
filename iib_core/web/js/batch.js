// @ts-check
// The batch download list: the drawer's open state, removing and clearing, checking
// that the listed files still exist, and downloading them as one zip: POST /zip_prepare packs
// it on the server (`compress` true deflates, false stores; the user can cancel while it packs),
// then the browser fetches it with a plain GET and streams it to disk.
import { signal, computed } from '@preact/signals';
import { post, startDownload, zipDownloadUrl } from './api.js';
import { t } from './i18n.js';
import { humanSize } from './media.js';
import { batchList, addToBatch, toast, toastError, BATCH_MAX } from './store.js';

export const drawerOpen = signal(false);
/** The archive being packed: {compress, n, phase: 'packing', cancel} or null. */
export const zipJob = signal(null);

export const batchBytes = computed(() => batchList.value.reduce((s, f) => s + (Number(f.bytes) || 0), 0));

export function openDrawer() {
  drawerOpen.value = true;
}

export function closeDrawer() {
  drawerOpen.value = false;
}

export function toggleDrawer() {
  drawerOpen.value = !drawerOpen.peek();
}

export function removeFromBatch(paths) {
  const gone = new Set(paths);
  const before = batchList.peek();
  const after = before.filter((f) => !gone.has(f.fullpath));
  if (after.length !== before.length) batchList.value = after;
  return before.length - after.length;
}

export function clearBatch() {
  batchList.value = [];
}

/** Add files and say so (with a way to open the drawer). */
export function addAndTell(files) {
  const n = addToBatch(files);
  const total = batchList.peek().length;
  if (!n && total >= BATCH_MAX) {
    toast(t('batch.full', { max: BATCH_MAX }), { kind: 'error' });
    return 0;
  }
  toast(t('toast.addedToBatch', { n, total }), {
    kind: 'success',
    action: drawerOpen.peek() ? null : { label: t('batch.show'), run: openDrawer },
  });
  return n;
}

const CHUNK = 2000;

async function chunked(route, paths, size = CHUNK) {
  const out = {};
  for (let i = 0; i < paths.length; i += size) {
    Object.assign(out, await post(route, { paths: paths.slice(i, i + size) }));
  }
  return out;
}

let checking = null;

/**
 * Drop the files that no longer exist (with a notice) and refresh the sizes of the rest.
 * Resolves to the number dropped. Concurrent calls share one check.
 */
export function validateBatch() {
  if (checking) return checking;
  checking = (async () => {
    const paths = batchList.peek().map((f) => f.fullpath);
    if (!paths.length) return 0;
    let exists;
    try {
      exists = await chunked('/check_path_exists', paths);
    } catch (err) {
      return 0; // offline or not allowed: keep the list as it is
    }
    const gone = paths.filter((p) => exists[p] !== true);
    if (gone.length) {
      removeFromBatch(gone);
      toast(t('batch.gone', { n: gone.length }), { kind: 'info', ms: 6000 });
    }
    const kept = paths.filter((p) => exists[p] === true);
    try {
      const info = await chunked('/batch_get_files_info', kept, 500);
      const next = batchList.peek().map((f) => {
        const n = info[f.fullpath];
        return n && n.type === 'file' && (n.bytes !== f.bytes || n.date !== f.date)
          ? { ...f, bytes: n.bytes, size: n.size, date: n.date } : f;
      });
      if (next.some((f, i) => f !== batchList.peek()[i])) batchList.value = next;
    } catch (err) {
      /* a file vanished in between: the sizes stay as they were */
    }
    return gone.length;
  })().finally(() => { checking = null; });
  return checking;
}

/**
 * Pack `paths` on the server (POST /zip_prepare), then let the browser fetch the archive by its
 * ticket with a plain GET, streamed to disk: no archive is held in page memory. Resolves to
 * {ticket, name, bytes}.
 */
export async function packAndDownload(paths, compress, signal) {
  const packed = await post('/zip_prepare', { paths, compress: !!compress }, { signal });
  startDownload(zipDownloadUrl(packed.ticket), packed.name);
  return packed;
}

/** Download the whole list as one zip: `compress` false packs without compression (stored). */
export async function downloadBatch(compress) {
  if (zipJob.peek()) return;
  await validateBatch();
  const list = batchList.peek();
  if (!list.length) return;
  const ctrl = new AbortController();
  const job = { compress, n: list.length, phase: 'packing', cancel: () => ctrl.abort() };
  zipJob.value = job;
  try {
    const packed = await packAndDownload(list.map((f) => f.fullpath), compress, ctrl.signal);
    toast(t('batch.downloaded', { n: list.length, size: humanSize(packed.bytes) }), { kind: 'success' });
  } catch (err) {
    if (err && err.name === 'AbortError') toast(t('batch.cancelled'));
    else toastError(err);
  } finally {
    zipJob.value = null;
  }
}
