// @ts-check
// The images of one topic, or of a sentence search, in the standard result grid.
import { useEffect } from 'preact/hooks';
import { html } from '../html.js';
import { t } from '../i18n.js';
import { Icon } from '../icons.js';
import { resultsModelFor } from '../results.js';
import { topicPaths, pathsSource } from '../topics.js';
import { ResultsPane } from './ResultsPane.js';

export function TopicResultsPage({ tab }) {
  const st = tab.state || {};
  const model = resultsModelFor(tab);
  model.emptyText = () => t('ai.noImages');
  const run = () => {
    model.restart(async (cursor) => {
      if (!model.source) {
        const { paths } = await topicPaths(st);
        model.source = pathsSource(paths);
      }
      return model.source(cursor);
    });
  };
  useEffect(() => {
    if (!model.started.peek()) run();
  }, []);
  const title = st.mode === 'cluster' ? st.title || st.cluster : st.query;
  return html`<${ResultsPane} model=${model} className="topic-results">
    <span class="topic-results-title"><${Icon} name=${st.mode === 'cluster' ? 'sparkles' : 'search'} size=${16} />
      <strong>${title}</strong></span>
    <span class="grow"></span>
    <button class="icon-btn" title=${t('action.refresh')} aria-label=${t('action.refresh')} onClick=${() => { model.source = null; run(); }}><${Icon} name="refresh" /></button>
  <//>`;
}

export function topicTabTitle(tab) {
  const st = tab.state || {};
  const name = st.mode === 'cluster' ? st.title || st.cluster : st.query;
  return name ? `${st.mode === 'cluster' ? '◆' : '“'} ${name}` : t('tab.topics');
}
