/**
 * The FEEDS namespace through `wrangler kv` commands: `--remote` for the Cloudflare account (what
 * `npm run deploy` uses), or `--local --persist-to DIR`, the same commands against local state, which
 * is how the tests check this path without an account. Each `put`/`delete` is one bulk request
 * (`wrangler kv bulk put|delete FILE`); `batches.ts` keeps batches within its limits.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { feedsNamespaceId } from "../build/local-kv";
import { withRetry } from "./retry";
import type { KvStore } from "./store";
import { runWrangler } from "./wrangler";

/** Where the commands act: the account, or a local `--persist-to` folder. */
export type WranglerLocation = { remote: true } | { remote: false; persistTo: string };

/** Namespace ids on an account are 32 lowercase hex digits; anything else is a local placeholder. */
const ACCOUNT_NAMESPACE_ID = /^[0-9a-f]{32}$/;

/** Throws, saying how to fix it, when wrangler.toml's FEEDS id cannot be a namespace on an account. */
export async function assertAccountNamespace(projectDir: string): Promise<void> {
  const id = await feedsNamespaceId(projectDir);
  if (!ACCOUNT_NAMESPACE_ID.test(id)) {
    throw new Error(
      `wrangler.toml: the FEEDS namespace id "${id}" is the local placeholder, not a namespace on your account. ` +
        "Create one with `npx wrangler kv namespace create FEEDS` and put its id in wrangler.toml " +
        '(README, "Publishing"), or publish into local KV with --local.',
    );
  }
}

/** Opens the FEEDS namespace of the project in `projectDir` through wrangler. */
export async function openWranglerStore(projectDir: string, location: WranglerLocation): Promise<KvStore> {
  if (location.remote) await assertAccountNamespace(projectDir);
  const where = location.remote ? ["--remote"] : ["--local", "--persist-to", location.persistTo];
  const scratch = await mkdtemp(join(tmpdir(), "feeds-kv-"));
  let files = 0;
  const kv = async (args: string[]) =>
    (await runWrangler(projectDir, ["kv", ...args, "--binding", "FEEDS", ...where])).stdout;
  const requestFile = async (body: unknown) => {
    const file = join(scratch, `request-${++files}.json`);
    await writeFile(file, JSON.stringify(body));
    return file;
  };
  // Reads are retried here, as the deploy retries writes (retry.ts): KV and wrangler's local runtime
  // both answer a transient 500 now and then (seen in CI under load: "KV GET failed: 500").
  const read = (args: string[]) => withRetry(() => kv(args));
  const list = async (prefix: string): Promise<string[]> => {
    const text = (await read(["key", "list", "--prefix", prefix])).toString("utf8");
    // The JSON array is the whole output; slice to it in case a warning line slipped onto stdout.
    const json = text.slice(text.indexOf("["), text.lastIndexOf("]") + 1);
    return (JSON.parse(json) as { name: string }[]).map((key) => key.name);
  };
  return {
    description: location.remote
      ? "the FEEDS namespace on your Cloudflare account"
      : `local KV in ${location.persistTo}`,
    list,
    async get(key) {
      // `kv key get` fails remotely and prints "Value not found" locally for a missing key: ask first.
      if (!(await list(key)).includes(key)) return null;
      return new Uint8Array(await read(["key", "get", key]));
    },
    async put(batch) {
      if (batch.length === 0) return;
      const body = batch.map((entry) => ({
        key: entry.key,
        value: Buffer.from(entry.value).toString("base64"),
        base64: true,
      }));
      await kv(["bulk", "put", await requestFile(body)]);
    },
    async delete(keys) {
      if (keys.length === 0) return;
      await kv(["bulk", "delete", await requestFile(keys), "--force"]);
    },
    close: () => rm(scratch, { recursive: true, force: true }),
  };
}
