/** HTTP rules for serving documents: validators, conditional GET and cache headers. */
import type { ManifestEntry } from "../model";
import type { Representation } from "./encoding";

/** Feeds: a few minutes fresh, then served stale while revalidating (RFC 5861 §3). */
export const CACHE_CONTROL = "public, max-age=300, stale-while-revalidate=86400";

/** RFC 5005 archive pages never change once full: fresh for a year and `immutable` (RFC 8246 §2). */
export const ARCHIVE_CACHE_CONTROL = "public, max-age=31536000, immutable";

/** The discovery page and OPML lists: read by people and by readers importing once, kept short. */
export const PAGE_CACHE_CONTROL = "public, max-age=60";

/** Seconds a client should wait after a 503 (RFC 9110 §10.2.3). */
export const RETRY_AFTER_SECONDS = "30";

/** Methods this Worker answers (RFC 9110 §15.5.6: a 405 lists them in `Allow`). */
export const ALLOWED_METHODS = "GET, HEAD, OPTIONS";

/**
 * `Cache-Control` for `entry`: its kind's policy, unless a scheduled change comes sooner than that
 * policy's max-age, in which case nothing may be reused past that instant (RFC 9111 §5.2.2.1) and
 * neither `stale-while-revalidate` nor `immutable` applies.
 */
export function cacheControl(entry: ManifestEntry, isFeed: boolean, secondsUntilChange?: number): string {
  const [policy, maxAge] = entry.archive
    ? [ARCHIVE_CACHE_CONTROL, 31_536_000]
    : isFeed
      ? [CACHE_CONTROL, 300]
      : [PAGE_CACHE_CONTROL, 60];
  if (secondsUntilChange === undefined || secondsUntilChange >= maxAge) return policy;
  return `public, max-age=${Math.max(0, Math.floor(secondsUntilChange))}`;
}

/**
 * Headers every document response carries, on 200 and 304 alike (RFC 9110 §15.4.5: a 304 repeats
 * `Cache-Control`, `ETag` and `Vary`). `Vary: Accept-Encoding` goes on every response of a document
 * that has a gzip variant, whichever was selected (RFC 9110 §12.5.5), so caches keep them apart.
 */
export function documentHeaders(
  entry: ManifestEntry,
  representation: Representation,
  cache: string,
  link: string | undefined,
): Headers {
  const headers = new Headers({
    "Content-Type": entry.contentType,
    ETag: representation.etag,
    "Last-Modified": entry.lastModified,
    "Cache-Control": cache,
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "ETag, Last-Modified, Link",
    "X-Content-Type-Options": "nosniff",
  });
  if (link !== undefined) headers.set("Link", link);
  if (entry.gzip) headers.set("Vary", "Accept-Encoding");
  return headers;
}

/**
 * Whether the client's cached copy is current (RFC 9110 §13.2.2): `If-None-Match` is evaluated with
 * weak comparison (§13.1.2) against the entity tag of the *selected* representation and, when
 * present, `If-Modified-Since` is ignored (§13.1.3).
 *
 * A tag of the other representation (the identity tag sent with `Accept-Encoding: gzip`, say) is not
 * a match: §13.1.2 compares with "the selected representation", and a 304 carrying the gzip tag could
 * not refresh the identity copy the client holds (RFC 9111 §4.3.4 updates only stored responses with
 * the same strong validator), so the client would be left with nothing usable. It gets a 200 instead.
 */
export function isNotModified(request: Request, etag: string, lastModified: string): boolean {
  const ifNoneMatch = request.headers.get("If-None-Match");
  if (ifNoneMatch !== null) return etagListMatches(ifNoneMatch, etag);
  const ifModifiedSince = request.headers.get("If-Modified-Since");
  if (ifModifiedSince === null) return false;
  const since = Date.parse(ifModifiedSince);
  const modified = Date.parse(lastModified);
  return !Number.isNaN(since) && !Number.isNaN(modified) && modified <= since;
}

/** `*`, or any entity tag in the list equal to `etag` ignoring the weak prefix `W/`. */
export function etagListMatches(list: string, etag: string): boolean {
  if (list.trim() === "*") return true;
  const opaque = stripWeak(etag);
  return (list.match(/(?:W\/)?"[^"]*"/g) ?? []).some((tag) => stripWeak(tag) === opaque);
}

function stripWeak(tag: string): string {
  return tag.startsWith("W/") ? tag.slice(2) : tag;
}

/** A short plain-text answer for errors: never a stack trace. */
export function textResponse(
  status: number,
  message: string,
  headers: Record<string, string> = {},
): Response {
  return new Response(`${message}\n`, {
    status,
    headers: {
      "Content-Type": "text/plain; charset=utf-8",
      "Cache-Control": "no-store",
      "Access-Control-Allow-Origin": "*",
      ...headers,
    },
  });
}
