// Placeholder: replaced by the page's implementation.
import { html } from '../html.js';

export function SearchPage() {
  return html`<div class="page-placeholder"></div>`;
}
