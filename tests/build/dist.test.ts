/** dist/ holds exactly the build's files, and a rebuild writes only the documents that changed. */
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { writeDist } from "../../src/build/dist";
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

const docPath = (text: string) => join(out, documentKey(sha256(text)));

describe("writeDist", () => {
  it("writes every document under its key, and the manifest", async () => {
    const report = await writeDist(out, buildOf("one", "two"));
    expect(report).toEqual({ bytes: 6, written: 2, removed: 0 });
    expect(await readFile(docPath("one"), "utf8")).toBe("one");
    expect(await readFile(docPath("two"), "utf8")).toBe("two");
    expect(JSON.parse(await readFile(join(out, "manifest.json"), "utf8")).buildId).toBe("one|two");
  });

  it("keeps documents already there, writes new ones and removes the unused", async () => {
    await writeDist(out, buildOf("one", "two"));
    const before = await stat(docPath("one"));
    const report = await writeDist(out, buildOf("one", "three"));
    expect(report).toEqual({ bytes: 8, written: 1, removed: 1 });
    expect((await stat(docPath("one"))).ino).toBe(before.ino);
    expect((await readdir(join(out, "doc"))).sort()).toEqual(
      [documentKey(sha256("one")), documentKey(sha256("three"))].map((key) => key.slice(4)).sort(),
    );
  });

  it("writes again a document left truncated, and clears files that are not the build's", async () => {
    await writeDist(out, buildOf("a longer document"));
    await writeFile(docPath("a longer document"), "a long");
    await mkdir(join(out, "stale"), { recursive: true });
    await writeFile(join(out, "stale", "old.xml"), "old");
    await writeFile(join(out, "doc", "leftover"), "x");
    const report = await writeDist(out, buildOf("a longer document"));
    expect(report).toEqual({ bytes: 17, written: 1, removed: 2 });
    expect(await readFile(docPath("a longer document"), "utf8")).toBe("a longer document");
    expect((await readdir(out)).sort()).toEqual(["doc", "manifest.json"]);
  });
});
