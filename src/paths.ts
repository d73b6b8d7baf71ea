/**
 * Public URL paths of feeds, shared by the build (which writes the manifest) and the Worker (which
 * looks requests up in it). Names are kept exactly as written in the posts (case-sensitive, like
 * Jekyll) and percent-encoded as UTF-8 (RFC 3986 §2.1), one path segment per name.
 */
import { FEED_FILES, type FeedFormat, type FeedScope } from "./model";

/**
 * A segment made only of dots would be removed by URL resolution (RFC 3986 §5.2.4, and WHATWG URL
 * treats `%2E` the same), so names like `.` or `..` are written as `~.` / `~..`. A literal `~` is
 * always percent-encoded, so no other name can produce such a segment: the mapping stays one-to-one.
 */
const DOT_ONLY = /^\.+$/;
const ESCAPED_DOT_ONLY = /^~\.+$/;

/** Encodes a category or tag name as one path segment. */
export function encodeName(name: string): string {
  if (DOT_ONLY.test(name)) return `~${name}`;
  return encodeURIComponent(name).replace(
    /[!'()*~]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * Inverse of `encodeName` for any spelling of the segment; `undefined` when it is not valid UTF-8.
 * Names are compared in Unicode normalization form C, as the build stores them, so `café` typed with
 * a combining accent finds the same feed.
 */
export function decodeName(segment: string): string | undefined {
  if (ESCAPED_DOT_ONLY.test(segment)) return segment.slice(1);
  try {
    return decodeURIComponent(segment).normalize("NFC");
  } catch {
    return undefined;
  }
}

/** Folder of a feed, e.g. `/category/emnews/`; the site's feeds live at `/`. */
export function feedFolder(scope: FeedScope): string {
  if (scope.kind === "site") return "/";
  return `/${scope.kind}/${encodeName(scope.name)}/`;
}

/** Public path of one feed document, e.g. `/tag/%E4%B8%AD/atom.xml`. */
export function feedPath(scope: FeedScope, format: FeedFormat): string {
  return feedFolder(scope) + FEED_FILES[format];
}

/**
 * Public path of archive page `page` (1 = oldest) of a feed (RFC 5005 §4), e.g.
 * `/category/emnews/archive/3/atom.xml`.
 */
export function archivePath(scope: FeedScope, page: number, format: FeedFormat): string {
  return `${feedFolder(scope)}archive/${page}/${FEED_FILES[format]}`;
}

/**
 * The canonical spelling of a request path, so that `/tag/中/rss.xml`, `/tag/%e4%b8%ad/rss.xml` and
 * `/tag/%E4%B8%AD/rss.xml` all find the same manifest entry. `undefined` for undecodable paths.
 */
export function canonicalPath(pathname: string): string | undefined {
  const segments = pathname.split("/");
  const out: string[] = [];
  for (const segment of segments) {
    const name = decodeName(segment);
    if (name === undefined) return undefined;
    out.push(segment === "" ? "" : encodeName(name));
  }
  return out.join("/");
}

/** The page that lists every feed, for people and for browsers' feed detection. */
export const DISCOVERY_PATH = "/";

/** The OPML 2.0 subscription list of every category and tag feed. */
export const OPML_PATH = "/feeds.opml";

/** Query parameter choosing which format the OPML list points at (`/feeds.opml?format=rss`). */
export const OPML_FORMAT_PARAM = "format";

/**
 * Route of the OPML list in one format: a path with its query, as the manifest stores it. The bare
 * `OPML_PATH` is the Atom list.
 */
export function opmlPath(format: FeedFormat): string {
  return `${OPML_PATH}?${OPML_FORMAT_PARAM}=${format}`;
}
