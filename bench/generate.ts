/**
 * Writes a synthetic Jekyll content folder for the bench:
 *
 *   tsx bench/generate.ts [--posts 10000] [--out bench/out/corpus-10000]
 *
 * `_config.yml` plus N posts under `_posts/` (see synthetic.ts for their shape). Deterministic: the
 * same count writes the same bytes; a folder already written for the same count and shape is kept.
 */
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { progressBar } from "../src/build/progress";
import { DEFAULT_SHAPE, makeVocabulary, siteConfig, syntheticPost } from "./synthetic";

/** Changes whenever synthetic.ts writes different bytes, so stale folders are rewritten. */
const GENERATOR_VERSION = 2;
const STAMP_FILE = ".bench-corpus.json";

/** What a generated folder holds. */
export interface GeneratedCorpus {
  dir: string;
  posts: number;
  /** Bytes of all post files. */
  bytes: number;
  /** False when an identical folder was already there. */
  written: boolean;
}

/** Writes `posts` posts into `dir` (replacing it), unless it already holds exactly that corpus. */
export async function generateCorpus(dir: string, posts: number): Promise<GeneratedCorpus> {
  const stamp = JSON.stringify({ version: GENERATOR_VERSION, posts, shape: DEFAULT_SHAPE });
  const existing = await readFile(join(dir, STAMP_FILE), "utf8").catch(() => undefined);
  if (existing) {
    const previous = JSON.parse(existing) as { bytes: number };
    if (existing === JSON.stringify({ ...JSON.parse(stamp), bytes: previous.bytes }))
      return { dir, posts, bytes: previous.bytes, written: false };
  }
  await rm(dir, { recursive: true, force: true });
  await mkdir(join(dir, "_posts"), { recursive: true });
  await writeFile(join(dir, "_config.yml"), siteConfig());
  const bytes = await addPosts(dir, 0, posts, `corpus ${posts}`);
  await writeFile(join(dir, STAMP_FILE), JSON.stringify({ ...JSON.parse(stamp), bytes }));
  return { dir, posts, bytes, written: true };
}

/**
 * Writes posts number `from` to `from + count - 1` into `dir/_posts/` (the same files a bigger
 * corpus would have, or with `fresh`, the same posts dated after the corpus, like a site's next
 * posts); returns the bytes written.
 */
export async function addPosts(
  dir: string,
  from: number,
  count: number,
  label = "posts",
  fresh = false,
): Promise<number> {
  const vocabulary = makeVocabulary(DEFAULT_SHAPE);
  const progress = progressBar(label, count, "posts");
  let bytes = 0;
  const batch: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const post = syntheticPost(from + i, vocabulary, DEFAULT_SHAPE, fresh);
    const data = Buffer.from(post.text);
    bytes += data.byteLength;
    batch.push(writeFile(join(dir, "_posts", post.fileName), data));
    if (batch.length === 64) {
      await Promise.all(batch.splice(0));
      progress.update(i + 1);
    }
  }
  await Promise.all(batch);
  progress.update(count);
  progress.finish();
  return bytes;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { posts: { type: "string", default: "10000" }, out: { type: "string" } },
  });
  const posts = Number(values.posts);
  if (!Number.isInteger(posts) || posts < 1)
    throw new Error(`--posts ${values.posts}: not a positive integer`);
  const dir = values.out ?? join("bench", "out", `corpus-${posts}`);
  const started = performance.now();
  const corpus = await generateCorpus(dir, posts);
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `${corpus.written ? "wrote" : "kept"} ${posts} posts (${(corpus.bytes / 2 ** 20).toFixed(1)} MiB) in ${dir}` +
      (corpus.written ? ` in ${seconds.toFixed(1)} s` : ""),
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
