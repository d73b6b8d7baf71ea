/**
 * `wrangler-build`, wrangler.toml's `[build] command`, which wrangler runs before it bundles the
 * Worker (`WRANGLER_COMMAND` says for which command). It writes the build id the bundle carries
 * (`bake.ts`) and, for a plain `wrangler deploy`, publishes the content first.
 */
import type { RenderedSite } from "../build/documents";
import { bakeBuildId } from "./bake";
import { deployBuild } from "./publish";
import { BUILD_ID_ENV, LOCAL_LIVE_FILE, readLocalLive } from "./switch";
import { openStore } from "./target";
import { isDryRun, parentWranglerCommandLine } from "./wrangler";

/** Environment of wrangler's build command: `remote` (default) or `local` KV for plain `wrangler deploy`. */
export const TARGET_ENV = "FEEDS_TARGET";
/** Environment of wrangler's build command: the content folder (default `content`). */
export const CONTENT_ENV = "FEEDS_CONTENT";

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
  /** Called once the build is uploaded for real (not on a dry run): records the published ids. */
  onPublished: () => Promise<void> = async () => {},
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
  if (!dryRun) await onPublished();
  await bakeBuildId(projectDir, buildId);
  console.log(`Worker bundle: build ${buildId}, every entry in ${store.description}`);
  return 0;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
