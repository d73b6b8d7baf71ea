/** The manifest of the build being served, read from KV once per isolate and kept in memory. */
import { type Manifest, manifestKey } from "../model";
import { type Env, servedBuildId } from "./env";

/** Raised when the build cannot be read right now; answered with 503, never 500. */
export class Unavailable extends Error {}

let cached: Manifest | undefined;

/**
 * The manifest of the build this Worker version serves (`servedBuildId`). A build's manifest never
 * changes (its key is build-scoped), so it can be cached for the life of the isolate; a new Worker
 * version with another id reads its own.
 */
export async function currentManifest(env: Env): Promise<Manifest> {
  const buildId = servedBuildId(env);
  if (!buildId) throw new Unavailable("no build is published (no BUILD_ID var, none baked into the bundle)");
  if (cached?.buildId === buildId) return cached;
  let manifest: Manifest | null;
  try {
    manifest = await env.FEEDS.get<Manifest>(manifestKey(buildId), "json");
  } catch (error) {
    throw new Unavailable(`cannot read the manifest of build ${buildId}: ${(error as Error).message}`);
  }
  if (!manifest?.routes) throw new Unavailable(`build ${buildId} is not in KV (yet)`);
  cached = manifest;
  return manifest;
}
