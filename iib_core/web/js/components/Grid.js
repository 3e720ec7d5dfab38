// @ts-check
// The endless thumbnail grid: rows are virtualised (hooks/virtualgrid.js), so only the
// visible rows exist in the DOM, whatever the count. Thumbnails are requested at the cell's
// size. Keyboard (hooks/gridkeys.js): arrows, PgUp/PgDn, Home/End move the focus, Enter
// opens, Backspace goes up; Ctrl/Shift click and a marquee (hooks/marquee.js) select.
import { useRef } from 'preact/hooks';
import { html } from '../html.js';
import { t } from '../i18n.js';
import { contextMenu } from '../store.js';
import { annotations } from '../annotations.js';
import { covers } from '../covers.js';
import { menuFor } from '../actions.js';
import { folderDropProps } from '../dnd.js';
import { Cell } from './GridCell.js';
import { useVirtualGrid, GAP, PAD } from '../hooks/virtualgrid.js';
import { useMarquee } from '../hooks/marquee.js';
import { gridKeyHandler } from '../hooks/gridkeys.js';

export { GAP, PAD, captionHeight, thumbSizeFor } from '../hooks/virtualgrid.js';

export function Grid({ model }) {
  /** @type {{ current: HTMLElement | null }} */
  const scrollRef = useRef(null);
  const layout = useVirtualGrid(model, scrollRef);
  const { v, items, cols, cellW, capH, rows, size, vrows, settled } = layout;
  const [marquee, onPointerDown] = useMarquee(model, scrollRef, layout);
  const onKeyDown = gridKeyHandler(model, scrollRef, layout);
  const selected = model.selected.value;
  const focus = model.focus.value;
  const ann = annotations.value;
  covers.value; // re-render when folder covers arrive

  const onBackgroundMenu = (e) => {
    if (e.target.closest('.cell') || model.kind !== 'folder') return;
    e.preventDefault();
    contextMenu.value = { x: e.clientX, y: e.clientY, items: menuFor(model, []).filter((it) => it.id === 'newFolder' || it.id === 'copyPath') };
  };

  const folder = model.kind === 'folder' ? model.path.value : null;
  const empty = !items.length && !model.loading.value && !model.error.value;
  return html`<div class="grid-scroll" ref=${scrollRef} tabindex="0" role="grid" aria-label=${t('folder.grid')}
      aria-rowcount=${rows} data-cols=${cols} data-rows=${rows}
      onKeyDown=${onKeyDown} onPointerDown=${onPointerDown} onContextMenu=${onBackgroundMenu}
      ...${folderDropProps(folder)}>
    <div class="grid-inner" style=${{ height: `${v.getTotalSize()}px` }}>
      ${vrows.map((r) => {
        const start = r.index * cols;
        const load = settled(r.index);
        const cells = [];
        for (let i = start; i < Math.min(items.length, start + cols); i++) {
          const node = items[i];
          cells.push(html`<${Cell} key=${node.fullpath} node=${node} index=${i} model=${model} cellW=${cellW} capH=${capH} size=${size}
            selected=${selected.has(node.fullpath)} focused=${focus === i} ann=${ann.get(node.fullpath)} load=${load} />`);
        }
        return html`<div class="grid-row" key=${r.key} role="row" style=${{ transform: `translateY(${r.start}px)`, height: `${cellW + capH}px`,
          gridTemplateColumns: `repeat(${cols}, ${cellW}px)`, columnGap: `${GAP}px`, left: `${PAD}px` }}>${cells}</div>`;
      })}
      ${marquee ? html`<div class="marquee" style=${{ left: `${marquee.left}px`, top: `${marquee.top}px`,
        width: `${marquee.right - marquee.left}px`, height: `${marquee.bottom - marquee.top}px` }}></div>` : null}
    </div>
    ${empty ? html`<div class="grid-empty">${model.emptyText ? model.emptyText() : model.kind === 'walk' ? t('folder.walkEmpty') : t('folder.empty')}</div>` : null}
    ${model.loading.value && !items.length ? html`<div class="grid-empty"><span class="spinner"></span></div>` : null}
  </div>`;
}
