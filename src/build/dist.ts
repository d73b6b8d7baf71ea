/**
 * Writes a build to disk: `manifest.json` plus its documents in doc/ (packs and their index, see
 * `FolderDocuments`). Keys are content-addressed (`doc/<sha256>`), so a document already stored under
 * its key holds the right bytes: a rebuild writes only the documents that changed and lets go of the
 * ones no longer used. A build made with `FolderDocuments` over the same folder has stored its
 * documents already.
 */
import { readdir, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { FolderDocuments } from "./document-store";
import type { RenderedSite } from "./documents";
import { RENDER_INDEX_FILE } from "./render-index";

export interface DistReport {
  /** Bytes of every document of the build. */
  bytes: number;
  /** Documents written (the others were already there). */
  written: number;
  /** Stored documents let go, and files beside doc/ removed, because this build does not use them. */
  removed: number;
}

/** Makes `outDir` hold exactly the build's files, writing only what is not already there. */
export async function writeDist(outDir: string, rendered: RenderedSite): Promise<DistReport> {
  const { documents } = rendered;
  const inPlace = documents instanceof FolderDocuments && resolve(documents.dir) === resolve(outDir);
  const folder = inPlace ? documents : FolderDocuments.open(outDir);
  if (!inPlace) for (const [key, bytes] of documents) folder.set(key, bytes);
  let removed = folder.commit();
  // Anything beside doc/, manifest.json and the render index is not ours to keep (the folder is the build's).
  for (const name of await readdir(outDir)) {
    if (name === "doc" || name === "manifest.json" || name === RENDER_INDEX_FILE) continue;
    await rm(join(outDir, name), { recursive: true, force: true });
    removed++;
  }
  let bytes = 0;
  for (const key of folder.keys()) bytes += folder.sizeOf(key) ?? 0;
  await writeFile(join(outDir, "manifest.json"), `${JSON.stringify(rendered.manifest, null, 2)}\n`);
  return { bytes, written: folder.writes, removed };
}
