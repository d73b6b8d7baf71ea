/** The whole build, without I/O beyond reading the content folder: posts in, documents and report out. */

import { type RenderedSite, renderSite } from "./documents";
import { type LoadedSite, loadSite } from "./load";
import type { Problem } from "./problems";

export interface BuildOptions {
  /** Posts dated after this instant are left out. */
  now: Date;
}

export interface BuildResult extends RenderedSite {
  site: LoadedSite;
  /** Posts not published because of an error (not counting unpublished drafts and future posts). */
  skipped: Problem[];
}

/** Reads `contentDir` and renders every feed. Throws `ContentError` when it is not a content folder. */
export async function buildSite(contentDir: string, options: BuildOptions): Promise<BuildResult> {
  const site = await loadSite(contentDir, options);
  // With nothing to publish there is no feed to render (and no newest date to give it).
  const rendered: RenderedSite =
    site.posts.length > 0
      ? renderSite(site.config.site, site.posts)
      : {
          manifest: { buildId: "", siteUrl: site.config.site.url, routes: {} },
          documents: new Map(),
          feeds: 0,
        };
  return { ...rendered, site, skipped: site.problems.filter((p) => p.severity === "error") };
}
