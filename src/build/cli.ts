/**
 * Command line: `build` writes dist/ and prints a summary; `start` also publishes the build into
 * local KV and serves it with `wrangler dev` on workerd.
 *
 *   tsx src/build/cli.ts build [--content DIR] [--out DIR] [--strict] [--now ISO] [--quiet]
 *   tsx src/build/cli.ts start [--content DIR] [--port N] ...
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { writeDist } from "./dist";
import { LOCK_FILE, recordPublishedIds } from "./id-lock";
import { ContentError } from "./load";
import { formatProblem } from "./problems";
import { type BuildResult, buildSite } from "./site";

const USAGE =
  "usage: cli.ts build|start [--content DIR] [--out DIR] [--port N] [--strict] [--now ISO] [--quiet]";

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      content: { type: "string", default: "content" },
      out: { type: "string", default: "dist" },
      port: { type: "string", default: "8787" },
      strict: { type: "boolean", default: false },
      now: { type: "string" },
      quiet: { type: "boolean", default: false },
      "allow-id-changes": { type: "boolean", default: false },
    },
  });
  const command = positionals[0] ?? "build";
  if (command !== "build" && command !== "start") {
    console.error(USAGE);
    return 2;
  }
  const now = values.now ? new Date(values.now) : new Date();
  if (Number.isNaN(now.getTime())) {
    console.error(`--now "${values.now}" is not a date`);
    return 2;
  }

  const started = performance.now();
  let result: BuildResult;
  try {
    result = await buildSite(values.content, { now, allowIdChanges: values["allow-id-changes"] });
  } catch (error) {
    if (error instanceof ContentError) {
      console.error(`error: ${error.message}`);
      return 2;
    }
    throw error;
  }
  if (result.site.posts.length === 0) {
    printReport(result, values.out, 0, (performance.now() - started) / 1000, values.quiet);
    console.error(`error: ${values.content}: no post could be published`);
    return 1;
  }
  if (result.refused) {
    printReport(result, values.out, 0, (performance.now() - started) / 1000, values.quiet);
    console.error(
      `error: ${result.site.idChanges.length} published id(s) would change; nothing written (see ${LOCK_FILE}, --allow-id-changes)`,
    );
    return 1;
  }
  const bytes = await writeDist(values.out, result);
  const seconds = (performance.now() - started) / 1000;
  printReport(result, values.out, bytes, seconds, values.quiet);

  if (values.strict && result.skipped.length > 0) {
    console.error(`error: --strict and ${result.skipped.length} post(s) skipped`);
    return 1;
  }
  if (command === "start") return start(values.content, result, values.port);
  return 0;
}

function printReport(result: BuildResult, out: string, bytes: number, seconds: number, quiet: boolean): void {
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
    `feeds: ${result.feeds} feeds x 3 formats, ${result.documents.size} documents, ` +
      `${(bytes / 1024).toFixed(1)} KiB in ${out}/; build ${result.manifest.buildId} in ${seconds.toFixed(2)} s`,
  );
}

async function start(contentDir: string, result: BuildResult, port: string): Promise<number> {
  const projectDir = process.cwd();
  // Loaded here only: Miniflare is heavy and `build` does not need it.
  const { LOCAL_STATE_DIR, publishLocally } = await import("./local-kv");
  const writes = await publishLocally(projectDir, result);
  console.log(`local KV: ${writes} keys written under ${LOCAL_STATE_DIR}/`);
  await recordPublishedIds(contentDir, result.site);
  console.log(`serving on http://127.0.0.1:${port}/rss.xml (Ctrl-C stops)`);
  const wrangler = join(projectDir, "node_modules", ".bin", "wrangler");
  const child = spawn(
    wrangler,
    [
      "dev",
      "--local",
      "--ip",
      "127.0.0.1",
      "--port",
      port,
      "--persist-to",
      LOCAL_STATE_DIR,
      "--var",
      `BUILD_ID:${result.manifest.buildId}`,
    ],
    { stdio: "inherit", env: { ...offlineWranglerEnv(), ...process.env } },
  );
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => child.kill(signal));
  return new Promise((done) => child.on("exit", (code) => done(code ?? 0)));
}

/** Keeps wrangler off the network (platform.md): no metrics, no `cf` fetch, no update banner. */
export function offlineWranglerEnv(): Record<string, string> {
  return {
    WRANGLER_SEND_METRICS: "false",
    CLOUDFLARE_CF_FETCH_ENABLED: "false",
    WRANGLER_HIDE_BANNER: "true",
  };
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
