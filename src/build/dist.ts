/**
 * Writes a build to disk: `manifest.json` plus one file per document, named by its KV key. Keys are
 * content-addressed (`doc/<sha256>`), so a file already there under its key holds the right bytes:
 * a rebuild writes only the documents that changed and removes the ones no longer used.
 */
import { mkdir, readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { RenderedSite } from "./documents";

/** Files written at once (libuv's pool runs four file operations at a time). */
const WRITE_CONCURRENCY = 16;

export interface DistReport {
  /** Bytes of every document of the build. */
  bytes: number;
  /** Documents written by this call (the others were already there). */
  written: number;
  /** Files removed because this build does not use them. */
  removed: number;
}

/** Makes `outDir` hold exactly the build's files, writing only what is not already there. */
export async function writeDist(outDir: string, rendered: RenderedSite): Promise<DistReport> {
  const docDir = join(outDir, "doc");
  await mkdir(docDir, { recursive: true });
  let removed = 0;
  // Anything beside doc/ and manifest.json is not ours to keep (the folder is the build's).
  for (const name of await readdir(outDir)) {
    if (name === "doc" || name === "manifest.json") continue;
    await rm(join(outDir, name), { recursive: true, force: true });
    removed++;
  }
  const existing = new Set(await readdir(docDir));
  const wanted = new Map<string, Uint8Array>();
  let bytes = 0;
  for (const [key, body] of rendered.documents) {
    wanted.set(key.slice("doc/".length), body);
    bytes += body.byteLength;
  }
  for (const name of existing) {
    if (wanted.has(name)) continue;
    await rm(join(docDir, name), { recursive: true, force: true });
    removed++;
  }
  const queue = [...wanted];
  let written = 0;
  const writer = async () => {
    for (let next = queue.pop(); next; next = queue.pop()) {
      const [name, body] = next;
      const path = join(docDir, name);
      // An interrupted earlier write leaves a file of the wrong size: write it again.
      if (existing.has(name) && (await sizeOf(path)) === body.byteLength) continue;
      // Written aside, then renamed: a file under a document's name is always whole.
      await writeFile(`${path}.partial`, body);
      await rename(`${path}.partial`, path);
      written++;
    }
  };
  await Promise.all(Array.from({ length: WRITE_CONCURRENCY }, writer));
  await writeFile(join(outDir, "manifest.json"), `${JSON.stringify(rendered.manifest, null, 2)}\n`);
  return { bytes, written, removed };
}

async function sizeOf(path: string): Promise<number | undefined> {
  return stat(path).then(
    (s) => (s.isFile() ? s.size : undefined),
    () => undefined,
  );
}
