/**
 * From a request URL to the manifest route that answers it. Paths are looked up in their canonical
 * spelling (`canonicalPath`). Query strings are ignored (feed readers append cache-busters), except
 * `/feeds.opml?format=`, which chooses one of the pre-rendered OPML lists.
 */
import { FEED_FORMATS, type FeedFormat } from "../model";
import { canonicalPath, OPML_FORMAT_PARAM, OPML_PATH, opmlPath } from "../paths";

/** The route to look up, or a reason to answer 400 (RFC 9110 §15.5.1). */
export type RequestRoute = { path: string } | { badRequest: string };

function isFeedFormat(value: string | null): value is FeedFormat {
  return FEED_FORMATS.includes(value as FeedFormat);
}

/** The route for `url`; `undefined` when its path cannot be decoded (no route can match). */
export function requestRoute(url: URL): RequestRoute | undefined {
  const path = canonicalPath(url.pathname);
  if (path === undefined) return undefined;
  if (path !== OPML_PATH || !url.searchParams.has(OPML_FORMAT_PARAM)) return { path };
  const format = url.searchParams.get(OPML_FORMAT_PARAM);
  if (!isFeedFormat(format))
    return { badRequest: `Unknown format: use ${OPML_PATH}?format=rss, atom or json` };
  return { path: opmlPath(format) };
}
