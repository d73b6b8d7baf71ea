/** dist/ holds exactly the build's files, and a rebuild writes only the documents that changed. */
import { mkdir, mkdtemp, readdir, readFile, rm, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { writeDist } from "../../src/build/dist";
import { FolderDocuments, PACK_INDEX_FILE } from "../../src/build/document-store";
import { type RenderedSite, sha256 } from "../../src/build/documents";
import { documentKey } from "../../src/model";

let out: string;

beforeEach(async () => {
  out = join(await mkdtemp(join(tmpdir(), "feeds-dist-")), "dist");
});

afterEach(async () => {
  await rm(join(out, ".."), { recursive: true, force: true });
});

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A build of the given document texts (the manifest is not looked at by writeDist). */
function buildOf(...texts: string[]): RenderedSite {
  const documents = new Map(texts.map((text) => [documentKey(sha256(text)), encoder.encode(text)]));
  return {
    manifest: { buildId: texts.join("|"), siteUrl: "https://x.example", routes: {} },
    documents,
    feeds: 0,
    trimmed: [],
  };
}

/** The texts of the documents dist/ holds, read back as a later reader would. */
function storedTexts(): string[] {
  const stored = FolderDocuments.committed(out);
  return [...stored].map(([key, bytes]) => {
    const text = decoder.decode(bytes);
    expect(documentKey(sha256(text))).toBe(key);
    return text;
  });
}

const packs = async () => (await readdir(join(out, "doc"))).filter((name) => name.endsWith(".pack")).sort();

describe("writeDist", () => {
  it("stores every document under its key, and the manifest", async () => {
    const report = await writeDist(out, buildOf("one", "two"));
    expect(report).toEqual({ bytes: 6, written: 2, removed: 0 });
    expect(storedTexts().sort()).toEqual(["one", "two"]);
    expect(await packs()).toHaveLength(1);
    expect(JSON.parse(await readFile(join(out, "manifest.json"), "utf8")).buildId).toBe("one|two");
  });

  it("keeps documents already there, writes new ones and lets go of the unused", async () => {
    await writeDist(out, buildOf("one", "two"));
    const [first] = await packs();
    const report = await writeDist(out, buildOf("one", "three"));
    expect(report).toEqual({ bytes: 8, written: 1, removed: 1 });
    expect(storedTexts().sort()).toEqual(["one", "three"]);
    // "one" stays where the first build put it; "three" is in a new pack.
    expect(await packs()).toHaveLength(2);
    expect(await packs()).toContain(first);
  });

  it("rewrites a pack of which less than half is in use, and removes it", async () => {
    await writeDist(out, buildOf("a", "a long document nobody needs any more"));
    const [first] = await packs();
    const report = await writeDist(out, buildOf("a", "b"));
    expect(report).toEqual({ bytes: 2, written: 1, removed: 1 });
    expect(storedTexts().sort()).toEqual(["a", "b"]);
    expect(await packs()).toHaveLength(1);
    expect(await packs()).not.toContain(first);
  });

  it("writes again documents a damaged pack lost, and clears files that are not the build's", async () => {
    await writeDist(out, buildOf("first", "a longer document"));
    const [pack] = await packs();
    await truncate(join(out, "doc", pack ?? ""), "first".length + 3);
    await mkdir(join(out, "stale"), { recursive: true });
    await writeFile(join(out, "stale", "old.xml"), "old");
    await writeFile(join(out, "doc", "leftover"), "x");
    const report = await writeDist(out, buildOf("first", "a longer document"));
    expect(report).toEqual({ bytes: 22, written: 1, removed: 1 });
    expect(storedTexts().sort()).toEqual(["a longer document", "first"]);
    expect((await readdir(out)).sort()).toEqual(["doc", "manifest.json"]);
    expect((await readdir(join(out, "doc"))).filter((name) => !name.endsWith(".pack"))).toEqual([
      PACK_INDEX_FILE,
    ]);
  });

  it("keeps the last build readable when the next one stops before its commit, and then removes its pack", async () => {
    await writeDist(out, buildOf("kept"));
    const interrupted = FolderDocuments.open(out);
    interrupted.set(documentKey(sha256("never committed")), encoder.encode("never committed"));
    expect(await packs()).toHaveLength(2);
    expect(storedTexts()).toEqual(["kept"]);
    const report = await writeDist(out, buildOf("kept", "next"));
    expect(report).toMatchObject({ written: 1 });
    expect(storedTexts().sort()).toEqual(["kept", "next"]);
    expect(await packs()).toHaveLength(2);
  });

  it("starts afresh from an unreadable index", async () => {
    await writeDist(out, buildOf("one"));
    await writeFile(join(out, "doc", PACK_INDEX_FILE), "{not json");
    expect(storedTexts()).toEqual([]);
    const report = await writeDist(out, buildOf("one"));
    expect(report).toEqual({ bytes: 3, written: 1, removed: 0 });
    expect(storedTexts()).toEqual(["one"]);
    expect(await packs()).toHaveLength(1);
  });
});
