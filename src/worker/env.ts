/** Bindings of the feed Worker (see wrangler.toml), and which build it serves. */
import { DEPLOYED_BUILD_ID } from "../deploy/deployed-build";

export interface Env {
  /** Feed documents (`doc/<sha256>`) and build manifests (`manifest/<build id>`). */
  FEEDS: KVNamespace;
  /** The build this Worker version serves, given at deploy time (`--var BUILD_ID:<id>`). */
  BUILD_ID?: string;
}

/**
 * The build this Worker version serves: the `BUILD_ID` var when it is given, else the id that
 * wrangler's build command baked into the bundle (wrangler.toml `[build]` and `[alias]`, which must
 * name this import's specifier exactly), else none.
 */
export function servedBuildId(env: Env): string | undefined {
  return env.BUILD_ID || DEPLOYED_BUILD_ID;
}
