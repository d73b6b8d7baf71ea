/**
 * Publishing for real into local KV (Miniflare, persisted on disk) while the Worker bundle that
 * `wrangler deploy` makes serves from the same persisted KV in another workerd: build A, then B with
 * one post added; requests keep getting A byte for byte while B is written; the switch, rollback,
 * gc, and an interrupted upload resumed by a rerun.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { feedsNamespaceId, kvPersistDir } from "../../src/build/local-kv";
import { type BuildResult, buildSite } from "../../src/build/site";
import { collectGarbage } from "../../src/deploy/gc";
import { readHistory } from "../../src/deploy/history";
import { openLocalStore } from "../../src/deploy/local-store";
import { DOCUMENT_PREFIX, documentKeysOf, MANIFEST_PREFIX, planPublish } from "../../src/deploy/plan";
import { deployBuild, existingKeys, rollBack } from "../../src/deploy/publish";
import type { KvStore } from "../../src/deploy/store";
import { localSwitch, type WorkerSwitch } from "../../src/deploy/switch";
import { UploadError } from "../../src/deploy/upload";
import { manifestKey } from "../../src/model";
import { PROJECT_DIR, SITE_A, SITE_B, writeSite } from "./helpers";

const NOW = new Date("2026-01-01T00:00:00Z");
const ORIGIN = "http://feeds.test";
const dryRun = inject("localDryRun");
const bundle = join(dryRun.outDir, "index.js");
const NO_WAIT = { attempts: 2, baseDelayMs: 0, maxDelayMs: 0 };

let dir: string;
let buildA: BuildResult;
let buildB: BuildResult;
let namespaceId: string;

beforeAll(async () => {
  if (dryRun.exitCode !== 0)
    throw new Error(`the Worker bundle is missing: wrangler deploy --dry-run failed\n${dryRun.output}`);
  dir = await mkdtemp(join(tmpdir(), "feeds-publish-"));
  [buildA, buildB] = await Promise.all([
    writeSite(dir, "site-a", SITE_A).then((content) => buildSite(content, { now: NOW })),
    writeSite(dir, "site-b", SITE_B).then((content) => buildSite(content, { now: NOW })),
  ]);
  namespaceId = await feedsNamespaceId(PROJECT_DIR);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** One publishing setup: its own local KV folder, preview pointer, and Worker reading that KV. */
class Stage {
  stateDir!: string;
  workerSwitch!: WorkerSwitch;
  store!: KvStore;
  worker?: Miniflare;

  constructor(readonly name: string) {}

  async open(): Promise<void> {
    this.stateDir = join(dir, this.name, "state");
    this.workerSwitch = localSwitch(join(dir, this.name));
    this.store = await openLocalStore(PROJECT_DIR, this.stateDir);
  }

  /** The Worker as deployed with `buildId` (what `--var BUILD_ID:<id>` gives it). */
  workerOptions(buildId: string) {
    return {
      host: "127.0.0.1",
      modules: true,
      scriptPath: bundle,
      modulesRoot: dirname(bundle),
      compatibilityDate: "2026-04-20",
      kvNamespaces: { FEEDS: namespaceId },
      kvPersist: kvPersistDir(PROJECT_DIR, this.stateDir),
      bindings: { BUILD_ID: buildId },
    };
  }

  /** Deploys the Worker with the build the switch made live, as the local preview does. */
  async redeployWorker(): Promise<string> {
    const live = await this.workerSwitch.live();
    if (!live) throw new Error("nothing is live");
    if (this.worker) await this.worker.setOptions(this.workerOptions(live));
    else this.worker = new Miniflare(this.workerOptions(live));
    return live;
  }

  /** Every feed of `build` answers with exactly its bytes. */
  async expectServes(build: BuildResult): Promise<void> {
    if (!this.worker) throw new Error("no Worker is deployed");
    await expectServes(this.worker, build);
  }

  async close(): Promise<void> {
    await this.worker?.dispose();
    await this.store?.close();
  }
}

/** Paths of the site, category and tag feeds, in the three formats. */
const FEED_PATH = /^\/((category|tag)\/[^/]+\/)?(rss\.xml|atom\.xml|feed\.json)$/;

/** Every feed of `build` answers with exactly its bytes. */
async function expectServes(worker: Miniflare, build: BuildResult): Promise<void> {
  const feeds = Object.entries(build.manifest.routes).filter(([path]) => FEED_PATH.test(path));
  expect(feeds.length).toBeGreaterThanOrEqual(18);
  for (const [path, entry] of feeds) {
    const response = await worker.dispatchFetch(ORIGIN + path);
    expect(response.status, path).toBe(200);
    const body = new Uint8Array(await response.arrayBuffer());
    expect(body, path).toEqual(build.documents.get(entry.key));
  }
}

describe("publishing A, then B with one post added", () => {
  const stage = new Stage("main");
  beforeAll(() => stage.open());
  afterAll(() => stage.close());

  it("publishes A and serves it byte for byte", async () => {
    const plan = await deployBuild({
      store: stage.store,
      workerSwitch: stage.workerSwitch,
      build: buildA,
      now: () => NOW,
    });
    expect(plan.writes).toHaveLength(documentKeysOf(buildA.manifest).size + 1);
    expect(await stage.redeployWorker()).toBe(buildA.manifest.buildId);
    await stage.expectServes(buildA);
  });

  it("plans B as the documents the new post touches plus the manifest", async () => {
    const plan = planPublish(buildB, await existingKeys(stage.store));
    const newKeys = [...documentKeysOf(buildB.manifest)].filter(
      (key) => !documentKeysOf(buildA.manifest).has(key),
    );
    expect(plan.writes.map((entry) => entry.key)).toEqual([
      ...newKeys.sort(),
      manifestKey(buildB.manifest.buildId),
    ]);
    // The post (category shipping, tag containers) is in three feeds, each in three formats.
    const changed = Object.entries(buildB.manifest.routes)
      .filter(([path, entry]) => FEED_PATH.test(path) && buildA.manifest.routes[path]?.key !== entry.key)
      .map(([path]) => path.replace(/(rss\.xml|atom\.xml|feed\.json)$/, "*"));
    expect([...new Set(changed)].sort()).toEqual(["/*", "/category/shipping/*", "/tag/containers/*"]);
    expect(changed).toHaveLength(9);
    expect(plan.unchanged.length).toBe(documentKeysOf(buildB.manifest).size - newKeys.length);
  });

  it("keeps serving A byte for byte while B is written, then switches to B", async () => {
    const seen: number[] = [];
    const plan = await deployBuild({
      store: stage.store,
      workerSwitch: stage.workerSwitch,
      build: buildB,
      now: () => new Date(NOW.getTime() + 60_000),
      upload: {
        limits: { maxKeys: 8, maxBytes: 100_000_000 },
        afterBatch: async (progress) => {
          seen.push(progress.written);
          expect(await stage.workerSwitch.live()).toBe(buildA.manifest.buildId);
          const present = await existingKeys(stage.store);
          expect(present.has(manifestKey(buildB.manifest.buildId))).toBe(progress.batch === progress.batches);
          await stage.expectServes(buildA);
        },
      },
    });
    expect(seen.length).toBeGreaterThanOrEqual(3);
    expect(seen.at(-1)).toBe(plan.writes.length);
    // The Worker still deployed with A is untouched by B's entries.
    await stage.expectServes(buildA);
    expect(await stage.redeployWorker()).toBe(buildB.manifest.buildId);
    await stage.expectServes(buildB);
  });

  it("rolls back to A, and refuses a build that is not in KV", async () => {
    await rollBack(
      stage.store,
      stage.workerSwitch,
      buildA.manifest.buildId,
      () => new Date(NOW.getTime() + 120_000),
    );
    expect(await stage.redeployWorker()).toBe(buildA.manifest.buildId);
    await stage.expectServes(buildA);
    await expect(rollBack(stage.store, stage.workerSwitch, "ffffffffffffffff")).rejects.toThrow(
      /build ffffffffffffffff is not in local KV .*\(no manifest\/ffffffffffffffff\)/,
    );
    expect(await stage.workerSwitch.live()).toBe(buildA.manifest.buildId);
  });

  it("gc --keep 1 deletes A's own documents and keeps the ones B shares", async () => {
    const redeploy = await deployBuild({
      store: stage.store,
      workerSwitch: stage.workerSwitch,
      build: buildB,
      now: () => new Date(NOW.getTime() + 180_000),
    });
    expect(redeploy.writes).toEqual([]);
    expect((await readHistory(stage.store)).map((d) => d.action)).toEqual([
      "deploy",
      "deploy",
      "rollback",
      "deploy",
    ]);
    const policy = { keep: 1, now: new Date(NOW.getTime() + 240_000), graceMs: 0 };
    const before = await existingKeys(stage.store);
    const planned = await collectGarbage(stage.store, stage.workerSwitch, { policy, dryRun: true });
    expect(await existingKeys(stage.store)).toEqual(before);

    const { kept, plan } = await collectGarbage(stage.store, stage.workerSwitch, { policy });
    expect(plan).toEqual(planned.plan);
    expect(kept).toEqual([buildB.manifest.buildId]);
    const docsA = documentKeysOf(buildA.manifest);
    const docsB = documentKeysOf(buildB.manifest);
    const onlyA = [...docsA].filter((key) => !docsB.has(key)).sort();
    expect(plan.deletes).toEqual([manifestKey(buildA.manifest.buildId), ...onlyA]);
    expect((await stage.store.list(DOCUMENT_PREFIX)).sort()).toEqual([...docsB].sort());
    expect(await stage.store.list(MANIFEST_PREFIX)).toEqual([manifestKey(buildB.manifest.buildId)]);
    expect([...docsA].filter((key) => docsB.has(key)).length).toBeGreaterThan(0);

    expect(await stage.redeployWorker()).toBe(buildB.manifest.buildId);
    await stage.expectServes(buildB);
    await expect(rollBack(stage.store, stage.workerSwitch, buildA.manifest.buildId)).rejects.toThrow(
      /gc removed it/,
    );
  });
});

/** The real store, except that it fails for good after `limit` puts (a connection lost mid-upload). */
function interruptedAfter(store: KvStore, limit: number): KvStore {
  let puts = 0;
  return {
    ...store,
    async put(batch) {
      for (const entry of batch) {
        if (puts >= limit) throw new Error(`network lost after ${limit} puts`);
        await store.put([entry]);
        puts++;
      }
    },
  };
}

describe("an interrupted upload", () => {
  const stage = new Stage("interrupted");
  beforeAll(() => stage.open());
  afterAll(() => stage.close());

  it("leaves A live, and a rerun completes B", async () => {
    await deployBuild({ store: stage.store, workerSwitch: stage.workerSwitch, build: buildA });
    await stage.redeployWorker();
    const total = planPublish(buildB, await existingKeys(stage.store)).writes.length;
    const logs: string[] = [];

    const failed = deployBuild({
      store: interruptedAfter(stage.store, 4),
      workerSwitch: stage.workerSwitch,
      build: buildB,
      upload: {
        limits: { maxKeys: 3, maxBytes: 100_000_000 },
        retry: NO_WAIT,
        log: (line) => logs.push(line),
      },
    });
    await expect(failed).rejects.toThrow(UploadError);
    await expect(failed).rejects.toThrow(
      `upload stopped after 3 of ${total} keys: network lost after 4 puts. The live build is untouched`,
    );
    expect(logs.some((line) => line.startsWith("retrying batch 2/"))).toBe(true);
    expect(await stage.workerSwitch.live()).toBe(buildA.manifest.buildId);
    expect((await existingKeys(stage.store)).has(manifestKey(buildB.manifest.buildId))).toBe(false);
    await stage.expectServes(buildA);

    const rerun = await deployBuild({ store: stage.store, workerSwitch: stage.workerSwitch, build: buildB });
    expect(rerun.writes).toHaveLength(total - 4);
    expect(rerun.unchanged).toHaveLength(documentKeysOf(buildB.manifest).size - (total - 4 - 1));
    expect(await stage.redeployWorker()).toBe(buildB.manifest.buildId);
    await stage.expectServes(buildB);
  });
});
