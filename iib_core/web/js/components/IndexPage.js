// Placeholder: replaced by the page's implementation.
import { html } from '../html.js';

export function IndexPage() {
  return html`<div class="page-placeholder"></div>`;
}
