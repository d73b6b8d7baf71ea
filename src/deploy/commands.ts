/**
 * The publishing commands as `src/build/cli.ts` runs them: `deploy`, `rollback` and `gc` (and
 * `wrangler-build.ts`, wrangler's build command). Each prints what it does and returns an exit
 * code; errors are one `error:` line naming the problem.
 */
import type { RenderedSite } from "../build/documents";
import { assertBuildId } from "./bake";
import { collectGarbage } from "./gc";
import { DEFAULT_GRACE_MS } from "./history";
import { describePlan } from "./plan";
import { deployBuild, rollBack } from "./publish";
import type { Target } from "./store";
import { openTarget, type TargetHandles } from "./target";

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
