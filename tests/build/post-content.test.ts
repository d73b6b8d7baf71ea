/**
 * A post whose HTML was released (post-content.ts) must count as the same post everywhere the calling
 * thread still looks at its content: the byte budget, the render index, the id lock.
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { capLargePosts } from "../../src/build/budget";
import { contentDigest, nextIdLock } from "../../src/build/id-lock";
import { RenderedItems, renderPostItems } from "../../src/build/items";
import { contentBytes, isReleased, releaseContent } from "../../src/build/post-content";
import { RenderIndex } from "../../src/build/render-index";
import type { Post } from "../../src/model";
import { makeView } from "../render/fixture";

/** The fixture's posts, each with a body of a different size, and released copies of them. */
function postsAndReleased(): { posts: Post[]; released: Post[] } {
  const posts = makeView().items.map((post, i) => ({
    ...post,
    contentHtml: `<p>${"正文 & <b>text</b> ".repeat(40 * (i + 1))}</p>`,
  }));
  const released = posts.map((post) => ({ ...post }));
  for (const post of released) releaseContent(post);
  return { posts, released };
}

describe("releaseContent", () => {
  it("drops the HTML and marks the post", () => {
    const { posts, released } = postsAndReleased();
    for (const [i, post] of released.entries()) {
      expect(post.contentHtml).toBe("");
      expect(isReleased(post)).toBe(true);
      expect(isReleased(posts[i] as Post)).toBe(false);
      expect(contentBytes(post)).toBe(new TextEncoder().encode((posts[i] as Post).contentHtml).byteLength);
    }
  });

  it("caps the same posts, with the same report", () => {
    const { posts, released } = postsAndReleased();
    // A budget whose quarter lies between the posts' sizes, so some are capped and some are not.
    const budget = 4 * contentBytes(posts[1] as Post);
    const full = capLargePosts(posts, budget);
    const kept = capLargePosts(released, budget);
    expect(full.problems.length).toBeGreaterThan(0);
    expect(full.problems.length).toBeLessThan(posts.length);
    expect(kept.problems).toEqual(full.problems);
    // A capped post is a new object with its own (short) HTML, which can be rendered again.
    kept.posts.forEach((post, i) => {
      if (post === released[i]) return;
      expect(post.contentHtml).toBe((full.posts[i] as Post).contentHtml);
      expect(isReleased(post)).toBe(false);
    });
  });

  it("keeps the render index's keys and the id lock's digests", () => {
    const { posts, released } = postsAndReleased();
    const index = RenderIndex.read("/nonexistent/render-index.json", "salt");
    const other = RenderIndex.read("/nonexistent/render-index.json", "salt");
    expect(other.inputKey("atom", "<feed>", "</feed>", released, 1e6)).toBe(
      index.inputKey("atom", "<feed>", "</feed>", posts, 1e6),
    );
    expect(nextIdLock(undefined, released, "example.com,2024")).toEqual(
      nextIdLock(undefined, posts, "example.com,2024"),
    );
  });

  it("gives the id lock the digest committed locks hold: SHA-256 of title, line break and HTML, 16 hex digits", () => {
    const { posts, released } = postsAndReleased();
    posts.forEach((post, i) => {
      const expected = createHash("sha256")
        .update(`${post.title}\n${post.contentHtml}`)
        .digest("hex")
        .slice(0, 16);
      expect(contentDigest(post)).toBe(expected);
      expect(contentDigest(released[i] as Post)).toBe(expected);
    });
  });

  it("leaves nothing to render the items from: they must have been kept", () => {
    const { posts, released } = postsAndReleased();
    const items = new RenderedItems();
    const [given, other] = released;
    if (!given || !other) throw new Error("the fixture has two posts");
    items.provide(given, renderPostItems(posts[0] as Post));
    expect(items.size("atom", given)).toBe(renderPostItems(posts[0] as Post).atom.byteLength);
    expect(() => items.size("atom", other)).toThrow(/HTML was released/);
    items.close();
  });
});
