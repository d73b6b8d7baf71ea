/**
 * WebSub on deploy: after the switch, the hub is told about exactly the feeds whose content changed.
 * The hub is a real HTTP server on 127.0.0.1; KV is real local KV (Miniflare, persisted on disk).
 */
import { once } from "node:events";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildSite } from "../../src/build/site";
import { openLocalStore } from "../../src/deploy/local-store";
import { deployBuild } from "../../src/deploy/publish";
import { localSwitch } from "../../src/deploy/switch";
import { changedFeedUrls } from "../../src/deploy/websub";

const PROJECT_DIR = process.cwd();
const NOW = new Date("2026-01-01T00:00:00Z");
let dir: string;
let hub: Server;
let hubUrl: string;
const pings: URLSearchParams[] = [];

function post(title: string, day: string, category: string, tag: string): string {
  return `---\ntitle: ${title}\ndate: 2024-01-${day} 08:00\ncategories: ${category}\ntags: ${tag}\n---\n${title}.\n`;
}

async function site(name: string, posts: Record<string, string>, hubLine: string): Promise<string> {
  const root = join(dir, name);
  await mkdir(join(root, "_posts"), { recursive: true });
  await writeFile(join(root, "_config.yml"), `title: Hubbed\nurl: https://w.example\n${hubLine}`);
  for (const [file, text] of Object.entries(posts)) await writeFile(join(root, "_posts", file), text);
  return root;
}

const A = {
  "2024-01-01-a.md": post("A", "01", "macro", "rates"),
  "2024-01-02-b.md": post("B", "02", "ships", "ports"),
};
const B = { ...A, "2024-01-03-c.md": post("C", "03", "macro", "inflation") };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "feeds-websub-"));
  hub = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => {
      body += chunk;
    });
    request.on("end", () => {
      pings.push(new URLSearchParams(body));
      response.writeHead(request.url?.includes("fail") ? 500 : 204).end();
    });
  });
  hub.listen(0, "127.0.0.1");
  await once(hub, "listening");
  hubUrl = `http://127.0.0.1:${(hub.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  hub.close();
  await rm(dir, { recursive: true, force: true });
});

describe("WebSub notification on deploy", () => {
  it("names only the subscription feeds whose bytes changed", async () => {
    const before = await buildSite(await site("a", A, ""), { now: NOW });
    const after = await buildSite(await site("b", B, ""), { now: NOW });
    const formats = (path: string) =>
      ["rss.xml", "atom.xml", "feed.json"].map((f) => `https://w.example${path}${f}`);
    expect(changedFeedUrls(before.manifest, after.manifest).sort()).toEqual(
      [...formats("/"), ...formats("/category/macro/"), ...formats("/tag/inflation/")].sort(),
    );
  });

  it("pings the hub after each switch with the changed feeds, and reports a failing hub", async () => {
    const hubLine = `websub_hub: ${hubUrl}\n`;
    const buildA = await buildSite(await site("ha", A, hubLine), { now: NOW });
    const buildB = await buildSite(await site("hb", B, hubLine), { now: NOW });
    expect(buildB.manifest.hub).toBe(hubUrl);
    const store = await openLocalStore(PROJECT_DIR, join(dir, "state"));
    const workerSwitch = localSwitch(join(dir, "preview"));
    const lines: string[] = [];
    try {
      await deployBuild({ store, workerSwitch, build: buildA, log: (l) => lines.push(l) });
      expect(pings.every((p) => p.get("hub.mode") === "publish")).toBe(true);
      // First deploy: every subscription feed is new (site, 2 categories, 2 tags; 3 formats each).
      expect(pings).toHaveLength(15);
      pings.length = 0;

      await deployBuild({ store, workerSwitch, build: buildB, log: (l) => lines.push(l) });
      expect(pings.map((p) => p.get("hub.url")).sort()).toEqual(
        changedFeedUrls(buildA.manifest, buildB.manifest).sort(),
      );
      expect(lines).toContain(`websub: 9 of 9 changed feed(s) announced to ${hubUrl}`);
      expect(await workerSwitch.live()).toBe(buildB.manifest.buildId);
    } finally {
      await store.close();
    }
  });

  it("keeps the deploy when the hub fails, and says so", async () => {
    const hubLine = `websub_hub: ${hubUrl}fail\n`;
    const build = await buildSite(await site("hf", A, hubLine), { now: NOW });
    const store = await openLocalStore(PROJECT_DIR, join(dir, "state-fail"));
    const lines: string[] = [];
    try {
      await deployBuild({
        store,
        workerSwitch: localSwitch(join(dir, "p2")),
        build,
        log: (l) => lines.push(l),
      });
    } finally {
      await store.close();
    }
    expect(lines).toContain(`websub: 0 of 15 changed feed(s) announced to ${hubUrl}fail`);
    expect(lines.filter((l) => l.includes("hub answered 500"))).toHaveLength(15);
  });
});
