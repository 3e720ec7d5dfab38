// @ts-check
// Toasts: outcomes of actions and readable API errors, some with an action (Undo).
import { html } from '../html.js';
import { t } from '../i18n.js';
import { Icon } from '../icons.js';
import { toasts, dismissToast } from '../store.js';

export function Toasts() {
  const list = toasts.value;
  return html`<div class="toasts" aria-live="polite">
    ${list.map((x) => html`<div key=${x.id} class=${'toast ' + x.kind} role=${x.kind === 'error' ? 'alert' : 'status'}>
      <span class="toast-text">${x.text}</span>
      ${x.action ? html`<button class="btn small toast-action" onClick=${() => { dismissToast(x.id); x.action.run(); }}>
        ${x.action.label === t('action.undo') ? html`<${Icon} name="undo" size=${14} />` : null} ${x.action.label}</button>` : null}
      <button class="icon-btn small" aria-label=${t('action.close')} onClick=${() => dismissToast(x.id)}><${Icon} name="close" size=${14} /></button>
    </div>`)}
  </div>`;
}
