/** Writes a build to disk: `manifest.json` plus one file per document, named by its KV key. */
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { RenderedSite } from "./documents";

/** Replaces `outDir` with the build's files; returns the number of bytes written. */
export async function writeDist(outDir: string, rendered: RenderedSite): Promise<number> {
  await rm(outDir, { recursive: true, force: true });
  await mkdir(join(outDir, "doc"), { recursive: true });
  let bytes = 0;
  for (const [key, body] of rendered.documents) {
    await writeFile(join(outDir, key), body);
    bytes += body.byteLength;
  }
  await writeFile(join(outDir, "manifest.json"), `${JSON.stringify(rendered.manifest, null, 2)}\n`);
  return bytes;
}
