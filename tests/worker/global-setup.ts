/**
 * Runs in Node before the Worker tests: builds the project's own `content/` and the finews corpus
 * with the real build, and hands the documents and manifests to the tests, which put them into the
 * Worker's (real, local) KV namespace.
 */
import type { TestProject } from "vitest/node";
import { buildSite } from "../../src/build/site";
import { manifestKey } from "../../src/model";
import { FINEWS_DIR } from "../corpus";
import type { ProvidedBuild } from "../provided-context";

async function provideBuild(contentDir: string): Promise<ProvidedBuild> {
  const result = await buildSite(contentDir, { now: new Date("2026-01-01T00:00:00Z") });
  const entries: ProvidedBuild["entries"] = [...result.documents].map(([key, bytes]) => asEntry(key, bytes));
  entries.push([manifestKey(result.manifest.buildId), JSON.stringify(result.manifest)]);
  return { buildId: result.manifest.buildId, entries };
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Text when the bytes are UTF-8 (which then round-trip exactly), base64 otherwise. */
function asEntry(key: string, bytes: Uint8Array): ProvidedBuild["entries"][number] {
  try {
    return [key, utf8.decode(bytes)];
  } catch {
    return [key, Buffer.from(bytes).toString("base64"), "base64"];
  }
}

export default async function setup(project: TestProject): Promise<void> {
  project.provide("contentBuild", await provideBuild("content"));
  project.provide("finewsBuild", await provideBuild(FINEWS_DIR));
  project.provide("namesBuild", await provideBuild("tests/fixtures/names"));
}
