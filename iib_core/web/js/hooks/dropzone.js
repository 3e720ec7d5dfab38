// @ts-check
// A drop zone for grid items that are not dropped onto a folder (the batch drawer, the
// compare tab): `over` while such a drag hovers it, and onDrop(e) when they are dropped.
import { useState } from 'preact/hooks';
import { isFileDrag } from '../dnd.js';

/**
 * @param {(e: DragEvent) => void} onDrop
 * @param {{ enter?: boolean, stop?: boolean }} [opts] enter: also claim the drag on
 *   dragenter; stop: keep the events from reaching enclosing drop targets
 * @returns {[boolean, Record<string, (e: any) => void>, (over: boolean) => void]}
 */
export function useDropZone(onDrop, { enter = false, stop = false } = {}) {
  const [over, setOver] = useState(false);
  /** @type {Record<string, (e: any) => void>} */
  const props = {
    onDragOver: (e) => {
      if (!isFileDrag(e)) return;
      e.preventDefault();
      if (stop) e.stopPropagation();
      e.dataTransfer.dropEffect = 'copy';
      setOver(true);
    },
    onDragLeave: (e) => { if (!e.currentTarget.contains(e.relatedTarget)) setOver(false); },
    onDrop: (e) => {
      if (!isFileDrag(e)) return;
      e.preventDefault();
      if (stop) e.stopPropagation();
      setOver(false);
      onDrop(e);
    },
  };
  if (enter) props.onDragEnter = (e) => { if (isFileDrag(e)) { e.preventDefault(); setOver(true); } };
  return [over, props, setOver];
}
