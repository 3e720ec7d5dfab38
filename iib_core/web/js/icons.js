// @ts-check
// Line icons drawn for this UI (24×24, stroked with currentColor).
import { html } from './html.js';

const P = {
  folder: 'M3 7a2 2 0 0 1 2-2h4l2 2h8a2 2 0 0 1 2 2v8a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2z',
  image: 'M4 5h16v14H4z M4 16l5-5 4 4 3-3 4 4 M15.5 9.5h.01',
  video: 'M4 6h12v12H4z M16 10l5-3v10l-5-3',
  audio: 'M9 18V6l11-2v12 M9 18a3 3 0 1 1-3-3 3 3 0 0 1 3 3z M20 16a3 3 0 1 1-3-3 3 3 0 0 1 3 3z',
  file: 'M6 3h8l5 5v13H6z M14 3v5h5',
  left: 'M15 5l-7 7 7 7',
  right: 'M9 5l7 7-7 7',
  up: 'M12 19V5 M5 12l7-7 7 7',
  down: 'M6 9l6 6 6-6',
  close: 'M6 6l12 12 M18 6L6 18',
  plus: 'M12 5v14 M5 12h14',
  split: 'M4 5h16v14H4z M12 5v14',
  star: 'M12 3.5l2.6 5.3 5.9.9-4.3 4.1 1 5.8L12 16.9l-5.2 2.7 1-5.8-4.3-4.1 5.9-.9z',
  heart: 'M12 20s-7-4.4-7-10a4 4 0 0 1 7-2.6A4 4 0 0 1 19 10c0 5.6-7 10-7 10z',
  trash: 'M4 7h16 M9 7V4h6v3 M6 7l1 13h10l1-13 M10 11v6 M14 11v6',
  refresh: 'M20 11a8 8 0 1 0-2.3 5.7 M20 4v7h-7',
  settings: 'M12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6z M19 12l2-1-1-3-2.2.2-1.3-1.3L16.7 5 14 4l-1 2h-2l-1-2-3 1 .2 2.2L5.9 8.5 4 8 3 11l2 1v0l-2 1 1 3 2.2-.2 1.3 1.3L7.3 19l2.7 1 1-2h2l1 2 3-1-.2-2.2 1.3-1.3 2.2.2 1-3z',
  more: 'M5 12h.01 M12 12h.01 M19 12h.01',
  walk: 'M4 6h16 M4 12h16 M4 18h10 M17 16l3 2-3 2',
  tree: 'M4 4h6v6H4z M14 14h6v6h-6z M7 10v7h7',
  download: 'M12 4v11 M7 10l5 5 5-5 M5 20h14',
  copy: 'M8 8h11v12H8z M5 16V4h11',
  zoomIn: 'M11 18a7 7 0 1 0 0-14 7 7 0 0 0 0 14z M20 20l-4-4 M11 8v6 M8 11h6',
  zoomOut: 'M11 18a7 7 0 1 0 0-14 7 7 0 0 0 0 14z M20 20l-4-4 M8 11h6',
  fit: 'M4 9V4h5 M20 9V4h-5 M4 15v5h5 M20 15v5h-5',
  actual: 'M6 8l2-2v12 M16 8l2-2v12 M12 10h.01 M12 15h.01',
  info: 'M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18z M12 11v6 M12 7.5h.01',
  undo: 'M9 14L4 9l5-5 M4 9h10a6 6 0 0 1 0 12h-3',
  edit: 'M4 20h4L19 9l-4-4L4 16z M13 7l4 4',
  home: 'M4 11l8-7 8 7 M6 10v10h12V10',
  move: 'M5 12h14 M15 8l4 4-4 4 M3 5v14',
  check: 'M5 12l5 5 9-10',
  newFolder: 'M3 7a2 2 0 0 1 2-2h4l2 2h8a2 2 0 0 1 2 2v8a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2z M12 10v6 M9 13h6',
  link: 'M10 14a4 4 0 0 0 5.7 0l3-3a4 4 0 0 0-5.7-5.7l-1 1 M14 10a4 4 0 0 0-5.7 0l-3 3a4 4 0 0 0 5.7 5.7l1-1',
  send: 'M4 12l16-8-6 16-3-6z M11 14l9-10',
  tag: 'M3 12V4h8l10 10-8 8z M7.5 8.5h.01',
  flag: 'M5 21V4 M5 4h11l-2 4 2 4H5',
  select: 'M4 4h5 M4 4v5 M20 4h-5 M20 4v5 M4 20h5 M4 20v-5 M20 20h-5 M20 20v-5 M9 12l2 2 4-4',
  keep: 'M5 4h14v17l-7-4-7 4z',
  external: 'M14 4h6v6 M20 4l-9 9 M18 14v6H4V6h6',
  sun: 'M12 17a5 5 0 1 0 0-10 5 5 0 0 0 0 10z M12 1v2 M12 21v2 M4.2 4.2l1.4 1.4 M18.4 18.4l1.4 1.4 M1 12h2 M21 12h2 M4.2 19.8l1.4-1.4 M18.4 5.6l1.4-1.4',
  play: 'M8 5v14l11-7z',
  batch: 'M4 7h16v13H4z M8 7V4h8v3 M9 12h6',
  search: 'M11 18a7 7 0 1 0 0-14 7 7 0 0 0 0 14z M20 20l-4-4',
  shuffle: 'M4 7h3c4 0 6 10 10 10h3 M4 17h3c1.6 0 2.8-1.6 3.8-3.6 M13.2 9.6C14.2 8 15.4 7 17 7h3 M18 4l3 3-3 3 M18 14l3 3-3 3',
  database: 'M12 8c4.4 0 8-1.3 8-3s-3.6-3-8-3-8 1.3-8 3 3.6 3 8 3z M4 5v14c0 1.7 3.6 3 8 3s8-1.3 8-3V5 M4 12c0 1.7 3.6 3 8 3s8-1.3 8-3',
  compare: 'M4 5h7v14H4z M13 5h7v14h-7z M12 2v20',
  sparkles: 'M12 3l1.8 5.2L19 10l-5.2 1.8L12 17l-1.8-5.2L5 10l5.2-1.8z M19 15l.8 2.2 2.2.8-2.2.8-.8 2.2-.8-2.2-2.2-.8 2.2-.8z',
};

export function Icon({ name, size = 18, fill = false, title }) {
  return html`<svg class="icon" width=${size} height=${size} viewBox="0 0 24 24" aria-hidden=${title ? undefined : 'true'}
    fill=${fill ? 'currentColor' : 'none'} stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round">
    ${title ? html`<title>${title}</title>` : null}<path d=${P[name] || P.file} /></svg>`;
}
