/**
 * `npm run bench [-- --quick] [-- --budget SECONDS]`: build, rebuild, deploy and serving figures
 * against the targets of issue 6, printed as one table and written to bench/results.md.
 *
 * Every build and parse run is a process of its own (bench/build-child.ts, bench/parse-child.ts), so
 * that its wall time and peak memory are its own, and is stopped at a time limit so that the bench
 * stays within its budget (6 minutes by default): a build that does not finish in time is reported
 * as such, with the memory it had reached. Corpora are generated once into bench/out/ and kept
 * while their shape is unchanged. `--quick` uses 1,000 and 3,000 posts and short serving runs, and
 * writes bench/out/results-quick.md.
 */
import { execFile } from "node:child_process";
import { link, mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { parseArgs, promisify } from "node:util";
import { FolderDocuments } from "../src/build/document-store";
import { showsProgress, statusLine } from "../src/build/progress";
import type { Manifest } from "../src/model";
import type { BuildReport, BuildVariant } from "./build-child";
import { compileChild, runChild } from "./child";
import { addPosts, generateCorpus } from "./generate";
import type { ParseReport, ParseVariant } from "./parse-child";
import { type MeasuredBuild, type Results, renderResults } from "./results";
import type { SanitizeReport } from "./sanitize-child";
import { bundleWorker, fillKv, measureServing } from "./serve";
import { speedProbe } from "./speed-probe";

const OUT = join("bench", "out");
/** Posts added for the rebuild and deploy figures. */
const ADDED_POSTS = 10;
/** The build's clock: every synthetic post is older, so none is scheduled. */
const NOW = "2025-01-01T00:00:00Z";
/** Longest any one build may take, in seconds. */
const BUILD_LIMIT = 150;
/** A build is not started with less time than this left. */
const MIN_BUILD_SECONDS = 15;
/** Posts whose HTML the sanitize-html comparison sanitizes (each round, with each of the two). */
const SANITIZED_POSTS = 5000;
/** Rounds of the parse comparison (each runs every variant once). */
const PARSE_ROUNDS = 2;
/**
 * Cold CLI builds of the smaller corpus, each from an empty cache into an empty folder: this shared
 * machine's speed moves by a third from one minute to the next, so the figure is their median, with
 * every run shown and its speed probes (five runs, so that more of them find the machine at full speed
 * before and after: see results.ts's `fullSpeedLine`).
 */
const COLD_RUNS = 5;

interface Corpus {
  dir: string;
  posts: number;
}

/** Runs one build in its own process, stopped after `limit` seconds. */
async function measureBuild(
  label: string,
  variant: BuildVariant,
  content: Corpus,
  out: string,
  limit: number,
  cacheDir?: string,
): Promise<MeasuredBuild> {
  const base = { label, variant, posts: content.posts };
  if (limit < MIN_BUILD_SECONDS) return { ...base, wall: 0, maxRss: 0, skipped: true };
  const args = ["--content", content.dir, "--out", out, "--variant", variant, "--now", NOW];
  if (cacheDir) args.push("--cache-dir", cacheDir);
  if (showsProgress()) args.push("--progress");
  const status = `  ${label}: building (${variant}, at most ${Math.round(limit)} s)`;
  await flushWrites();
  const before = speedProbe();
  const run = await runChild(join("bench", "build-child.ts"), args, limit, status);
  const probe = { before, after: speedProbe() };
  if (run.stopped || !run.lastLine)
    return { ...base, wall: run.wall, maxRss: run.sampledRss, stoppedAt: limit, probe };
  const report = JSON.parse(run.lastLine) as BuildReport;
  return {
    ...base,
    posts: report.posts,
    wall: run.wall,
    maxRss: Math.max(report.maxRss, run.sampledRss),
    report,
    probe,
  };
}

/**
 * Writes the page cache's dirty pages to disk (`sync`), so that a build does not pay for the last
 * one's: a build leaves about 600 MB of them, which the kernel writes back some 30 s later, with the
 * next build running. A publisher's build starts without them. Best effort: without `sync`, nothing.
 */
async function flushWrites(): Promise<void> {
  await promisify(execFile)("sync").catch(() => undefined);
}

/**
 * The run of median wall time (a stopped or skipped run counts as the slowest), with the wall times
 * of every run. The rebuild that follows uses the last run's folder: every run gives the same build.
 */
function medianBuild(runs: MeasuredBuild[]): MeasuredBuild {
  const slowest = (build: MeasuredBuild) => (build.report ? build.wall : Number.POSITIVE_INFINITY);
  const sorted = [...runs].sort((a, b) => slowest(a) - slowest(b));
  const median = sorted[Math.floor((sorted.length - 1) / 2)] as MeasuredBuild;
  return runs.length > 1
    ? { ...median, runs: runs.map((run) => ({ wall: run.report ? run.wall : Number.NaN, probe: run.probe })) }
    : median;
}

/** A run's wall time, or NaN when it was stopped or skipped. */
function wallOf(run: MeasuredBuild | undefined): number {
  return run?.report ? run.wall : Number.NaN;
}

/** Parses `content` with each variant, `PARSE_ROUNDS` times in alternating order; runs by variant. */
async function compareParsing(content: Corpus, cacheDir: string): Promise<ParseReport[][]> {
  const variants: ParseVariant[] = ["single", "halves", "pool", "cold", "warm"];
  const orders: ParseVariant[][] = [variants, ["cold", "warm", "pool", "halves", "single"]];
  const reports: ParseReport[] = [];
  for (let round = 0; round < PARSE_ROUNDS; round++) {
    for (const variant of orders[round % orders.length] ?? []) {
      const status = `  parsing ${content.posts} posts (${variant}, round ${round + 1} of ${PARSE_ROUNDS})`;
      const report =
        variant === "halves"
          ? await parseInHalves(content, status)
          : await parseOnce(content, ["--variant", variant, "--cache-dir", cacheDir], status);
      if (report) reports.push(report);
    }
  }
  await rm(cacheDir, { recursive: true, force: true });
  return variants.map((variant) => reports.filter((report) => report.variant === variant));
}

async function parseOnce(content: Corpus, args: string[], status?: string): Promise<ParseReport | undefined> {
  const run = await runChild(
    join("bench", "parse-child.ts"),
    ["--content", content.dir, ...args],
    BUILD_LIMIT,
    status,
  );
  return run.lastLine ? (JSON.parse(run.lastLine) as ParseReport) : undefined;
}

/**
 * Two one-thread processes at once, each parsing every other file: what two cores give this work at
 * this moment, with nothing shared but the machine (no threads, no messages, no second JIT in one
 * process). Against `single`, the best a parallel parse could do then.
 */
async function parseInHalves(content: Corpus, status: string): Promise<ParseReport | undefined> {
  const halves = await Promise.all(
    ["0/2", "1/2"].map((part, i) =>
      parseOnce(content, ["--variant", "single", "--part", part], i === 0 ? status : undefined),
    ),
  );
  const [a, b] = halves;
  if (!a || !b) return undefined;
  return {
    variant: "halves",
    files: a.files + b.files,
    posts: a.posts + b.posts,
    seconds: Math.max(a.seconds, b.seconds),
    cpu: a.cpu + b.cpu,
    maxRss: Math.max(a.maxRss, b.maxRss),
  };
}

/** sanitize-html as published against the threads' bundle's, on the first posts of `content`. */
async function compareSanitizing(content: Corpus): Promise<SanitizeReport | undefined> {
  const run = await runChild(
    join("bench", "sanitize-child.ts"),
    ["--content", content.dir, "--posts", String(Math.min(content.posts, SANITIZED_POSTS))],
    BUILD_LIMIT,
    "  sanitize-html as published and as bundled",
  );
  return run.lastLine ? (JSON.parse(run.lastLine) as SanitizeReport) : undefined;
}

/** A copy of `from` made of hard links (the bench adds posts to it without touching `from`). */
async function linkedCopy(from: string, to: string): Promise<void> {
  await rm(to, { recursive: true, force: true });
  await mkdir(join(to, "_posts"), { recursive: true });
  await link(join(from, "_config.yml"), join(to, "_config.yml"));
  const names = await readdir(join(from, "_posts"));
  for (let i = 0; i < names.length; i += 256) {
    await Promise.all(
      names.slice(i, i + 256).map((name) => link(join(from, "_posts", name), join(to, "_posts", name))),
    );
  }
}

async function machine(): Promise<Results["machine"]> {
  const run = promisify(execFile);
  const git = async (...args: string[]) =>
    (await run("git", args)
      .then(({ stdout }) => stdout.trim())
      .catch(() => "")) || "";
  // The table this run replaces does not make the tree dirty.
  const dirty =
    (await git("status", "--porcelain", "--untracked-files=no", "--", ".", ":(exclude)bench/results.md")) !==
    "";
  return {
    cores: cpus().length,
    cpu: cpus()[0]?.model ?? "?",
    node: process.version,
    date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    commit: `${(await git("rev-parse", "--short", "HEAD")) || "?"}${dirty ? " with uncommitted changes" : ""}`,
    loadBefore: loadavg()[0] ?? 0,
    loadAfter: 0,
  };
}

/** The Atom document of the category whose feed is the largest (a full page of items). */
function busiestCategoryAtom(manifest: Manifest): string {
  const atoms = Object.entries(manifest.routes).filter(
    ([path, entry]) => /^\/category\/[^/]+\/atom\.xml$/.test(path) && !entry.canonical,
  );
  atoms.sort(([, a], [, b]) => b.size - a.size);
  const path = atoms[0]?.[0];
  if (!path) throw new Error("the build has no category Atom feed");
  return path;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { quick: { type: "boolean", default: false }, budget: { type: "string", default: "360" } },
  });
  const quick = values.quick;
  const sizes = quick ? { small: 1000, large: 3000 } : { small: 10000, large: 30000 };
  const serving = quick
    ? { connections: 16, seconds: 3, rounds: 1 }
    : { connections: 32, seconds: 5, rounds: 3 };
  const budget = Number(values.budget);
  const started = performance.now();
  const elapsed = () => (performance.now() - started) / 1000;
  // Serving takes its runs plus warm-ups, bundling and startup; builds get the rest.
  const servingReserve = (serving.rounds * 2 + 1) * serving.seconds + 25;
  let servingDone = false;
  const limit = () => Math.min(BUILD_LIMIT, budget - elapsed() - (servingDone ? 0 : servingReserve));
  const info = await machine();
  if (!process.env.CI)
    process.stderr.write(
      `bench: ${sizes.small} and ${sizes.large} posts, ${info.cores} cores, Node ${info.node}\n`,
    );

  // The measured children start as the CLI does, on their TypeScript compiled once: compiled now.
  for (const child of ["build-child.ts", "parse-child.ts", "sanitize-child.ts"])
    await compileChild(join("bench", child));
  const small = await generateCorpus(join(OUT, `corpus-${sizes.small}`), sizes.small);
  const large = await generateCorpus(join(OUT, `corpus-${sizes.large}`), sizes.large);
  const smallLabel = `cold, ${sizes.small.toLocaleString("en-US")} posts`;

  // As `cli.ts build` builds (every core, the parsed-post cache), cold with an empty cache and an
  // empty dist/ on a copy of the corpus; then ten new posts and a rebuild into the same dist/.
  const work = { dir: join(OUT, `rebuild-${sizes.small}`), posts: sizes.small };
  const cacheDir = join(OUT, "cache");
  await linkedCopy(small.dir, work.dir);
  await rm(cacheDir, { recursive: true, force: true });
  for (const name of ["dist-cold", "dist-large", "dist-single"])
    await rm(join(OUT, name), { recursive: true, force: true });
  const coldRuns: MeasuredBuild[] = [];
  const singleRuns: MeasuredBuild[] = [];
  for (let run = 0; run < (quick ? 1 : COLD_RUNS); run++) {
    await rm(cacheDir, { recursive: true, force: true });
    await rm(join(OUT, "dist-cold"), { recursive: true, force: true });
    coldRuns.push(await measureBuild(smallLabel, "cache", work, join(OUT, "dist-cold"), limit(), cacheDir));
    // Right after each cold build, the one-thread build: the machine's speed moves by a third from
    // minute to minute, and the two of a pair ran at about the same speed (see `Cold / one-thread`).
    await rm(join(OUT, "dist-single"), { recursive: true, force: true });
    singleRuns.push(await measureBuild(smallLabel, "single", small, join(OUT, "dist-single"), limit()));
  }
  const cold = medianBuild(coldRuns);
  const single = medianBuild(singleRuns);
  const pairs = coldRuns.map((run, i) => ({ cold: wallOf(run), single: wallOf(singleRuns[i]) }));
  await addPosts(work.dir, sizes.small, ADDED_POSTS, "new posts", true);
  const rebuilt = await measureBuild(
    `rebuild, +${ADDED_POSTS} new posts`,
    "cache",
    { ...work, posts: sizes.small + ADDED_POSTS },
    join(OUT, "dist-cold"),
    limit(),
    cacheDir,
  );

  // Serving, over KV filled from the build in dist-cold (the rebuild, which differs by ten posts).
  if (!cold.report) throw new Error("the cold build did not finish in time: nothing to serve");
  const bundleStatus = statusLine("  bundling the Worker (wrangler deploy --dry-run)");
  const bundle = await bundleWorker(process.cwd(), join(OUT, "worker-bundle"));
  bundleStatus.finish();
  const dist = join(OUT, "dist-cold");
  const manifest = JSON.parse(await readFile(join(dist, "manifest.json"), "utf8")) as Manifest;
  const path = busiestCategoryAtom(manifest);
  const entry = manifest.routes[path];
  const stateDir = join(OUT, "kv-state");
  await rm(stateDir, { recursive: true, force: true });
  const keys = entry ? [entry.key, ...(entry.gzip ? [entry.gzip.key] : [])] : [];
  const fill = await fillKv(process.cwd(), stateDir, dist, keys);
  const served = FolderDocuments.committed(dist).get(entry?.key ?? "");
  const items = new TextDecoder().decode(served).split("<entry>").length - 1;
  const servingReport = await measureServing({
    projectDir: process.cwd(),
    stateDir,
    bundle,
    manifest,
    path,
    ...serving,
  });
  servingDone = true;

  // The parse phase alone, with and without the pool and the cache; the larger corpus as the CLI
  // builds it; then, as far as the budget goes, the smaller one on one thread without a cache.
  const parsing = await compareParsing(small, join(OUT, "cache-parse"));
  const sanitizing = await compareSanitizing(small);
  const largeLabel = `cold, ${sizes.large.toLocaleString("en-US")} posts`;
  const largeCache = join(OUT, "cache-large");
  await rm(largeCache, { recursive: true, force: true });
  const largeCold = await measureBuild(
    largeLabel,
    "cache",
    large,
    join(OUT, "dist-large"),
    limit(),
    largeCache,
  );
  await rm(largeCache, { recursive: true, force: true });
  await rm(join(OUT, "dist-large"), { recursive: true, force: true });

  // The output the peers publish (peers.md: per-term feeds of the newest 20 items, no archives), as
  // `feed: archives: false` gives it, cold as the CLI builds it.
  const plain = { dir: join(OUT, `no-archives-${sizes.small}`), posts: sizes.small };
  await linkedCopy(small.dir, plain.dir);
  const config = await readFile(join(small.dir, "_config.yml"), "utf8");
  await rm(join(plain.dir, "_config.yml"));
  await writeFile(join(plain.dir, "_config.yml"), `${config.trimEnd()}\nfeed:\n  archives: false\n`);
  const plainCache = join(OUT, "cache-no-archives");
  const plainDist = join(OUT, "dist-no-archives");
  for (const folder of [plainCache, plainDist]) await rm(folder, { recursive: true, force: true });
  const noArchives = await measureBuild(
    `${smallLabel}, archives off (the peers' output)`,
    "cache",
    plain,
    plainDist,
    limit(),
    plainCache,
  );
  for (const folder of [plainCache, plainDist, plain.dir]) await rm(folder, { recursive: true, force: true });

  info.loadAfter = loadavg()[0] ?? 0;
  const ids = [cold, single].flatMap((b) => (b.report ? [b.report.buildId] : []));
  const results: Results = {
    machine: info,
    quick,
    corpus: { small, large },
    builds: [cold, rebuilt, largeCold, noArchives, single],
    parsing,
    sanitizing,
    rebuild: { cold, single, rebuild: rebuilt, pairs },
    deploy:
      cold.report && rebuilt.report ? { before: cold.report.keys, after: rebuilt.report.keys } : undefined,
    serving: { ...servingReport, items },
    kvFill: { keys: fill.written, seconds: fill.seconds },
    consistent: new Set(ids).size <= 1,
    seconds: elapsed(),
    budget,
    buildLimit: BUILD_LIMIT,
  };
  // The builds' output and caches are not reused (the corpora are): give the disk back.
  for (const dir of ["dist-cold", "dist-single", "cache"].map((name) => join(OUT, name)))
    await rm(dir, { recursive: true, force: true });
  await rm(work.dir, { recursive: true, force: true });
  const markdown = renderResults(results);
  process.stdout.write(`${markdown}\n`);
  await writeFile(quick ? join(OUT, "results-quick.md") : join("bench", "results.md"), `${markdown}\n`);
}

await main();
