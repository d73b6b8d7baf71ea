/**
 * Checks every document of a real build the way subscribers read it: well-formed, JSON Feed 1.1
 * fields present, and read by every installed parser with the items the model says it holds.
 */
import { expect } from "vitest";
import { feedScopes, feedViews, postsIn } from "../../src/build/feeds";
import type { BuildResult } from "../../src/build/site";
import { FEED_FORMATS, type FeedFormat } from "../../src/model";
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
 * least two parsers agreeing with the model.
 */
export async function checkEveryFeed(result: BuildResult): Promise<number> {
  const { config, posts } = result.site;
  const trimmed = new Set(result.trimmed.map((problem) => problem.path));
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
        checked++;
      }
    }
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
