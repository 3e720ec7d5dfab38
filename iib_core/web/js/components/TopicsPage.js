// Placeholder: replaced by the page's implementation.
import { html } from '../html.js';

export function TopicsPage() {
  return html`<div class="page-placeholder"></div>`;
}
