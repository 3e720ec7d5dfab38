// @ts-check
// Tag state shared by the tag pages, the context menu and the grid badges: custom tags
// (create, rename, recolour, delete, kept in globalSetting.all_custom_tags), tags grouped by
// type (/db/tag_groups), the user's translation table (app_fe_setting "tag_translations")
// and the shortcuts bound to tags (settings.shortcuts["tag:<id>"]).
import { computed } from '@preact/signals';
import { html } from './html.js';
import { post } from './api.js';
import { t } from './i18n.js';
import { globalSetting } from './store.js';
import { annotations, FAVOURITE_TAG, DELETE_MARK_TAG } from './annotations.js';
import { settings, update } from './settings.js';

export const BUILTIN_TAGS = [FAVOURITE_TAG, DELETE_MARK_TAG];

/** The order of the tag groups (the Tag types of docs/api.md); other types follow by name. */
export const TYPE_ORDER = ['custom', 'Source Identifier', 'Model', 'Media Type', 'lora', 'lyco', 'pos', 'size', 'Sampler',
  'Postprocess upscaler', 'Postprocess upscale by'];

const TYPE_KEYS = {
  custom: 'tags.type.custom', 'Source Identifier': 'tags.type.generator', Model: 'tags.type.model', 'Media Type': 'tags.type.media',
  lora: 'tags.type.lora', lyco: 'tags.type.lyco', pos: 'tags.type.pos', size: 'tags.type.size', Sampler: 'tags.type.sampler',
  'Postprocess upscaler': 'tags.type.upscaler', 'Postprocess upscale by': 'tags.type.upscaleBy',
};

export function typeLabel(type) {
  return TYPE_KEYS[type] ? t(TYPE_KEYS[type]) : type;
}

export function sortGroups(groups) {
  const rank = (g) => {
    const i = TYPE_ORDER.indexOf(g.type);
    return i < 0 ? TYPE_ORDER.length : i;
  };
  return [...groups].sort((a, b) => rank(a) - rank(b) || (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
}

// -- translations ------------------------------------------------------------------------------
export const TRANSLATIONS_KEY = 'tag_translations';

/** {tag name: translated name}, as stored on the server. */
export const translations = computed(() => {
  const gs = globalSetting.value;
  const raw = gs && gs.app_fe_setting && gs.app_fe_setting[TRANSLATIONS_KEY];
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return {};
  const out = {};
  for (const [k, v] of Object.entries(raw)) if (typeof v === 'string' && v.trim()) out[k] = v;
  return out;
});

/** The name to show: the user's translation, the server's display name, or the name. */
export function tagLabel(tag) {
  if (!tag) return '';
  return translations.value[tag.name] || tag.display_name || tag.name;
}

/** Parse a translation table typed or pasted as JSON: {"name": "translation"}. Throws on bad input. */
export function parseTranslations(text) {
  const value = JSON.parse(text);
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error(t('tags.translationsNotObject'));
  const out = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw new Error(t('tags.translationsNotText', { name: k }));
    const name = k.trim();
    if (name && v.trim()) out[name] = v.trim();
  }
  return out;
}

function patchFeSetting(key, value) {
  const gs = globalSetting.peek();
  if (!gs) return;
  globalSetting.value = { ...gs, app_fe_setting: { ...(gs.app_fe_setting || {}), [key]: value } };
}

export async function saveTranslations(table) {
  await post('/app_fe_setting', { name: TRANSLATIONS_KEY, value: JSON.stringify(table) });
  patchFeSetting(TRANSLATIONS_KEY, table);
}

/** Names whose translation contains `text` (case-insensitive), for the autocomplete. */
export function namesByTranslation(text, max = 200) {
  const q = text.trim().toLowerCase();
  if (!q) return [];
  const out = [];
  for (const [name, tr] of Object.entries(translations.peek())) {
    if (tr.toLowerCase().includes(q)) out.push(name);
    if (out.length >= max) break;
  }
  return out;
}

// -- custom tags ---------------------------------------------------------------------------------
function setCustomTags(fn) {
  const gs = globalSetting.peek();
  if (gs) globalSetting.value = { ...gs, all_custom_tags: fn(gs.all_custom_tags || []) };
}

/** Replace (or drop, with null) a tag in every cached file annotation: the badges follow. */
function patchAnnotations(id, tag) {
  const next = new Map();
  let changed = false;
  for (const [path, a] of annotations.peek()) {
    if (a.tags.some((tg) => tg.id === id)) {
      changed = true;
      next.set(path, { ...a, tags: tag ? a.tags.map((tg) => (tg.id === id ? { ...tg, ...tag } : tg)) : a.tags.filter((tg) => tg.id !== id) });
    } else {
      next.set(path, a);
    }
  }
  if (changed) annotations.value = next;
}

export async function createTag(name) {
  const tag = await post('/db/add_custom_tag', { tag_name: name.trim() });
  setCustomTags((list) => (list.some((tg) => tg.id === tag.id) ? list : [...list, tag]));
  return tag;
}

export async function renameTag(tag, name) {
  const renamed = await post('/db/rename_custom_tag', { tag_id: tag.id, name: name.trim() });
  setCustomTags((list) => list.map((tg) => (tg.id === tag.id ? { ...tg, name: renamed.name } : tg)));
  patchAnnotations(tag.id, { name: renamed.name });
  return renamed;
}

export async function recolourTag(tag, color) {
  await post('/db/update_tag', { ...tag, id: tag.id, color });
  setCustomTags((list) => list.map((tg) => (tg.id === tag.id ? { ...tg, color } : tg)));
  patchAnnotations(tag.id, { color });
}

export async function deleteTag(tag) {
  await post('/db/remove_custom_tag', { tag_id: tag.id });
  setCustomTags((list) => list.filter((tg) => tg.id !== tag.id));
  patchAnnotations(tag.id, null);
  const key = tagShortcutAction(tag.id);
  if (settings.peek().shortcuts[key] !== undefined) {
    const sc = { ...settings.peek().shortcuts };
    delete sc[key];
    update('shortcuts', sc);
  }
}

/** Tags grouped by type: {groups: [{type, total, tags}]} sorted in TYPE_ORDER. */
export async function fetchGroups({ query = '', names = null, types = null, limit = 40, offset = 0 } = {}) {
  const body = { query, limit, offset };
  if (names && names.length) body.names = names.slice(0, 1000);
  if (types) body.types = types;
  const res = await post('/db/tag_groups', body);
  return sortGroups((res && res.groups) || []);
}

// -- shortcuts bound to tags -------------------------------------------------------------------
export const tagShortcutAction = (id) => `tag:${id}`;

/** The custom tag a shortcut action ("tag:<id>") stands for, or null. */
export function tagOfAction(action) {
  if (!action || !action.startsWith('tag:')) return null;
  const id = Number(action.slice(4));
  const gs = globalSetting.peek();
  return ((gs && gs.all_custom_tags) || []).find((tg) => tg.id === id) || null;
}

export function setTagShortcut(id, key) {
  update('shortcuts', { ...settings.peek().shortcuts, [tagShortcutAction(id)]: key });
}

// -- grid badges ---------------------------------------------------------------------------------
/** Small coloured dots for a file's custom tags (not the favourite and deletion marks). */
export function TagDots({ tags }) {
  const list = (tags || []).filter((tg) => !BUILTIN_TAGS.includes(tg.name));
  if (!list.length) return null;
  const names = list.map((tg) => tagLabel(tg)).join(', ');
  return html`<span class="badge-tags" title=${names} aria-label=${names} data-tags=${list.map((tg) => tg.name).join('\n')}>
    ${list.slice(0, 4).map((tg) => html`<span key=${tg.id} class="tag-dot" style=${tg.color ? { background: tg.color } : undefined}></span>`)}
    ${list.length > 4 ? html`<span class="tag-more">+${list.length - 4}</span>` : null}
  </span>`;
}
