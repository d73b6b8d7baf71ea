/**
 * The Worker as plain `wrangler deploy` bundles it (`--dry-run --outdir`, run by the global setup):
 * the `[build]` command publishes and bakes the build id into the bundle, a `BUILD_ID` var still
 * wins over it, `--dry-run` uploads nothing to the account, and none of the build's libraries is in
 * the bundle.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";
import { Miniflare } from "miniflare";
import { afterAll, describe, expect, inject, it } from "vitest";
import { FolderDocuments } from "../../src/build/document-store";
import { feedsNamespaceId, kvPersistDir } from "../../src/build/local-kv";
import type { Manifest } from "../../src/model";
import { PROJECT_DIR } from "./helpers";

const local = inject("localDryRun");
const remote = inject("remoteDryRun");
const read = (file: string) => readFileSync(file, "utf8");

/** The id the build command says it baked. */
function bakedId(output: string): string {
  const id = /Worker bundle: build ([0-9a-f]{16})/.exec(output)?.[1];
  if (!id) throw new Error(`no baked build in wrangler's output:\n${output}`);
  return id;
}

describe("plain `wrangler deploy`", () => {
  const workers: Miniflare[] = [];
  afterAll(async () => {
    for (const worker of workers) await worker.dispose();
  });

  async function worker(bindings: Record<string, string>): Promise<Miniflare> {
    const script = join(local.outDir, "index.js");
    const mf = new Miniflare({
      host: "127.0.0.1",
      modules: true,
      scriptPath: script,
      modulesRoot: dirname(script),
      compatibilityDate: "2026-04-20",
      kvNamespaces: { FEEDS: await feedsNamespaceId(PROJECT_DIR) },
      kvPersist: kvPersistDir(local.projectDir),
      bindings,
    });
    workers.push(mf);
    return mf;
  }

  it("runs the build command, which publishes content/ and bakes its build id into the bundle", async () => {
    expect(local.exitCode, local.output).toBe(0);
    expect(local.output).toContain(
      "[custom build] Running: node bin/run.mjs src/build/cli.ts wrangler-build",
    );
    expect(local.output).toMatch(/\[custom build\] plan: \d+ writes, 0 unchanged, 0 deletes, \d+ bytes/);
    const id = bakedId(local.output);
    expect(read(join(local.outDir, "index.js"))).toContain(`var DEPLOYED_BUILD_ID = "${id}";`);

    // No BUILD_ID var: the Worker serves the baked build, from the KV the build command filled.
    const manifest = JSON.parse(read(join(local.projectDir, "dist", "manifest.json"))) as Manifest;
    expect(manifest.buildId).toBe(id);
    const entry = manifest.routes["/atom.xml"];
    if (!entry) throw new Error("no /atom.xml");
    const response = await (await worker({})).dispatchFetch("http://feeds.test/atom.xml");
    expect(response.status).toBe(200);
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(
      FolderDocuments.committed(join(local.projectDir, "dist")).get(entry.key),
    );
  });

  it("lets a BUILD_ID var win over the baked id", async () => {
    const response = await (await worker({ BUILD_ID: "ffffffffffffffff" })).dispatchFetch(
      "http://feeds.test/atom.xml",
    );
    expect(response.status).toBe(503);
    await response.arrayBuffer();
  });

  it("with --dry-run and the default (remote) target, bakes the id but uploads nothing", () => {
    expect(remote.exitCode, remote.output).toBe(0);
    expect(remote.output).toContain("--dry-run: nothing uploaded");
    expect(remote.output).toContain("--dry-run: exiting now.");
    const id = bakedId(remote.output);
    expect(id).toBe(bakedId(local.output));
    expect(read(join(remote.outDir, "index.js"))).toContain(`var DEPLOYED_BUILD_ID = "${id}";`);
    expect(existsSync(kvPersistDir(remote.projectDir))).toBe(false);
  });
});

describe("the Worker bundle", () => {
  const code = read(join(local.outDir, "index.js"));
  const sources = (JSON.parse(read(join(local.outDir, "index.js.map"))) as { sources: string[] }).sources;

  it("holds hono and the Worker's own modules, nothing from the build", () => {
    const origins = new Set(
      sources.map(
        (source) =>
          /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(source)?.[1] ??
          source.replace(/^.*?(src|\.wrangler)\//, "$1/"),
      ),
    );
    expect([...origins].sort()).toEqual(
      [
        ".wrangler/feeds-worker/deployed-build.js",
        "hono",
        ...[...origins].filter((origin) => origin.startsWith("src/")).sort(),
      ].sort(),
    );
    for (const origin of origins) {
      if (origin.startsWith("src/")) expect(origin).toMatch(/^src\/(worker\/|model\.ts$|paths\.ts$)/);
    }
  });

  it.each([
    ["gray-matter", ["node_modules/gray-matter/", "section-matter"]],
    ["markdown-it", ["node_modules/markdown-it/", "MarkdownIt"]],
    ["sanitize-html", ["node_modules/sanitize-html/", "sanitizeHtml"]],
    ["js-yaml", ["node_modules/js-yaml/", "YAMLException"]],
    ["htmlparser2", ["node_modules/htmlparser2/", "htmlparser2"]],
    ["miniflare", ["node_modules/miniflare/", "Miniflare"]],
  ])("has no trace of %s", (_library, markers) => {
    expect(code).toContain("node_modules/hono/dist/"); // esbuild names each bundled module in a comment
    for (const marker of markers) expect(code).not.toContain(marker);
  });

  it("is small (gzip size reported)", () => {
    const plain = Buffer.byteLength(code);
    const gzip = gzipSync(code, { level: 9 }).byteLength;
    console.log(`Worker bundle: ${(plain / 1024).toFixed(1)} KiB, gzip ${(gzip / 1024).toFixed(1)} KiB`);
    expect(gzip).toBeLessThan(48 * 1024);
  });
});
