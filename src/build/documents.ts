/**
 * Renders every feed document once and describes the result as KV entries plus a manifest. Keys are
 * content-addressed (`doc/<sha256>`), so a later publish writes only documents that changed, and the
 * manifest is build-scoped (`manifest/<build id>`), so switching builds is one atomic step.
 */
import { hash } from "node:crypto";
import {
  CONTENT_TYPES,
  documentKey,
  FEED_FORMATS,
  type FeedFormat,
  type FeedScope,
  type FeedView,
  type Manifest,
  type ManifestEntry,
  type Post,
  type ScheduledRoutes,
  type Site,
} from "../model";
import { httpDate } from "../render/dates";
import { FORMAT_PARTS as PARTS } from "../render/formats";
import { DEFAULT_FEED_BUDGET, formatBytes, itemsWithinBudget } from "./budget";
import { type Documents, FolderDocuments } from "./document-store";
import { feedScopes, feedsOf, feedViews, newestFirst, postsIn } from "./feeds";
import { RenderedItems } from "./items";
import type { Problem } from "./problems";
import type { IndexedDocument, RenderIndex } from "./render-index";

export interface RenderedSite {
  manifest: Manifest;
  /** Document bytes by KV key. */
  documents: Documents;
  /** Number of feeds (each published in every format). */
  feeds: number;
  /** Documents that had to leave items out to stay within the byte budget. */
  trimmed: Problem[];
  /** Documents taken as an earlier build into the same folder rendered them (see render-index.ts). */
  reused?: number;
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
  options: RenderOptions = {},
): RenderedSite {
  const output: Output = {
    documents: options.documents ?? new Map(),
    trimmed: new Map(),
    items: options.items ?? new RenderedItems(),
    index: options.index,
    reused: 0,
    onDocument: options.onDocument,
    store: options.store,
  };
  try {
    return renderAll(site, posts, budget, scheduled, output);
  } finally {
    // Items given by the caller are the caller's to close.
    if (!options.items) output.items.close();
  }
}

function renderAll(
  site: Site,
  posts: readonly Post[],
  budget: number,
  scheduled: readonly Post[],
  output: Output,
): RenderedSite {
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
    ...(output.index ? { reused: output.reused } : {}),
  };
}

export interface RenderOptions {
  /** Where the documents go (default: a new `Map`). */
  documents?: Documents;
  /**
   * Each post's items, rendered already or as needed (default: a set of its own, all in memory). A
   * build into a folder bounds their memory, and gets items rendered on the parser threads.
   */
  items?: RenderedItems;
  /** What an earlier build into the same folder rendered: documents to reuse (see render-index.ts). */
  index?: RenderIndex;
  /**
   * Called with each document each time a route is given one, with its bytes when it was rendered
   * (not when an earlier build's file was reused).
   */
  onDocument?: (entry: ManifestEntry, bytes?: Uint8Array) => void;
  /**
   * Stores each document rendered (not reused) under `entry.key`, in place of `documents.set` and
   * `onDocument`, which are then not called for it: a build into a folder hands the bytes to a thread
   * that writes them and their gzip variant (compress.ts). The bytes are not used here after it.
   */
  store?: (entry: ManifestEntry, bytes: Uint8Array) => void;
}

interface Output {
  reused: number;
  documents: Documents;
  index: RenderIndex | undefined;
  onDocument: RenderOptions["onDocument"];
  store: RenderOptions["store"];
  /** By message, so a document rendered again for a schedule is reported once. */
  trimmed: Map<string, Problem>;
  items: RenderedItems;
}

/**
 * The document of `view` in `format` with the given head and tail: as many items as `budget` allows
 * (newest first). Returns the bytes and how many items were left out.
 */
function renderWithinBudget(
  view: FeedView,
  format: FeedFormat,
  text: { head: string; tail: string },
  budget: number,
  items: RenderedItems,
): { bytes: Uint8Array; dropped: number } {
  const head = encoder.encode(text.head);
  const tail = encoder.encode(text.tail);
  const separator = encoder.encode(PARTS[format].separator);
  const sizes = view.items.map((post) => items.size(format, post));
  const kept = itemsWithinBudget(head.byteLength + tail.byteLength, sizes, separator.byteLength, budget);
  let length = head.byteLength + tail.byteLength + Math.max(0, kept - 1) * separator.byteLength;
  for (let i = 0; i < kept; i++) length += sizes[i] ?? 0;
  // Not zeroed first (a tenth of a second per 10,000 posts): every byte is written below, as checked.
  const unzeroed = Buffer.allocUnsafeSlow(length);
  const bytes = new Uint8Array(unzeroed.buffer, unzeroed.byteOffset, length);
  bytes.set(head, 0);
  let offset = head.byteLength;
  view.items.slice(0, kept).forEach((post, i) => {
    if (i > 0) {
      bytes.set(separator, offset);
      offset += separator.byteLength;
    }
    offset = items.copyInto(format, post, bytes, offset);
  });
  if (offset + tail.byteLength !== length)
    throw new Error(`${view.urls[format]}: items changed size while rendered`);
  bytes.set(tail, offset);
  return { bytes, dropped: view.items.length - kept };
}

/**
 * One document: the one an earlier build rendered from the same inputs when the folder still has
 * it whole (see render-index.ts), else rendered now. `bytes` is there when it was rendered.
 */
function documentOf(
  view: FeedView,
  format: FeedFormat,
  budget: number,
  output: Output,
): { document: IndexedDocument; bytes?: Uint8Array } {
  const parts = PARTS[format];
  const text = { head: parts.head(view), tail: parts.tail(view) };
  const { index, documents } = output;
  const input = index?.inputKey(format, text.head, text.tail, view.items, budget);
  const earlier = input === undefined ? undefined : index?.earlierDocument(input);
  if (
    input &&
    earlier &&
    documents instanceof FolderDocuments &&
    documents.adopt(earlier.key, earlier.size)
  ) {
    index?.record(input, earlier);
    output.reused++;
    return { document: earlier };
  }
  const { bytes, dropped } = renderWithinBudget(view, format, text, budget, output.items);
  const key = documentKey(sha256(bytes));
  if (!output.store) documents.set(key, bytes);
  const document = { key, size: bytes.byteLength, dropped };
  if (input) index?.record(input, document);
  return { document, bytes };
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
      const { document, bytes } = documentOf(view, format, budget, output);
      const { key, size, dropped } = document;
      if (dropped > 0) {
        const problem: Problem = {
          path,
          severity: "warning",
          message: `over the ${formatBytes(budget)} feed budget with ${view.items.length} items`,
          action: `${dropped} oldest item(s) left out`,
        };
        output.trimmed.set(`${path}: ${problem.message}`, problem);
      }
      const entry: ManifestEntry = {
        key,
        contentType: CONTENT_TYPES[format],
        // The key is the SHA-256 of the bytes: the tag is its first half.
        etag: `"${key.slice("doc/".length, "doc/".length + 32)}"`,
        lastModified: httpDate(view.updated),
        size,
        ...(view.history.archive ? { archive: true } : {}),
      };
      routes[path] = entry;
      if (bytes && output.store) output.store(entry, bytes);
      else output.onDocument?.(entry, bytes);
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
  return hash("sha256", bytes);
}
