/**
 * Small hand-made inputs for the extras steps: a site, and rendered sites whose documents are short
 * texts, so each test states exactly which routes exist.
 */
import { gunzipSync } from "node:zlib";
import type { RenderedSite } from "../../src/build/documents";
import { storeDocument } from "../../src/build/manifest-routes";
import {
  CONTENT_TYPES,
  type Manifest,
  type ManifestEntry,
  type ScheduledRoutes,
  type Site,
} from "../../src/model";
import type { XmlElement } from "../render/xml-tree";

export const SITE: Site = {
  title: "Hand & Made <Site>",
  description: "A site made by hand",
  url: "https://hand.example/blog",
  language: "en-GB",
  timezone: "UTC",
  feedLimit: 20,
};

const encoder = new TextEncoder();

/**
 * A rendered site whose every route is a document of its own (its path repeated, so it compresses)
 * with the given Last-Modified; `schedule` lists changes the same way (`null` removes a route).
 */
export function handMadeSite(
  routes: Record<string, string>,
  schedule: { from: string; routes: Record<string, string | null> }[] = [],
): RenderedSite {
  const documents = new Map<string, Uint8Array>();
  const entry = (path: string, lastModified: string): ManifestEntry => {
    const format = path.endsWith("rss.xml") ? "rss" : path.endsWith("feed.json") ? "json" : "atom";
    const body = encoder.encode(`${path} ${lastModified}\n`.repeat(40));
    return storeDocument(documents, body, CONTENT_TYPES[format], lastModified);
  };
  const manifest: Manifest = {
    buildId: "hand",
    siteUrl: SITE.url,
    routes: Object.fromEntries(Object.entries(routes).map(([path, date]) => [path, entry(path, date)])),
  };
  if (schedule.length > 0) {
    manifest.schedule = schedule.map(
      (change): ScheduledRoutes => ({
        from: change.from,
        routes: Object.fromEntries(
          Object.entries(change.routes).map(([path, date]) => [
            path,
            date === null ? null : entry(path, date),
          ]),
        ),
      }),
    );
  }
  return { manifest, documents, feeds: 0, trimmed: [] };
}

/** The routes of one feed in its three formats, all with the same Last-Modified. */
export function feedRoutes(folder: string, lastModified: string): Record<string, string> {
  return Object.fromEntries(
    ["rss.xml", "atom.xml", "feed.json"].map((file) => [folder + file, lastModified]),
  );
}

/** Every element named `name` under `root` (itself included), in document order. */
export function elementsNamed(root: XmlElement, name: string): XmlElement[] {
  const found = root.name === name ? [root] : [];
  for (const child of root.children) found.push(...elementsNamed(child, name));
  return found;
}

/** The bytes a gzip document holds. */
export function gunzip(bytes: Uint8Array | undefined): Uint8Array {
  if (!bytes) throw new Error("no such document");
  return new Uint8Array(gunzipSync(bytes));
}
