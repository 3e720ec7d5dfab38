// @ts-check
// The state behind a result tab (text search, tag search, favourites, random, topics): the
// same selection, focus and preview machinery as a folder, fed page by page from a search
// route that answers {files, cursor: {has_next, next}}.
import { signal, computed, batch } from '@preact/signals';
import { StreamModel, modelById, adoptModel } from './models.js';
import { matchesFilter } from './sorting.js';

export class ResultsModel extends StreamModel {
  /** fetchPage(cursor) → Promise<{files, cursor: {has_next, next}}>; null shows nothing yet. */
  constructor(tab, fetchPage = null) {
    super(tab);
    this.kind = tab.kind;
    this.chunk = 200;
    this.started = signal(false); // a search ran (the empty text differs before the first one)
    this.items = computed(() => {
      const f = this.filter.value;
      return this.nodes.value.filter((n) => n.type !== 'file' || matchesFilter(n, f));
    });
    this.cursor = '';
    this.fetchPage = null;
    this.seen = new Set();
    this.emptyText = null; // set by the page: () => text for an empty result
    if (fetchPage) this.restart(fetchPage);
  }

  /** Start over with a new source (or the same one): the grid scrolls to the top. */
  restart(fetchPage = this.fetchPage, first = 200) {
    this.fetchPage = fetchPage;
    this.gen++;
    this.pending = null;
    this.cursor = '';
    this.seen = new Set();
    batch(() => {
      this.nodes.value = [];
      this.done.value = !fetchPage;
      this.started.value = !!fetchPage;
      this.focus.value = -1;
      this.anchor = -1;
      this.error.value = null;
      if (!this.keepSelection.peek()) this.selected.value = new Set();
      this.version.value++;
      this.epoch.value++;
    });
    return fetchPage ? this.more(first) : Promise.resolve(0);
  }

  canStream() {
    return !!this.fetchPage;
  }

  /** One page from the source; rows already shown (a page boundary moved) are skipped. */
  async step(gen) {
    const page = await this.fetchPage(this.cursor);
    if (gen !== this.gen) return 0;
    const have = this.seen; // kept across pages: no rebuild per page
    const files = (page.files || []).filter((n) => !have.has(n.fullpath) && have.add(n.fullpath));
    const cur = page.cursor || {};
    this.cursor = cur.next || '';
    batch(() => {
      if (files.length) this.nodes.value = this.nodes.peek().concat(files);
      if (!cur.has_next || !cur.next) this.done.value = true;
    });
    return files.length;
  }

  /** Load everything that is left (bounded): for "select all" and batch actions. */
  async all(limit = 100000) {
    while (!this.done.peek() && this.nodes.peek().length < limit) {
      const before = this.nodes.peek().length;
      await this.more(2000);
      if (this.nodes.peek().length === before && !this.done.peek()) break;
    }
    return this.items.peek();
  }

  shows() {
    return false;
  }

  load() {
    return this.restart();
  }

  poll() {}
}

/** The results model of a tab, made on first use and kept while the tab exists. */
export function resultsModelFor(tab, fetchPage = null) {
  const m = modelById(tab.id);
  if (m) return m;
  return adoptModel(tab.id, new ResultsModel(tab, fetchPage));
}
