/**
 * Runs in Node before the deploy tests: bundles the Worker the way plain `wrangler deploy` does, with
 * wrangler.toml's `[build]` command, in two copies of the project at once: one publishing content/
 * into its local KV (`FEEDS_TARGET=local`), one with the default target (the account), where
 * `--dry-run` must keep the build command from uploading anything.
 */

import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { runWrangler, scratchProject } from "./helpers";
import type { DryRunBundle } from "./provided";

async function dryRun(env: Record<string, string>): Promise<DryRunBundle> {
  const projectDir = await scratchProject();
  const outDir = join(projectDir, "bundle");
  const result = await runWrangler(projectDir, ["deploy", "--dry-run", "--outdir", outDir], env);
  return { projectDir, outDir, output: result.stdout + result.stderr, exitCode: result.code };
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const [local, remote] = await Promise.all([dryRun({ FEEDS_TARGET: "local" }), dryRun({})]);
  project.provide("localDryRun", local);
  project.provide("remoteDryRun", remote);
  return async () => {
    for (const bundle of [local, remote]) await rm(bundle.projectDir, { recursive: true, force: true });
  };
}
