/**
 * Each post's item in each format, rendered once: a post is in the site feed, its categories' and
 * tags' feeds and their archive pages, and its item is the same bytes in all of them (see
 * src/render/document.ts). Items stay in memory, or, for a large build, go to a scratch file as
 * they are rendered, so that the build's memory does not grow with three copies of every post.
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

  /** `spill`: keep the items in a scratch file under the system's temporary folder. */
  constructor(
    private readonly parts: Record<FeedFormat, DocumentParts>,
    spill = false,
  ) {
    if (spill) {
      const dir = mkdtempSync(join(tmpdir(), "feed-items-"));
      this.scratch = { dir, fd: openSync(join(dir, "items"), "w+"), end: 0 };
    }
  }

  /** The byte length of `post`'s item in `format` (rendering it if needed). */
  size(format: FeedFormat, post: Post): number {
    return this.scratch ? this.spill(format, post).length : this.memory(format, post).byteLength;
  }

  /** Copies `post`'s item in `format` into `out` at `offset`; returns the offset after it. */
  copyInto(format: FeedFormat, post: Post, out: Uint8Array, offset: number): number {
    if (!this.scratch) {
      const bytes = this.memory(format, post);
      out.set(bytes, offset);
      return offset + bytes.byteLength;
    }
    const { position, length } = this.spill(format, post);
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

  private memory(format: FeedFormat, post: Post): Uint8Array {
    const byPost = mapOf(this.inMemory, format);
    let bytes = byPost.get(post);
    if (!bytes) {
      bytes = this.render(format, post);
      byPost.set(post, bytes);
    }
    return bytes;
  }

  private spill(format: FeedFormat, post: Post): Spilled {
    const byPost = mapOf(this.spilled, format);
    let place = byPost.get(post);
    if (!place) {
      const scratch = this.scratch as { fd: number; end: number };
      const bytes = this.render(format, post);
      let done = 0;
      while (done < bytes.byteLength)
        done += writeSync(scratch.fd, bytes, done, bytes.byteLength - done, scratch.end + done);
      place = { position: scratch.end, length: bytes.byteLength };
      scratch.end += bytes.byteLength;
      byPost.set(post, place);
    }
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
