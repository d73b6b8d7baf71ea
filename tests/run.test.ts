/**
 * `bin/run.mjs`, how the npm scripts start the CLI: its TypeScript compiled once into a cached folder,
 * run as the sources run through tsx, made again when damaged, and through tsx when it cannot be made.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run, scratchProject } from "./deploy/helpers";

/** `node args` in the project, with `env` added to the environment. */
const node = (args: string[], env: Record<string, string> = {}) =>
  run(process.cwd(), process.execPath, args, env);

let dir: string;
let site: string;
/** Where these tests' compiled folders go: inside node_modules, for the packages to resolve. */
let runDir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "feeds-run-"));
  site = join(dir, "site");
  await mkdir(join(site, "_posts"), { recursive: true });
  await writeFile(
    join(site, "_config.yml"),
    "title: Run\nurl: https://run.example\ntimezone: Asia/Shanghai\n",
  );
  await writeFile(
    join(site, "_posts", "2024-05-06-first.md"),
    "---\ntitle: First\ndate: 2024-05-06 10:00\ncategories: 市场 news\ntags: 港股\n---\nText with a [link](/a).\n",
  );
  await writeFile(
    join(site, "_posts", "2024-05-07-second.html"),
    '---\ntitle: ""\ndate: 2024-05-07T08:00:00+08:00\n---\n<p style="display:none">x</p><p>Second.</p>\n',
  );
  await mkdir(join("node_modules", ".cache"), { recursive: true });
  runDir = await mkdtemp(join("node_modules", ".cache", "run-test-"));
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await rm(runDir, { recursive: true, force: true });
});

/** Every compiled module beside the compiled `entry` (the entry and its chunks), as one text. */
async function compiledCode(entry: string): Promise<string> {
  const folder = join(entry, "..");
  const modules = (await readdir(folder)).filter((name) => name.endsWith(".mjs"));
  return (await Promise.all(modules.map((name) => readFile(join(folder, name), "utf8")))).join("\n");
}

const build = (out: string) => ["build", "--content", site, "--out", join(dir, out), "--no-cache"];

describe("bin/run.mjs", () => {
  it("runs the CLI compiled, with the output and messages of the CLI run through tsx", async () => {
    const compiled = await node(["bin/run.mjs", "src/build/cli.ts", ...build("compiled")], {
      FEED_PUBLISHER_RUN_DIR: runDir,
    });
    const viaTsx = await node(["--import", "tsx", "src/build/cli.ts", ...build("tsx")]);
    expect(compiled.code).toBe(0);
    expect(compiled.stderr).toBe(viaTsx.stderr);
    expect(compiled.stdout.replace(/compiled|tsx|in [\d.]+ s/g, "")).toBe(
      viaTsx.stdout.replace(/compiled|tsx|in [\d.]+ s/g, ""),
    );
    const manifest = (out: string) => readFile(join(dir, out, "manifest.json"), "utf8");
    expect(await manifest("compiled")).toBe(await manifest("tsx"));
    // It did run compiled: the folder holds the entry and the list of its files.
    const [folder] = (await readdir(runDir)).filter((name) => name.startsWith("run-"));
    expect(await readdir(join(runDir, folder as string))).toEqual(
      expect.arrayContaining(["cli.mjs", "files.json"]),
    );
  }, 60_000);

  it("gives each module its own source's URL (modules derive paths from it)", async () => {
    const made = await node(["bin/run.mjs", "--compile", "src/build/cli.ts"], {
      FEED_PUBLISHER_RUN_DIR: runDir,
    });
    expect(made.code).toBe(0);
    const code = await compiledCode(made.stdout.trim());
    expect(code).not.toContain("import.meta.url");
    for (const module of ["thread-start.ts", "thread-bundle.ts", "cache.ts"])
      expect(code).toContain(JSON.stringify(pathToFileURL(join(process.cwd(), "src", "build", module)).href));
  }, 60_000);

  it("passes the CLI's exit code and message through", async () => {
    const missing = join(dir, "nothing-here");
    const run = await node(["bin/run.mjs", "src/build/cli.ts", "build", "--content", missing], {
      FEED_PUBLISHER_RUN_DIR: runDir,
    });
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toBe(`error: ${missing}: no _posts/ folder, so there is nothing to publish`);
  }, 60_000);

  it("reuses the compiled folder, and makes it again when a file of it is damaged", async () => {
    const made = await node(["bin/run.mjs", "--compile", "src/build/cli.ts"], {
      FEED_PUBLISHER_RUN_DIR: runDir,
    });
    const entry = made.stdout.trim();
    const before = await stat(entry);
    const again = await node(["bin/run.mjs", "--compile", "src/build/cli.ts"], {
      FEED_PUBLISHER_RUN_DIR: runDir,
    });
    expect(again.stdout.trim()).toBe(entry);
    expect((await stat(entry)).mtimeMs).toBe(before.mtimeMs);
    const intact = await readFile(entry, "utf8");
    await writeFile(entry, intact.slice(0, intact.length / 2));
    const remade = await node(["bin/run.mjs", "src/build/cli.ts", ...build("remade")], {
      FEED_PUBLISHER_RUN_DIR: runDir,
    });
    expect(remade.code).toBe(0);
    expect(await readFile(entry, "utf8")).toBe(intact);
  }, 60_000);

  it("compiles a copy of the project in another folder apart, with that folder's URLs", async () => {
    const copy = await scratchProject();
    try {
      const here = await node(["bin/run.mjs", "--compile", "src/build/cli.ts"], {
        FEED_PUBLISHER_RUN_DIR: runDir,
      });
      const there = await node(
        [join(copy, "bin", "run.mjs"), "--compile", join(copy, "src", "build", "cli.ts")],
        {
          FEED_PUBLISHER_RUN_DIR: runDir,
        },
      );
      expect(there.code).toBe(0);
      expect(there.stdout.trim()).not.toBe(here.stdout.trim());
      const code = await compiledCode(there.stdout.trim());
      expect(code).toContain(JSON.stringify(pathToFileURL(join(copy, "src", "build", "cache.ts")).href));
      expect(code).not.toContain(pathToFileURL(process.cwd()).href);
    } finally {
      await rm(copy, { recursive: true, force: true });
    }
  }, 60_000);

  it("runs the CLI through tsx when it cannot be compiled", async () => {
    const blocked = join(dir, "blocked");
    await writeFile(blocked, "a file where the folder would be");
    const compile = await node(["bin/run.mjs", "--compile", "src/build/cli.ts"], {
      FEED_PUBLISHER_RUN_DIR: blocked,
    });
    expect(compile.code).toBe(1);
    expect(compile.stderr).toContain("cannot be compiled; it runs through tsx");
    const run = await node(["bin/run.mjs", "src/build/cli.ts", ...build("fallback")], {
      FEED_PUBLISHER_RUN_DIR: blocked,
    });
    expect(run.code).toBe(0);
    expect(await readFile(join(dir, "fallback", "manifest.json"), "utf8")).toBe(
      await readFile(join(dir, "tsx", "manifest.json"), "utf8"),
    );
  }, 60_000);
});
