// @ts-check
// Shown when the server answers 401 secret_verification_failed: the key is turned into
// the IIB_S cookie (sha256(key + "_ciallo"), docs/api.md, "Conventions") and the app starts again.
import { useState, useRef, useEffect } from 'preact/hooks';
import { html } from '../html.js';
import { t, LANGUAGES, lang } from '../i18n.js';
import { update } from '../settings.js';
import { BASE } from '../api.js';
import { sha256Hex } from '../sha256.js';

export async function setSecretCookie(key) {
  const hex = await sha256Hex(key + '_ciallo');
  document.cookie = `IIB_S=${hex}; path=/; SameSite=Lax`;
  return hex;
}

export function SecretKeyPrompt({ mode }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const input = useRef(null);
  useEffect(() => { if (input.current) input.current.focus(); }, []);

  if (mode === 'required') {
    return html`<div class="modal-backdrop solid"><div class="dialog" role="alertdialog" aria-modal="true">
      <h3>${t('secret.requiredTitle')}</h3><p>${t('secret.requiredText')}</p></div></div>`;
  }
  const submit = async (e) => {
    e.preventDefault();
    if (!key) return;
    setBusy(true);
    setError(null);
    try {
      await setSecretCookie(key);
      const res = await fetch(BASE + '/global_setting', { credentials: 'same-origin' });
      if (res.status === 401) {
        setError(t('secret.wrong'));
        return;
      }
      location.reload();
    } catch (err) {
      setError(err.message || String(err));
    } finally {
      setBusy(false);
    }
  };
  return html`<div class="modal-backdrop solid">
    <form class="dialog secret-dialog" role="dialog" aria-modal="true" aria-labelledby="secret-title" onSubmit=${submit}>
      <div class="brand"><span class="logo">∞</span></div>
      <h3 id="secret-title">${t('secret.title')}</h3>
      <p class="muted">${t('secret.text')}</p>
      <label class="field"><span>${t('secret.label')}</span>
        <input ref=${input} class="input" type="password" name="secret" autocomplete="current-password" value=${key}
          onInput=${(e) => setKey(e.currentTarget.value)} /></label>
      ${error ? html`<p class="error-text" role="alert">${error}</p>` : null}
      <div class="dialog-buttons">
        <select class="input compact" aria-label=${t('settings.language')} value=${lang.value} onChange=${(e) => update('lang', e.currentTarget.value)}>
          ${LANGUAGES.map((l) => html`<option value=${l.id}>${l.name}</option>`)}
        </select>
        <span class="grow"></span>
        <button class="btn primary" type="submit" disabled=${busy || !key}>${t('secret.submit')}</button>
      </div>
    </form>
  </div>`;
}
