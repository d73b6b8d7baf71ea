/**
 * What each document of a build into a folder was rendered from, so that a rebuild into the same
 * folder renders only the documents whose inputs changed: adding ten posts to a site of ten thousand
 * changes a few dozen feeds, and every other document is already in the folder under its key.
 *
 * A document's inputs are its format, its head and tail (which carry everything the feed adds:
 * titles, addresses, dates, archive links), the fingerprint of each item's post in order, and the
 * byte budget. The index is salted with the fingerprint of the build's code (see cache.ts), so new
 * renderers never reuse an old document, and a document is reused only when its file is whole.
 */
import { createHash, hash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import type { FeedFormat, Post } from "../model";
import { titledSha256 } from "./post-content";

/** The index's file in the build's folder (beside manifest.json and doc/). */
export const RENDER_INDEX_FILE = "render-index.json";

/** A document as an earlier build rendered it: its key, size and the items it had to leave out. */
export interface IndexedDocument {
  key: string;
  size: number;
  dropped: number;
}

interface IndexFile {
  salt: string;
  documents: Record<string, [key: string, size: number, dropped: number]>;
}

export class RenderIndex {
  private readonly current = new Map<string, IndexedDocument>();
  private readonly fingerprints = new WeakMap<Post, string>();

  private constructor(
    readonly salt: string,
    private readonly earlier: Map<string, IndexedDocument>,
  ) {}

  /** True when an index written by the same code was read: what that build made can be reused. */
  get fromSameCode(): boolean {
    return this.earlier.size > 0;
  }

  /** The index at `path` when it was written with `salt`; else an empty one. */
  static read(path: string, salt: string): RenderIndex {
    const earlier = new Map<string, IndexedDocument>();
    try {
      const file = JSON.parse(readFileSync(path, "utf8")) as IndexFile;
      if (file.salt === salt && typeof file.documents === "object") {
        for (const [input, [key, size, dropped]] of Object.entries(file.documents))
          earlier.set(input, { key, size, dropped });
      }
    } catch {
      // No index, or an unreadable one: every document is rendered.
    }
    return new RenderIndex(salt, earlier);
  }

  /** The key of a document's inputs (see the top of this module). */
  inputKey(format: FeedFormat, head: string, tail: string, items: readonly Post[], budget: number): string {
    // One string hashed in one call: an update per item cost more than the hashing.
    let inputs = `${format}\0${budget}\0${head}\0${tail}\0`;
    for (const post of items) inputs += this.fingerprint(post);
    return hash("sha256", inputs);
  }

  /** The document an earlier build rendered from these inputs, if any. */
  earlierDocument(inputKey: string): IndexedDocument | undefined {
    return this.earlier.get(inputKey);
  }

  /** Notes the document this build has for `inputKey` (rendered or reused). */
  record(inputKey: string, document: IndexedDocument): void {
    this.current.set(inputKey, document);
  }

  /** Writes this build's documents (only them: the index never grows beyond one build). */
  write(path: string): void {
    const documents: IndexFile["documents"] = {};
    for (const [input, { key, size, dropped }] of this.current) documents[input] = [key, size, dropped];
    writeFileSync(path, JSON.stringify({ salt: this.salt, documents } satisfies IndexFile));
  }

  /**
   * Everything a post's item is rendered from: the post as JSON but for its HTML, which is taken by
   * a digest (`titledSha256`: JSON would first escape every quote of it; and a large build releases
   * the HTML once the items are rendered, keeping the digest: see post-content.ts).
   */
  private fingerprint(post: Post): string {
    let fingerprint = this.fingerprints.get(post);
    if (fingerprint === undefined) {
      const { contentHtml: _, ...rest } = post;
      fingerprint = createHash("sha256")
        .update(JSON.stringify(rest))
        .update("\0")
        .update(titledSha256(post))
        .digest("hex");
      this.fingerprints.set(post, fingerprint);
    }
    return fingerprint;
  }
}
