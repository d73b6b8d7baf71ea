/**
 * One measured build, run by bench/run.ts in its own process so that its wall time, CPU time and
 * peak memory are the build's alone:
 *
 *   node --import tsx bench/build-child.ts --content DIR --out DIR --variant stock|pool|cache
 *        [--cache-dir DIR] [--now ISO] [--progress]
 *
 * Every variant runs the real build, `buildSite` + `writeDist` (what `cli.ts build` does). `pool`
 * first parses the posts with `parsePostFiles` on worker threads, and load.ts takes those results
 * instead of parsing (parse-hooks.ts); `cache` does the same with the parsed-post cache. Prints one
 * JSON line (`BuildReport`).
 */
import { readdir } from "node:fs/promises";
import { register } from "node:module";
import { join, posix, relative, sep } from "node:path";
import { parseArgs } from "node:util";
import { PostCache } from "../src/build/cache";
import { readSiteConfig } from "../src/build/config";
import { readIdLock } from "../src/build/id-lock";
import { parsePostFiles } from "../src/build/pool";
import { HTML_EXTENSIONS, MARKDOWN_EXTENSIONS } from "../src/build/post";
import { ProblemLog } from "../src/build/problems";
import { type Progress, progressBar } from "./progress";

/** Build variants the bench compares. */
export type BuildVariant = "stock" | "pool" | "cache";

/** What one build reports to the bench. */
export interface BuildReport {
  variant: BuildVariant;
  posts: number;
  files: number;
  feeds: number;
  documents: number;
  bytes: number;
  buildId: string;
  /** Keys of every document, for counting the writes of a redeploy. */
  keys: string[];
  /** Seconds parsing ahead with the pool (0 for stock), in `buildSite`, and in `writeDist`. */
  parse: number;
  build: number;
  write: number;
  /** Files load.ts took from the pool's results, and files it had to parse itself. */
  preparsed: number;
  parsedInBuild: number;
  /** Peak resident set size of this process, in bytes (workers included: they are threads). */
  maxRss: number;
  /** CPU seconds of this process (all threads). */
  cpu: number;
}

/** Parses every post file of `contentDir` with the pool, for load.ts to take (preparsed-post.ts). */
async function parseAhead(
  contentDir: string,
  cacheDir: string | undefined,
  progress: (done: number, total: number) => void,
): Promise<void> {
  const { preparsed } = await import("./preparsed-post");
  // The config exactly as loadSite makes it; if it ever differs, load.ts parses by itself (counted).
  const config = await readSiteConfig(contentDir, new ProblemLog("_config.yml"));
  const lock = await readIdLock(contentDir).catch(() => undefined);
  if (lock && !config.tagAuthorityIsExplicit) config.tagAuthority = lock.tagAuthority;
  const paths = await postPaths(contentDir);
  const cache = cacheDir ? await PostCache.open(cacheDir, { config }) : undefined;
  const results = await parsePostFiles(contentDir, paths, { config }, { cache, onProgress: progress });
  preparsed.config = JSON.stringify(config);
  paths.forEach((path, i) => {
    const result = results[i];
    if (result) preparsed.results.set(path, result);
  });
}

async function postPaths(contentDir: string): Promise<string[]> {
  const entries = await readdir(join(contentDir, "_posts"), { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && !/^[._#]/.test(e.name) && !e.name.endsWith("~"))
    .filter((e) => {
      const extension = posix.extname(e.name).toLowerCase();
      return MARKDOWN_EXTENSIONS.has(extension) || HTML_EXTENSIONS.has(extension);
    })
    .map((e) => relative(contentDir, join(e.parentPath, e.name)).split(sep).join("/"))
    .sort();
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      content: { type: "string" },
      out: { type: "string" },
      variant: { type: "string", default: "stock" },
      "cache-dir": { type: "string" },
      now: { type: "string", default: "2025-01-01T00:00:00Z" },
      progress: { type: "boolean", default: false },
    },
  });
  const content = values.content;
  if (!content || !values.out) throw new Error("--content and --out are required");
  const variant = values.variant as BuildVariant;
  const now = new Date(values.now);
  // Before the build's modules load: load.ts must see the stand-in for post.ts.
  if (variant !== "stock") register("./parse-hooks.ts", import.meta.url);
  const { buildSite } = await import("../src/build/site");
  const { writeDist } = await import("../src/build/dist");
  const { preparsed } = await import("./preparsed-post");

  const started = performance.now();
  if (variant !== "stock") {
    let progress: Progress | undefined;
    await parseAhead(content, variant === "cache" ? values["cache-dir"] : undefined, (done, total) => {
      if (values.progress) progress ??= progressBar(`  parsing (${variant})`, total, "posts");
      progress?.update(done);
    });
    progress?.finish();
  }
  const parsed = performance.now();
  const result = await buildSite(content, { now });
  const built = performance.now();
  const bytes = await writeDist(values.out, result);
  const written = performance.now();
  const usage = process.resourceUsage();
  const report: BuildReport = {
    variant,
    posts: result.site.posts.length,
    files: result.site.files,
    feeds: result.feeds,
    documents: result.documents.size,
    bytes,
    buildId: result.manifest.buildId,
    keys: [...result.documents.keys()],
    parse: (parsed - started) / 1000,
    build: (built - parsed) / 1000,
    write: (written - built) / 1000,
    preparsed: preparsed.used,
    parsedInBuild: preparsed.parsedNow,
    maxRss: usage.maxRSS * 1024,
    cpu: (usage.userCPUTime + usage.systemCPUTime) / 1e6,
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

await main();
