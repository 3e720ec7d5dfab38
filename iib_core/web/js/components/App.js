// @ts-check
// The shell: loads /global_setting, then shows the workspace and the overlays
// (preview, dialogs, context menu, toasts, the secret-key prompt).
import { useEffect } from 'preact/hooks';
import { html } from '../html.js';
import { t } from '../i18n.js';
import { authNeeded } from '../api.js';
import { attachServer } from '../settings.js';
import { globalSetting, bootError, loadGlobalSetting, preview } from '../store.js';
import { openTab, openInSplit, workspace } from '../workspace.js';
import { Workspace } from './Workspace.js';
import { Preview } from './Preview.js';
import { Dialog } from './Dialog.js';
import { ContextMenu } from './ContextMenu.js';
import { Toasts } from './Toasts.js';
import { SecretKeyPrompt } from './SecretKeyPrompt.js';
import { BatchDrawer } from './BatchDrawer.js';
import { startAutoRefresh } from '../autorefresh.js';
import { queryParam } from '../names.js';

/** ?action=open&path=<dir|alias|txt2img|img2img|extra|save>&mode=scanned|walk|scanned-fixed */
function openDeepLink(gs) {
  const q = new URLSearchParams(location.search);
  if (q.get('action') !== 'open' || !q.get('path')) return;
  const opts = gs.global_setting || {};
  const short = { txt2img: 'outdir_txt2img_samples', img2img: 'outdir_img2img_samples', extra: 'outdir_extras_samples', save: 'outdir_save' };
  let path = queryParam(location.search, 'path'); // keeps bytes that are not UTF-8 (%FF)
  if (short[path] && typeof opts[short[path]] === 'string') path = opts[short[path]];
  const alias = (gs.extra_paths || []).find((e) => e.alias && e.alias === path);
  if (alias) path = alias.path;
  openTab({ kind: q.get('mode') === 'walk' ? 'walk' : 'folder', path });
  // Once: a reload restores the workspace instead of opening the link again.
  for (const k of ['action', 'path', 'mode']) q.delete(k);
  const rest = q.toString();
  history.replaceState(history.state, '', location.pathname + (rest ? '?' + rest : '') + location.hash);
}

/** For pages that embed IIB in an iframe (export_fe_fn). */
function exportHelpers() {
  window.iib = {
    openFolder: (path) => openTab({ kind: 'folder', path }),
    openWalk: (path) => openTab({ kind: 'walk', path }),
    openInSplit: (path) => openInSplit({ kind: 'folder', path }),
    workspace: () => JSON.parse(JSON.stringify(workspace.peek())),
  };
}

export function App() {
  useEffect(() => {
    loadGlobalSetting()
      .then((gs) => {
        attachServer(gs);
        openDeepLink(gs);
        if (gs.export_fe_fn) exportHelpers();
        startAutoRefresh();
      })
      .catch((err) => {
        if (!authNeeded.peek()) bootError.value = err.message || String(err);
      });
  }, []);

  const need = authNeeded.value;
  if (need) return html`<${SecretKeyPrompt} mode=${need} />`;
  if (bootError.value) {
    return html`<div class="boot-error" role="alert">
      <h2>${t('app.cannotStart')}</h2><p>${bootError.value}</p>
      <button class="btn" onClick=${() => location.reload()}>${t('action.retry')}</button></div>`;
  }
  if (!globalSetting.value) return html`<div class="boot">${t('app.loading')}</div>`;
  return html`
    <${Workspace} />
    <${BatchDrawer} />
    ${preview.value ? html`<${Preview} />` : null}
    <${ContextMenu} />
    <${Dialog} />
    <${Toasts} />`;
}
