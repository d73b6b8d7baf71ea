/** The whole build, without I/O beyond reading the content folder: posts in, documents and report out. */
import { capLargePosts } from "./budget";
import { precompress } from "./compress";
import { type RenderedSite, renderSite } from "./documents";
import { finishSite } from "./extras";
import { type LoadedSite, type LoadOptions, loadSite } from "./load";
import type { Problem } from "./problems";

export interface BuildOptions extends LoadOptions {
  /** Accept builds that change or reuse published ids (see id-lock.ts). */
  allowIdChanges?: boolean;
}

export interface BuildResult extends RenderedSite {
  /** The loaded site; its `problems` include everything this build reports, trims included. */
  site: LoadedSite;
  /** Posts not published because of an error (not counting unpublished drafts and future posts). */
  skipped: Problem[];
  /** True when published ids would change and that was not accepted: nothing may be published. */
  refused: boolean;
}

/** Reads `contentDir` and renders every feed. Throws `ContentError` when it is not a content folder. */
export async function buildSite(contentDir: string, options: BuildOptions): Promise<BuildResult> {
  const loaded = await loadSite(contentDir, options);
  const { site, feedBudget } = loaded.config;
  const capped = capLargePosts(loaded.posts, feedBudget);
  const cappedScheduled = capLargePosts(loaded.scheduled, feedBudget);
  // With nothing to publish there is no feed to render (and no newest date to give it).
  const rendered: RenderedSite =
    capped.posts.length > 0
      ? renderSite(site, capped.posts, feedBudget, cappedScheduled.posts)
      : {
          manifest: { buildId: "", siteUrl: site.url, routes: {} },
          documents: new Map(),
          feeds: 0,
          trimmed: [],
        };
  const problems = [...loaded.problems, ...capped.problems, ...cappedScheduled.problems, ...rendered.trimmed];
  const finished = finishSite(rendered, site, await precompress(rendered));
  problems.push(...finished.problems);
  return {
    ...finished.rendered,
    site: { ...loaded, posts: capped.posts, problems },
    skipped: problems.filter((p) => p.severity === "error" && !loaded.idChanges.includes(p)),
    refused: loaded.idChanges.length > 0 && !options.allowIdChanges,
  };
}
