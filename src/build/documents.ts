/**
 * Renders every feed document once and describes the result as KV entries plus a manifest. Keys are
 * content-addressed (`doc/<sha256>`), so a later publish writes only documents that changed, and the
 * manifest is build-scoped (`manifest/<build id>`), so switching builds is one atomic step.
 */
import { createHash } from "node:crypto";
import {
  CONTENT_TYPES,
  documentKey,
  FEED_FORMATS,
  type FeedFormat,
  type FeedView,
  type Manifest,
  type Post,
  type Site,
} from "../model";
import { feedPath } from "../paths";
import { renderAtom } from "../render/atom";
import { httpDate } from "../render/dates";
import { renderJsonFeed } from "../render/jsonfeed";
import { renderRss } from "../render/rss";
import { DEFAULT_FEED_BUDGET, formatBytes, renderWithinBudget } from "./budget";
import { feedScopes, feedView, postsIn } from "./feeds";
import type { Problem } from "./problems";

const RENDERERS: Record<FeedFormat, (view: FeedView) => string> = {
  rss: renderRss,
  atom: renderAtom,
  json: renderJsonFeed,
};

export interface RenderedSite {
  manifest: Manifest;
  /** Document bytes by KV key. */
  documents: Map<string, Uint8Array>;
  /** Number of feeds (each published in every format). */
  feeds: number;
  /** Documents that had to leave items out to stay within the byte budget. */
  trimmed: Problem[];
}

const encoder = new TextEncoder();

/**
 * Renders the site, category and tag feeds of `posts` (newest first) in every format, each document
 * within `budget` bytes.
 */
export function renderSite(site: Site, posts: readonly Post[], budget = DEFAULT_FEED_BUDGET): RenderedSite {
  const documents = new Map<string, Uint8Array>();
  const trimmed: Problem[] = [];
  const routes: Manifest["routes"] = {};
  const scopes = feedScopes(posts);
  for (const scope of scopes) {
    const view = feedView(site, scope, postsIn(scope, posts));
    for (const format of FEED_FORMATS) {
      const path = feedPath(scope, format);
      const { bytes, dropped } = renderWithinBudget(view, RENDERERS[format], budget);
      if (dropped > 0) {
        trimmed.push({
          path,
          severity: "warning",
          message: `over the ${formatBytes(budget)} feed budget with ${view.items.length} items`,
          action: `${dropped} oldest item(s) left out`,
        });
      }
      const hash = sha256(bytes);
      const key = documentKey(hash);
      documents.set(key, bytes);
      routes[path] = {
        key,
        contentType: CONTENT_TYPES[format],
        etag: `"${hash.slice(0, 32)}"`,
        lastModified: httpDate(view.updated),
        size: bytes.byteLength,
      };
    }
  }
  const sorted = Object.fromEntries(Object.entries(routes).sort(([a], [b]) => (a < b ? -1 : 1)));
  const buildId = buildIdOf(site.url, sorted);
  return {
    manifest: { buildId, siteUrl: site.url, routes: sorted },
    documents,
    feeds: scopes.length,
    trimmed,
  };
}

/** Same routes and bytes, same id: the id is a hash of the manifest's routes. */
function buildIdOf(siteUrl: string, routes: Manifest["routes"]): string {
  return sha256(encoder.encode(JSON.stringify([siteUrl, routes]))).slice(0, 16);
}

export function sha256(bytes: Uint8Array | string): string {
  return createHash("sha256").update(bytes).digest("hex");
}
