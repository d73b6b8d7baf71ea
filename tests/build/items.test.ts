/** Items rendered once per post and format, in memory or, past a limit, through a scratch file. */
import { readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { beforeAll, describe, expect, it } from "vitest";
import { renderSite } from "../../src/build/documents";
import { RenderedItems, renderPostItems } from "../../src/build/items";
import { type BuildResult, buildSite } from "../../src/build/site";
import { FEED_FORMATS, type FeedFormat, type Post } from "../../src/model";
import { atomParts } from "../../src/render/atom";
import { jsonFeedParts } from "../../src/render/jsonfeed";
import { rssParts } from "../../src/render/rss";
import { FINEWS_DIR } from "../corpus";
import { makeView } from "../render/fixture";

const PARTS = { rss: rssParts, atom: atomParts, json: jsonFeedParts };
const scratchFolders = async () => (await readdir(tmpdir())).filter((name) => name.startsWith("feed-items-"));

describe("RenderedItems", () => {
  const posts = makeView().items;

  it("gives every item's bytes as the renderer does, in memory, spilled, or both, and removes its scratch file", async () => {
    const before = await scratchFolders();
    for (const limit of [Number.POSITIVE_INFINITY, 0, 1500]) {
      const items = new RenderedItems(limit);
      for (const format of FEED_FORMATS) {
        for (const post of posts) {
          const expected = new TextEncoder().encode(PARTS[format].item(post));
          const out = new Uint8Array(expected.byteLength + 4);
          expect(items.size(format, post)).toBe(expected.byteLength);
          expect(items.copyInto(format, post, out, 2)).toBe(expected.byteLength + 2);
          expect(out.subarray(2, -2)).toEqual(expected);
        }
      }
      items.close();
    }
    expect(await scratchFolders()).toEqual(before);
  });

  it("takes items rendered elsewhere for the very post object, in memory or spilled", () => {
    for (const limit of [Number.POSITIVE_INFINITY, 0]) {
      const items = new RenderedItems(limit);
      const [post, other] = posts;
      if (!post || !other) throw new Error("the fixture has two posts");
      // Marked bytes, so the test sees which were used.
      const given = renderPostItems(post);
      for (const format of FEED_FORMATS) given[format] = new TextEncoder().encode(`<${format}/>`);
      items.provide(post, given);
      const copy = { ...post };
      for (const format of FEED_FORMATS) {
        const out = new Uint8Array(items.size(format, post));
        items.copyInto(format, post, out, 0);
        expect(new TextDecoder().decode(out)).toBe(`<${format}/>`);
        // Another object, even with the same fields, is rendered.
        expect(items.size(format, copy)).toBe(new TextEncoder().encode(PARTS[format].item(copy)).byteLength);
      }
      items.close();
    }
  });
});

describe("renderSite with items spilled", () => {
  let built: BuildResult;
  beforeAll(async () => {
    built = await buildSite(FINEWS_DIR, { now: new Date("2026-01-01T00:00:00Z") });
  }, 60_000);

  it("renders the same documents whatever the memory limit of items", () => {
    const { site, feedBudget } = built.site.config;
    const expected = renderSite(site, built.site.posts, feedBudget);
    for (const itemMemory of [0, 100_000]) {
      const items = new RenderedItems(itemMemory);
      const spilled = renderSite(site, built.site.posts, feedBudget, [], { items });
      items.close();
      expect(spilled.manifest).toEqual(expected.manifest);
      expect([...spilled.documents.keys()]).toEqual([...expected.documents.keys()]);
    }
  });
});

describe("renderSite's documents", () => {
  it("are refused rather than published with bytes nobody wrote (they are not zeroed first)", () => {
    const view = makeView();
    /** Items that copy one byte less than the size they give. */
    class ShortItems extends RenderedItems {
      override copyInto(format: FeedFormat, post: Post, out: Uint8Array, offset: number): number {
        return super.copyInto(format, post, out, offset) - 1;
      }
    }
    const items = new ShortItems();
    expect(() => renderSite(view.site, view.items, undefined, [], { items })).toThrow(
      /items changed size while rendered/,
    );
    items.close();
    // The same posts with honest items render.
    expect(renderSite(view.site, view.items).documents.size).toBeGreaterThan(0);
  });
});

describe("renderPostItems", () => {
  const view = makeView().items;
  // One post larger than the scratch space the items start in, between smaller ones.
  const posts = [
    ...view,
    { ...(view[0] as (typeof view)[number]), contentHtml: `<p>${"中&".repeat(40000)}</p>` },
    ...view,
  ];

  it("gives each post's items as views of one buffer holding them and nothing else, untouched by the next post", () => {
    const rendered = posts.map((post) => renderPostItems(post));
    rendered.forEach((items, i) => {
      const post = posts[i] as (typeof posts)[number];
      const buffers = new Set(FEED_FORMATS.map((format) => items[format].buffer));
      expect(buffers.size).toBe(1);
      const total = FEED_FORMATS.reduce((sum, format) => sum + items[format].byteLength, 0);
      expect(items.rss.buffer.byteLength).toBe(total);
      for (const format of FEED_FORMATS)
        expect(items[format]).toEqual(new TextEncoder().encode(PARTS[format].item(post)));
    });
  });
});
