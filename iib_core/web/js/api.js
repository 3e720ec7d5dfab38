// The one HTTP client of the UI: JSON in and out, errors as readable ApiError messages,
// and the secret-key handshake (docs/api.md, "Conventions").
import { signal } from '@preact/signals';
import { encodeQueryValue } from './names.js';

export const BASE = window.IIB_BASE || '/infinite_image_browsing';

/** What the server asked for: null, 'secret' (401 secret_verification_failed) or 'required'. */
export const authNeeded = signal(null);

export class ApiError extends Error {
  constructor(status, detail, message) {
    super(message);
    this.status = status;
    this.detail = detail;
  }
}

/** A readable message from a `{"detail": ...}` body (a string, a 422 list, or a structured code). */
export function detailMessage(detail, status) {
  if (typeof detail === 'string' && detail) return detail;
  if (Array.isArray(detail)) {
    return detail.map((d) => {
      const where = Array.isArray(d.loc) ? d.loc.filter((x) => x !== 'body' && x !== 'query').join('.') : '';
      return (where ? where + ': ' : '') + (d.msg || JSON.stringify(d));
    }).join('; ');
  }
  if (detail && typeof detail === 'object' && detail.type) return detail.type;
  return `HTTP ${status}`;
}

function buildUrl(route, query) {
  let url = BASE + route;
  if (query) {
    const parts = [];
    for (const [k, v] of Object.entries(query)) {
      if (v === undefined || v === null) continue;
      // Paths may hold bytes that are not UTF-8 (lone surrogates): never encodeURIComponent them.
      parts.push(encodeQueryValue(k) + '=' + encodeQueryValue(v));
    }
    if (parts.length) url += '?' + parts.join('&');
  }
  return url;
}

/**
 * request('POST', '/move_files', {body: {...}}) → parsed JSON (null for a `null` body).
 * `blob: true` returns the response body as a Blob.
 */
export async function request(method, route, { query, body, blob, signal: abort } = {}) {
  const init = { method, credentials: 'same-origin', headers: {}, signal: abort };
  // Every request that may change something is JSON, even without a body: the server
  // refuses other content types there (a cross-site page can send those without asking).
  if (body !== undefined || (method !== 'GET' && method !== 'HEAD')) {
    init.headers['Content-Type'] = 'application/json';
  }
  if (body !== undefined) init.body = JSON.stringify(body);
  let res;
  try {
    res = await fetch(buildUrl(route, query), init);
  } catch (err) {
    if (err && err.name === 'AbortError') throw err;
    throw new ApiError(0, null, `${method} ${route}: ${err && err.message ? err.message : 'network error'}`);
  }
  if (!res.ok) {
    let detail = null;
    try {
      detail = (await res.json()).detail;
    } catch (e) {
      detail = null;
    }
    if (detail && typeof detail === 'object' && !Array.isArray(detail)) {
      if (res.status === 401 && detail.type === 'secret_verification_failed') authNeeded.value = 'secret';
      if (detail.type === 'secret_key_required') authNeeded.value = 'required';
    }
    throw new ApiError(res.status, detail, detailMessage(detail, res.status));
  }
  if (blob) return res.blob();
  const text = await res.text();
  return text ? JSON.parse(text) : null;
}

export const get = (route, query, opts) => request('GET', route, { ...opts, query });
export const post = (route, body, opts) => request('POST', route, { ...opts, body });
export const del = (route, body, opts) => request('DELETE', route, { ...opts, body });

// -- media URLs (built directly; the cookie is their only credential) -------------
export function fileUrl(file, download) {
  return buildUrl('/file', { path: file.fullpath, t: file.date || '', disposition: download ? file.name : undefined });
}

export function thumbUrl(file, size) {
  return buildUrl('/image-thumbnail', { path: file.fullpath, size: `${size}x${size}`, t: file.date || '' });
}

export function streamUrl(file) {
  return buildUrl('/stream_video', { path: file.fullpath });
}

export function zipDownloadUrl(ticket) {
  return buildUrl('/zip_download', { ticket });
}

/** Let the browser download `href` as `name`: it streams to disk with its own progress. */
export function startDownload(href, name) {
  const a = document.createElement('a');
  a.href = href;
  a.download = name || '';
  document.body.appendChild(a);
  a.click();
  a.remove();
}

const coverVersions = new Map(); // path → n: a cover chosen in this session gets a new URL

export function bumpCover(path) {
  coverVersions.set(path, (coverVersions.get(path) || 0) + 1);
}

export function coverUrl(file) {
  return buildUrl('/video_cover', { path: file.fullpath, mt: file.date || '', v: coverVersions.get(file.fullpath) });
}
