// @ts-check
// The random page: a grid of random indexed images, drawn again with the refresh
// button or the R key (while this page is the active tab). Every grid action works.
import { useEffect } from 'preact/hooks';
import { html } from '../html.js';
import { t } from '../i18n.js';
import { Icon } from '../icons.js';
import { preview, dialog, contextMenu } from '../store.js';
import { activeTab } from '../workspace.js';
import { resultsModelFor } from '../results.js';
import { keyName, isTyping, shortcutAction } from '../keys.js';
import { settings } from '../settings.js';
import { randomPage } from '../search.js';
import { ResultsPane } from './ResultsPane.js';

export function RandomPage({ tab }) {
  const model = resultsModelFor(tab);
  if (!model.randomReady) {
    model.randomReady = true;
    model.filter.value = 'all';
  }
  model.emptyText = () => t('search.randomEmpty');
  const refresh = () => model.restart(randomPage);

  useEffect(() => {
    if (!model.started.peek()) refresh();
  }, []);

  useEffect(() => {
    const onKey = (e) => {
      if (e.defaultPrevented || isTyping(e) || !activeTab.peek() || activeTab.peek().id !== tab.id) return;
      if (preview.peek() || dialog.peek() || contextMenu.peek()) return;
      if (keyName(e) !== 'r' || shortcutAction(e, settings.peek().shortcuts)) return;
      e.preventDefault();
      refresh();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [tab.id]);

  return html`<div class="random-page" data-epoch=${model.epoch.value}>
    <${ResultsPane} model=${model} className="random-results">
      <span class="page-heading"><${Icon} name="shuffle" size=${16} /> ${t('tab.random')}</span>
      <span class="muted small random-hint">${t('search.randomHint')}</span>
      <span class="grow"></span>
      <button class="btn small random-refresh" title=${t('search.randomAgainHint')} disabled=${model.loading.value}
        onClick=${refresh}><${Icon} name="refresh" size=${15} /> ${t('search.randomAgain')} <kbd>R</kbd></button>
    <//>
  </div>`;
}
