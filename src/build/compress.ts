/**
 * Precompressed variants of every document: Cloudflare's edge compresses RSS but not Atom or JSON
 * Feed, so the build gzips each document once and the Worker serves those bytes as they are to
 * clients that accept gzip (RFC 9110 §8.4.1.3, §12.5.3).
 */
import { promisify } from "node:util";
import { gzip, gzipSync } from "node:zlib";
import type { ManifestEntry } from "../model";
import type { RenderedSite } from "./documents";
import { mapEntries, storeDocument } from "./manifest-routes";

/**
 * zlib's default level: on feed documents level 9 saved well under 1 % more and took about three
 * times as long (measured on the bench corpus), and the build compresses every document.
 */
export const GZIP_LEVEL = 6;

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

/**
 * Adds `gzip` to every entry of the manifest (routes and every scheduled change) but archive pages
 * whose document
 * shrinks by at least `MIN_GZIP_SAVING`, and the gzip bytes to `documents`. Each document is
 * compressed once however many routes point at it. The input is not modified.
 */
export function addGzipVariants(
  rendered: RenderedSite,
  precompressed: ReadonlyMap<string, Uint8Array> = new Map(),
): RenderedSite {
  const documents = new Map(rendered.documents);
  const variants = new Map<string, ManifestEntry["gzip"] | null>();
  const variantOf = (entry: ManifestEntry): ManifestEntry["gzip"] | null => {
    let variant = variants.get(entry.key);
    if (variant !== undefined) return variant;
    const bytes = documents.get(entry.key);
    if (!bytes) throw new Error(`the manifest points at ${entry.key}, which was not rendered`);
    const gzipped = precompressed.get(entry.key) ?? gzipDocument(bytes);
    variant = null;
    if (gzipped.byteLength <= bytes.byteLength * (1 - MIN_GZIP_SAVING)) {
      const stored = storeDocument(documents, gzipped, entry.contentType, entry.lastModified);
      variant = { key: stored.key, etag: gzipEtag(entry.etag), size: stored.size };
    }
    variants.set(entry.key, variant);
    return variant;
  };
  const manifest = mapEntries(rendered.manifest, (entry) => {
    // Archive pages are two thirds of the bytes but fetched once per subscriber (then cached for a
    // year): compressing them would double the build's time for little traffic.
    if (entry.gzip || entry.archive) return entry;
    const gzip = variantOf(entry);
    return gzip ? { ...entry, gzip } : entry;
  });
  return { ...rendered, manifest, documents };
}

const gzipAsync = promisify(gzip);

/** Documents being compressed at once (libuv's thread pool has four threads by default). */
const PRECOMPRESS_CONCURRENCY = 8;

/**
 * The gzip bytes of every document `addGzipVariants` will compress, made on libuv's thread pool so
 * that every core works (the same zlib settings, so the same bytes as `gzipDocument`). Pass the
 * result to `addGzipVariants`.
 */
export async function precompress(rendered: RenderedSite): Promise<Map<string, Uint8Array>> {
  const keys = new Set<string>();
  mapEntries(rendered.manifest, (entry) => {
    if (!entry.gzip && !entry.archive) keys.add(entry.key);
    return entry;
  });
  const out = new Map<string, Uint8Array>();
  const queue = [...keys];
  // A few streams at a time: each holds zlib's buffers, and libuv runs four at once anyway.
  const worker = async () => {
    for (let key = queue.shift(); key !== undefined; key = queue.shift()) {
      const bytes = rendered.documents.get(key);
      if (bytes) out.set(key, new Uint8Array(await gzipAsync(bytes, { level: GZIP_LEVEL })));
    }
  };
  await Promise.all(Array.from({ length: PRECOMPRESS_CONCURRENCY }, worker));
  return out;
}
