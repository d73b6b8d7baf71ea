/** The bench's synthetic corpus: deterministic, and read by the build like the finews posts. */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_SHAPE, makeVocabulary, siteConfig, syntheticPost } from "../../bench/synthetic";
import { readSiteConfig } from "../../src/build/config";
import { readFrontMatter } from "../../src/build/front-matter";
import { type PostContext, parsePostFile } from "../../src/build/post";
import { ProblemLog } from "../../src/build/problems";

const vocabulary = makeVocabulary();
let context: PostContext;

beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), "synthetic-site-"));
  await writeFile(join(dir, "_config.yml"), siteConfig());
  context = { config: await readSiteConfig(dir, new ProblemLog("_config.yml")) };
  await rm(dir, { recursive: true });
});

describe("synthetic posts", () => {
  it("are the same bytes for the same index", () => {
    expect(syntheticPost(42, makeVocabulary())).toEqual(syntheticPost(42, vocabulary));
    expect(syntheticPost(42, vocabulary).text).not.toBe(syntheticPost(43, vocabulary).text);
  });

  it("all publish without an error, with the finews front matter and its oddities", () => {
    const bodies: string[] = [];
    let twoCategories = 0;
    for (let i = 0; i < 200; i++) {
      const { fileName, text } = syntheticPost(i, vocabulary);
      const path = `_posts/${fileName}`;
      const log = new ProblemLog(path);
      const post = parsePostFile(path, new TextEncoder().encode(text), context, log);
      expect(
        log.problems.filter((p) => p.severity === "error"),
        path,
      ).toEqual([]);
      expect(post?.tags).toHaveLength(1);
      expect(post?.tags[0]).toMatch(/^[\u4e00-\u9fa5]+$/);
      if ((post?.categories.length ?? 0) > 1) twoCategories++;
      const data = readFrontMatter(new TextEncoder().encode(text), new ProblemLog(path))?.data ?? {};
      expect(Object.keys(data)).toEqual(["layout", "title", "date", "categories", "tags"]);
      expect(fileName.slice(0, 10)).toBe(String(data.date).slice(0, 10));
      bodies.push(text);
    }
    expect(twoCategories).toBeGreaterThan(0);
    const all = bodies.join("\n");
    for (const mark of [
      "display:none",
      "<!--",
      'style="',
      'href="//',
      'href="../',
      'href="https://',
      "<img ",
      "返回",
    ])
      expect(all).toContain(mark);
    expect(all).toMatch(/^date: .* \+0800$/m);
    expect(all).toMatch(/^date: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/m);
  });

  it("fresh posts come after the whole corpus", () => {
    const last = Date.parse(`${DEFAULT_SHAPE.firstDay}T00:00:00+08:00`) + DEFAULT_SHAPE.years * 365 * 86400e3;
    const fresh = syntheticPost(10000, vocabulary, DEFAULT_SHAPE, true);
    const date = /^date: (\S+ \S+)/m.exec(fresh.text)?.[1] ?? "";
    expect(Date.parse(`${date.replace(" ", "T")}+08:00`)).toBeGreaterThan(last);
  });
});
