// @ts-check
// Compare two images: picking them (two selected → "Compare"; "Compare with…" on one,
// then on another, across panes and tabs), opening the compare tab, and the pure parts of
// the generation info diff (word-level prompt diff, parameter table).
import { signal } from '@preact/signals';
import { t } from './i18n.js';
import { kindOf } from './media.js';
import { toast, preview } from './store.js';
import { showPage } from './workspace.js';

/** The image picked by "Compare with…", waiting for its partner: {fullpath, name} or null. */
export const compareFirst = signal(null);

export const isImage = (node) => !!node && node.type === 'file' && kindOf(node) === 'image';

export function openCompare(a, b) {
  compareFirst.value = null;
  preview.value = null;
  return showPage('compare', { a: a.fullpath, b: b.fullpath });
}

export function pickForCompare(node) {
  compareFirst.value = { fullpath: node.fullpath, name: node.name };
  toast(t('compare.picked', { name: node.name }), {
    ms: 8000,
    action: { label: t('action.cancel'), run: () => { compareFirst.value = null; } },
  });
}

/** "Compare with…" on `node`: compares with the picked image, or picks this one. */
export function compareWith(node) {
  const first = compareFirst.peek();
  if (first && first.fullpath !== node.fullpath) return openCompare(first, node);
  pickForCompare(node);
  return null;
}

/** The context menu entries for `nodes` (see actions.menuFor). */
export function compareEntries(nodes) {
  const out = [];
  if (nodes.length === 2 && nodes.every(isImage)) {
    out.push({ id: 'compare', label: t('compare.menu'), icon: 'compare', run: () => openCompare(nodes[0], nodes[1]) });
  } else if (nodes.length === 1 && isImage(nodes[0])) {
    const one = nodes[0];
    const first = compareFirst.peek();
    if (first && first.fullpath !== one.fullpath) {
      out.push({ id: 'compareWith', label: t('compare.withX', { name: first.name }), icon: 'compare', run: () => openCompare(first, one) });
    } else {
      out.push({ id: 'compareWith', label: t('compare.with'), icon: 'compare', run: () => pickForCompare(one) });
    }
  }
  return out;
}

// -- word-level diff ---------------------------------------------------------------------
// Tokens: runs of white space; one CJK character (those scripts have no spaces between
// words); a word with inner . ' - (1.2, dreamy_v1.5, semi-realistic); any other character.
const TOKEN = /\s+|[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]|[\p{L}\p{N}_]+(?:[.'’-][\p{L}\p{N}_]+)*|\S/gu;
const MAX_CELLS = 4e6; // beyond this the LCS table is too big: compare as multisets

export function tokenize(text) {
  return (text || '').match(TOKEN) || [];
}

const isSpace = (tok) => /^\s+$/.test(tok);
const WORDLIKE = /[\p{L}\p{N}]/u;

function lcsMarks(a, b) {
  // a, b: arrays of strings; returns [keepA, keepB] booleans (part of a longest common subsequence).
  const keepA = new Array(a.length).fill(false);
  const keepB = new Array(b.length).fill(false);
  let lo = 0;
  while (lo < a.length && lo < b.length && a[lo] === b[lo]) {
    keepA[lo] = keepB[lo] = true;
    lo++;
  }
  let ea = a.length;
  let eb = b.length;
  while (ea > lo && eb > lo && a[ea - 1] === b[eb - 1]) {
    ea--;
    eb--;
    keepA[ea] = keepB[eb] = true;
  }
  const n = ea - lo;
  const m = eb - lo;
  if (!n || !m) return [keepA, keepB];
  if (n * m > MAX_CELLS) {
    const counts = new Map();
    for (let j = lo; j < eb; j++) counts.set(b[j], (counts.get(b[j]) || 0) + 1);
    for (let i = lo; i < ea; i++) {
      const c = counts.get(a[i]) || 0;
      if (c) { keepA[i] = true; counts.set(a[i], c - 1); }
    }
    const countsA = new Map();
    for (let i = lo; i < ea; i++) countsA.set(a[i], (countsA.get(a[i]) || 0) + 1);
    for (let j = lo; j < eb; j++) {
      const c = countsA.get(b[j]) || 0;
      if (c) { keepB[j] = true; countsA.set(b[j], c - 1); }
    }
    return [keepA, keepB];
  }
  // dp[i*(m+1)+j] = LCS length of a[lo+i..ea) and b[lo+j..eb)
  const W = m + 1;
  const dp = new Uint32Array((n + 1) * W);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      dp[i * W + j] = a[lo + i] === b[lo + j] ? dp[(i + 1) * W + j + 1] + 1 : Math.max(dp[(i + 1) * W + j], dp[i * W + j + 1]);
    }
  }
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[lo + i] === b[lo + j]) {
      keepA[lo + i] = keepB[lo + j] = true;
      i++;
      j++;
    } else if (dp[(i + 1) * W + j] >= dp[i * W + j + 1]) {
      i++;
    } else {
      j++;
    }
  }
  return [keepA, keepB];
}

function mark(tokens, words, keep, op) {
  const parts = [];
  let w = 0;
  const wordOp = [];
  for (let k = 0; k < words.length; k++) wordOp.push(keep[k] ? 'same' : op);
  const idx = []; // token index → word index (or -1 for white space)
  for (const tok of tokens) idx.push(isSpace(tok) ? -1 : w++);
  for (let k = 0; k < tokens.length; k++) {
    let o = 'same';
    if (idx[k] >= 0) {
      o = wordOp[idx[k]];
    } else {
      // White space between two changed words belongs to the change (one highlighted run).
      const prev = k > 0 ? idx[k - 1] : -1;
      const next = k + 1 < tokens.length ? idx[k + 1] : -1;
      if (prev >= 0 && next >= 0 && wordOp[prev] === op && wordOp[next] === op) o = op;
    }
    const last = parts[parts.length - 1];
    if (last && last.op === o) last.text += tokens[k];
    else parts.push({ text: tokens[k], op: o });
  }
  // Count words, not punctuation ("a, b" → "a, b, c" adds one word).
  return { parts, changed: words.filter((wd, k) => wordOp[k] === op && WORDLIKE.test(wd)).length };
}

/**
 * Word-level diff of two texts → {a: [{text, op: 'same'|'del'}], b: [{text, op: 'same'|'add'}],
 * removed, added, same}: `removed` words are only in A, `added` only in B.
 */
export function diffWords(textA, textB) {
  const ta = tokenize(textA);
  const tb = tokenize(textB);
  const wa = ta.filter((x) => !isSpace(x));
  const wb = tb.filter((x) => !isSpace(x));
  const [keepA, keepB] = lcsMarks(wa, wb);
  const left = mark(ta, wa, keepA, 'del');
  const right = mark(tb, wb, keepB, 'add');
  return { a: left.parts, b: right.parts, removed: left.changed, added: right.changed, same: !left.changed && !right.changed };
}

// -- parameters -------------------------------------------------------------------------------
const LORA = /<(lora|lyco|lycoris|hypernet):([^:>]+)(?::([^:>]+))?[^>]*>/gi;

/** LoRA / LyCORIS references of a prompt, "name:weight", sorted. */
export function lorasOf(prompt) {
  const out = [];
  LORA.lastIndex = 0;
  let m;
  while ((m = LORA.exec(prompt || '')) !== null) out.push(m[3] ? `${m[2].trim()}:${m[3].trim()}` : m[2].trim());
  return [...new Set(out)].sort();
}

const norm = (v) => (v === undefined || v === null ? '' : String(v).trim());

/**
 * Rows of the parameter table: [{key, a, b, same}] over the union of keys (A's order, then
 * B's extra keys). Missing values are ''. `extra` rows ([key, a, b]) come first.
 */
export function paramRows(paramsA, paramsB, extra = []) {
  const mapA = new Map((paramsA || []).map(([k, v]) => [k, norm(v)]));
  const mapB = new Map((paramsB || []).map(([k, v]) => [k, norm(v)]));
  const keys = [...mapA.keys()];
  for (const k of mapB.keys()) if (!mapA.has(k)) keys.push(k);
  const rows = extra.map(([key, a, b]) => ({ key, a: norm(a), b: norm(b), same: norm(a) === norm(b) }));
  for (const k of keys) {
    const a = mapA.has(k) ? mapA.get(k) : '';
    const b = mapB.has(k) ? mapB.get(k) : '';
    rows.push({ key: k, a, b, same: a === b });
  }
  return rows;
}
