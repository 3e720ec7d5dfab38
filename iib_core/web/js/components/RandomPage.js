// Placeholder: replaced by the page's implementation.
import { html } from '../html.js';

export function RandomPage() {
  return html`<div class="page-placeholder"></div>`;
}
