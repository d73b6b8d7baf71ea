/**
 * A build into a folder (the CLI's `--out`): documents go to disk as they are rendered, items through
 * a scratch file, gzip on its own thread, and a rebuild reuses what the folder holds. The result must
 * be the very build an in-memory build gives.
 */
import { cp, mkdtemp, readFile, rm, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeDist } from "../../src/build/dist";
import { FolderDocuments } from "../../src/build/document-store";
import { RENDER_INDEX_FILE } from "../../src/build/render-index";
import { type BuildResult, buildSite } from "../../src/build/site";
import type { ManifestEntry } from "../../src/model";
import { FINEWS_DIR } from "../corpus";

const NOW = new Date("2026-01-01T00:00:00Z");
let dir: string;
let content: string;
let out: string;
let inMemory: BuildResult;
let first: BuildResult;
let cacheDir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "feeds-out-dir-"));
  content = join(dir, "content");
  out = join(dir, "dist");
  await cp(FINEWS_DIR, content, { recursive: true });
  inMemory = await buildSite(content, { now: NOW });
  cacheDir = join(dir, "cache");
  first = await buildSite(content, { now: NOW, outDir: out, cacheDir });
  await writeDist(out, first);
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Archive pages of a build, each format counted. */
const countArchivePages = (result: BuildResult) =>
  Object.values(result.manifest.routes).filter((entry) => entry.archive).length;

const sortedKeys = (result: BuildResult) => [...result.documents.keys()].sort();

/** Keys whose bytes differ between two builds with the same keys (Buffer.equals: fast on big documents). */
function differing(a: BuildResult, b: BuildResult): string[] {
  return [...a.documents.keys()].filter((key) => {
    const x = a.documents.get(key);
    const y = b.documents.get(key);
    return !x || !y || !Buffer.from(x.buffer, x.byteOffset, x.byteLength).equals(y);
  });
}

describe("a build into a folder", () => {
  it("gives the in-memory build: same id, manifest, documents and bytes", () => {
    expect(first.documents).toBeInstanceOf(FolderDocuments);
    expect(first.manifest).toEqual(inMemory.manifest);
    expect(sortedKeys(first)).toEqual(sortedKeys(inMemory));
    expect(differing(inMemory, first)).toEqual([]);
  });

  it("leaves exactly the build's documents and manifest in the folder", async () => {
    expect([...FolderDocuments.committed(out).keys()].sort()).toEqual(sortedKeys(first));
    expect(JSON.parse(await readFile(join(out, "manifest.json"), "utf8"))).toEqual(first.manifest);
  });

  it("rebuilds unchanged content without rendering or writing a document", async () => {
    const again = await buildSite(content, { now: NOW, outDir: out, cacheDir });
    expect(again.manifest).toEqual(first.manifest);
    expect(first.reused).toBe(0);
    expect(again.reused).toBe(first.feeds * 3 + countArchivePages(first));
    expect(await writeDist(out, again)).toMatchObject({ written: 0, removed: 0 });
  });

  it("after one new post, writes only the documents that changed and removes the replaced", async () => {
    await writeFile(
      join(content, "_posts", "2026-12-01-out-dir-new.md"),
      "---\ntitle: A new post\ndate: 2022-04-01 10:00\ncategories: 股市\ntags: 新\n---\nNew text.\n",
    );
    const expected = await buildSite(content, { now: NOW });
    const rebuilt = await buildSite(content, { now: NOW, outDir: out, cacheDir });
    expect(rebuilt.manifest).toEqual(expected.manifest);
    expect(rebuilt.reused).toBeGreaterThan(0);
    const report = await writeDist(out, rebuilt);
    const newKeys = sortedKeys(rebuilt).filter((key) => !first.documents.has(key));
    expect(report.written).toBe(newKeys.length);
    expect(report.written).toBeGreaterThan(0);
    expect(report.written).toBeLessThan(rebuilt.documents.size / 4);
    expect([...FolderDocuments.committed(out).keys()].sort()).toEqual(sortedKeys(rebuilt));
    expect(differing(expected, rebuilt)).toEqual([]);
  });

  it("after an edit of one post's text only, renders again the documents that hold it", async () => {
    const edited = join(content, "_posts", "2026-12-01-out-dir-new.md");
    // A second paragraph: the summary (the first paragraph) and every front matter field stay the same.
    await writeFile(edited, `${await readFile(edited, "utf8")}\nA second paragraph.\n`);
    const expected = await buildSite(content, { now: NOW });
    const rebuilt = await buildSite(content, { now: NOW, outDir: out, cacheDir });
    expect(rebuilt.manifest).toEqual(expected.manifest);
    expect(rebuilt.reused).toBeGreaterThan(0);
    expect(differing(expected, rebuilt)).toEqual([]);
    expect((await writeDist(out, rebuilt)).written).toBeGreaterThan(0);
  });

  it("renders and writes again documents and gzip variants an earlier build left damaged", async () => {
    const current = await buildSite(content, { now: NOW });
    const entry = Object.values(current.manifest.routes).find((e) => e.gzip);
    const identityKey = entry?.key ?? "";
    const gzipKey = entry?.gzip?.key ?? "";
    // A pack cut short loses the documents from the cut on (both may be in one pack).
    const stored = FolderDocuments.committed(out);
    const cuts = new Map<string, number>();
    for (const key of [identityKey, gzipKey]) {
      const at = stored.locationOf(key);
      expect(at).toBeDefined();
      const pack = at?.pack ?? "";
      cuts.set(pack, Math.min(cuts.get(pack) ?? Number.POSITIVE_INFINITY, at?.offset ?? 0));
    }
    for (const [pack, offset] of cuts) await truncate(join(out, "doc", pack), offset);
    expect(FolderDocuments.committed(out).has(gzipKey)).toBe(false);
    const rebuilt = await buildSite(content, { now: NOW, outDir: out, cacheDir });
    expect((await writeDist(out, rebuilt)).written).toBeGreaterThanOrEqual(2);
    expect(rebuilt.manifest).toEqual(current.manifest);
    const reread = FolderDocuments.committed(out);
    expect([...reread.keys()].sort()).toEqual(sortedKeys(current));
    for (const key of [identityKey, gzipKey]) {
      expect(Buffer.from(reread.get(key) ?? []).equals(current.documents.get(key) ?? new Uint8Array())).toBe(
        true,
      );
    }
  });

  it("does not take over gzip variants an earlier build made with other code", async () => {
    const current = await buildSite(content, { now: NOW });
    await writeDist(out, await buildSite(content, { now: NOW, outDir: out, cacheDir }));
    // The earlier manifest now names another document's variant, and its render index other code.
    const manifest = JSON.parse(await readFile(join(out, "manifest.json"), "utf8"));
    // Feed documents (the discovery page and OPML lists are compressed later, never reused).
    const compressed = Object.entries(manifest.routes as Record<string, ManifestEntry>)
      .filter(([path, entry]) => entry.gzip && path.endsWith(".xml"))
      .map(([, entry]) => entry);
    const [one, two] = [...new Map(compressed.map((e) => [e.key, e])).values()];
    if (!one || !two) throw new Error("two compressed documents");
    for (const entry of compressed) if (entry.key === one.key) entry.gzip = two.gzip;
    await writeFile(join(out, "manifest.json"), JSON.stringify(manifest));
    const index = JSON.parse(await readFile(join(out, RENDER_INDEX_FILE), "utf8"));
    await writeFile(join(out, RENDER_INDEX_FILE), JSON.stringify({ ...index, salt: "other code" }));
    const rebuilt = await buildSite(content, { now: NOW, outDir: out, cacheDir });
    expect(rebuilt.reused).toBe(0);
    expect(rebuilt.manifest).toEqual(current.manifest);
    await writeDist(out, rebuilt);
  });
});
