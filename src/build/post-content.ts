/**
 * What the calling thread keeps of a post's sanitized HTML once a parser thread has rendered the
 * post's items: its UTF-8 size and a digest, not the text. From then on the items are the only
 * use of the HTML (feeds copy them), so a large build's memory grows with the posts' few fields and
 * not with their bodies (the HTML of the 10,000 bench posts is 20.5 million UTF-16 code units, 41 MB
 * as JavaScript strings; issue 6 asks for memory bounded by the feeds, not the corpus).
 *
 * A released post keeps `contentHtml: ""`; every reader of the HTML on the calling thread goes through
 * the functions below, which answer alike for a released post and for one that still has its HTML.
 */
import { hash } from "node:crypto";
import type { Post } from "../model";

interface ContentFacts {
  /** UTF-8 length of the HTML. */
  bytes: number;
  /** SHA-256 (hex) of the title, a line break and the HTML (`titledSha256`). */
  titledSha256: string;
}

const released = new WeakMap<Post, ContentFacts>();

/**
 * Drops `post`'s HTML, keeping its facts. Only for a post whose items were rendered already and are
 * kept (see `RenderedItems.provide`): nothing can render them again.
 */
export function releaseContent(post: Post): void {
  if (released.has(post)) return;
  released.set(post, {
    bytes: Buffer.byteLength(post.contentHtml, "utf8"),
    titledSha256: titledSha256Of(post.title, post.contentHtml),
  });
  post.contentHtml = "";
}

/** True when `post`'s HTML was released: its `contentHtml` is empty whatever it was. */
export function isReleased(post: Post): boolean {
  return released.has(post);
}

/** The UTF-8 length of `post`'s HTML. */
export function contentBytes(post: Post): number {
  return released.get(post)?.bytes ?? Buffer.byteLength(post.contentHtml, "utf8");
}

/**
 * The SHA-256 (hex) of `post`'s title, a line break and its HTML: one pass over the HTML gives both
 * the render index what it needs of it and the id lock its digest.
 */
export function titledSha256(post: Post): string {
  return released.get(post)?.titledSha256 ?? titledSha256Of(post.title, post.contentHtml);
}

/**
 * What the id lock records of a post's title and content (see id-lock.ts): the first 16 hex digits of
 * `titledSha256`. Locks already committed hold these digests, so the formula never changes.
 */
export function lockDigest(post: Post): string {
  return titledSha256(post).slice(0, 16);
}

function titledSha256Of(title: string, html: string): string {
  return hash("sha256", `${title}\n${html}`);
}
