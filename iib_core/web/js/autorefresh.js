// @ts-check
// Auto refresh: visible folder panes re-list when their folder changed on disk.
import { settings } from './settings.js';
import { workspace } from './workspace.js';
import { modelById } from './models.js';

let timer = 0;

function visibleModels() {
  const out = [];
  for (const c of workspace.peek().columns) {
    const m = modelById(c.active);
    if (m && m.kind === 'folder') out.push(m);
  }
  return out;
}

async function tick() {
  const s = settings.peek();
  if (s.autoRefresh && document.visibilityState === 'visible') {
    await Promise.all(visibleModels().map((m) => m.poll()));
  }
  timer = setTimeout(tick, Math.max(1, settings.peek().autoRefreshSeconds || 3) * 1000);
}

export function startAutoRefresh() {
  if (!timer) timer = setTimeout(tick, Math.max(1, settings.peek().autoRefreshSeconds || 3) * 1000);
}
