/**
 * Baking a build id into the Worker that wrangler bundles. wrangler reads its configuration, runs
 * the `[build] command`, then bundles; a `--var` can no longer be added by then, but a module can be
 * written: `[alias]` in wrangler.toml maps the Worker's import of `src/deploy/deployed-build.ts` to
 * the module written here, so the Worker version carries its build id, and the old version, still
 * serving until wrangler switches, cannot see it.
 */
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";

/** The generated module, relative to the project (the `[alias]` target in wrangler.toml). */
export const DEPLOYED_BUILD_MODULE = ".wrangler/feeds-worker/deployed-build.js";

/** Build ids are 16 lowercase hex digits (`buildIdOf` in src/build/documents.ts). */
const BUILD_ID = /^[0-9a-f]{16}$/;

/** Throws a clear error when `buildId` cannot be a build id. */
export function assertBuildId(buildId: string): void {
  if (!BUILD_ID.test(buildId))
    throw new Error(`"${buildId}" is not a build id (16 hex digits, e.g. 3f2a9c0d1b4e5f67)`);
}

/** The module's text for `buildId` (none: the Worker then needs a `BUILD_ID` var). */
export function deployedBuildModule(buildId: string | undefined): string {
  return (
    "// Written by `tsx src/build/cli.ts wrangler-build` (wrangler.toml [build]); bundled in place of\n" +
    "// src/deploy/deployed-build.ts (wrangler.toml [alias]). Do not edit.\n" +
    `export const DEPLOYED_BUILD_ID = ${buildId === undefined ? "undefined" : JSON.stringify(buildId)};\n`
  );
}

/**
 * Writes the module for `buildId` into `projectDir`, atomically (a bundler reading it never sees half
 * a file), and only when it changes, so a watching `wrangler dev` does not rebuild for nothing.
 */
export async function bakeBuildId(projectDir: string, buildId: string | undefined): Promise<void> {
  if (buildId !== undefined) assertBuildId(buildId);
  const file = join(projectDir, DEPLOYED_BUILD_MODULE);
  const text = deployedBuildModule(buildId);
  const current = await readFile(file, "utf8").catch(() => undefined);
  if (current === text) return;
  await mkdir(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, text);
  await rename(temporary, file);
}
