// @ts-check
// Entry point: load the strings, render the app.
import { render } from 'preact';
import { effect, computed } from '@preact/signals';
import { html } from './html.js';
import { settings } from './settings.js';
import { setLanguage } from './i18n.js';
import { App } from './components/App.js';

const choice = computed(() => settings.value.lang);
let first = true;
effect(() => {
  const done = setLanguage(choice.value).catch((err) => console.error(err));
  if (first) {
    first = false;
    done.then(() => render(html`<${App} />`, document.getElementById('app')));
  }
});
