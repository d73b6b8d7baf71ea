/**
 * The small model shared by the build (Node, deploy time) and the Worker (workerd, request time).
 * Nothing here does I/O or pulls in a library.
 */

/** The three formats every feed is published in. */
export type FeedFormat = "rss" | "atom" | "json";

export const FEED_FORMATS: readonly FeedFormat[] = ["rss", "atom", "json"];

/** RFC 4287 / RSS 2.0 person. `email` is only written where the format wants one. */
export interface Author {
  name: string;
  email?: string;
  url?: string;
}

/** Site-wide settings, read from `_config.yml`. */
export interface Site {
  title: string;
  description: string;
  /** Absolute site URL without a trailing slash, e.g. `https://example.com` or `https://example.com/blog`. */
  url: string;
  /** BCP 47 language tag, e.g. `zh-CN`. */
  language: string;
  /** IANA time zone used for dates written without one, e.g. `Asia/Shanghai`. */
  timezone: string;
  author?: Author;
  /** Items in each subscription document, and in each RFC 5005 archive page. */
  feedLimit: number;
  /** `false`: no RFC 5005 archive pages, only the newest `feedLimit` items of each feed. */
  archives?: boolean;
  /** WebSub hub to advertise in every feed (W3C WebSub §4), if any. */
  hub?: string;
}

/** One published post, after parsing and sanitizing. Dates are RFC 3339 in UTC. */
export interface Post {
  /** Stable, opaque, absolute IRI (a `tag:` URI unless the post names its own). */
  id: string;
  /** Plain text. */
  title: string;
  /** RFC 3339, UTC, e.g. `2022-03-30T09:30:36Z`. */
  published: string;
  /** RFC 3339, UTC; equals `published` unless the post says when it was last modified. */
  updated: string;
  /** The original article: where readers should go. */
  link: string;
  /** The post's own page on the site (Jekyll permalink). */
  permalink: string;
  /** Plain-text summary. */
  summary: string;
  /** Sanitized HTML with absolute URLs only. */
  contentHtml: string;
  categories: string[];
  tags: string[];
  authors: Author[];
  /** Path of the source file relative to the content folder. */
  source: string;
}

/** What a feed document is about. */
export type FeedScope = { kind: "site" } | { kind: "category"; name: string } | { kind: "tag"; name: string };

/** Everything a renderer needs for one document: the renderers are pure functions of this. */
export interface FeedView {
  site: Site;
  scope: FeedScope;
  /** Permanent feed identifier (Atom `feed/id`), an absolute IRI. */
  id: string;
  title: string;
  description: string;
  /** Public URL of this document in each format (the self link of each). */
  urls: Record<FeedFormat, string>;
  /** Human-readable page the feed is about. */
  homePageUrl: string;
  /** RFC 3339; the newest item's `updated`. */
  updated: string;
  /** Newest first. */
  items: Post[];
  /** RFC 5005 §4 (archived feeds): where the neighbouring documents are, per format. */
  history: FeedHistory;
}

/** Links between a feed's subscription document and its archive pages (RFC 5005 §4). */
export interface FeedHistory {
  /** True on an archive page (`fh:archive`): it never changes once complete. */
  archive: boolean;
  /** The subscription document (set on archive pages). */
  current?: Record<FeedFormat, string>;
  /** The next older archive page. */
  prevArchive?: Record<FeedFormat, string>;
  /** The next newer archive page (archive pages only). */
  nextArchive?: Record<FeedFormat, string>;
}

/** One served document, as recorded in the manifest. */
export interface ManifestEntry {
  /** KV key holding the bytes. */
  key: string;
  contentType: string;
  /** Strong entity tag, quotes included (RFC 9110 §8.8.3). */
  etag: string;
  /** HTTP-date (RFC 9110 §5.6.7) of the newest item. */
  lastModified: string;
  /** Body length in bytes. */
  size: number;
  /** The same bytes precompressed with gzip (RFC 9110 §8.4.1.3), a representation with its own tag. */
  gzip?: { key: string; etag: string; size: number };
  /** An RFC 5005 archive page, which never changes once full: cached long and immutable. */
  archive?: boolean;
  /**
   * For an alias (a jekyll-feed URL answering with one of our documents): the path of the document
   * it stands for, whose URL is the self link.
   */
  canonical?: string;
}

/** Routes that take effect at an instant: scheduled posts appear without another deploy. */
export interface ScheduledRoutes {
  /** RFC 3339 instant from which these routes apply. */
  from: string;
  /** Replacement entries; `null` removes a route. */
  routes: Record<string, ManifestEntry | null>;
}

/** Maps each public path (percent-encoded, as `canonicalPath` gives it) to its document. */
export interface Manifest {
  buildId: string;
  /** The site's public URL (no trailing slash): self links are this plus the path. */
  siteUrl: string;
  routes: Record<string, ManifestEntry>;
  /** WebSub hub the feeds advertise (W3C WebSub §4), if the site has one. */
  hub?: string;
  /** Changes to `routes` in time order; the Worker applies every one whose `from` has passed. */
  schedule?: ScheduledRoutes[];
}

/** Media types, each served with `; charset=utf-8` (feeds.md, HTTP). */
export const CONTENT_TYPES: Record<FeedFormat, string> = {
  rss: "application/rss+xml; charset=utf-8",
  atom: "application/atom+xml; charset=utf-8",
  json: "application/feed+json; charset=utf-8",
};

/** File name of each format inside a feed's folder. */
export const FEED_FILES: Record<FeedFormat, string> = {
  rss: "rss.xml",
  atom: "atom.xml",
  json: "feed.json",
};

/** KV key of a document, addressed by the SHA-256 of its bytes. */
export function documentKey(sha256Hex: string): string {
  return `doc/${sha256Hex}`;
}

/** KV key of a build's manifest. */
export function manifestKey(buildId: string): string {
  return `manifest/${buildId}`;
}
