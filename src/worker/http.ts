/** HTTP rules for serving feed documents: validators, conditional GET and cache headers. */
import type { ManifestEntry } from "../model";

/** A few minutes fresh, then served stale while revalidating (RFC 5861 §3). */
export const CACHE_CONTROL = "public, max-age=300, stale-while-revalidate=86400";

/** Seconds a client should wait after a 503 (RFC 9110 §10.2.3). */
export const RETRY_AFTER_SECONDS = "30";

/** Methods this Worker answers (RFC 9110 §15.5.6: a 405 lists them in `Allow`). */
export const ALLOWED_METHODS = "GET, HEAD, OPTIONS";

/** Headers every feed response carries, on 200 and on 304 alike (RFC 9110 §15.4.5). */
export function feedHeaders(entry: ManifestEntry, selfUrl: string): Headers {
  return new Headers({
    "Content-Type": entry.contentType,
    ETag: entry.etag,
    "Last-Modified": entry.lastModified,
    "Cache-Control": CACHE_CONTROL,
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "ETag, Last-Modified, Link",
    Link: `<${selfUrl}>; rel="self"`,
    "X-Content-Type-Options": "nosniff",
  });
}

/**
 * Whether the client's cached copy is current (RFC 9110 §13.2.2): `If-None-Match` is evaluated with
 * weak comparison (§13.1.2) and, when present, `If-Modified-Since` is ignored (§13.1.3).
 */
export function isNotModified(request: Request, entry: ManifestEntry): boolean {
  const ifNoneMatch = request.headers.get("If-None-Match");
  if (ifNoneMatch !== null) return etagListMatches(ifNoneMatch, entry.etag);
  const ifModifiedSince = request.headers.get("If-Modified-Since");
  if (ifModifiedSince === null) return false;
  const since = Date.parse(ifModifiedSince);
  const modified = Date.parse(entry.lastModified);
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
