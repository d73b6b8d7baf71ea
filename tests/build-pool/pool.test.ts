/** `parsePostFiles` gives exactly what `parsePostFile` gives per file, in input order, on any thread count. */
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readSiteConfig } from "../../src/build/config";
import { type ParsedPostFile, parsePostFiles } from "../../src/build/pool";
import { type PostContext, parsePostFile } from "../../src/build/post";
import { ProblemLog } from "../../src/build/problems";
import { FINEWS_DIR } from "../corpus";

/** Two worker threads even for a few files (the default parses fewer than 2,000 on the caller). */
const ON_THREADS = { threads: 2, inlineLimit: 1 } as const;

let context: PostContext;
let paths: string[];

/** What load.ts does today for one file. */
async function parseOneByOne(contentDir: string, path: string): Promise<ParsedPostFile> {
  const log = new ProblemLog(path);
  const post = parsePostFile(path, await readFile(join(contentDir, path)), context, log);
  return post ? { post, problems: log.problems } : { problems: log.problems };
}

beforeAll(async () => {
  const config = await readSiteConfig(FINEWS_DIR, new ProblemLog("_config.yml"));
  context = { config };
  // Reversed, so that "input order" cannot pass by accident as "sorted order".
  paths = (await readdir(join(FINEWS_DIR, "_posts")))
    .map((name) => `_posts/${name}`)
    .sort()
    .reverse();
});

describe("parsePostFiles", () => {
  it("parses the finews posts on worker threads exactly as parsePostFile does, in input order", async () => {
    const expected = await Promise.all(paths.map((path) => parseOneByOne(FINEWS_DIR, path)));
    const parsed = await parsePostFiles(FINEWS_DIR, paths, context, ON_THREADS);
    expect(parsed).toEqual(expected);
    expect(parsed.map((p) => p.post?.source ?? p.problems[0]?.path)).toEqual(paths);
  });

  it("reports a post that is not published with its problems and no post", async () => {
    const parsed = await parsePostFiles(FINEWS_DIR, ["_posts/-202205262391921712.md"], context);
    expect(parsed).toEqual([await parseOneByOne(FINEWS_DIR, "_posts/-202205262391921712.md")]);
  });

  it("gives the same result on the calling thread alone", async () => {
    const onThreads = await parsePostFiles(FINEWS_DIR, paths, context, ON_THREADS);
    expect(await parsePostFiles(FINEWS_DIR, paths, context, { threads: 0 })).toEqual(onThreads);
  });

  it("reports progress up to the number of files", async () => {
    const seen: number[] = [];
    await parsePostFiles(FINEWS_DIR, paths, context, {
      ...ON_THREADS,
      onProgress: (done) => seen.push(done),
    });
    expect(seen).toHaveLength(paths.length);
    expect(seen.at(-1)).toBe(paths.length);
  });

  it("returns nothing for no files", async () => {
    expect(await parsePostFiles(FINEWS_DIR, [], context)).toEqual([]);
  });
});

describe("parsePostFiles when a file cannot be read", () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "pool-test-"));
    await writeFile(join(dir, "a.md"), "---\ntitle: a\ndate: 2024-01-01\n---\nbody");
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("rejects on the calling thread", async () => {
    await expect(parsePostFiles(dir, ["a.md", "missing.md"], context, { threads: 0 })).rejects.toThrow(
      /missing\.md/,
    );
  });

  it("rejects from a worker thread, naming the file", async () => {
    const many = [...Array.from({ length: 100 }, () => "a.md"), "missing.md"];
    await expect(parsePostFiles(dir, many, context, ON_THREADS)).rejects.toThrow(/missing\.md/);
  });
});
