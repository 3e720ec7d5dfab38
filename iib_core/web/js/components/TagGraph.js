// @ts-check
// The tag relation graph (cluster_tag_graph): layers side by side (topics, their keywords,
// broader groups), links drawn between them; hovering or focusing a node lights its links,
// a topic node opens its images.
import { useState, useEffect } from 'preact/hooks';
import { html } from '../html.js';
import { t } from '../i18n.js';
import { post } from '../api.js';
import { titleLang } from '../topics.js';

const MAX_NODES = 60; // per layer, heaviest first: a readable picture
const ROW = 26;
const COL = 250;

export function TagGraph({ folders, onCluster }) {
  const [graph, setGraph] = useState(null);
  const [error, setError] = useState(null);
  const [hot, setHot] = useState(null);
  useEffect(() => {
    let alive = true;
    setGraph(null);
    post('/db/cluster_tag_graph', { folder_paths: folders, lang: titleLang() })
      .then((g) => { if (alive) setGraph(g); })
      .catch((err) => { if (alive) setError(err.message || String(err)); });
    return () => { alive = false; };
  }, [folders.join('\n')]);
  if (error) return html`<p class="error-text" role="alert">${error}</p>`;
  if (!graph) return html`<div class="tag-graph"><span class="spinner"></span></div>`;

  const pos = new Map();
  const layers = (graph.layers || []).map((layer, li) => {
    const nodes = [...(layer.nodes || [])].sort((a, b) => (b.size || 0) - (a.size || 0)).slice(0, MAX_NODES);
    nodes.forEach((n, i) => pos.set(n.id, { x: 20 + li * COL, y: 30 + i * ROW }));
    return { ...layer, nodes };
  });
  const height = 40 + ROW * Math.max(1, ...layers.map((l) => l.nodes.length));
  const width = 40 + COL * Math.max(1, layers.length);
  const links = (graph.links || []).filter((l) => pos.has(l.source) && pos.has(l.target));
  const maxW = Math.max(1, ...links.map((l) => l.weight || 1));
  const near = new Set();
  if (hot) for (const l of links) if (l.source === hot || l.target === hot) { near.add(l.source); near.add(l.target); }
  const activate = (n) => {
    if (n.metadata && n.metadata.type === 'cluster' && n.metadata.cluster_id) onCluster(n.metadata.cluster_id);
  };
  return html`<div class="tag-graph" data-nodes=${pos.size} data-links=${links.length}>
    <div class="tag-graph-heads">${layers.map((l) => html`<span key=${l.name} style=${{ width: `${COL}px` }}>${t('ai.layer.' + (l.level === 0 ? 'clusters' : l.level === 1 ? 'tags' : 'abstract'))}</span>`)}</div>
    <svg width=${width} height=${height} role="img" aria-label=${t('ai.graph')}>
      ${links.map((l, i) => {
        const a = pos.get(l.source);
        const b = pos.get(l.target);
        const lit = hot && (l.source === hot || l.target === hot);
        return html`<path key=${i} class=${'graph-link' + (lit ? ' lit' : '')} d=${`M${a.x + 180},${a.y} C${a.x + 215},${a.y} ${b.x - 35},${b.y} ${b.x},${b.y}`}
          style=${{ strokeWidth: 0.6 + 2.4 * ((l.weight || 1) / maxW) }} />`;
      })}
      ${layers.map((l) => l.nodes.map((n) => {
        const p = pos.get(n.id);
        const kind = (n.metadata && n.metadata.type) || 'tag';
        const dim = hot && !near.has(n.id) && hot !== n.id;
        return html`<g key=${n.id} class=${'graph-node ' + kind + (dim ? ' dim' : '') + (hot === n.id ? ' hot' : '')} transform=${`translate(${p.x},${p.y})`}
            tabindex="0" role=${kind === 'cluster' ? 'button' : undefined} data-id=${n.id}
            onMouseEnter=${() => setHot(n.id)} onMouseLeave=${() => setHot(null)} onFocus=${() => setHot(n.id)} onBlur=${() => setHot(null)}
            onClick=${() => activate(n)} onKeyDown=${(e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); activate(n); } }}>
          <circle r=${4 + Math.min(6, Math.sqrt(n.size || 1))} />
          <text x="12" y="4">${String(n.label || n.id).slice(0, 26)}</text>
          <title>${n.label} · ${n.size}</title>
        </g>`;
      }))}
    </svg>
  </div>`;
}
