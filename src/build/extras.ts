/**
 * What a rendered site gets before it is published, each step a pure function of a `RenderedSite`:
 * the discovery page and OPML lists (`discovery.ts`), gzip variants of every document
 * (`compress.ts`), and jekyll-feed URL aliases (`aliases.ts`). The build id is computed again over the
 * finished manifest, so a different manifest never reuses an id.
 */
import type { Site } from "../model";
import { addJekyllAliases } from "./aliases";
import { addGzipVariants, type Compressor, type Precompressed } from "./compress";
import { addDiscoveryDocuments } from "./discovery";
import { type RenderedSite, sha256 } from "./documents";
import type { Problem } from "./problems";

/** A site ready to publish, and what finishing it reported. */
export interface FinishedSite {
  rendered: RenderedSite;
  problems: Problem[];
}

/**
 * Adds the discovery documents, then gzip variants of every document (theirs included), then the
 * aliases, which copy their targets' entries with the variants. A site without routes is left as is.
 * `compressor` (a build's, still compressing the feeds on a thread of its own) gives the variants it
 * made, and compresses the discovery documents too: they are rendered while it finishes the feeds,
 * where this thread used to wait for it idle (about a fifth of a second for the 10,000 bench posts).
 */
export async function finishSite(
  rendered: RenderedSite,
  site: Site,
  compressor?: Compressor,
): Promise<FinishedSite> {
  if (Object.keys(rendered.manifest.routes).length === 0) {
    await compressor?.done();
    return { rendered, problems: [] };
  }
  const discovered = addDiscoveryDocuments(rendered, site);
  compressor?.addAll(discovered);
  return finishDiscovered(discovered, await compressor?.done());
}

/** Gzip variants, aliases and the build id of a site that has its discovery documents. */
function finishDiscovered(discovered: RenderedSite, precompressed?: Precompressed): FinishedSite {
  const aliased = addJekyllAliases(addGzipVariants(discovered, precompressed));
  const manifest = { ...aliased.rendered.manifest, buildId: "" };
  // Same construction as documents.ts: the id is a hash of the manifest written without one.
  manifest.buildId = sha256(JSON.stringify(manifest)).slice(0, 16);
  return { rendered: { ...aliased.rendered, manifest }, problems: aliased.problems };
}
