/**
 * The publishing commands as `src/build/cli.ts` runs them: `deploy`, `rollback`, `gc`, and
 * `wrangler-build`, the `[build] command` that wrangler runs before it bundles the Worker. Each
 * prints what it does and returns an exit code; errors are one `error:` line naming the problem.
 */
import type { RenderedSite } from "../build/documents";
import { assertBuildId, bakeBuildId } from "./bake";
import { collectGarbage } from "./gc";
import { DEFAULT_GRACE_MS } from "./history";
import { describePlan } from "./plan";
import { deployBuild, rollBack } from "./publish";
import type { KvStore, Target } from "./store";
import {
  BUILD_ID_ENV,
  LOCAL_LIVE_FILE,
  localSwitch,
  readLocalLive,
  remoteSwitch,
  type WorkerSwitch,
} from "./switch";
import { isDryRun, parentWranglerCommandLine } from "./wrangler";

/** Environment of wrangler's build command: `remote` (default) or `local` KV for plain `wrangler deploy`. */
export const TARGET_ENV = "FEEDS_TARGET";
/** Environment of wrangler's build command: the content folder (default `content`). */
export const CONTENT_ENV = "FEEDS_CONTENT";

/** The namespace and the Worker of a target. */
export interface TargetHandles {
  store: KvStore;
  workerSwitch: WorkerSwitch;
}

/** Opens `target` for the project in `projectDir`: local KV and preview, or the account's. */
export async function openTarget(projectDir: string, target: Target): Promise<TargetHandles> {
  const workerSwitch = target === "local" ? localSwitch(projectDir) : remoteSwitch(projectDir);
  return { store: await openStore(projectDir, target), workerSwitch };
}

/** Opens the FEEDS namespace of `target`; Miniflare (slow to load) only when it is needed. */
export async function openStore(projectDir: string, target: Target): Promise<KvStore> {
  if (target === "local") return (await import("./local-store")).openLocalStore(projectDir);
  return (await import("./wrangler-store")).openWranglerStore(projectDir, { remote: true });
}

/** `deploy`: plan, then (unless `dryRun`) upload, switch the Worker and record it. */
export function deployCommand(
  projectDir: string,
  target: Target,
  build: RenderedSite,
  options: { dryRun: boolean },
): Promise<number> {
  return withTarget(projectDir, target, async ({ store, workerSwitch }) => {
    const { buildId } = build.manifest;
    console.log(
      `${options.dryRun ? "dry run: plan for" : "deploying"} build ${buildId} to ${store.description}`,
    );
    await deployBuild({
      store,
      workerSwitch,
      build,
      dryRun: options.dryRun,
      log: (line) => console.log(line),
    });
    if (!options.dryRun) console.log(`live: build ${buildId} on ${workerSwitch.description}`);
  });
}

/** `rollback <build-id>`: serve an earlier build again, if it is still complete in KV. */
export function rollbackCommand(
  projectDir: string,
  target: Target,
  buildId: string | undefined,
): Promise<number> {
  if (buildId === undefined) {
    console.error("error: rollback needs the build id to serve, e.g. `npm run rollback -- 3f2a9c0d1b4e5f67`");
    return Promise.resolve(2);
  }
  return withTarget(projectDir, target, async ({ store, workerSwitch }) => {
    assertBuildId(buildId);
    const manifest = await rollBack(store, workerSwitch, buildId);
    console.log(
      `live: build ${buildId} again (${Object.keys(manifest.routes).length} documents) on ${workerSwitch.description}`,
    );
  });
}

/** `gc --keep N`: delete the KV entries that no kept build uses. */
export function gcCommand(
  projectDir: string,
  target: Target,
  options: { keep: number; graceMs?: number; dryRun: boolean },
): Promise<number> {
  return withTarget(projectDir, target, async ({ store, workerSwitch }) => {
    const { kept, plan } = await collectGarbage(store, workerSwitch, {
      policy: { keep: options.keep, now: new Date(), graceMs: options.graceMs ?? DEFAULT_GRACE_MS },
      dryRun: options.dryRun,
      warn: (line) => console.error(line),
    });
    console.log(
      `${options.dryRun ? "dry run: " : ""}keeping build(s) ${kept.join(", ")} in ${store.description}`,
    );
    for (const line of describePlan(plan)) console.log(line);
  });
}

/**
 * `wrangler-build`, wrangler.toml's `[build] command`, run by wrangler before it bundles:
 * - `wrangler dev` (and `types`): bakes the local preview's live build (`.wrangler/feeds-live/build.json`).
 * - `wrangler deploy` from `npm run deploy`/`rollback` (`FEEDS_BUILD_ID` set): bakes that id; the
 *   entries are in KV already.
 * - plain `wrangler deploy`: builds `FEEDS_CONTENT` (default `content/`), uploads what changed to
 *   `FEEDS_TARGET` (the account unless `local`), records the switch as pending (wrangler deploys the
 *   Worker after this returns) and bakes the id. With `--dry-run` nothing is written to the account.
 */
export async function wranglerBuildCommand(
  projectDir: string,
  env: NodeJS.ProcessEnv,
  build: (contentDir: string) => Promise<RenderedSite | number>,
): Promise<number> {
  const command = env.WRANGLER_COMMAND;
  if (command !== "deploy" && command !== "versions upload") {
    const live = await readLocalLive(projectDir);
    await bakeBuildId(projectDir, live);
    console.log(
      live
        ? `local preview: build ${live} (${LOCAL_LIVE_FILE})`
        : "local preview: no build is live yet (npm start or npm run deploy -- --local publishes one)",
    );
    return 0;
  }
  const given = env[BUILD_ID_ENV];
  if (given) {
    await bakeBuildId(projectDir, given);
    console.log(`Worker bundle: build ${given}`);
    return 0;
  }
  const target = env[TARGET_ENV] ?? "remote";
  if (target !== "local" && target !== "remote") {
    console.error(`error: ${TARGET_ENV}="${target}" is neither "local" nor "remote"`);
    return 2;
  }
  const dryRun = isDryRun(parentWranglerCommandLine());
  const rendered = await build(env[CONTENT_ENV] ?? "content");
  if (typeof rendered === "number") return rendered;
  const { buildId } = rendered.manifest;
  if (target === "remote" && dryRun) {
    await bakeBuildId(projectDir, buildId);
    console.log(
      `Worker bundle: build ${buildId} (--dry-run: nothing uploaded; npm run deploy -- --dry-run plans it)`,
    );
    return 0;
  }
  const store = await openStore(projectDir, target);
  try {
    await deployBuild({
      store,
      build: rendered,
      action: "wrangler",
      record: !dryRun,
      log: (line) => {
        if (!line.startsWith("write ")) console.log(line);
      },
    });
  } catch (error) {
    console.error(`error: ${messageOf(error)}`);
    return 1;
  } finally {
    await store.close();
  }
  await bakeBuildId(projectDir, buildId);
  console.log(`Worker bundle: build ${buildId}, every entry in ${store.description}`);
  return 0;
}

async function withTarget(
  projectDir: string,
  target: Target,
  run: (handles: TargetHandles) => Promise<void>,
): Promise<number> {
  let handles: TargetHandles;
  try {
    handles = await openTarget(projectDir, target);
  } catch (error) {
    console.error(`error: ${messageOf(error)}`);
    return 1;
  }
  try {
    await run(handles);
    return 0;
  } catch (error) {
    console.error(`error: ${messageOf(error)}`);
    return 1;
  } finally {
    await handles.store.close();
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
