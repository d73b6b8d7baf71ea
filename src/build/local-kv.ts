/**
 * The local KV that `wrangler dev` serves (persisted under `.wrangler/`), opened through Miniflare,
 * i.e. through workerd's own KV implementation: what is stored is exactly what `wrangler kv ... --local`
 * would have written (and puts are ~4x faster than that command, platform.md).
 */
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { Miniflare } from "miniflare";

/** Where wrangler 4 keeps local state by default (`--persist-to .wrangler/state`). */
export const LOCAL_STATE_DIR = ".wrangler/state";

/** The FEEDS namespace id from wrangler.toml: local KV is stored under it. */
export async function feedsNamespaceId(projectDir: string): Promise<string> {
  const toml = await readFile(join(projectDir, "wrangler.toml"), "utf8");
  for (const block of toml.split(/^\[\[kv_namespaces\]\]\s*$/m).slice(1)) {
    const body = block.split(/^\[/m)[0] ?? "";
    if (/^\s*binding\s*=\s*"FEEDS"/m.test(body)) {
      const id = /^\s*id\s*=\s*"([^"]+)"/m.exec(body)?.[1];
      if (id) return id;
    }
  }
  throw new Error('wrangler.toml has no [[kv_namespaces]] entry with binding = "FEEDS" and an id');
}

/** Where Miniflare persists KV for a wrangler `--persist-to` folder (`<stateDir>/v3/kv`). */
export function kvPersistDir(projectDir: string, stateDir = LOCAL_STATE_DIR): string {
  return resolve(projectDir, stateDir, "v3", "kv");
}

/** Opens the persisted local KV namespace; call `dispose()` when done. */
export async function openLocalKv(projectDir: string, stateDir = LOCAL_STATE_DIR) {
  const namespaceId = await feedsNamespaceId(projectDir);
  const mf = new Miniflare({
    host: "127.0.0.1",
    modules: true,
    script: "export default { fetch() { return new Response(null, { status: 204 }); } }",
    kvNamespaces: { FEEDS: namespaceId },
    kvPersist: kvPersistDir(projectDir, stateDir),
  });
  const kv = await mf.getKVNamespace("FEEDS");
  return { kv, dispose: () => mf.dispose() };
}

/** The FEEDS namespace as Miniflare hands it to Node. */
export type LocalNamespace = Awaited<ReturnType<typeof openLocalKv>>["kv"];
