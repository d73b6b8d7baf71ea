/**
 * Parser threads render each post's items as they parse it: the bytes must be exactly what this thread
 * renders for the post it receives, and a build fed them must equal one that renders its own.
 */
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readSiteConfig } from "../../src/build/config";
import { nextIdLock } from "../../src/build/id-lock";
import { type PostItems, renderPostItems } from "../../src/build/items";
import { parsePostFiles } from "../../src/build/pool";
import { isReleased } from "../../src/build/post-content";
import { ProblemLog } from "../../src/build/problems";
import { buildSite } from "../../src/build/site";
import type { Post } from "../../src/model";
import { FINEWS_DIR } from "../corpus";

describe("items rendered on parser threads", () => {
  it("are the bytes this thread renders for every finews post", async () => {
    const config = await readSiteConfig(FINEWS_DIR, new ProblemLog("_config.yml"));
    const paths = (await readdir(join(FINEWS_DIR, "_posts"))).map((name) => `_posts/${name}`).sort();
    const given = new Map<Post, PostItems>();
    const parsed = await parsePostFiles(
      FINEWS_DIR,
      paths,
      { config },
      {
        threads: 2,
        inlineLimit: 1,
        onItems: (post, items) => given.set(post, items),
      },
    );
    const posts = parsed.flatMap((result) => (result.post ? [result.post] : []));
    expect(posts.length).toBeGreaterThan(100);
    // Every published post came with its items, for that very object.
    expect(posts.filter((post) => !given.has(post))).toEqual([]);
    for (const post of posts) expect(given.get(post)).toEqual(renderPostItems(post));
  });

  it("are not asked for when the caller parses alone", async () => {
    const config = await readSiteConfig(FINEWS_DIR, new ProblemLog("_config.yml"));
    let calls = 0;
    const paths = (await readdir(join(FINEWS_DIR, "_posts"))).map((name) => `_posts/${name}`).sort();
    await parsePostFiles(FINEWS_DIR, paths, { config }, { threads: 0, onItems: () => calls++ });
    expect(calls).toBe(0);
  });

  it("give the documents a build renders itself", async () => {
    const now = new Date("2026-01-01T00:00:00Z");
    const alone = await buildSite(FINEWS_DIR, { now });
    // Threads even for this small site.
    const threaded = await buildSite(FINEWS_DIR, { now, threads: 2, inlineLimit: 1 });
    expect(threaded.manifest).toEqual(alone.manifest);
    for (const [key, bytes] of alone.documents) expect(threaded.documents.get(key)).toEqual(bytes);
    // The threaded build kept none of the posts' HTML, and records the same ids and digests.
    expect(threaded.site.posts.filter((post) => !isReleased(post))).toEqual([]);
    expect(alone.site.posts.filter((post) => isReleased(post))).toEqual([]);
    expect(nextIdLock(undefined, threaded.site.posts, "example.com")).toEqual(
      nextIdLock(undefined, alone.site.posts, "example.com"),
    );
  });
});
