/** Bindings of the feed Worker (see wrangler.toml). */
export interface Env {
  /** Feed documents (`doc/<sha256>`) and build manifests (`manifest/<build id>`). */
  FEEDS: KVNamespace;
  /** The build this Worker version serves, given at deploy time (`--var BUILD_ID:<id>`). */
  BUILD_ID?: string;
}
