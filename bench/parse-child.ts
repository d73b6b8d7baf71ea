/**
 * The parse phase alone (`parsePostFiles` over every post of a content folder), run by bench/run.ts
 * in its own process, to compare one thread, the pool, and the pool with an empty or a full cache:
 *
 *   node --import tsx bench/parse-child.ts --content DIR --variant single|pool|cold|warm --cache-dir DIR
 *        [--part K/N]
 *
 * `cold` empties the cache first; `warm` uses it as the previous run left it. `--part K/N` parses only
 * every Nth file from the Kth (0-based): bench/run.ts runs two such processes at once to see what two
 * cores give this work (variant `halves`). Prints one JSON line.
 */
import { readdir, rm } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { PostCache } from "../src/build/cache";
import { readSiteConfig } from "../src/build/config";
import { parsePostFiles } from "../src/build/pool";
import { ProblemLog } from "../src/build/problems";

/** Ways of parsing the bench compares. */
export type ParseVariant = "single" | "pool" | "cold" | "warm" | "halves";

/** What one parse run reports. */
export interface ParseReport {
  variant: ParseVariant;
  files: number;
  posts: number;
  /** Seconds from the call to the results, and CPU seconds of the process (all threads). */
  seconds: number;
  cpu: number;
  maxRss: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      content: { type: "string" },
      variant: { type: "string", default: "pool" },
      "cache-dir": { type: "string" },
      part: { type: "string", default: "0/1" },
    },
  });
  const content = values.content;
  if (!content) throw new Error("--content is required");
  const variant = values.variant as ParseVariant;
  const cacheDir = values["cache-dir"];
  const useCache = variant === "cold" || variant === "warm";
  if (useCache && !cacheDir) throw new Error(`--variant ${variant} needs --cache-dir`);
  if (variant === "cold" && cacheDir) await rm(cacheDir, { recursive: true, force: true });

  const config = await readSiteConfig(content, new ProblemLog("_config.yml"));
  const [part, parts] = values.part.split("/").map(Number) as [number, number];
  if (!(parts >= 1 && part >= 0 && part < parts))
    throw new Error(`--part ${values.part}: not K/N with K < N`);
  const paths = (await readdir(join(content, "_posts")))
    .sort()
    .filter((_, index) => index % parts === part)
    .map((name) => `_posts/${name}`);
  const cache = useCache && cacheDir ? await PostCache.open(cacheDir, { config }) : undefined;
  const before = process.cpuUsage();
  const started = performance.now();
  const results = await parsePostFiles(
    content,
    paths,
    { config },
    {
      cache,
      threads: variant === "single" ? 0 : availableParallelism(),
    },
  );
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(before);
  const report: ParseReport = {
    variant,
    files: paths.length,
    posts: results.filter((result) => result.post).length,
    seconds,
    cpu: (cpu.user + cpu.system) / 1e6,
    maxRss: process.resourceUsage().maxRSS * 1024,
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

await main();
