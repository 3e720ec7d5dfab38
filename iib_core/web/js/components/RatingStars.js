// @ts-check
// Five stars: click a star to rate, click the current rating again to clear it.
import { html } from '../html.js';
import { t } from '../i18n.js';
import { Icon } from '../icons.js';

export function RatingStars({ value, onChange, disabled }) {
  return html`<div class="stars" role="radiogroup" aria-label=${t('preview.rating')} data-rating=${value}>
    ${[1, 2, 3, 4, 5].map((n) => html`<button key=${n} class=${'star' + (n <= value ? ' on' : '')} role="radio" aria-checked=${n === value}
      aria-label=${t('preview.stars', { n })} title=${t('preview.stars', { n })} disabled=${disabled}
      onClick=${() => onChange(n === value ? 0 : n)}><${Icon} name="star" size=${17} fill=${n <= value} /></button>`)}
  </div>`;
}
