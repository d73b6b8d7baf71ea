/**
 * Reading a rendered manifest back, for the steps that finish a site after its feeds are rendered
 * (`extras.ts`): which feed a route is, the routes in force after each scheduled change, and adding
 * one more content-addressed document.
 */
import {
  documentKey,
  FEED_FILES,
  FEED_FORMATS,
  type FeedFormat,
  type FeedScope,
  type Manifest,
  type ManifestEntry,
} from "../model";
import { decodeName, feedPath } from "../paths";
import type { Documents } from "./document-store";
import { sha256 } from "./documents";

/** The subscription document of one feed in one format. */
export interface FeedRoute {
  scope: FeedScope;
  format: FeedFormat;
}

const FORMAT_OF_FILE = new Map(FEED_FORMATS.map((format) => [FEED_FILES[format], format]));

/**
 * Which subscription document `path` is (`/atom.xml`, `/category/<name>/rss.xml`,
 * `/tag/<name>/feed.json`); `undefined` for anything else, archive pages and aliases included.
 * Only the canonical spelling `feedPath` gives counts, so the answer round-trips.
 */
export function parseFeedPath(path: string): FeedRoute | undefined {
  const segments = path.split("/");
  const format = FORMAT_OF_FILE.get(segments.at(-1) ?? "");
  if (format === undefined) return undefined;
  let scope: FeedScope;
  const [, kind, segment] = segments;
  if (segments.length === 2) scope = { kind: "site" };
  else if (segments.length === 4 && (kind === "category" || kind === "tag")) {
    const name = decodeName(segment ?? "");
    if (name === undefined) return undefined;
    scope = { kind, name };
  } else return undefined;
  return feedPath(scope, format) === path ? { scope, format } : undefined;
}

/**
 * The routes in force at each step of the manifest's timeline: before any scheduled change (index 0),
 * then after each `schedule` entry in order (a `null` removes the route).
 */
export function routeTimeline(manifest: Manifest): Manifest["routes"][] {
  const states = [manifest.routes];
  let current = manifest.routes;
  for (const change of manifest.schedule ?? []) {
    current = { ...current };
    for (const [path, entry] of Object.entries(change.routes)) {
      if (entry === null) delete current[path];
      else current[path] = entry;
    }
    states.push(current);
  }
  return states;
}

/**
 * Stores `bytes` under their content address (`doc/<sha256>`) in `documents` and describes them as a
 * manifest entry with a strong entity tag (RFC 9110 §8.8.3), as `documents.ts` does for feeds.
 */
export function storeDocument(
  documents: Documents,
  bytes: Uint8Array,
  contentType: string,
  lastModified: string,
): ManifestEntry {
  const hash = sha256(bytes);
  const key = documentKey(hash);
  documents.set(key, bytes);
  return { key, contentType, etag: `"${hash.slice(0, 32)}"`, lastModified, size: bytes.byteLength };
}

/** The same routes in code-point order of their paths, so a manifest's bytes never depend on insertion order. */
export function sortedByPath<T>(routes: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(routes).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * A copy of `manifest` whose every entry, in `routes` and in each `schedule` change (removals stay
 * removals), is replaced by `map(entry, path)`.
 */
export function mapEntries(
  manifest: Manifest,
  map: (entry: ManifestEntry, path: string) => ManifestEntry,
): Manifest {
  const routes = Object.fromEntries(Object.entries(manifest.routes).map(([path, e]) => [path, map(e, path)]));
  const schedule = manifest.schedule?.map((change) => ({
    ...change,
    routes: Object.fromEntries(
      Object.entries(change.routes).map(([path, e]) => [path, e === null ? null : map(e, path)]),
    ),
  }));
  return { ...manifest, routes, ...(schedule ? { schedule } : {}) };
}
