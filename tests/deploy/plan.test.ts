/**
 * The pure parts of publishing: plans (what to write, keep, delete), bulk request batches within the
 * KV limits, which builds gc keeps, retries.
 */
import { describe, expect, it } from "vitest";
import { buildSite } from "../../src/build/site";
import { deployedBuildModule } from "../../src/deploy/bake";
import { intoBatches, keyBatches, MAX_KEYS_PER_BULK_REQUEST, requestBytes } from "../../src/deploy/batches";
import { type Deployment, keptBuilds, liveBuild } from "../../src/deploy/history";
import {
  describePlan,
  documentKeysOf,
  manifestEntry,
  planCollect,
  planLine,
  planPublish,
} from "../../src/deploy/plan";
import { withRetry } from "../../src/deploy/retry";
import type { KvEntry } from "../../src/deploy/store";
import { isDryRun } from "../../src/deploy/wrangler";
import { type Manifest, manifestKey } from "../../src/model";

const NOW = new Date("2026-01-01T00:00:00Z");
const bytes = (n: number) => new Uint8Array(n);

function fakeBuild(buildId: string, documents: Record<string, number>) {
  const routes: Manifest["routes"] = {};
  for (const [index, key] of Object.keys(documents).entries()) {
    routes[`/feed-${index}.xml`] = { key, contentType: "x", etag: '"e"', lastModified: "", size: 1 };
  }
  const manifest: Manifest = { buildId, siteUrl: "https://x.example", routes };
  return {
    manifest,
    documents: new Map(Object.entries(documents).map(([key, size]) => [key, bytes(size)])),
  };
}

const doc = (n: number) => `doc/${n.toString(16).padStart(64, "0")}`;

describe("planPublish", () => {
  const build = fakeBuild("00000000000000b1", { [doc(1)]: 10, [doc(2)]: 20, [doc(3)]: 30 });

  it("writes every document and then the manifest into an empty namespace", () => {
    const plan = planPublish(build, new Set());
    expect(plan.writes.map((entry) => entry.key)).toEqual([
      doc(1),
      doc(2),
      doc(3),
      manifestKey("00000000000000b1"),
    ]);
    expect(plan.unchanged).toEqual([]);
    expect(plan.deletes).toEqual([]);
    expect(plan.bytes).toBe(60 + manifestEntry(build.manifest).value.byteLength);
  });

  it("skips documents and a manifest that are already there", () => {
    const plan = planPublish(build, new Set([doc(1), doc(3), doc(99)]));
    expect(plan.writes.map((entry) => entry.key)).toEqual([doc(2), manifestKey("00000000000000b1")]);
    expect(plan.unchanged).toEqual([doc(1), doc(3)]);
    const again = planPublish(build, new Set([doc(1), doc(2), doc(3), manifestKey("00000000000000b1")]));
    expect(planLine(again)).toBe("plan: 0 writes, 4 unchanged, 0 deletes, 0 bytes");
  });

  it("ends its description with exactly the plan line, and names the feed each document serves", () => {
    const lines = describePlan(planPublish(build, new Set([doc(1)])), build.manifest);
    expect(lines.at(-1)).toMatch(/^plan: 3 writes, 1 unchanged, 0 deletes, \d+ bytes$/);
    expect(lines[0]).toBe(`write   ${doc(2)}  20 bytes  /feed-1.xml`);
  });

  it("warns when the writes exceed the Free plan's 1,000 a day", () => {
    const many = fakeBuild(
      "00000000000000b2",
      Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [doc(i), 1])),
    );
    const lines = describePlan(planPublish(many, new Set()));
    expect(lines.at(-2)).toMatch(/^warning: 1001 writes is more than the Free plan's 1000 writes a day/);
    expect(describePlan(planPublish(many, new Set([doc(0)]))).join("\n")).not.toContain("warning");
  });

  it("plans the same build twice identically (same content, same id)", async () => {
    const [a, b] = await Promise.all([
      buildSite("content", { now: NOW }),
      buildSite("content", { now: NOW }),
    ]);
    expect(a.manifest.buildId).toBe(b.manifest.buildId);
    expect(planPublish(a, new Set())).toEqual(planPublish(b, new Set()));
  });
});

describe("planCollect", () => {
  const a = fakeBuild("00000000000000a1", { [doc(1)]: 1, [doc(2)]: 1 }).manifest;
  const b = fakeBuild("00000000000000b1", { [doc(2)]: 1, [doc(3)]: 1 }).manifest;
  const existing = [
    doc(1),
    doc(2),
    doc(3),
    doc(4),
    manifestKey(a.buildId),
    manifestKey(b.buildId),
    "deployments",
  ];

  it("deletes manifests first, then the documents no kept build uses, and never other keys", () => {
    const plan = planCollect(existing, [b]);
    expect(plan.deletes).toEqual([manifestKey(a.buildId), doc(1), doc(4)]);
    expect(plan.unchanged).toEqual([doc(2), doc(3), manifestKey(b.buildId)]);
    expect(plan.writes).toEqual([]);
  });

  it("keeps a document shared by two kept builds", () => {
    expect(planCollect(existing, [a, b]).deletes).toEqual([doc(4)]);
  });

  it("counts gzip variants and scheduled routes as documents a build uses", () => {
    const withVariants: Manifest = {
      ...b,
      routes: {
        "/x": {
          key: doc(3),
          contentType: "x",
          etag: '"e"',
          lastModified: "",
          size: 1,
          gzip: { key: doc(4), etag: '"g"', size: 1 },
        },
      },
      schedule: [
        {
          from: "2026-01-01T00:00:00Z",
          routes: {
            "/y": { key: doc(1), contentType: "x", etag: '"e"', lastModified: "", size: 1 },
            "/z": null,
          },
        },
      ],
    };
    expect([...documentKeysOf(withVariants)].sort()).toEqual([doc(1), doc(3), doc(4)]);
    expect(planCollect(existing, [withVariants]).deletes).toEqual([manifestKey(a.buildId), doc(2)]);
  });
});

describe("bulk request batches (KV: 1,000 keys and 100 MB per request)", () => {
  const entries = (count: number, size: number): KvEntry[] =>
    Array.from({ length: count }, (_, i) => ({ key: doc(i), value: bytes(size) }));

  it("cuts at 1,000 keys", () => {
    const batches = intoBatches(entries(2500, 1));
    expect(batches.map((batch) => batch.length)).toEqual([1000, 1000, 500]);
    expect(MAX_KEYS_PER_BULK_REQUEST).toBe(1000);
  });

  it("cuts before a request would pass 100 MB, counting base64", () => {
    const batches = intoBatches(entries(8, 20_000_000));
    expect(batches.map((batch) => batch.length)).toEqual([3, 3, 2]);
    for (const batch of batches)
      expect(batch.reduce((n, e) => n + requestBytes(e), 0)).toBeLessThanOrEqual(100_000_000);
  });

  it("refuses a key over 512 bytes and a value over 25 MiB", () => {
    expect(() => intoBatches([{ key: `doc/${"x".repeat(600)}`, value: bytes(1) }])).toThrow(/512-byte limit/);
    expect(() => intoBatches([{ key: doc(1), value: bytes(25 * 1024 * 1024 + 1) }])).toThrow(/25 MiB limit/);
  });

  it("deletes in batches of 1,000 keys", () => {
    expect(keyBatches(Array.from({ length: 1001 }, (_, i) => doc(i))).map((b) => b.length)).toEqual([
      1000, 1,
    ]);
  });
});

describe("which builds gc keeps", () => {
  const at = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000).toISOString();
  const history: Deployment[] = [
    { buildId: "a", at: at(300), action: "deploy" },
    { buildId: "b", at: at(200), action: "deploy" },
    { buildId: "c", at: at(100), action: "deploy" },
    { buildId: "b", at: at(50), action: "rollback" },
  ];
  const policy = { keep: 1, now: NOW, graceMs: 0 };

  it("keeps the most recently deployed builds, counting each build once", () => {
    expect(keptBuilds(history, policy)).toEqual(["b"]);
    expect(keptBuilds(history, { ...policy, keep: 2 })).toEqual(["b", "c"]);
    expect(keptBuilds(history, { ...policy, keep: 5 }).sort()).toEqual(["a", "b", "c"]);
  });

  it("keeps the live build and every unconfirmed switch after it", () => {
    const pending: Deployment[] = [
      ...history,
      { buildId: "d", at: at(10), action: "wrangler", pending: true },
    ];
    expect(liveBuild(pending)).toBe("b");
    expect(keptBuilds(pending, policy).sort()).toEqual(["b", "d"]);
  });

  it("keeps builds superseded within the grace period", () => {
    expect(keptBuilds(history, { ...policy, graceMs: 60 * 60_000 }).sort()).toEqual(["b", "c"]);
  });

  it("refuses --keep 0", () => {
    expect(() => keptBuilds(history, { ...policy, keep: 0 })).toThrow(/--keep/);
  });
});

describe("retries", () => {
  it("retries with doubling delays, then gives up with the last error", async () => {
    const delays: number[] = [];
    let calls = 0;
    const failing = () => Promise.reject(new Error(`fail ${++calls}`));
    const policy = { attempts: 4, baseDelayMs: 100, maxDelayMs: 300 };
    await expect(withRetry(failing, policy, undefined, async (ms) => void delays.push(ms))).rejects.toThrow(
      "fail 4",
    );
    expect(delays).toEqual([100, 200, 300]);
    let tries = 0;
    const flaky = async () => (++tries < 2 ? Promise.reject(new Error("429")) : "ok");
    expect(await withRetry(flaky, policy, undefined, async () => {})).toBe("ok");
  });
});

describe("wrangler's build command", () => {
  it("recognizes --dry-run on wrangler's command line", () => {
    expect(isDryRun("node /p/node_modules/wrangler/wrangler-dist/cli.js deploy --dry-run --outdir x")).toBe(
      true,
    );
    expect(isDryRun("node /p/node_modules/.bin/wrangler deploy --dry-run")).toBe(true);
    expect(isDryRun("node /p/node_modules/.bin/wrangler deploy --outdir x")).toBe(false);
    expect(isDryRun(undefined)).toBe(false);
  });

  it("writes a module that exports the baked id, or none", () => {
    expect(deployedBuildModule("0123456789abcdef")).toContain(
      'export const DEPLOYED_BUILD_ID = "0123456789abcdef";',
    );
    expect(deployedBuildModule(undefined)).toContain("export const DEPLOYED_BUILD_ID = undefined;");
  });
});
