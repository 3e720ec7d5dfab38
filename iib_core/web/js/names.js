// @ts-check
// File names on the wire (README, "File names that are not UTF-8"): a name the server could
// not decode as UTF-8 arrives in JSON with each undecodable byte as a lone surrogate
// U+DC80..U+DCFF (the byte plus 0xDC00). JSON.parse keeps it and JSON.stringify sends it
// back unchanged, so bodies need nothing. URLs do: encodeURIComponent throws "URI malformed"
// on a lone surrogate, so every path in a query string goes through encodeQueryValue, which
// writes the raw byte as %XX (the server decodes query strings with surrogateescape).
import { html } from './html.js';
import { t } from './i18n.js';

const LONE = /[\uD800-\uDFFF]/u; // with the u flag only unpaired surrogates match
const ODD = /[\uDC80-\uDCFF\u0000-\u001F\u007F]/u;

/** A query-string value (a path or any text) percent-encoded, undecodable bytes as %XX. */
export function encodeQueryValue(value) {
  const text = String(value);
  if (!LONE.test(text)) return encodeURIComponent(text);
  let out = '';
  for (const ch of text) { // iterates code points; an unpaired surrogate comes alone
    const c = ch.codePointAt(0);
    if (c >= 0xDC80 && c <= 0xDCFF) out += '%' + (c - 0xDC00).toString(16).toUpperCase();
    else if (c >= 0xD800 && c <= 0xDFFF) out += '%EF%BF%BD'; // names no file: U+FFFD
    else out += encodeURIComponent(ch);
  }
  return out;
}

function hex(n) {
  return n.toString(16).toUpperCase().padStart(2, '0');
}

/** The name as plain text (titles, alt texts, toasts): bytes as \xFF, control characters as \x0A. */
export function nameText(name) {
  const text = String(name ?? '');
  if (!ODD.test(text)) return text;
  let out = '';
  for (const ch of text) {
    const c = ch.codePointAt(0);
    if (c >= 0xDC80 && c <= 0xDCFF) out += '\\x' + hex(c - 0xDC00);
    else if (c < 0x20 || c === 0x7F) out += '\\x' + hex(c);
    else out += ch;
  }
  return out;
}

/** The name for the page: readable text, each undecodable byte or control character a
 * marked `\xNN` that says what it is on hover. */
export function FileName({ name }) {
  const text = String(name ?? '');
  if (!ODD.test(text)) return text;
  const parts = [];
  let plain = '';
  for (const ch of text) {
    const c = ch.codePointAt(0);
    const byte = c >= 0xDC80 && c <= 0xDCFF;
    if (!byte && !(c < 0x20 || c === 0x7F)) {
      plain += ch;
      continue;
    }
    if (plain) parts.push(plain);
    plain = '';
    const code = '\\x' + hex(byte ? c - 0xDC00 : c);
    parts.push(html`<span class="name-odd" title=${t(byte ? 'name.undecodable' : 'name.control', { code })}>${code}</span>`);
  }
  if (plain) parts.push(plain);
  return parts;
}

const STRICT = new TextDecoder('utf-8', { fatal: true });

/** Percent-escaped text to a string, the inverse of encodeQueryValue: bytes that are not
 * part of valid UTF-8 become U+DC80 + byte (decodeURIComponent throws on them, and
 * URLSearchParams turns them into U+FFFD, losing the byte). */
export function decodeQueryValue(text) {
  const bytes = [];
  const src = String(text).replace(/\+/g, ' ');
  for (let i = 0; i < src.length; i++) {
    if (src[i] === '%' && /^[0-9a-fA-F]{2}$/.test(src.substr(i + 1, 2))) {
      bytes.push(parseInt(src.substr(i + 1, 2), 16));
      i += 2;
    } else {
      const cp = src.codePointAt(i);
      if (cp > 0xFFFF) i++;
      for (const b of new TextEncoder().encode(String.fromCodePoint(cp))) bytes.push(b);
    }
  }
  let out = '';
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i];
    const n = b < 0x80 ? 1 : b >= 0xC2 && b <= 0xDF ? 2 : b >= 0xE0 && b <= 0xEF ? 3 : b >= 0xF0 && b <= 0xF4 ? 4 : 0;
    let ch = null;
    if (n === 1) ch = String.fromCharCode(b);
    else if (n && i + n <= bytes.length) {
      try {
        ch = STRICT.decode(new Uint8Array(bytes.slice(i, i + n)));
      } catch (e) {
        ch = null;
      }
    }
    if (ch === null) {
      out += String.fromCharCode(0xDC00 + b);
      i += 1;
    } else {
      out += ch;
      i += n;
    }
  }
  return out;
}

/** The last value of `name` in a query string (`location.search`), decoded losslessly. */
export function queryParam(search, name) {
  let found = null;
  for (const part of String(search).replace(/^\?/, '').split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    if (decodeQueryValue(eq < 0 ? part : part.slice(0, eq)) === name) {
      found = decodeQueryValue(eq < 0 ? '' : part.slice(eq + 1));
    }
  }
  return found;
}
