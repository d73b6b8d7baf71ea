/**
 * The `Link` header of a feed response (RFC 8288 §3): its own URL (`self`, the canonical document's
 * for an alias), the WebSub hub (W3C WebSub §4: subscribers look at the HTTP Link headers first), and
 * the same feed in its other formats (`alternate`, with their media types).
 */
import {
  CONTENT_TYPES,
  FEED_FILES,
  FEED_FORMATS,
  type FeedFormat,
  type Manifest,
  type ManifestEntry,
} from "../model";
import { effectiveEntry } from "./schedule";

const FORMAT_OF_FILE = new Map(FEED_FORMATS.map((format) => [FEED_FILES[format], format]));
const FEED_TYPES = new Set(Object.values(CONTENT_TYPES));

/** Whether the entry is a feed document (RSS, Atom or JSON Feed), not a page or a list. */
export function isFeed(entry: ManifestEntry): boolean {
  return FEED_TYPES.has(entry.contentType);
}

/** The feed format of a document path, from its file name. */
function formatOf(path: string): FeedFormat | undefined {
  return FORMAT_OF_FILE.get(path.slice(path.lastIndexOf("/") + 1));
}

/**
 * The `Link` field value for the feed document `entry` served at `path` at `now`, or `undefined` for
 * documents that are not feeds. Alternates are listed only where the manifest has them.
 */
export function feedLinks(
  manifest: Manifest,
  path: string,
  entry: ManifestEntry,
  now: number,
): string | undefined {
  if (!isFeed(entry)) return undefined;
  const self = entry.canonical ?? path;
  const links = [`<${manifest.siteUrl}${self}>; rel="self"`];
  if (manifest.hub) links.push(`<${manifest.hub}>; rel="hub"`);
  const format = formatOf(self);
  if (format === undefined) return links.join(", ");
  const folder = self.slice(0, self.length - FEED_FILES[format].length);
  for (const other of FEED_FORMATS) {
    const path = folder + FEED_FILES[other];
    if (other === format || !effectiveEntry(manifest, path, now)) continue;
    const type = CONTENT_TYPES[other].split(";")[0];
    links.push(`<${manifest.siteUrl}${path}>; rel="alternate"; type="${type}"`);
  }
  return links.join(", ");
}
