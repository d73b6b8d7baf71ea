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
  type FeedScope,
  type FeedView,
  type Manifest,
  type Post,
  type ScheduledRoutes,
  type Site,
} from "../model";
import { renderAtom } from "../render/atom";
import { httpDate } from "../render/dates";
import { renderJsonFeed } from "../render/jsonfeed";
import { renderRss } from "../render/rss";
import { DEFAULT_FEED_BUDGET, formatBytes, renderWithinBudget } from "./budget";
import { feedScopes, feedsOf, feedViews, newestFirst, postsIn } from "./feeds";
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
 * Renders the site, category and tag feeds of `posts` (newest first) in every format, with their
 * archive pages, each document within `budget` bytes. `scheduled` posts (dated after the build)
 * become `manifest.schedule`: the documents they change, rendered ahead for the instant they appear.
 */
export function renderSite(
  site: Site,
  posts: readonly Post[],
  budget = DEFAULT_FEED_BUDGET,
  scheduled: readonly Post[] = [],
): RenderedSite {
  const output: Output = { documents: new Map(), trimmed: new Map() };
  const feeds = feedsOf(posts);
  const routes: Manifest["routes"] = {};
  for (const feed of feeds) Object.assign(routes, renderFeed(site, feed.scope, feed.posts, budget, output));

  const schedule: ScheduledRoutes[] = [];
  let visible = [...posts];
  for (const [from, released] of groupByInstant(scheduled)) {
    visible = [...visible, ...released].sort(newestFirst);
    const changed = feedScopes(released);
    const overlay: ScheduledRoutes["routes"] = {};
    for (const scope of changed)
      Object.assign(overlay, renderFeed(site, scope, postsIn(scope, visible), budget, output));
    schedule.push({ from, routes: sortedByPath(overlay) });
  }

  const sorted = sortedByPath(routes);
  const manifest: Manifest = {
    buildId: "",
    siteUrl: site.url,
    routes: sorted,
    ...(site.hub ? { hub: site.hub } : {}),
    ...(schedule.length > 0 ? { schedule } : {}),
  };
  manifest.buildId = buildIdOf(manifest);
  return {
    manifest,
    documents: output.documents,
    feeds: feeds.length,
    trimmed: [...output.trimmed.values()],
  };
}

interface Output {
  documents: Map<string, Uint8Array>;
  /** By message, so a document rendered again for a schedule is reported once. */
  trimmed: Map<string, Problem>;
}

/** Every document of one feed (subscription and archive pages, every format), as routes. */
function renderFeed(
  site: Site,
  scope: FeedScope,
  posts: readonly Post[],
  budget: number,
  output: Output,
): Manifest["routes"] {
  const routes: Manifest["routes"] = {};
  for (const view of feedViews(site, scope, posts)) {
    for (const format of FEED_FORMATS) {
      const path = view.urls[format].slice(site.url.length);
      const { bytes, dropped } = renderWithinBudget(view, RENDERERS[format], budget);
      if (dropped > 0) {
        const problem: Problem = {
          path,
          severity: "warning",
          message: `over the ${formatBytes(budget)} feed budget with ${view.items.length} items`,
          action: `${dropped} oldest item(s) left out`,
        };
        output.trimmed.set(`${path}: ${problem.message}`, problem);
      }
      const hash = sha256(bytes);
      const key = documentKey(hash);
      output.documents.set(key, bytes);
      routes[path] = {
        key,
        contentType: CONTENT_TYPES[format],
        etag: `"${hash.slice(0, 32)}"`,
        lastModified: httpDate(view.updated),
        size: bytes.byteLength,
        ...(view.history.archive ? { archive: true } : {}),
      };
    }
  }
  return routes;
}

/** Scheduled posts grouped by the instant they appear, earliest first. */
function groupByInstant(posts: readonly Post[]): [string, Post[]][] {
  const groups = new Map<string, Post[]>();
  for (const post of [...posts].sort((a, b) => -newestFirst(a, b))) {
    const group = groups.get(post.published);
    if (group) group.push(post);
    else groups.set(post.published, [post]);
  }
  return [...groups];
}

function sortedByPath<T>(routes: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(routes).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Same routes, schedule and bytes, same id: the id is a hash of the manifest. */
function buildIdOf(manifest: Manifest): string {
  return sha256(encoder.encode(JSON.stringify(manifest))).slice(0, 16);
}

export function sha256(bytes: Uint8Array | string): string {
  return createHash("sha256").update(bytes).digest("hex");
}
