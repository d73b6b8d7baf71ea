/**
 * The whole build: posts in, documents and report out. In memory, reading only the content folder
 * (and the parsed-post cache, when given); or, with `outDir`, writing documents into that folder
 * as they are rendered and reusing what an earlier build left there (`writeDist` finishes it).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Manifest } from "../model";
import { capLargePosts } from "./budget";
import { parserFingerprint } from "./cache";
import { Compressor } from "./compress";
import { type Documents, FolderDocuments } from "./document-store";
import { type RenderedSite, renderSite } from "./documents";
import { finishSite } from "./extras";
import { RenderedItems } from "./items";
import { type LoadedSite, type LoadOptions, loadSite } from "./load";
import { releaseContent } from "./post-content";
import type { Problem } from "./problems";
import { RENDER_INDEX_FILE, RenderIndex } from "./render-index";

/**
 * Bytes of rendered items a build into a folder keeps in memory (10,000 bench posts take about
 * 200 MB in three formats); past it they go through a scratch file.
 */
export const ITEM_MEMORY = 128 * 1024 * 1024;

export interface BuildOptions extends LoadOptions {
  /** Accept builds that change or reuse published ids (see id-lock.ts). */
  allowIdChanges?: boolean;
  /**
   * The build's folder (dist/): documents are written there as they are rendered instead of being
   * kept in memory, and what an earlier build left there is reused. `writeDist` finishes it.
   */
  outDir?: string;
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
  // A build into a folder is the CLI's: past a bound, its items go to disk too.
  const items = new RenderedItems(options.outDir ? ITEM_MEMORY : undefined);
  try {
    return await buildWithItems(contentDir, options, items);
  } finally {
    items.close();
  }
}

async function buildWithItems(
  contentDir: string,
  options: BuildOptions,
  items: RenderedItems,
): Promise<BuildResult> {
  // Parser threads render each post's items too, so that this thread only assembles documents, and
  // need not keep the posts' HTML (post-content.ts).
  const loaded = await loadSite(contentDir, {
    ...options,
    onItems: (post, bytes) => {
      items.provide(post, bytes);
      releaseContent(post);
    },
  });
  const { site, feedBudget } = loaded.config;
  const capped = capLargePosts(loaded.posts, feedBudget);
  const cappedScheduled = capLargePosts(loaded.scheduled, feedBudget);
  const refused = loaded.idChanges.length > 0 && !options.allowIdChanges;
  // A refused build is still rendered (for its report), but never into the build's folder.
  const documents: Documents =
    options.outDir && !refused && capped.posts.length > 0 ? FolderDocuments.open(options.outDir) : new Map();
  const folder = documents instanceof FolderDocuments ? documents : undefined;
  // Reusing earlier documents is part of caching: `--no-cache` renders everything.
  const indexPath =
    documents instanceof FolderDocuments && options.cacheDir
      ? join(documents.dir, RENDER_INDEX_FILE)
      : undefined;
  const index = indexPath ? RenderIndex.read(indexPath, await parserFingerprint()) : undefined;
  // Gzip variants of the earlier build are reused only when the same code made them (its settings).
  const compressor = new Compressor(
    documents,
    folder && index?.fromSameCode ? earlierManifest(folder.dir) : undefined,
  );
  // With nothing to publish there is no feed to render (and no newest date to give it).
  const rendered: RenderedSite =
    capped.posts.length > 0
      ? renderSite(site, capped.posts, feedBudget, cappedScheduled.posts, {
          documents,
          items,
          index,
          onDocument: (entry, bytes) => compressor.add(entry, bytes),
          store: (entry, bytes) => compressor.store(entry, bytes),
        })
      : {
          manifest: { buildId: "", siteUrl: site.url, routes: {} },
          documents,
          feeds: 0,
          trimmed: [],
        };
  if (indexPath) index?.write(indexPath);
  const problems = [...loaded.problems, ...capped.problems, ...cappedScheduled.problems, ...rendered.trimmed];
  const finished = await finishSite(rendered, site, compressor);
  problems.push(...finished.problems);
  return {
    ...finished.rendered,
    site: { ...loaded, posts: capped.posts, problems },
    skipped: problems.filter((p) => p.severity === "error" && !loaded.idChanges.includes(p)),
    refused,
  };
}

/** The manifest an earlier build wrote into `outDir`, if it can be read. */
function earlierManifest(outDir: string): Manifest | undefined {
  try {
    const manifest = JSON.parse(readFileSync(join(outDir, "manifest.json"), "utf8")) as Manifest;
    return manifest && typeof manifest.routes === "object" ? manifest : undefined;
  } catch {
    return undefined;
  }
}
