/**
 * Each post's item in each format, rendered once: a post is in the site feed, its categories' and
 * tags' feeds and their archive pages, and its item is the same bytes in all of them (see
 * src/render/document.ts). Items stay in memory up to a limit; past it (a large build) they go to a
 * scratch file as they are rendered, so that the build's memory does not grow with three copies of
 * every post.
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FEED_FORMATS, type FeedFormat, type Post } from "../model";
import { FORMAT_PARTS } from "../render/formats";
import { isReleased } from "./post-content";

const encoder = new TextEncoder();

/** A post's item in every format, as UTF-8 bytes (what the parser threads send with each post). */
export type PostItems = Record<FeedFormat, Uint8Array>;

/** Where `renderPostItems` encodes a post's items before copying them out; grows to the largest. */
let scratch = new Uint8Array(64 * 1024);

/**
 * Renders `post`'s item in every format, each a view of one buffer holding the three and nothing else
 * (so a parser thread transfers one buffer per post). They are encoded into scratch space with
 * `encodeInto`, which makes one pass over a text where `encode` makes two (its length, then its
 * bytes), and copied out: about a seventh less time for the 10,000 bench posts.
 */
export function renderPostItems(post: Post): PostItems {
  const texts = FEED_FORMATS.map((format) => FORMAT_PARTS[format].item(post));
  // UTF-8 takes at most three bytes for one UTF-16 code unit.
  let capacity = 0;
  for (const text of texts) capacity += text.length * 3;
  if (scratch.byteLength < capacity) scratch = new Uint8Array(capacity);
  const ends: number[] = [];
  let end = 0;
  for (const text of texts) {
    end += encoder.encodeInto(text, scratch.subarray(end)).written;
    ends.push(end);
  }
  const bytes = scratch.slice(0, end);
  const items = {} as PostItems;
  FEED_FORMATS.forEach((format, i) => {
    items[format] = bytes.subarray(ends[i - 1] ?? 0, ends[i]);
  });
  return items;
}

function renderItem(format: FeedFormat, post: Post): Uint8Array {
  return encoder.encode(FORMAT_PARTS[format].item(post));
}

/** Where one item's bytes are in the scratch file. */
interface Spilled {
  position: number;
  length: number;
}

export class RenderedItems {
  private readonly inMemory = new Map<FeedFormat, WeakMap<Post, Uint8Array>>();
  private readonly spilled = new Map<FeedFormat, WeakMap<Post, Spilled>>();
  private scratch: { dir: string; fd: number; end: number } | undefined;
  /** Bytes of the items kept in memory. */
  private held = 0;

  /**
   * `memoryLimit`: bytes of items kept in memory; the others go to a scratch file under the system's
   * temporary folder (default: no limit).
   */
  constructor(private readonly memoryLimit = Number.POSITIVE_INFINITY) {}

  /**
   * Takes `post`'s items rendered elsewhere (by `renderPostItems` on a parser thread). They must be
   * of this very object: a post changed later (a capped one is a new object) is rendered again.
   */
  provide(post: Post, items: PostItems): void {
    for (const format of FEED_FORMATS) {
      if (!mapOf(this.inMemory, format).has(post) && !mapOf(this.spilled, format).has(post))
        this.keep(format, post, items[format]);
    }
  }

  /** The byte length of `post`'s item in `format` (rendering it if needed). */
  size(format: FeedFormat, post: Post): number {
    const item = this.item(format, post);
    return item instanceof Uint8Array ? item.byteLength : item.length;
  }

  /** Copies `post`'s item in `format` into `out` at `offset`; returns the offset after it. */
  copyInto(format: FeedFormat, post: Post, out: Uint8Array, offset: number): number {
    const item = this.item(format, post);
    if (item instanceof Uint8Array) {
      out.set(item, offset);
      return offset + item.byteLength;
    }
    if (!this.scratch) throw new Error("an item was spilled without a scratch file");
    const { position, length } = item;
    let done = 0;
    while (done < length) {
      const read = readSync(this.scratch.fd, out, offset + done, length - done, position + done);
      if (read === 0) throw new Error("the item scratch file is shorter than what was written to it");
      done += read;
    }
    return offset + length;
  }

  /** Deletes the scratch file. */
  close(): void {
    if (!this.scratch) return;
    closeSync(this.scratch.fd);
    rmSync(this.scratch.dir, { recursive: true, force: true });
    this.scratch = undefined;
  }

  /** The item in memory, or where it is in the scratch file; rendered on first use. */
  private item(format: FeedFormat, post: Post): Uint8Array | Spilled {
    const kept = mapOf(this.inMemory, format).get(post) ?? mapOf(this.spilled, format).get(post);
    if (kept) return kept;
    // Its item would be rendered without its text: a bug to report, never a feed to publish.
    if (isReleased(post))
      throw new Error(`${post.source}: no ${format} item kept, and its HTML was released`);
    return this.keep(format, post, renderItem(format, post));
  }

  /** Holds an item in memory while within the limit, else in the scratch file. */
  private keep(format: FeedFormat, post: Post, bytes: Uint8Array): Uint8Array | Spilled {
    if (this.held + bytes.byteLength <= this.memoryLimit) {
      this.held += bytes.byteLength;
      mapOf(this.inMemory, format).set(post, bytes);
      return bytes;
    }
    const place = this.spill(bytes);
    mapOf(this.spilled, format).set(post, place);
    return place;
  }

  private spill(bytes: Uint8Array): Spilled {
    if (!this.scratch) {
      const dir = mkdtempSync(join(tmpdir(), "feed-items-"));
      this.scratch = { dir, fd: openSync(join(dir, "items"), "w+"), end: 0 };
    }
    const scratch = this.scratch;
    let done = 0;
    while (done < bytes.byteLength)
      done += writeSync(scratch.fd, bytes, done, bytes.byteLength - done, scratch.end + done);
    const place = { position: scratch.end, length: bytes.byteLength };
    scratch.end += bytes.byteLength;
    return place;
  }
}

function mapOf<T>(maps: Map<FeedFormat, WeakMap<Post, T>>, format: FeedFormat): WeakMap<Post, T> {
  let map = maps.get(format);
  if (!map) {
    map = new WeakMap();
    maps.set(format, map);
  }
  return map;
}
