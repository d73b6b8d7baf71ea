/**
 * Grouping posts into the site, category and tag feeds, and each feed into its documents: the
 * subscription document (the newest items) and RFC 5005 archive pages that hold every item, so a
 * new subscriber can read a feed back to its first post.
 */
import { FEED_FORMATS, type FeedFormat, type FeedScope, type FeedView, type Post, type Site } from "../model";
import { archivePath, feedPath } from "../paths";

/** Every feed of the site: the whole site first, then categories, then tags, each sorted by name. */
export function feedScopes(posts: readonly Post[]): FeedScope[] {
  const categories = new Set<string>();
  const tags = new Set<string>();
  for (const post of posts) {
    for (const name of post.categories) categories.add(name);
    for (const name of post.tags) tags.add(name);
  }
  return [
    { kind: "site" },
    ...[...categories].sort(byCodePoint).map((name): FeedScope => ({ kind: "category", name })),
    ...[...tags].sort(byCodePoint).map((name): FeedScope => ({ kind: "tag", name })),
  ];
}

/**
 * Every feed with its posts (in the given, newest-first, order), in `feedScopes` order, from one pass
 * over the posts: a news site has thousands of categories, so filtering per feed would be quadratic.
 */
export function feedsOf(posts: readonly Post[]): { scope: FeedScope; posts: Post[] }[] {
  const byName = { category: new Map<string, Post[]>(), tag: new Map<string, Post[]>() };
  for (const post of posts) {
    for (const name of post.categories) append(byName.category, name, post);
    for (const name of post.tags) append(byName.tag, name, post);
  }
  return feedScopes(posts).map((scope) => ({
    scope,
    posts: scope.kind === "site" ? [...posts] : (byName[scope.kind].get(scope.name) ?? []),
  }));
}

function append(map: Map<string, Post[]>, name: string, post: Post): void {
  const list = map.get(name);
  if (list) list.push(post);
  else map.set(name, [post]);
}

/** The posts a scope contains, in the given (newest-first) order. */
export function postsIn(scope: FeedScope, posts: readonly Post[]): Post[] {
  if (scope.kind === "site") return [...posts];
  const list = scope.kind === "category" ? "categories" : "tags";
  return posts.filter((post) => post[list].includes(scope.name));
}

/** The view of one feed's subscription document: the newest `site.feedLimit` posts. */
export function feedView(site: Site, scope: FeedScope, posts: readonly Post[]): FeedView {
  return feedViews(site, scope, posts)[0] as FeedView;
}

/**
 * Every document of one feed: the subscription document first, then archive pages 1..n (none when
 * the site turns archives off).
 *
 * Archive pages are cut from the oldest post on, `site.feedLimit` posts each, and only full pages
 * are published: adding a post never changes a published page (RFC 5005 §4: archive documents
 * should not change), unless a post is back-dated or edited. The newest posts that do not fill a
 * page are in the subscription document, which may also repeat the newest page's posts.
 */
export function feedViews(site: Site, scope: FeedScope, posts: readonly Post[]): FeedView[] {
  const size = site.feedLimit;
  // `feed: archives: false` in _config.yml: the subscription document only.
  const pages = site.archives === false ? 0 : Math.floor(posts.length / size);
  const urls = (page?: number) =>
    Object.fromEntries(
      FEED_FORMATS.map((f) => [f, site.url + (page ? archivePath(scope, page, f) : feedPath(scope, f))]),
    ) as Record<FeedFormat, string>;
  const label = scope.kind === "site" ? "" : scope.kind === "category" ? scope.name : `#${scope.name}`;
  const title = label ? `${site.title} · ${label}` : site.title;
  const current = urls();
  const common = {
    site,
    scope,
    // The logical feed's identity: the subscription document's address, shared by its archive pages.
    id: current.atom,
    description: describe(site, scope),
    homePageUrl: `${site.url}/`,
  };
  const subscription = posts.slice(0, size);
  const views: FeedView[] = [
    {
      ...common,
      title,
      urls: current,
      updated: newestUpdate(subscription),
      items: subscription,
      history: { archive: false, ...(pages > 0 ? { prevArchive: urls(pages) } : {}) },
    },
  ];
  const oldestFirst = [...posts].reverse();
  for (let page = 1; page <= pages; page++) {
    const items = oldestFirst.slice((page - 1) * size, page * size).reverse();
    views.push({
      ...common,
      title: `${title} (archive ${page})`,
      urls: urls(page),
      updated: newestUpdate(items),
      items,
      history: {
        archive: true,
        current,
        ...(page > 1 ? { prevArchive: urls(page - 1) } : {}),
        ...(page < pages ? { nextArchive: urls(page + 1) } : {}),
      },
    });
  }
  return views;
}

/** Newest first by publication date, then by id so equal dates have one order. */
export function newestFirst(a: Post, b: Post): number {
  if (a.published !== b.published) return a.published < b.published ? 1 : -1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** RFC 4287 §4.2.15: a feed's `updated` is when it last changed, i.e. its newest item, never the build time. */
function newestUpdate(items: readonly Post[]): string {
  let newest = "";
  for (const item of items) if (item.updated > newest) newest = item.updated;
  return newest;
}

function describe(site: Site, scope: FeedScope): string {
  if (scope.kind === "site") return site.description || site.title;
  const what = scope.kind === "category" ? "category" : "tag";
  return `${site.title}: posts in ${what} ${scope.name}`;
}

function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
