// @ts-check
// The compare tab's generation info diff: prompt and negative prompt word by word, and the
// parameters (plus size, file size and LoRAs) that differ between A and B.
import { useState } from 'preact/hooks';
import { html } from '../html.js';
import { t } from '../i18n.js';
import { humanSize } from '../media.js';
import { parseGeninfo } from '../geninfo.js';
import { diffWords, paramRows, lorasOf } from '../compare.js';

function Diff({ parts, side }) {
  return html`<p class=${'cmp-diff-text ' + side}>${parts.map((p) => (p.op === 'del'
    ? html`<del class="diff-del">${p.text}</del>`
    : p.op === 'add' ? html`<ins class="diff-add">${p.text}</ins>` : p.text))}</p>`;
}

function TextDiff({ title, name, textA, textB }) {
  if (!textA && !textB) return null;
  const d = diffWords(textA, textB);
  return html`<section class="cmp-section" data-section=${name}>
    <header><h4>${title}</h4>
      ${d.same ? html`<span class="badge">${t('compare.identical')}</span>`
        : html`<span class="cmp-counts">${t('compare.wordCounts', { removed: d.removed, added: d.added })}</span>`}
    </header>
    <div class="cmp-cols">
      <div class="cmp-col"><span class="cmp-tag a">A</span><${Diff} parts=${d.a} side="a" /></div>
      <div class="cmp-col"><span class="cmp-tag b">B</span><${Diff} parts=${d.b} side="b" /></div>
    </div>
  </section>`;
}

export function InfoDiff({ A, B, textA, textB, natA, natB }) {
  const [all, setAll] = useState(false);
  if (textA === undefined || textB === undefined) return html`<div class="cmp-info"><span class="spinner small"></span></div>`;
  const ia = parseGeninfo(textA);
  const ib = parseGeninfo(textB);
  const dims = (n) => (n ? `${n.w} × ${n.h}` : '');
  const size = (n) => (n && n.bytes !== undefined ? humanSize(n.bytes) : (n && n.size) || '');
  const loraA = lorasOf(ia ? ia.positive : '');
  const loraB = lorasOf(ib ? ib.positive : '');
  const extra = [
    [t('compare.dimensions'), dims(natA), dims(natB)],
    [t('compare.fileSize'), size(A), size(B)],
    ...(loraA.length || loraB.length ? [[t('compare.loras'), loraA.join(', '), loraB.join(', ')]] : []),
  ];
  const rows = paramRows(ia ? ia.params : [], ib ? ib.params : [], extra);
  const differ = rows.filter((r) => !r.same);
  const shown = all ? rows : differ;
  return html`<div class="cmp-info">
    ${!ia || !ib ? html`<p class="muted cmp-noinfo">${!ia && !ib ? t('compare.noInfoBoth') : t('compare.noInfoOne', { side: !ia ? 'A' : 'B' })}</p>` : null}
    <${TextDiff} title=${t('preview.prompt')} name="prompt" textA=${ia ? ia.positive : ''} textB=${ib ? ib.positive : ''} />
    <${TextDiff} title=${t('preview.negative')} name="negative" textA=${ia ? ia.negative : ''} textB=${ib ? ib.negative : ''} />
    <section class="cmp-section" data-section="params">
      <header><h4>${all ? t('preview.params') : t('compare.paramsDiffer')}</h4>
        <span class="cmp-counts">${t('compare.paramCounts', { n: differ.length, total: rows.length })}</span>
        <label class="cmp-all"><input type="checkbox" checked=${all} onChange=${(e) => setAll(e.currentTarget.checked)} /> ${t('compare.allParams')}</label>
      </header>
      ${shown.length ? html`<table class="cmp-params">
        <thead><tr><th>${t('compare.param')}</th><th><span class="cmp-tag a">A</span></th><th><span class="cmp-tag b">B</span></th></tr></thead>
        <tbody>${shown.map((r) => html`<tr key=${r.key} class=${r.same ? 'same' : 'differs'} data-key=${r.key}>
          <th>${r.key}</th><td class="a">${r.a || '—'}</td><td class="b">${r.b || '—'}</td></tr>`)}</tbody>
      </table>` : html`<p class="muted">${t('compare.noParamDiff')}</p>`}
    </section>
  </div>`;
}
