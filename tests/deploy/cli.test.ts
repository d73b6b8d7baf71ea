/**
 * `deploy`, `rollback` and `gc` as a publisher runs them (`npm run deploy -- ...`), in a copy of the
 * project with its own local KV: exit codes, the plan's last line, and one-line errors.
 */
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BuildResult, buildSite } from "../../src/build/site";
import { manifestEntry, planLine, planPublish } from "../../src/deploy/plan";
import { LOCAL_LIVE_FILE } from "../../src/deploy/switch";
import { runCli, SITE_A, SITE_B, scratchProject, writeSite } from "./helpers";

let project: string;
let siteA: string;
let siteB: string;
let buildA: BuildResult;
let buildB: BuildResult;

beforeAll(async () => {
  project = await scratchProject();
  siteA = await writeSite(project, "site-a", SITE_A);
  siteB = await writeSite(project, "site-b", SITE_B);
  [buildA, buildB] = await Promise.all([
    buildSite(siteA, { now: new Date() }),
    buildSite(siteB, { now: new Date() }),
  ]);
});

afterAll(async () => {
  await rm(project, { recursive: true, force: true });
});

const lastLine = (text: string) => text.trim().split("\n").at(-1);

describe("arguments and setup", () => {
  it("refuses what cannot work, in one line, before touching KV", async () => {
    const [both, noId, noKeep, placeholder] = await Promise.all([
      runCli(project, ["deploy", "--local", "--remote", "--content", siteA]),
      runCli(project, ["rollback", "--local"]),
      runCli(project, ["gc", "--local"]),
      runCli(project, ["deploy", "--dry-run", "--content", siteA]),
    ]);
    expect([both.code, both.stderr.trim()]).toEqual([
      2,
      "error: --local and --remote exclude each other (the default is --remote)",
    ]);
    expect(noId.code).toBe(2);
    expect(noId.stderr).toContain("error: rollback needs the build id to serve");
    expect(noKeep.code).toBe(2);
    expect(noKeep.stderr).toContain("error: gc needs --keep N");
    // The default target is the account: with the placeholder namespace id it stops before any request.
    expect(placeholder.code).toBe(1);
    expect(lastLine(placeholder.stderr)).toMatch(
      /^error: wrangler\.toml: the FEEDS namespace id "feeds0+" is the local placeholder, not a namespace on your account\. Create one with `npx wrangler kv namespace create FEEDS`/,
    );
  });
});

describe("publishing into local KV", () => {
  it("deploys A, plans B as the new post's documents, refuses an unknown rollback, plans gc", async () => {
    const deployA = await runCli(project, ["deploy", "--local", "--content", siteA]);
    expect(deployA.code, deployA.stderr).toBe(0);
    const idA = buildA.manifest.buildId;
    expect(lastLine(deployA.stdout)).toBe(`live: build ${idA} on the local preview (${LOCAL_LIVE_FILE})`);
    expect(deployA.stdout).toContain(planLine(planPublish(buildA, new Set())));
    expect(JSON.parse(await readFile(join(project, LOCAL_LIVE_FILE), "utf8")).buildId).toBe(idA);

    // Three read-only commands at once.
    const [planB, rollback, gc] = await Promise.all([
      runCli(project, ["deploy", "--local", "--dry-run", "--content", siteB]),
      runCli(project, ["rollback", "ffffffffffffffff", "--local"]),
      runCli(project, ["gc", "--keep", "1", "--grace", "0", "--local", "--dry-run"]),
    ]);
    expect(planB.code, planB.stderr).toBe(0);
    const existing = new Set([...buildA.documents.keys(), manifestEntry(buildA.manifest).key]);
    const expected = planPublish(buildB, existing);
    expect(lastLine(planB.stdout)).toBe(planLine(expected));
    expect(lastLine(planB.stdout)).toMatch(/^plan: \d+ writes, \d+ unchanged, 0 deletes, \d+ bytes$/);
    expect(planB.stdout).toContain(
      `dry run: plan for build ${buildB.manifest.buildId} to local KV in .wrangler/state`,
    );

    expect(rollback.code).toBe(1);
    expect(rollback.stderr.trim()).toBe(
      "error: build ffffffffffffffff is not in local KV in .wrangler/state (no manifest/ffffffffffffffff): " +
        `it was never published there or gc removed it. Builds there: ${idA}`,
    );
    expect(gc.code, gc.stderr).toBe(0);
    expect(gc.stdout).toContain(`dry run: keeping build(s) ${idA}`);
    expect(lastLine(gc.stdout)).toBe(`plan: 0 writes, ${existing.size} unchanged, 0 deletes, 0 bytes`);
    // The dry run wrote nothing: B is still not there.
    expect(JSON.parse(await readFile(join(project, LOCAL_LIVE_FILE), "utf8")).buildId).toBe(idA);
  });
});
