// @ts-check
// The state behind a folder or walk tab: listing, order, filter, selection, focus.
// One model per tab, kept while the tab exists (so the preview and drag and drop
// between panes can reach any pane's items).
import { signal, computed, effect, batch } from '@preact/signals';
import { get, post } from './api.js';
import { settings } from './settings.js';
import { arrange, matchesFilter } from './sorting.js';
import { parentOf, isInside } from './media.js';
import { workspace, updateTab } from './workspace.js';
import { remember, recentFolders, toastError } from './store.js';

export class BaseModel {
  constructor(tab) {
    const s = settings.peek();
    this.id = tab.id;
    this.kind = tab.kind;
    this.path = signal(tab.path);
    this.nodes = signal([]);
    this.loading = signal(false);
    this.error = signal(null);
    this.sortBy = signal(tab.sortBy || s.sortBy);
    this.sortDir = signal(tab.sortDir || s.sortDir);
    this.filter = signal(tab.filter || s.mediaFilter);
    this.selected = signal(new Set());
    this.focus = signal(-1);
    this.anchor = -1;
    this.keepSelection = signal(false);
    this.version = signal(0); // bumped on every (re)load: the grid keeps its scroll position
    this.epoch = signal(0); // bumped when the pane shows another folder: the grid scrolls to the top
    this.scrollTop = 0;
    this.scrollTo = null; // set by the grid: (index) => void
    /** @type {import('@preact/signals').ReadonlySignal<any[]>} the shown entries (subclasses: sorted, filtered) */
    this.items = computed(() => this.nodes.value);
  }

  get files() {
    return this.items.peek().filter((n) => n.type === 'file' && !n.special);
  }

  setSort(by, dir) {
    batch(() => {
      this.sortBy.value = by;
      this.sortDir.value = dir;
    });
    updateTab(this.id, { sortBy: by, sortDir: dir });
  }

  setFilter(filter) {
    this.filter.value = filter;
    updateTab(this.id, { filter });
  }

  // -- selection ------------------------------------------------------------------------
  selectOnly(paths) {
    this.selected.value = new Set(paths);
  }

  toggle(path) {
    const next = new Set(this.selected.peek());
    if (next.has(path)) next.delete(path);
    else next.add(path);
    this.selected.value = next;
  }

  selectRange(from, to, add) {
    const items = this.items.peek();
    const [a, b] = from <= to ? [from, to] : [to, from];
    const next = add ? new Set(this.selected.peek()) : new Set();
    for (let i = Math.max(0, a); i <= b && i < items.length; i++) next.add(items[i].fullpath);
    this.selected.value = next;
  }

  clearSelection() {
    if (this.selected.peek().size) this.selected.value = new Set();
  }

  selectedNodes() {
    const sel = this.selected.peek();
    if (!sel.size) return [];
    return this.items.peek().filter((n) => sel.has(n.fullpath));
  }

  /** Forget entries that moved away or were deleted, without a round trip. */
  removePaths(paths) {
    const gone = new Set(paths);
    const before = this.nodes.peek();
    const after = before.filter((n) => !gone.has(n.fullpath));
    if (after.length === before.length) return false;
    batch(() => {
      this.nodes.value = after;
      const sel = new Set([...this.selected.peek()].filter((p) => !gone.has(p)));
      this.selected.value = sel;
      const len = this.items.peek().length;
      if (this.focus.peek() >= len) this.focus.value = len - 1;
    });
    return true;
  }

  /** Does this pane show entries of `folder`? */
  shows(folder) {
    return this.path.peek() === folder;
  }

  dispose() {
    this.disposed = true;
  }
}

export class FolderModel extends BaseModel {
  constructor(tab) {
    super(tab);
    this.stamp = null; // the folder's date when listed (auto refresh compares it)
    this.items = computed(() => arrange(this.nodes.value, this.sortBy.value, this.sortDir.value, this.filter.value));
    this.seq = 0;
    this.load();
  }

  async load({ quiet = false } = {}) {
    const path = this.path.peek();
    if (!path) return;
    const seq = ++this.seq;
    if (!quiet) this.loading.value = true;
    try {
      const [listing, info] = await Promise.all([
        get('/files', { folder_path: path }),
        post('/batch_get_files_info', { paths: [path] }).catch(() => null),
      ]);
      if (seq !== this.seq || this.disposed) return;
      batch(() => {
        this.nodes.value = listing.files || [];
        this.stamp = info && info[path] ? info[path].date || null : null;
        this.error.value = null;
        if (!quiet) {
          this.selected.value = this.keepSelection.peek() ? this.selected.peek() : new Set();
        } else {
          const have = new Set(this.nodes.peek().map((n) => n.fullpath));
          this.selected.value = new Set([...this.selected.peek()].filter((p) => have.has(p)));
        }
        this.version.value++;
      });
    } catch (err) {
      if (seq !== this.seq || this.disposed) return;
      batch(() => {
        this.error.value = err.message || String(err);
        this.nodes.value = [];
      });
    } finally {
      if (seq === this.seq) this.loading.value = false;
    }
  }

  /** Open another folder in this pane. */
  navigate(path) {
    if (!path || path === this.path.peek()) return this.load({ quiet: true });
    batch(() => {
      this.path.value = path;
      this.focus.value = -1;
      this.anchor = -1;
      this.nodes.value = [];
      if (!this.keepSelection.peek()) this.selected.value = new Set();
      this.epoch.value++;
    });
    updateTab(this.id, { path });
    remember(recentFolders, path);
    return this.load();
  }

  up() {
    const path = this.path.peek();
    const parent = parentOf(path);
    if (parent && parent !== path) this.navigate(parent);
  }

  /** Auto refresh: re-list when the folder's date changed. */
  async poll() {
    const path = this.path.peek();
    if (!path || this.loading.peek()) return;
    try {
      const info = await post('/batch_get_files_info', { paths: [path] });
      const node = info && info[path];
      const stamp = node && node.date ? node.date : null;
      if (path === this.path.peek() && stamp !== this.stamp) await this.load({ quiet: true });
    } catch (e) {
      /* the next poll tries again; errors show on explicit actions */
    }
  }
}

/**
 * A model fed step by step (one folder of a walk, one page of a search) until its source
 * ends: the grid and the preview call more() as the user nears the end. Subclasses give
 * step(gen), which loads one chunk, appends it, sets `done` at the end of the source and
 * returns how many visible items it added.
 */
export class StreamModel extends BaseModel {
  constructor(tab) {
    super(tab);
    this.streaming = true;
    this.done = signal(true);
    this.chunk = 120; // how many items more() asks for by default
    this.gen = 0; // bumped on every restart: steps of an older stream are dropped
    /** @type {Promise<number> | null} */
    this.pending = null;
  }

  /** Is there a source to read from? */
  canStream() {
    return true;
  }

  /**
   * Load one chunk of the stream `gen`; returns the visible items it added.
   * @param {number} gen
   * @returns {Promise<number>}
   */
  async step(gen) {
    throw new Error('step() is not implemented');
  }

  /** Load steps until at least `want` new items arrived or the source is exhausted. */
  more(want = this.chunk) {
    if (this.done.peek() || !this.canStream()) return Promise.resolve(0);
    if (this.pending) return this.pending;
    const gen = this.gen;
    this.loading.value = true;
    this.pending = (async () => {
      let added = 0;
      try {
        while (added < want && !this.done.peek() && gen === this.gen && !this.disposed) {
          const n = await this.step(gen);
          if (gen !== this.gen) return 0;
          added += n;
        }
      } catch (err) {
        if (gen === this.gen) {
          batch(() => {
            this.error.value = err.message || String(err);
            this.done.value = true;
          });
        }
      } finally {
        if (gen === this.gen) {
          this.loading.value = false;
          this.pending = null;
        }
      }
      return added;
    })();
    return this.pending;
  }
}

/**
 * Walk mode: a folder and all its sub-folders as one stream (depth first, like os.walk),
 * loaded one folder at a time as the user nears the end.
 */
export class WalkModel extends StreamModel {
  constructor(tab) {
    super(tab);
    this.done.value = false;
    this.folder = signal(''); // the folder loaded last
    this.folders = signal(0); // how many folders are in the stream so far
    this.items = computed(() => {
      const f = this.filter.value;
      return this.nodes.value.filter((n) => matchesFilter(n, f));
    });
    /** @type {string[]} */
    this.queue = [];
    this.restart();
  }

  restart() {
    this.queue = [this.path.peek()];
    this.gen++;
    this.pending = null;
    batch(() => {
      this.nodes.value = [];
      this.done.value = false;
      this.folders.value = 0;
      this.focus.value = -1;
      this.error.value = null;
      this.selected.value = new Set();
      this.version.value++;
      this.epoch.value++;
    });
    return this.more(120);
  }

  setSort(by, dir) {
    super.setSort(by, dir);
    this.restart();
  }

  /** One folder: its files join the stream, its sub-folders go first in the queue. */
  async step(gen) {
    const dir = this.queue.shift();
    let files;
    try {
      files = (await get('/files', { folder_path: dir })).files || [];
    } catch (err) {
      if (dir === this.path.peek()) throw err;
      toastError(err); // one unreadable sub-folder does not end the walk
      if (gen === this.gen && !this.queue.length) this.done.value = true;
      return 0;
    }
    if (gen !== this.gen) return 0;
    const ordered = arrange(files, this.sortBy.peek(), this.sortDir.peek(), 'all');
    // Not into linked folders (they may lead back up and never end; the indexer skips them
    // too) nor into folders the server cannot read (greyed in the grid instead).
    const subdirs = ordered.filter((n) => n.type === 'dir' && !n.symlink && !n.special).map((n) => n.fullpath);
    const found = ordered.filter((n) => n.type === 'file');
    this.queue.unshift(...subdirs);
    batch(() => {
      if (found.length) this.nodes.value = this.nodes.peek().concat(found);
      this.folder.value = dir;
      this.folders.value++;
      if (!this.queue.length) this.done.value = true;
    });
    return found.filter((n) => matchesFilter(n, this.filter.peek())).length;
  }

  shows(folder) {
    return isInside(folder, this.path.peek());
  }

  load() {
    return this.restart();
  }

  poll() {}
}

// -- registry -----------------------------------------------------------------------------
const models = new Map();

export function modelFor(tab) {
  let m = models.get(tab.id);
  if (!m) {
    m = tab.kind === 'walk' ? new WalkModel(tab) : new FolderModel(tab);
    models.set(tab.id, m);
    if (tab.kind === 'folder') remember(recentFolders, tab.path);
  }
  return m;
}

/** Register a model made elsewhere (search results, tag matches...) under its tab id. */
export function adoptModel(id, m) {
  models.set(id, m);
  return m;
}

export function allModels() {
  return [...models.values()];
}

export function modelById(id) {
  return models.get(id) || null;
}

// Drop the models of closed tabs.
effect(() => {
  const alive = new Set();
  for (const c of workspace.value.columns) for (const tb of c.tabs) alive.add(tb.id);
  for (const [id, m] of models) {
    if (!alive.has(id)) {
      m.dispose();
      models.delete(id);
    }
  }
});

/** After files changed on disk: re-list every pane showing one of these folders. */
export function refreshFolders(folders) {
  const set = new Set(folders);
  for (const m of models.values()) {
    if (m.kind === 'folder' && set.has(m.path.peek())) m.load({ quiet: true });
  }
}
