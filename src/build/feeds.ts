/** Grouping posts into the site, category and tag feeds, each a `FeedView` the renderers take. */
import { FEED_FORMATS, type FeedFormat, type FeedScope, type FeedView, type Post, type Site } from "../model";
import { feedPath } from "../paths";

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

/** The posts a scope contains, in the given (newest-first) order. */
export function postsIn(scope: FeedScope, posts: readonly Post[]): Post[] {
  if (scope.kind === "site") return [...posts];
  const list = scope.kind === "category" ? "categories" : "tags";
  return posts.filter((post) => post[list].includes(scope.name));
}

/** Builds the view of one feed's subscription document: the newest `site.feedLimit` posts. */
export function feedView(site: Site, scope: FeedScope, posts: readonly Post[]): FeedView {
  const items = posts.slice(0, site.feedLimit);
  const urls = Object.fromEntries(FEED_FORMATS.map((f) => [f, site.url + feedPath(scope, f)])) as Record<
    FeedFormat,
    string
  >;
  const label = scope.kind === "site" ? "" : scope.kind === "category" ? scope.name : `#${scope.name}`;
  return {
    site,
    scope,
    // The Atom document's own address, which is as permanent as the feed is.
    id: urls.atom,
    title: label ? `${site.title} · ${label}` : site.title,
    description: describe(site, scope),
    urls,
    homePageUrl: `${site.url}/`,
    updated: newestUpdate(items),
    items,
  };
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
