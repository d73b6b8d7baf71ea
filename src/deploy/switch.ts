/**
 * The one step that makes a build live: telling the Worker which build to serve, after every KV
 * entry of that build is written. The Worker reads `manifest/<build id>` for the id it was deployed
 * with, and a build's keys never change meaning, so until the switch every request sees the old
 * build, and after it the new one; no request can see a mix. KV is eventually consistent (another
 * location may read an old value for ~60 s), but a new build only adds keys that no location has
 * read before, so there is no stale copy of them anywhere to serve.
 *
 * - remote: `wrangler deploy --var BUILD_ID:<id>` (a new Worker version; the build command bakes the
 *   same id into the bundle, see `bake.ts`).
 * - local: the "deployed Worker" is the local preview (`npm start`, `wrangler dev`). Its build id
 *   lives in `.wrangler/feeds-live/build.json`; wrangler's build command bakes it into the preview's
 *   bundle, and `wrangler dev` watches that folder (wrangler.toml `watch_dir`), so a running preview
 *   reloads onto the new build.
 */
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { assertBuildId } from "./bake";
import { runWrangler } from "./wrangler";

/** Set for wrangler's build command by `npm run deploy` and `rollback`: bake this id, upload nothing. */
export const BUILD_ID_ENV = "FEEDS_BUILD_ID";

/** The local preview's live build, relative to the project (its folder is in wrangler.toml `watch_dir`). */
export const LOCAL_LIVE_FILE = ".wrangler/feeds-live/build.json";

/** Switches a Worker to a build. */
export interface WorkerSwitch {
  readonly description: string;
  /** Makes the Worker serve `buildId`; every entry of the build must be in KV already. */
  deploy(buildId: string): Promise<void>;
  /** The build the Worker serves, when that can be known without asking the account. */
  live(): Promise<string | undefined>;
}

/** The local preview's live build, if one was deployed. */
export async function readLocalLive(projectDir: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(join(projectDir, LOCAL_LIVE_FILE), "utf8");
  } catch {
    return undefined;
  }
  const buildId = (JSON.parse(text) as { buildId?: unknown }).buildId;
  if (typeof buildId !== "string")
    throw new Error(`${LOCAL_LIVE_FILE} names no buildId; delete it and deploy again`);
  return buildId;
}

/** Switches the local preview by rewriting its live-build file (atomically). */
export function localSwitch(projectDir: string, now: () => Date = () => new Date()): WorkerSwitch {
  return {
    description: `the local preview (${LOCAL_LIVE_FILE})`,
    async deploy(buildId) {
      assertBuildId(buildId);
      const file = join(projectDir, LOCAL_LIVE_FILE);
      await mkdir(dirname(file), { recursive: true });
      const temporary = `${file}.${process.pid}.tmp`;
      await writeFile(temporary, `${JSON.stringify({ buildId, at: now().toISOString() })}\n`);
      await rename(temporary, file);
    },
    live: () => readLocalLive(projectDir),
  };
}

/** Switches the Worker on the account: a `wrangler deploy` of this project with the build id. */
export function remoteSwitch(projectDir: string): WorkerSwitch {
  return {
    description: "the Worker on your Cloudflare account",
    async deploy(buildId) {
      assertBuildId(buildId);
      await runWrangler(
        projectDir,
        ["deploy", "--var", `BUILD_ID:${buildId}`, "--message", `feeds build ${buildId}`],
        {
          inherit: true,
          env: { [BUILD_ID_ENV]: buildId },
        },
      );
    },
    // Only the account knows which version is deployed; the deployments record says what we did.
    live: async () => undefined,
  };
}
