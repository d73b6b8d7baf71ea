/**
 * Precompressed variants of the documents the edge does not compress: Cloudflare's edge compresses
 * RSS but not Atom or JSON Feed, so the build gzips each of those once and the Worker serves the
 * bytes as they are to clients that accept gzip (RFC 9110 §8.4.1.3, §12.5.3).
 */
import type { Worker } from "node:worker_threads";
import { gzipSync } from "node:zlib";
import type { Manifest, ManifestEntry } from "../model";
import { copyDocuments, type Documents, FolderDocuments, type PackLocation } from "./document-store";
import type { RenderedSite } from "./documents";
import { mapEntries, storeDocument } from "./manifest-routes";
import { withoutTsxPreload, workerWithOptions } from "./thread-start";
import { ownsBuffer } from "./transfer";

/**
 * zlib level 3, the last of its fast levels: against the default (6), on feed documents it took about
 * a third less CPU for 1.5-2.6 % more gzip bytes (finews: ratio 0.254 against 0.248; bench corpus:
 * 0.533 against 0.525), and the build compresses every subscription document; level 9 saved well
 * under 1 % more than 6 for about three times the time.
 */
export const GZIP_LEVEL = 3;

/** A variant is kept only when it saves at least this share of the identity bytes. */
export const MIN_GZIP_SAVING = 0.1;

/**
 * The gzip bytes of `bytes`: zlib at `GZIP_LEVEL`, and deterministic, as Node's gzip header carries no file
 * name and a zero MTIME (RFC 1952 §2.3.1: "MTIME = 0 means no time stamp is available"), so the same
 * document always gives the same bytes, key and entity tag.
 */
export function gzipDocument(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(gzipSync(bytes, { level: GZIP_LEVEL }));
}

/**
 * The entity tag of the gzip representation. A content coding makes a different representation, which
 * needs its own strong tag (RFC 9110 §8.8.3.3), so the identity tag gets a `-gzip` suffix.
 */
export function gzipEtag(identityEtag: string): string {
  return identityEtag.endsWith('"') ? `${identityEtag.slice(0, -1)}-gzip"` : `"${identityEtag}-gzip"`;
}

/** A gzip variant already stored in the build's documents (taken over from an earlier build). */
export interface StoredVariant {
  key: string;
  size: number;
}

/** Gzip bytes made ahead by identity key, or variants already stored; see `Compressor`. */
export type Precompressed = ReadonlyMap<string, Uint8Array | StoredVariant>;

/**
 * Adds `gzip` to every entry of the manifest (routes and every scheduled change) that gets a variant
 * (see `compressed`: not archive pages, not RSS) whose document shrinks by at least
 * `MIN_GZIP_SAVING`, and the gzip bytes to the documents. Each document is compressed once however
 * many routes point at it, unless `precompressed` has it. The input is not modified.
 */
export function addGzipVariants(
  rendered: RenderedSite,
  precompressed: Precompressed = new Map(),
): RenderedSite {
  const documents = copyDocuments(rendered.documents);
  const variants = new Map<string, ManifestEntry["gzip"] | null>();
  const variantOf = (entry: ManifestEntry): ManifestEntry["gzip"] | null => {
    let variant = variants.get(entry.key);
    if (variant !== undefined) return variant;
    variant = null;
    const made = precompressed.get(entry.key);
    if (made && !(made instanceof Uint8Array)) {
      if (made.size <= entry.size * (1 - MIN_GZIP_SAVING)) {
        if (!holdsStored(documents, made)) throw new Error(`gzip variant ${made.key} is not in the folder`);
        variant = { key: made.key, etag: gzipEtag(entry.etag), size: made.size };
      } else documents.delete(made.key);
    } else {
      const gzipped = made ?? gzipDocument(identityBytes(documents, entry.key));
      if (gzipped.byteLength <= entry.size * (1 - MIN_GZIP_SAVING)) {
        const stored = storeDocument(documents, gzipped, entry.contentType, entry.lastModified);
        variant = { key: stored.key, etag: gzipEtag(entry.etag), size: stored.size };
      }
    }
    variants.set(entry.key, variant);
    return variant;
  };
  const manifest = mapEntries(rendered.manifest, (entry) => {
    if (entry.gzip || !compressed(entry)) return entry;
    const gzip = variantOf(entry);
    return gzip ? { ...entry, gzip } : entry;
  });
  return { ...rendered, manifest, documents };
}

/**
 * Whether `documents` holds a variant stored in their folder, taking it in when the folder has it: a
 * set copied before the compressing thread reported it (`finishSite` renders the discovery
 * documents meanwhile) does not list it yet.
 */
function holdsStored(documents: Documents, variant: StoredVariant): boolean {
  if (documents.has(variant.key)) return true;
  return documents instanceof FolderDocuments && documents.adopt(variant.key, variant.size);
}

/**
 * Which documents get a gzip variant:
 * - not archive pages: they are two thirds of the bytes but fetched once per subscriber (then cached
 *   for a year), so compressing them would double the build's time for little traffic;
 * - not RSS: Cloudflare's edge compresses `application/rss+xml` responses itself (gzip or brotli, as
 *   the client accepts; ../shared/docs/platform.md), so a variant of ours would only cost a third of
 *   the build's compressing and a KV entry per feed. Atom and JSON Feed it leaves alone.
 */
function compressed(entry: Pick<ManifestEntry, "archive" | "contentType">): boolean {
  return !entry.archive && !entry.contentType.startsWith(EDGE_COMPRESSED);
}

/** The media type the edge compresses on its way to the client (see `compressed`). */
const EDGE_COMPRESSED = "application/rss+xml";

function identityBytes(documents: Documents, key: string): Uint8Array {
  const bytes = documents.get(key);
  if (!bytes) throw new Error(`the manifest points at ${key}, which was not rendered`);
  return bytes;
}

/**
 * The compressing thread's code: plain JavaScript, so it starts in milliseconds without the
 * TypeScript loader. It gzips each document it is sent with the settings of `gzipDocument`, and in a
 * build into a folder it also writes the documents it is given to write.
 */
const GZIP_THREAD = `
const { parentPort, workerData } = require("node:worker_threads");
const { gzipSync } = require("node:zlib");
const { createHash } = require("node:crypto");
const { closeSync, openSync, writeSync } = require("node:fs");
const { basename } = require("node:path");
const { queued, pack, existing } = workerData;
const present = new Set(existing);
let fd;
let length = 0;
// Stored as FolderDocuments stores a document: appended to a pack.
const append = (bytes) => {
  fd ??= openSync(pack, "wx");
  const offset = length;
  for (let done = 0; done < bytes.byteLength; )
    done += writeSync(fd, bytes, done, bytes.byteLength - done, offset + done);
  length += bytes.byteLength;
  return { pack: basename(pack), offset, size: bytes.byteLength };
};
parentPort.on("message", ({ key, bytes, size, write, gzip, close }) => {
  if (close) {
    if (fd !== undefined) closeSync(fd);
    fd = undefined;
    parentPort.postMessage({ closed: true });
    return;
  }
  const written = write ? append(bytes) : undefined;
  if (!gzip) {
    Atomics.sub(queued, 0, size);
    parentPort.postMessage({ key, written });
    return;
  }
  const gzipped = gzipSync(bytes, { level: ${GZIP_LEVEL} });
  if (pack) {
    // Unless the folder has it already.
    const stored = "doc/" + createHash("sha256").update(gzipped).digest("hex");
    const at = present.has(stored) ? undefined : append(gzipped);
    present.add(stored);
    Atomics.sub(queued, 0, size);
    parentPort.postMessage({ key, written, stored: { key: stored, size: gzipped.byteLength }, at });
  } else {
    Atomics.sub(queued, 0, size);
    parentPort.postMessage({ key, gzipped }, [gzipped.buffer]);
  }
});
`;

/**
 * What the compressing thread answers: where it wrote a document it was given to write, and the gzip
 * bytes or where it stored them in the folder.
 */
type ThreadReply =
  | { key: string; gzipped: Uint8Array }
  | { key: string; written?: PackLocation; stored?: StoredVariant; at?: PackLocation }
  | { closed: true };

/**
 * Gzip made while the feeds are still being rendered: each document is sent to a thread of its own
 * as soon as it exists (the same zlib settings, so the same bytes as `gzipDocument`), so the other
 * core compresses while this one renders, and only documents waiting their turn are held. Variants
 * an earlier build left in the same folder are taken over instead (see the constructor). Pass
 * `done()` to `addGzipVariants`.
 *
 * In a build into a folder, `store` also hands the thread the writing of each document: copying
 * every byte into the page cache took about a sixth of this thread's time once posts were parsed.
 */
export class Compressor {
  private readonly made = new Map<string, Uint8Array | StoredVariant>();
  private readonly reusable = new Map<string, StoredVariant>();
  private readonly folder: FolderDocuments | undefined;
  private thread: Worker | undefined;
  private waiting = 0;
  /**
   * KiB sent to the thread and not yet done, counted down by the thread itself: this thread reads
   * its messages only once rendering is over.
   */
  private readonly queued = new Int32Array(new SharedArrayBuffer(4));
  private failure: Error | undefined;
  private settle: (() => void) | undefined;

  /**
   * `earlier`: the manifest of the build that wrote `documents`' folder before, if any: its variants
   * of documents that did not change are still there and right.
   */
  constructor(
    private readonly documents: Documents,
    earlier?: Manifest,
    /** KiB the compressing thread may have waiting before this thread does the work too. */
    private readonly maxQueuedKib = MAX_QUEUED_KIB,
  ) {
    this.folder = documents instanceof FolderDocuments ? documents : undefined;
    if (earlier && this.folder) {
      mapEntries(earlier, (entry) => {
        if (entry.gzip) this.reusable.set(entry.key, { key: entry.gzip.key, size: entry.gzip.size });
        return entry;
      });
    }
  }

  /**
   * Starts compressing the document `entry` describes, unless it is an archive page or known;
   * without `bytes`, they are read from the documents when needed.
   */
  add(entry: ManifestEntry, bytes?: Uint8Array): void {
    if (this.needsVariant(entry)) this.compress(entry, bytes ?? identityBytes(this.documents, entry.key));
  }

  /**
   * Starts compressing the documents of `site` that get a variant and have none made or taken over:
   * those added after rendering (the discovery documents), while the thread finishes the feeds.
   */
  addAll(site: RenderedSite): void {
    const { routes, schedule = [] } = site.manifest;
    for (const entry of [routes, ...schedule.map((change) => change.routes)].flatMap(Object.values)) {
      if (entry && this.needsVariant(entry)) this.compress(entry, identityBytes(site.documents, entry.key));
    }
  }

  /**
   * Stores a rendered document under `entry.key` in the documents, and starts compressing it as `add`
   * does. In a build into a folder, the thread writes it (`bytes` are then the thread's: their buffer
   * is moved to it, not copied) unless it lags behind; else it is stored on this thread.
   */
  store(entry: ManifestEntry, bytes: Uint8Array): void {
    const folder = this.folder;
    if (!folder || this.lagging()) {
      this.documents.set(entry.key, bytes);
      this.add(entry, bytes);
      return;
    }
    const gzip = this.needsVariant(entry);
    const write = folder.claim(entry.key, bytes.byteLength);
    if (!write && !gzip) return;
    if (gzip) this.made.set(entry.key, EMPTY);
    // A buffer of its own is moved; a view into a larger one is copied.
    this.send({ key: entry.key, bytes, write, gzip }, ownsBuffer(bytes));
  }

  /** Every variant, once every document sent has come back compressed; the thread is then stopped. */
  async done(): Promise<Precompressed> {
    if (this.thread && !this.failure) {
      // The thread closes its pack file first (a thread's descriptors outlive it).
      this.waiting++;
      this.thread.postMessage({ close: true });
    }
    if (this.waiting > 0 && !this.failure) await new Promise<void>((resolve) => (this.settle = resolve));
    await this.thread?.terminate();
    this.thread = undefined;
    if (this.failure) throw this.failure;
    return this.made;
  }

  /** Compresses `identity` (the bytes of `entry`'s document) on the thread, or here when it lags. */
  private compress(entry: ManifestEntry, identity: Uint8Array): void {
    // When the thread lags behind, this thread compresses too rather than queue more bytes.
    if (this.lagging()) {
      this.made.set(entry.key, gzipDocument(identity));
      return;
    }
    this.made.set(entry.key, EMPTY);
    this.send({ key: entry.key, bytes: identity, write: false, gzip: true }, false);
  }

  /** True when `entry`'s document gets a variant that is neither made nor taken over (see `add`). */
  private needsVariant(entry: ManifestEntry): boolean {
    if (!compressed(entry) || this.made.has(entry.key)) return false;
    const earlier = this.reusable.get(entry.key);
    if (earlier && this.folder?.adopt(earlier.key, earlier.size)) {
      this.made.set(entry.key, earlier);
      return false;
    }
    return true;
  }

  private lagging(): boolean {
    return Atomics.load(this.queued, 0) >= this.maxQueuedKib;
  }

  private send(job: { key: string; bytes: Uint8Array; write: boolean; gzip: boolean }, move: boolean): void {
    this.waiting++;
    const size = Math.ceil(job.bytes.byteLength / 1024);
    Atomics.add(this.queued, 0, size);
    this.start().postMessage({ ...job, size }, move ? [job.bytes.buffer as ArrayBuffer] : []);
  }

  private start(): Worker {
    if (this.thread) return this.thread;
    const folder = this.folder;
    const thread = workerWithOptions(GZIP_THREAD, {
      eval: true,
      // Plain JavaScript: the TypeScript loader this process may run under would only slow its start.
      execArgv: withoutTsxPreload(process.execArgv),
      workerData: { queued: this.queued, pack: folder?.lendPack("gzip"), existing: folder?.listed() ?? [] },
    });
    thread.on("message", (reply: ThreadReply) => {
      if (!("closed" in reply)) this.receive(reply, folder);
      this.waiting--;
      if (this.waiting === 0) this.settle?.();
    });
    thread.on("error", (error) => {
      this.failure ??= error;
      this.settle?.();
    });
    this.thread = thread;
    return thread;
  }

  /** Takes in what the thread did: a document it wrote, a variant's bytes, or where it stored them. */
  private receive(reply: Exclude<ThreadReply, { closed: true }>, folder: FolderDocuments | undefined): void {
    if ("gzipped" in reply) {
      this.made.set(reply.key, reply.gzipped);
      return;
    }
    if (reply.written) folder?.written(reply.key, reply.written);
    if (!reply.stored) return;
    // Stored now, or already in the folder (by an earlier build, or earlier in this one).
    if (reply.at) {
      folder?.written(reply.stored.key, reply.at);
      this.made.set(reply.key, reply.stored);
    } else if (folder?.adopt(reply.stored.key, reply.stored.size)) this.made.set(reply.key, reply.stored);
    else this.failure ??= new Error(`gzip variant ${reply.stored.key} is neither written nor stored`);
  }
}

const EMPTY = new Uint8Array(0);

/**
 * KiB the compressing thread may have waiting (to compress or to write) before this thread compresses
 * and writes too. Small, so that when rendering ends the thread has little left and this thread does
 * not wait long for it (at 32 MiB it waited about 1.7 s in a profile of the 10,000-post bench build);
 * still hundreds of documents, so the thread is never starved while this one renders.
 */
const MAX_QUEUED_KIB = 8 * 1024;
