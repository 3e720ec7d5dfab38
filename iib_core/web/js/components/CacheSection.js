// @ts-check
// Settings → Cache: what the server's cache folder holds per area (thumbnails, video covers,
// batch-download archives, trash), "Clean now" (the retention rules) and "Empty" per area.
// Writes need read-write permission; the trash asks before it is emptied.
import { useState, useEffect } from 'preact/hooks';
import { html } from '../html.js';
import { t } from '../i18n.js';
import { Icon } from '../icons.js';
import { get, post } from '../api.js';
import { toast, toastError, confirmDialog, isReadonly } from '../store.js';
import { humanSize } from '../media.js';

const AREAS = ['thumbnails', 'video_covers', 'zip_temp', 'trash'];

function limitsText(usage) {
  const limits = usage.limits;
  if (!limits) return '';
  const cap = limits.cache_max_mb
    ? t('cache.cap', { used: humanSize(usage.capped_bytes), size: humanSize(limits.cache_max_mb * 1024 * 1024) }) : t('cache.noCap');
  const zip = limits.zip_keep_hours ? t('cache.zipKeep', { n: limits.zip_keep_hours }) : t('cache.zipForever');
  const trash = limits.trash_keep_days ? t('cache.trashKeep', { n: limits.trash_keep_days }) : t('cache.trashForever');
  return [cap, zip, trash].join(' · ');
}

function AreaRow({ area, usage, busy, readonly, onEmpty }) {
  const items = usage.items || 0;
  const count = area !== 'trash' ? (usage.files === 1 ? t('cache.oneFile') : t('cache.fileCount', { n: usage.files }))
    : items === 1 ? t('cache.oneItem', { files: usage.files }) : t('cache.itemCount', { n: items, files: usage.files });
  const label = t('cache.area.' + area);
  return html`<tr class="cache-row" data-area=${area} data-bytes=${usage.bytes} data-files=${usage.files}>
    <th scope="row">${label}</th>
    <td class="cache-size">${humanSize(usage.bytes)}</td>
    <td class="cache-count muted">${count}</td>
    <td class="cache-actions">
      <button class="btn small" disabled=${busy || readonly || !usage.files} onClick=${() => onEmpty(area)}
        aria-label=${t('cache.emptyArea', { area: label })} title=${t('cache.emptyArea', { area: label })}>${t('cache.empty')}</button>
    </td>
  </tr>`;
}

export function CacheSection() {
  const [usage, setUsage] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const readonly = isReadonly.value;

  const load = async () => {
    try {
      setUsage(await get('/cache/usage'));
      setError(null);
    } catch (err) {
      setError(err && err.message ? err.message : String(err));
    }
  };
  useEffect(() => { load(); }, []);

  const run = async (body) => {
    setBusy(true);
    try {
      const res = await post('/cache/clean', body);
      setUsage(res.usage);
      setError(null);
      toast(t('cache.freed', { size: humanSize(res.freed_bytes) }), { kind: 'success' });
      (res.errors || []).forEach((e) => toast(e, { kind: 'error' }));
    } catch (err) {
      toastError(err);
    } finally {
      setBusy(false);
    }
  };

  const empty = async (area) => {
    if (area === 'trash') {
      const n = (usage && usage.areas.trash.items) || 0;
      const message = n === 1 ? t('cache.emptyTrashOne') : t('cache.emptyTrashMessage', { n });
      const ok = await confirmDialog({ title: t('cache.emptyTrashTitle'), message,
        ok: t('cache.empty'), danger: true });
      if (!ok) return;
    }
    await run({ areas: [area] });
  };

  return html`<section class="settings-section cache-section" aria-labelledby="cache-title">
    <div class="cache-head">
      <h2 id="cache-title">${t('cache.title')}</h2>
      <button class="icon-btn small" onClick=${load} disabled=${busy} title=${t('cache.refresh')} aria-label=${t('cache.refresh')}>
        <${Icon} name="refresh" size=${14} /></button>
    </div>
    ${error ? html`<p class="error-text small" role="alert">${t('cache.loadFailed', { error })}</p>` : null}
    ${usage ? html`
      <p class="muted small cache-dir" title=${usage.cache_dir}>${usage.cache_dir}</p>
      <table class="cache-table">
        <tbody>
          ${AREAS.map((a) => html`<${AreaRow} key=${a} area=${a} usage=${usage.areas[a]} busy=${busy} readonly=${readonly} onEmpty=${empty} />`)}
        </tbody>
        <tfoot>
          <tr class="cache-total" data-bytes=${usage.total_bytes}>
            <th scope="row">${t('cache.total')}</th>
            <td class="cache-size">${humanSize(usage.total_bytes)}</td>
            <td colspan="2"></td>
          </tr>
        </tfoot>
      </table>
      <p class="muted small">${limitsText(usage)}</p>` : !error ? html`<p class="muted small">${t('cache.loading')}</p>` : null}
    <div class="cache-buttons">
      <button class="btn primary cache-clean" disabled=${busy || readonly || !usage} onClick=${() => run(undefined)}>
        ${busy ? t('cache.cleaning') : t('cache.cleanNow')}</button>
      <span class="muted small">${readonly ? t('cache.readonly') : t('cache.cleanHint')}</span>
    </div>
  </section>`;
}
