/** What the Worker test files share: putting a provided build into KV, and reading its manifest. */
import type { Manifest } from "../../src/model";
import type { ProvidedBuild } from "../provided-context";

/** The bytes of a base64 string (atob gives one char per byte). */
export function fromBase64(value: string): Uint8Array {
  return Uint8Array.from(atob(value), (c) => c.charCodeAt(0));
}

/** Writes every entry of `build` into `kv`, binary ones (gzip variants) as bytes. */
export async function putBuild(kv: KVNamespace, build: ProvidedBuild): Promise<void> {
  await Promise.all(
    build.entries.map(([key, value, encoding]) =>
      kv.put(key, encoding === "base64" ? fromBase64(value) : value),
    ),
  );
}

/** The manifest a provided build carries. */
export function manifestOf(build: ProvidedBuild): Manifest {
  const entry = build.entries.find(([key]) => key === `manifest/${build.buildId}`);
  if (!entry) throw new Error("the build has no manifest entry");
  return JSON.parse(entry[1]) as Manifest;
}

const FILES = [
  ["rss.xml", "application/rss+xml"],
  ["atom.xml", "application/atom+xml"],
  ["feed.json", "application/feed+json"],
] as const;

/**
 * The `Link` header a feed document at `path` is expected to carry: `self`, the hub if any, then the
 * other two formats of the same feed, in the order rss, atom, json.
 */
export function expectedFeedLink(siteUrl: string, path: string, hub?: string): string {
  const file = path.slice(path.lastIndexOf("/") + 1);
  const folder = path.slice(0, path.length - file.length);
  return [
    `<${siteUrl}${path}>; rel="self"`,
    ...(hub ? [`<${hub}>; rel="hub"`] : []),
    ...FILES.filter(([other]) => other !== file).map(
      ([other, type]) => `<${siteUrl}${folder}${other}>; rel="alternate"; type="${type}"`,
    ),
  ].join(", ");
}

/** Paths of the feed documents of a manifest: not aliases, pages or lists. */
export function feedDocumentPaths(manifest: Manifest): string[] {
  return Object.entries(manifest.routes)
    .filter(
      ([, entry]) =>
        entry.canonical === undefined && /^application\/(rss|atom|feed)\+/.test(entry.contentType),
    )
    .map(([path]) => path);
}
