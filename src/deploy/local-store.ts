/**
 * The local KV that `npm start` and `wrangler dev` serve, as a `KvStore`: Miniflare opens the same
 * persisted namespace (`.wrangler/state/v3/kv`, under the id in wrangler.toml), so writes here are
 * seen by a running preview at once, and by `wrangler kv ... --local`.
 */
import { LOCAL_STATE_DIR, type LocalNamespace, openLocalKv } from "../build/local-kv";
import type { KvEntry, KvStore } from "./store";

/** Opens the local FEEDS namespace of the project in `projectDir`. */
export async function openLocalStore(projectDir: string, stateDir = LOCAL_STATE_DIR): Promise<KvStore> {
  const { kv, dispose } = await openLocalKv(projectDir, stateDir);
  return namespaceStore(kv, `local KV in ${stateDir}`, dispose);
}

/** A `KvStore` over a KV namespace handed out by Miniflare. */
export function namespaceStore(kv: LocalNamespace, description: string, close: () => Promise<void>): KvStore {
  return {
    description,
    async list(prefix) {
      const names: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await kv.list({ prefix, cursor });
        for (const key of page.keys) names.push(key.name);
        cursor = page.list_complete ? undefined : page.cursor;
      } while (cursor);
      return names;
    },
    async get(key) {
      const value = await kv.get(key, "arrayBuffer");
      return value === null ? null : new Uint8Array(value);
    },
    async put(batch: readonly KvEntry[]) {
      for (const entry of batch) await kv.put(entry.key, entry.value);
    },
    async delete(keys) {
      for (const key of keys) await kv.delete(key);
    },
    close,
  };
}
