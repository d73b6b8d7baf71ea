/**
 * The store `npm run deploy` uses for the account, driven through the same `wrangler kv` commands
 * with `--local --persist-to` instead of `--remote`: bulk put (base64 values), list, get, bulk
 * delete; and what it writes is what the Miniflare store (and so `npm start`) reads.
 *
 * Values written here are UTF-8: wrangler 4.86's LOCAL `kv bulk put` decodes `base64: true` values
 * and then reads the bytes as UTF-8 (`Buffer.from(data, "base64").toString()`), so other bytes come
 * back as U+FFFD (cloudflare/workers-sdk#15192, fixed in later wrangler). The remote bulk API decodes
 * base64 itself, so binary values (gzip variants) are exact with `--remote`; locally, `--local`
 * publishes through Miniflare, which stores bytes as given.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { openLocalStore } from "../../src/deploy/local-store";
import type { KvStore } from "../../src/deploy/store";
import { openWranglerStore } from "../../src/deploy/wrangler-store";
import { PROJECT_DIR } from "./helpers";

let dir: string;
let store: KvStore;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "feeds-wrangler-kv-"));
  store = await openWranglerStore(PROJECT_DIR, { remote: false, persistTo: join(dir, "state") });
});

afterAll(async () => {
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

const doc = `doc/${"ab".repeat(32)}`;
const gzipped = `doc/${"cd".repeat(32)}`;
const text = new TextEncoder().encode("<rss>宏观新闻 &amp; “quotes”</rss>\n\u0000\r");
const binary = new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 3, 0xff, 0xfe, 0, 10, 13]);

it("writes a batch with wrangler kv bulk put, and reads binary values byte for byte", async () => {
  await store.put([
    { key: doc, value: text },
    { key: "manifest/00000000000000a1", value: text },
  ]);
  // The same namespace through Miniflare: it sees what wrangler wrote, and wrangler what it writes.
  const local = await openLocalStore(PROJECT_DIR, join(dir, "state"));
  try {
    expect(await local.get(doc)).toEqual(text);
    await local.put([{ key: gzipped, value: binary }]);
  } finally {
    await local.close();
  }
  const [read, missing] = await Promise.all([store.get(gzipped), store.get("doc/missing")]);
  expect(read).toEqual(binary);
  expect(missing).toBeNull();
});

it("deletes a batch with wrangler kv bulk delete", async () => {
  await store.delete([doc, gzipped]);
  const [docs, manifests] = await Promise.all([store.list("doc/"), store.list("manifest/")]);
  expect(docs).toEqual([]);
  expect(manifests).toEqual(["manifest/00000000000000a1"]);
});

it("refuses the account when wrangler.toml still has the local placeholder id", async () => {
  await expect(openWranglerStore(PROJECT_DIR, { remote: true })).rejects.toThrow(
    /the FEEDS namespace id "feeds0+" is the local placeholder.*npx wrangler kv namespace create FEEDS/,
  );
});
