/**
 * Writes a build to disk: `manifest.json` plus one file per document, named by its KV key. Keys are
 * content-addressed (`doc/<sha256>`), so a file already there under its key holds the right bytes:
 * a rebuild writes only the documents that changed and removes the ones no longer used. A build
 * made with `FolderDocuments` over the same folder has written its documents already.
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
  /** Files removed because this build does not use them. */
  removed: number;
}

/** Makes `outDir` hold exactly the build's files, writing only what is not already there. */
export async function writeDist(outDir: string, rendered: RenderedSite): Promise<DistReport> {
  const { documents } = rendered;
  const inPlace = documents instanceof FolderDocuments && resolve(documents.dir) === resolve(outDir);
  const folder = inPlace ? documents : FolderDocuments.open(outDir);
  if (!inPlace) for (const [key, bytes] of documents) folder.set(key, bytes);
  let removed = 0;
  for (const key of folder.unused()) {
    await rm(join(outDir, key), { recursive: true, force: true });
    removed++;
  }
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
