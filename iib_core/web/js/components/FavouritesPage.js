// @ts-check
// The favourites page: the files with the favourite tag in the usual result grid,
// optionally only those rated at least N stars (or every rated file, favourite or not).
import { useEffect } from 'preact/hooks';
import { html } from '../html.js';
import { t } from '../i18n.js';
import { Icon } from '../icons.js';
import { post } from '../api.js';
import { customTags } from '../store.js';
import { updateTabState } from '../workspace.js';
import { resultsModelFor } from '../results.js';
import { FAVOURITE_TAG } from '../annotations.js';
import { ResultsPane } from './ResultsPane.js';

const EMPTY = { files: [], cursor: { has_next: false, next: '' } };

export function FavouritesPage({ tab }) {
  const st = tab.state || {};
  const minRating = Math.max(0, Math.min(5, Number(st.minRating) || 0));
  const favOnly = st.favOnly !== false;
  const model = resultsModelFor(tab);
  model.emptyText = () => (favOnly ? t('tags.noFavourites') : t('tags.noRated'));

  const search = (state) => {
    const rating = Math.max(0, Math.min(5, Number(state.minRating) || 0));
    const onlyFav = state.favOnly !== false;
    const like = customTags.peek().find((tg) => tg.name === FAVOURITE_TAG);
    if (!onlyFav && !rating) {
      model.restart(null);
      return;
    }
    model.restart(async (cursor) => {
      if (onlyFav && !like) return EMPTY;
      return post('/db/match_images_by_tags', { and_tags: onlyFav ? [like.id] : [], or_tags: [], not_tags: [], cursor,
        size: 200, min_rating: rating || null });
    });
  };

  const change = (patch) => {
    updateTabState(tab.id, patch);
    search({ ...st, ...patch });
  };

  useEffect(() => {
    if (!model.started.peek()) search(st);
  }, []);

  return html`<div class="favourites-page">
    <${ResultsPane} model=${model} className="favourites-results">
      <span class="page-heading"><${Icon} name="heart" size=${16} /> ${t('tab.favourites')}</span>
      <button class=${'btn small fav-only' + (favOnly ? ' on' : '')} aria-pressed=${favOnly ? 'true' : 'false'}
        title=${t('tags.favOnlyHint')} onClick=${() => change({ favOnly: !favOnly })}>
        <${Icon} name="heart" size=${14} fill=${favOnly} /> ${t('tags.favOnly')}</button>
      <label class="row small">${t('tags.minRating')}
        <select class="input compact" name="min-rating" value=${String(minRating)} aria-label=${t('tags.minRating')}
          onChange=${(e) => change({ minRating: Number(e.currentTarget.value) })}>
          <option value="0">${t('tags.anyRating')}</option>
          ${[1, 2, 3, 4, 5].map((n) => html`<option key=${n} value=${String(n)}>${t('tags.atLeast', { stars: '★'.repeat(n) })}</option>`)}
        </select></label>
      <span class="grow"></span>
      <button class="btn small" title=${t('tags.again')} aria-label=${t('tags.again')} onClick=${() => search(st)}>
        <${Icon} name="refresh" size=${14} /></button>
    <//>
  </div>`;
}
