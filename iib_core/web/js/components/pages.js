// @ts-check
// The pages a tab can show besides folders: kind → component, icon and title key.
// Column.js renders them; the start page and the app's menu open them.
import { t } from '../i18n.js';
import { SearchPage } from './SearchPage.js';
import { TagSearchPage } from './TagSearchPage.js';
import { TagsPage } from './TagsPage.js';
import { FavouritesPage } from './FavouritesPage.js';
import { RandomPage } from './RandomPage.js';
import { IndexPage } from './IndexPage.js';
import { ComparePage } from './ComparePage.js';
import { TopicsPage } from './TopicsPage.js';
import { TopicResultsPage, topicTabTitle } from './TopicResultsPage.js';

/** "Search: <query>" once the tab ran a query (shortened), else the page's name. */
function queryTitle(tab, key) {
  const q = tab.state && tab.state.ran && typeof tab.state.q === 'string' ? tab.state.q.trim() : '';
  if (!q) return t(key);
  return `${t(key)}: ${q.length > 28 ? q.slice(0, 27) + '…' : q}`;
}

export const PAGES = {
  search: { component: SearchPage, icon: 'search', title: 'tab.search', tabTitle: (tab) => queryTitle(tab, 'tab.search') },
  tagsearch: { component: TagSearchPage, icon: 'tag', title: 'tab.tagsearch' },
  tags: { component: TagsPage, icon: 'tag', title: 'tab.tags' },
  favourites: { component: FavouritesPage, icon: 'star', title: 'tab.favourites' },
  random: { component: RandomPage, icon: 'shuffle', title: 'tab.random' },
  index: { component: IndexPage, icon: 'database', title: 'tab.index' },
  compare: { component: ComparePage, icon: 'compare', title: 'tab.compare' },
  topics: { component: TopicsPage, icon: 'sparkles', title: 'tab.topics' },
  topic: { component: TopicResultsPage, icon: 'sparkles', title: 'tab.topics', tabTitle: topicTabTitle },
};

/** The pages offered on the start page, in this order. */
export const START_PAGES = ['search', 'tagsearch', 'favourites', 'random', 'tags', 'index', 'compare', 'topics'];
