/** The builds a namespace holds: their manifests, and whether each has every document it names. */
import { type Manifest, manifestKey } from "../model";
import { buildIdOfKey, DOCUMENT_PREFIX, documentKeysOf, MANIFEST_PREFIX } from "./plan";
import type { KvStore } from "./store";

/** The ids of every build with a manifest in `store`. */
export async function listBuilds(store: KvStore): Promise<string[]> {
  return (await store.list(MANIFEST_PREFIX)).map(buildIdOfKey);
}

/** The manifest of `buildId`, or `undefined` when it is not in `store`. */
export async function readManifest(store: KvStore, buildId: string): Promise<Manifest | undefined> {
  const bytes = await store.get(manifestKey(buildId));
  if (bytes === null) return undefined;
  const manifest = JSON.parse(new TextDecoder().decode(bytes)) as Manifest;
  if (manifest.buildId !== buildId || typeof manifest.routes !== "object") {
    throw new Error(
      `${manifestKey(buildId)} in ${store.description} is not the manifest of build ${buildId}`,
    );
  }
  return manifest;
}

/**
 * The manifest of `buildId` once it is certain that the Worker can serve it: the manifest is in
 * `store` and so is every document it names. Throws an error that says what is missing otherwise.
 */
export async function completeBuild(store: KvStore, buildId: string): Promise<Manifest> {
  const manifest = await readManifest(store, buildId);
  if (!manifest) {
    const builds = await listBuilds(store);
    throw new Error(
      `build ${buildId} is not in ${store.description} (no ${manifestKey(buildId)}): it was never published ` +
        `there or gc removed it. Builds there: ${builds.length > 0 ? builds.join(", ") : "none"}`,
    );
  }
  const documents = new Set(await store.list(DOCUMENT_PREFIX));
  const missing = [...documentKeysOf(manifest)].filter((key) => !documents.has(key));
  if (missing.length > 0) {
    throw new Error(
      `build ${buildId} is incomplete in ${store.description}: ${missing.length} document(s) missing, ` +
        `e.g. ${missing[0]}; publish its content again to restore them`,
    );
  }
  return manifest;
}
