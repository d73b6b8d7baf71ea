/**
 * Checks every document of a real build the way subscribers read it: well-formed, JSON Feed 1.1
 * fields present, and read by every installed parser with the items the model says it holds.
 */
import { gunzipSync } from "node:zlib";
import { expect } from "vitest";
import { feedScopes, feedViews, postsIn } from "../../src/build/feeds";
import type { BuildResult } from "../../src/build/site";
import { FEED_FORMATS, type FeedFormat } from "../../src/model";
import { DISCOVERY_PATH, OPML_PATH } from "../../src/paths";
import { assertJsonFeed11, assertWellFormedXml, parseWithAll } from "./feed-parsers";

const decoder = new TextDecoder("utf-8", { fatal: true });

/** The text of the document served at `path`. */
export function documentAt(result: BuildResult, path: string): string {
  const entry = result.manifest.routes[path];
  if (!entry) throw new Error(`no document at ${path}`);
  const bytes = result.documents.get(entry.key);
  if (!bytes) throw new Error(`manifest points at missing ${entry.key}`);
  return decoder.decode(bytes);
}

/**
 * Every document (subscription and archive pages) of every feed in every format, each parsed by at
 * least two parsers agreeing with the model; then every other route (`checkOtherRoutes`). Returns the
 * number of routes checked, which is every route of the manifest unless one is of an unknown kind.
 */
export async function checkEveryFeed(result: BuildResult): Promise<number> {
  const { config, posts } = result.site;
  const trimmed = new Set(result.trimmed.map((problem) => problem.path));
  const feedPaths = new Set<string>();
  let checked = 0;
  for (const scope of feedScopes(posts)) {
    for (const view of feedViews(config.site, scope, postsIn(scope, posts))) {
      const expected = view.items.map((post) => ({
        id: post.id,
        link: post.link,
        published: new Date(post.published).toISOString(),
      }));
      for (const format of FEED_FORMATS) {
        const path = view.urls[format].slice(config.site.url.length);
        const body = documentAt(result, path);
        checkSyntax(format, body, path);
        const parsed = await parseWithAll(format, body);
        expect(parsed.length, path).toBeGreaterThanOrEqual(2);
        // A document over the byte budget keeps the newest items only (and says so in `trimmed`).
        const count = parsed[0]?.items.length ?? 0;
        if (trimmed.has(path)) expect(count, path).toBeLessThan(expected.length);
        else expect(count, path).toBe(expected.length);
        for (const feed of parsed) {
          const got = feed.items.map(({ id, link, published }) => ({ id, link, published }));
          expect(got, `${path} read by ${feed.parser}`).toEqual(expected.slice(0, count));
        }
        feedPaths.add(path);
        checked++;
      }
    }
  }
  return checked + checkOtherRoutes(result, feedPaths);
}

/**
 * The routes that are not feed documents: jekyll-feed aliases (an exact copy of their target's entry),
 * the discovery page (well-formed, one `<link rel="alternate">` per feed document) and the OPML lists
 * (well-formed OPML 2.0). Also checks that every gzip variant gunzips to its identity bytes. Returns
 * how many routes it recognized.
 */
function checkOtherRoutes(result: BuildResult, feedPaths: ReadonlySet<string>): number {
  const { routes } = result.manifest;
  let checked = 0;
  for (const [path, entry] of Object.entries(routes)) {
    if (entry.gzip) {
      const gzipped = result.documents.get(entry.gzip.key);
      expect(gzipped, path).toBeDefined();
      expect(gzipped?.byteLength, path).toBe(entry.gzip.size);
      expect(
        Buffer.from(gunzipSync(gzipped ?? new Uint8Array())).equals(
          Buffer.from(result.documents.get(entry.key) ?? []),
        ),
        path,
      ).toBe(true);
    }
    if (feedPaths.has(path)) continue;
    if (entry.canonical !== undefined) {
      expect(feedPaths.has(entry.canonical), `${path} stands for ${entry.canonical}`).toBe(true);
      expect({ ...entry, canonical: undefined }, path).toEqual({
        ...routes[entry.canonical],
        canonical: undefined,
      });
    } else if (path === DISCOVERY_PATH) {
      const page = documentAt(result, path);
      assertWellFormedXml(page);
      const subscriptions = [...feedPaths].filter((p) => !p.includes("/archive/"));
      expect(page.match(/<link rel="alternate"/g)?.length, path).toBe(subscriptions.length);
    } else if (path === OPML_PATH || path.startsWith(`${OPML_PATH}?`)) {
      const opml = documentAt(result, path);
      assertWellFormedXml(opml);
      expect(opml, path).toContain('<opml version="2.0">');
    } else {
      throw new Error(`${path}: a route of no known kind`);
    }
    checked++;
  }
  return checked;
}

function checkSyntax(format: FeedFormat, body: string, path: string): void {
  try {
    if (format === "json") assertJsonFeed11(body);
    else assertWellFormedXml(body);
  } catch (error) {
    throw new Error(`${path}: ${(error as Error).message}`);
  }
}
