// @ts-check
// The tag lists of the tag search page, grouped by type, most used first: reloaded
// (debounced) when the filter text changes, each group extended page by page.
import { useEffect, useRef, useState } from 'preact/hooks';
import { fetchGroups, namesByTranslation, translations } from '../tags.js';

const FIRST_PAGE = 30;
const MORE_PAGE = 120;

/**
 * @param {string} query the filter text
 * @returns {{ groups: any[] | null, loadError: string | null, more: (group: any) => Promise<void> }}
 */
export function useTagGroups(query) {
  const [groups, setGroups] = useState(/** @type {any[] | null} */ (null));
  const [loadError, setLoadError] = useState(/** @type {string | null} */ (null));
  const seq = useRef(0);

  const load = async (q) => {
    const mine = ++seq.current;
    try {
      const found = await fetchGroups({ query: q, names: namesByTranslation(q), limit: FIRST_PAGE });
      if (mine === seq.current) {
        setGroups(found);
        setLoadError(null);
      }
    } catch (err) {
      if (mine === seq.current) setLoadError(err.message || String(err));
    }
  };
  useEffect(() => {
    const timer = setTimeout(() => load(query.trim()), query ? 200 : 0);
    return () => clearTimeout(timer);
  }, [query, translations.value]);

  const more = async (group) => {
    try {
      const q = query.trim();
      const [page] = await fetchGroups({ query: q, names: namesByTranslation(q), types: [group.type], limit: MORE_PAGE, offset: group.tags.length });
      if (!page) return;
      setGroups((gs) => gs.map((g) => (g.type === group.type ? { ...g, total: page.total, tags: [...g.tags, ...page.tags] } : g)));
    } catch (err) {
      setLoadError(err.message || String(err));
    }
  };

  return { groups, loadError, more };
}
