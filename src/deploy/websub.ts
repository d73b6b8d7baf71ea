/**
 * WebSub publishing (W3C WebSub §7, "Publishing"): after a deploy has switched the Worker, tell the
 * site's hub which feeds changed, so subscribers fetch them at once instead of at their next poll.
 * Only the subscription documents whose bytes changed (or are new) are named: not archive pages,
 * aliases, the discovery page or OPML lists.
 */
import { type Manifest, manifestKey } from "../model";
import type { KvStore } from "./store";

const FEED_TYPES = /^application\/(rss\+xml|atom\+xml|feed\+json)/;

/** Public URLs of the feeds whose document differs between `previous` (if any) and `next`. */
export function changedFeedUrls(previous: Manifest | undefined, next: Manifest): string[] {
  const urls: string[] = [];
  for (const [path, entry] of Object.entries(next.routes)) {
    if (!FEED_TYPES.test(entry.contentType) || entry.archive || entry.canonical) continue;
    if (previous?.routes[path]?.etag === entry.etag) continue;
    urls.push(next.siteUrl + path);
  }
  return urls;
}

/** The manifest of `buildId` in `store`, if it is there and readable. */
export async function storedManifest(
  store: KvStore,
  buildId: string | undefined,
): Promise<Manifest | undefined> {
  if (!buildId) return undefined;
  const bytes = await store.get(manifestKey(buildId));
  if (bytes === null) return undefined;
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as Manifest;
  } catch {
    return undefined;
  }
}

export interface HubResult {
  url: string;
  /** HTTP status, or the network error's message. */
  outcome: number | string;
}

/**
 * Sends one `hub.mode=publish` ping per feed URL (form-encoded POST, the form hubs accept), a few at
 * a time. Never throws: the deploy has already succeeded, so failures are returned to be reported.
 */
export async function notifyHub(
  hub: string,
  urls: readonly string[],
  fetchImpl: typeof fetch = fetch,
  concurrency = 4,
): Promise<HubResult[]> {
  const results: HubResult[] = [];
  const queue = [...urls];
  const worker = async () => {
    for (let url = queue.shift(); url !== undefined; url = queue.shift()) {
      try {
        const response = await fetchImpl(hub, {
          method: "POST",
          headers: { "Content-Type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({ "hub.mode": "publish", "hub.url": url }).toString(),
          signal: AbortSignal.timeout(10_000),
        });
        await response.body?.cancel();
        results.push({ url, outcome: response.status });
      } catch (error) {
        results.push({ url, outcome: (error as Error).message });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, urls.length) }, worker));
  return results.sort((a, b) => (a.url < b.url ? -1 : 1));
}
