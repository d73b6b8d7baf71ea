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
import type { FeedFormat, Post } from "../model";
import type { DocumentParts } from "../render/document";

const encoder = new TextEncoder();

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
  constructor(
    private readonly parts: Record<FeedFormat, DocumentParts>,
    private readonly memoryLimit = Number.POSITIVE_INFINITY,
  ) {}

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

  private render(format: FeedFormat, post: Post): Uint8Array {
    return encoder.encode(this.parts[format].item(post));
  }

  /** The item in memory, or where it is in the scratch file; rendered on first use. */
  private item(format: FeedFormat, post: Post): Uint8Array | Spilled {
    const inMemory = mapOf(this.inMemory, format);
    const spilled = mapOf(this.spilled, format);
    const known = inMemory.get(post) ?? spilled.get(post);
    if (known) return known;
    const bytes = this.render(format, post);
    if (this.held + bytes.byteLength <= this.memoryLimit) {
      this.held += bytes.byteLength;
      inMemory.set(post, bytes);
      return bytes;
    }
    const place = this.spill(bytes);
    spilled.set(post, place);
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
