/**
 * Command line: `build` writes dist/ and prints a summary; `start` also publishes the build into
 * local KV and serves it with `wrangler dev` on workerd; `deploy`, `rollback` and `gc` publish to
 * Workers KV (the account, or local KV with `--local`; see src/deploy/); `wrangler-build` is
 * wrangler.toml's `[build] command`.
 *
 *   tsx src/build/cli.ts build [--content DIR] [--out DIR] [--strict] [--now ISO] [--quiet]
 *   tsx src/build/cli.ts start [--content DIR] [--port N] ...
 *   tsx src/build/cli.ts deploy [--content DIR] [--local|--remote] [--dry-run] ...
 *   tsx src/build/cli.ts rollback <build-id> [--local|--remote]
 *   tsx src/build/cli.ts gc --keep N [--grace MINUTES] [--local|--remote] [--dry-run]
 */
import { spawn } from "node:child_process";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { Target } from "../deploy/store";
import { offlineWranglerEnv } from "../deploy/wrangler";
import { type Progress, progressBar } from "./progress";
import type { BuildResult } from "./site";

const USAGE = `usage: cli.ts <command> [options]   (--help prints this)
  build     [--content DIR] [--out DIR] [--strict] [--now ISO] [--quiet] [--allow-id-changes] [--no-cache]
  start     [--content DIR] [--port N] (build options)
  deploy    [--content DIR] [--local|--remote] [--dry-run] (build options)
  rollback  <build-id> [--local|--remote]
  gc        --keep N [--grace MINUTES] [--local|--remote] [--dry-run]`;

const COMMANDS = ["build", "start", "deploy", "rollback", "gc", "wrangler-build"] as const;
type Command = (typeof COMMANDS)[number];

interface Options {
  content: string;
  out: string;
  strict: boolean;
  now?: string;
  quiet: boolean;
  "allow-id-changes": boolean;
  "no-cache": boolean;
}

const OPTIONS = {
  content: { type: "string", default: "content" },
  out: { type: "string", default: "dist" },
  port: { type: "string", default: "8787" },
  strict: { type: "boolean", default: false },
  now: { type: "string" },
  quiet: { type: "boolean", default: false },
  local: { type: "boolean", default: false },
  remote: { type: "boolean", default: false },
  "dry-run": { type: "boolean", default: false },
  keep: { type: "string" },
  grace: { type: "string" },
  "allow-id-changes": { type: "boolean", default: false },
  "no-cache": { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
} as const;

/** The command line read, or the one-line reason it cannot be (an unknown option, a missing value). */
function readArgs(argv: string[]) {
  try {
    return parseArgs({ args: argv, allowPositionals: true, options: OPTIONS });
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

async function main(argv: string[]): Promise<number> {
  const args = readArgs(argv);
  if ("error" in args) {
    console.error(`error: ${args.error}\n${USAGE}`);
    return 2;
  }
  const { positionals, values } = args;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const command = (positionals[0] ?? "build") as Command;
  if (!COMMANDS.includes(command)) {
    console.error(`error: unknown command "${command}"\n${USAGE}`);
    return 2;
  }
  if (values.local && values.remote) {
    console.error("error: --local and --remote exclude each other (the default is --remote)");
    return 2;
  }
  const target: Target = values.local ? "local" : "remote";
  const projectDir = process.cwd();
  const commands = () => import("../deploy/commands");

  if (command === "rollback") return (await commands()).rollbackCommand(projectDir, target, positionals[1]);
  if (command === "gc") {
    const keep = Number(values.keep);
    const grace = values.grace === undefined ? undefined : Number(values.grace);
    if (!Number.isInteger(keep) || keep < 1 || (grace !== undefined && !(grace >= 0))) {
      console.error(
        "error: gc needs --keep N (the number of recent builds to keep, at least 1); --grace is minutes",
      );
      return 2;
    }
    const graceMs = grace === undefined ? undefined : grace * 60_000;
    return (await commands()).gcCommand(projectDir, target, { keep, graceMs, dryRun: values["dry-run"] });
  }
  if (command === "wrangler-build") {
    const { wranglerBuildCommand } = await import("../deploy/wrangler-build");
    let built: { content: string; result: BuildResult } | undefined;
    return wranglerBuildCommand(
      projectDir,
      process.env,
      async (content) => {
        const result = await buildContent({ ...values, content, quiet: true });
        if (typeof result !== "number") built = { content, result };
        return result;
      },
      async () => {
        if (built) await recordIds(built.content, built.result);
      },
    );
  }

  const result = await buildContent(values);
  if (typeof result === "number") return result;
  if (command === "start") return start(values.content, result, values.port);
  if (command === "deploy") {
    const dryRun = values["dry-run"];
    const code = await (await commands()).deployCommand(projectDir, target, result, { dryRun });
    if (code === 0 && !dryRun) await recordIds(values.content, result);
    return code;
  }
  return 0;
}

/** A progress bar for parsing, drawn on a terminal only (silent in CI), made once the total is known. */
function parsingProgress(): (done: number, total: number) => void {
  let bar: Progress | undefined;
  return (done, total) => {
    bar ??= progressBar("parsing", total, "posts");
    bar.update(done);
    if (done === total) bar.finish();
  };
}

/** After a publish: the ids now known to readers go into the content folder's id lock. */
async function recordIds(contentDir: string, result: BuildResult): Promise<void> {
  const { recordPublishedIds } = await import("./id-lock");
  await recordPublishedIds(contentDir, result.site);
}

/** Builds the content folder, writes dist/ and prints the report; a number is the exit code of a failure. */
async function buildContent(values: Options): Promise<BuildResult | number> {
  // Loaded here, not at the top: `wrangler dev` runs `wrangler-build` on every change, without a build.
  const [{ buildSite }, { ContentError }, { writeDist }, { DEFAULT_CACHE_DIR }, { LOCK_FILE }] =
    await Promise.all([
      import("./site"),
      import("./load"),
      import("./dist"),
      import("./cache"),
      import("./id-lock"),
    ]);
  const now = values.now ? new Date(values.now) : new Date();
  if (Number.isNaN(now.getTime())) {
    console.error(`--now "${values.now}" is not a date`);
    return 2;
  }

  const started = performance.now();
  let result: BuildResult;
  try {
    result = await buildSite(values.content, {
      now,
      allowIdChanges: values["allow-id-changes"],
      outDir: values.out,
      threads: availableParallelism(),
      ...(values.quiet ? {} : { onProgress: parsingProgress() }),
      ...(values["no-cache"] ? {} : { cacheDir: DEFAULT_CACHE_DIR }),
    });
  } catch (error) {
    if (error instanceof ContentError) {
      console.error(`error: ${error.message}`);
      return 2;
    }
    throw error;
  }
  if (result.refused) {
    await printReport(result, values.out, 0, (performance.now() - started) / 1000, values.quiet);
    console.error(
      `error: ${result.site.idChanges.length} published id(s) would change; nothing written ` +
        `(see ${LOCK_FILE}; --allow-id-changes accepts the change)`,
    );
    return 1;
  }
  if (result.site.posts.length === 0) {
    await printReport(result, values.out, 0, (performance.now() - started) / 1000, values.quiet);
    console.error(`error: ${values.content}: no post could be published`);
    return 1;
  }
  const { bytes } = await writeDist(values.out, result);
  const seconds = (performance.now() - started) / 1000;
  await printReport(result, values.out, bytes, seconds, values.quiet);

  if (values.strict && result.skipped.length > 0) {
    console.error(`error: --strict and ${result.skipped.length} post(s) skipped`);
    return 1;
  }
  return result;
}

async function printReport(
  result: BuildResult,
  out: string,
  bytes: number,
  seconds: number,
  quiet: boolean,
): Promise<void> {
  const { formatProblem } = await import("./problems");
  const { site, skipped } = result;
  for (const problem of site.problems) {
    if (!quiet || problem.severity === "error") console.error(formatProblem(problem));
  }
  const count = (severity: string) =>
    new Set(site.problems.filter((p) => p.severity === severity).map((p) => p.path)).size;
  console.log(
    `posts: ${site.posts.length} published, ${skipped.length} skipped, ${count("warning")} warned, ` +
      `${count("note")} left out or ignored (${site.files} files)`,
  );
  console.log(
    `feeds: ${result.feeds} feeds x 3 formats, ${result.documents.size} documents` +
      `${result.reused ? ` (${result.reused} as the last build left them)` : ""}, ` +
      `${(bytes / 1024).toFixed(1)} KiB in ${out}/; build ${result.manifest.buildId} in ${seconds.toFixed(2)} s`,
  );
}

/**
 * Deploys the build to the local preview (local KV, then `.wrangler/feeds-live/build.json`) and runs
 * `wrangler dev`, whose build command bakes that build into the Worker it serves.
 */
async function start(contentDir: string, result: BuildResult, port: string): Promise<number> {
  const projectDir = process.cwd();
  // Loaded here only: Miniflare is heavy and `build` does not need it.
  const { LOCAL_STATE_DIR } = await import("./local-kv");
  const { openTarget } = await import("../deploy/target");
  const { deployBuild } = await import("../deploy/publish");
  const { store, workerSwitch } = await openTarget(projectDir, "local");
  try {
    const plan = await deployBuild({ store, workerSwitch, build: result });
    console.log(`local KV: ${plan.writes.length} keys written under ${LOCAL_STATE_DIR}/`);
  } finally {
    await store.close();
  }
  await recordIds(contentDir, result);
  console.log(`serving on http://127.0.0.1:${port}/rss.xml (Ctrl-C stops)`);
  const wrangler = join(projectDir, "node_modules", ".bin", "wrangler");
  const child = spawn(
    wrangler,
    ["dev", "--local", "--ip", "127.0.0.1", "--port", port, "--persist-to", LOCAL_STATE_DIR],
    { stdio: "inherit", env: { ...offlineWranglerEnv(), ...process.env } },
  );
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => child.kill(signal));
  return new Promise((done) => child.on("exit", (code) => done(code ?? 0)));
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exitCode = 70;
  },
);
