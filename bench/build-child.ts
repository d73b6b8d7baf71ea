/**
 * One measured build, run by bench/run.ts in its own process so that its wall time, CPU time and
 * peak memory are the build's alone:
 *
 *   node --import tsx bench/build-child.ts --content DIR --out DIR --variant single|pool|cache
 *        [--cache-dir DIR] [--now ISO] [--progress]
 *
 * Every variant is the real build into `--out`, `buildSite` (which writes documents there as it
 * renders them) + `writeDist` (which removes what is unused and writes the manifest): `single` parses
 * on the calling thread without a cache, `pool` on a worker thread per core, `cache` on every core
 * with the parsed-post cache and the render index (what `cli.ts build` does). Prints one JSON line
 * (`BuildReport`).
 */
import { availableParallelism } from "node:os";
import { parseArgs } from "node:util";
import { writeDist } from "../src/build/dist";
import { type Progress, progressBar } from "../src/build/progress";
import { buildSite } from "../src/build/site";

/** Build variants the bench compares. */
export type BuildVariant = "single" | "pool" | "cache";

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
  /**
   * Seconds until every post was parsed, then the rest of `buildSite` (rendering, gzip and writing
   * documents into the folder), then `writeDist`.
   */
  parse: number;
  render: number;
  write: number;
  /** Peak resident set size of this process, in bytes (worker threads included). */
  maxRss: number;
  /** CPU seconds of this process, all threads, and the part spent in the kernel. */
  cpu: number;
  systemCpu: number;
  /** Documents written into the folder, and documents reused as an earlier build left them. */
  written: number;
  reused: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      content: { type: "string" },
      out: { type: "string" },
      variant: { type: "string", default: "cache" },
      "cache-dir": { type: "string" },
      now: { type: "string", default: "2025-01-01T00:00:00Z" },
      progress: { type: "boolean", default: false },
    },
  });
  const content = values.content;
  if (!content || !values.out) throw new Error("--content and --out are required");
  const variant = values.variant as BuildVariant;
  if (variant === "cache" && !values["cache-dir"]) throw new Error("--variant cache needs --cache-dir");

  const started = performance.now();
  let parsed = started;
  let progress: Progress | undefined;
  const result = await buildSite(content, {
    now: new Date(values.now),
    outDir: values.out,
    threads: variant === "single" ? 0 : availableParallelism(),
    cacheDir: variant === "cache" ? values["cache-dir"] : undefined,
    onProgress: (done, total) => {
      if (values.progress) progress ??= progressBar(`  parsing (${variant})`, total, "posts");
      progress?.update(done);
      if (done === total) parsed = performance.now();
    },
  });
  progress?.finish();
  const built = performance.now();
  const { bytes, written: writtenFiles } = await writeDist(values.out, result);
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
    render: (built - parsed) / 1000,
    write: (written - built) / 1000,
    maxRss: usage.maxRSS * 1024,
    cpu: (usage.userCPUTime + usage.systemCPUTime) / 1e6,
    systemCpu: usage.systemCPUTime / 1e6,
    written: writtenFiles,
    reused: result.reused ?? 0,
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

await main();
