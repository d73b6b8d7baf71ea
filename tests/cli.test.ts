/**
 * The commands as a publisher runs them: exit codes and messages of `build`, and `start` serving
 * content/ from local KV through `wrangler dev` on workerd.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "./deploy/helpers";
import { parseWithAll } from "./helpers/feed-parsers";

const TSX = join("node_modules", ".bin", "tsx");
const OFFLINE = {
  WRANGLER_SEND_METRICS: "false",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  WRANGLER_HIDE_BANNER: "true",
};

/** `tsx src/build/cli.ts args` in the project. */
const cli = (args: string[]) => run(process.cwd(), TSX, ["src/build/cli.ts", ...args]);

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "feeds-cli-"));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function site(name: string, posts: Record<string, string>): Promise<string> {
  const root = join(dir, name);
  await mkdir(join(root, "_posts"), { recursive: true });
  await writeFile(join(root, "_config.yml"), "title: Test\nurl: https://t.example\ntimezone: UTC\n");
  for (const [file, text] of Object.entries(posts)) await writeFile(join(root, "_posts", file), text);
  return root;
}

const GOOD = "---\ntitle: Good\ndate: 2024-01-02 03:04:05\ncategories: a\n---\nHello.\n";
const BAD = "---\ntitle: Bad\ndate: someday\n---\nNo date anywhere.\n";

describe("command line", () => {
  it("prints the usage for --help and exits 0", async () => {
    const result = await cli(["--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^usage: cli\.ts <command>/);
    expect(result.stderr).toBe("");
  });

  it("names an unknown option or command in one line, with the usage, and exits 2", async () => {
    const option = await cli(["build", "--contnet", "x"]);
    expect(option.code).toBe(2);
    expect(option.stderr).toMatch(/^error: Unknown option '--contnet'/);
    expect(option.stderr).toContain("usage: cli.ts <command>");
    expect(option.stderr).not.toMatch(/\n\s+at /);
    const missing = await cli(["build", "--out"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^error: Option '--out <value>' argument missing/);
    const command = await cli(["biuld"]);
    expect(command.code).toBe(2);
    expect(command.stderr).toMatch(/^error: unknown command "biuld"/);
  });
});

describe("build", () => {
  it("prints a summary and exits 0 when posts were published", async () => {
    const root = await site("good", { "2024-01-02-good.md": GOOD, "undated.md": BAD });
    const result = await cli(["build", "--content", root, "--out", join(dir, "out-good")]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/posts: 1 published, 1 skipped, 0 warned/);
    // 6 feed documents, the discovery page, 3 OPML lists (the bare one is the Atom list), and a gzip
    // variant of each of those 10 but the 2 RSS feeds (the edge compresses RSS).
    expect(result.stdout).toMatch(/feeds: 2 feeds x 3 formats, 18 documents/);
    expect(result.stderr).toContain(
      '_posts/undated.md: date "someday" is not a date, and the file name has none (post skipped)',
    );
  });

  it("fails with --strict when a post was skipped", async () => {
    const root = await site("strict", { "2024-01-02-good.md": GOOD, "undated.md": BAD });
    const result = await cli(["build", "--strict", "--content", root, "--out", join(dir, "out-strict")]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("--strict and 1 post(s) skipped");
  });

  it("fails with a one-line reason when nothing can be published", async () => {
    const root = await site("nothing", { "undated.md": BAD });
    const result = await cli(["build", "--content", root, "--out", join(dir, "out-nothing")]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`error: ${root}: no post could be published`);
  });

  it("refuses a build that would change a published id, unless --allow-id-changes", async () => {
    const root = await site("locked", { "2024-01-02-good.md": GOOD });
    const lock = {
      version: 1,
      tagAuthority: "t.example",
      ids: { "tag:t.example,2024-01-02:old-slug": { source: "_posts/2024-01-02-good.md", digest: "x" } },
    };
    await writeFile(join(root, "_feeds.lock.json"), JSON.stringify(lock));
    const refused = await cli(["build", "--content", root, "--out", join(dir, "out-locked")]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      "_posts/2024-01-02-good.md: id would change from tag:t.example,2024-01-02:old-slug to tag:t.example,2024-01-02:good",
    );
    expect(refused.stderr).toContain("error: 1 published id(s) would change; nothing written");
    const accepted = await cli([
      "build",
      "--allow-id-changes",
      "--content",
      root,
      "--out",
      join(dir, "out-locked"),
    ]);
    expect(accepted.code).toBe(0);
  });

  it("fails with a one-line reason when there is no _posts/ folder", async () => {
    const root = join(dir, "empty");
    await mkdir(root, { recursive: true });
    const result = await cli(["build", "--content", root, "--out", join(dir, "out-empty")]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(`error: ${root}: no _posts/ folder, so there is nothing to publish`);
  });
});

describe("start", () => {
  let child: ChildProcess | undefined;

  afterAll(() => {
    child?.kill("SIGINT");
  });

  it("serves content/ from local KV on workerd", async () => {
    const port = 18_000 + Math.floor(Math.random() * 2000);
    child = spawn(
      TSX,
      ["src/build/cli.ts", "start", "--port", String(port), "--out", join(dir, "out-start")],
      {
        env: { ...process.env, ...OFFLINE },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let output = "";
    const ready = new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        output += chunk;
        if (output.includes("Ready on")) resolve();
      };
      child?.stdout?.on("data", onData);
      child?.stderr?.on("data", onData);
      child?.on("exit", (code) => reject(new Error(`start exited with ${code}:\n${output}`)));
    });
    await ready;
    const response = await fetch(`http://127.0.0.1:${port}/category/macro/atom.xml`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/atom+xml; charset=utf-8");
    const feeds = await parseWithAll("atom", await response.text());
    for (const feed of feeds)
      expect(feed.items.map((i) => i.title)).toEqual(["央行维持政策利率不变，符合市场预期"]);
    const tag = await fetch(`http://127.0.0.1:${port}/tag/${encodeURIComponent("宏观新闻")}/feed.json`);
    expect(tag.status).toBe(200);
    expect(((await tag.json()) as { items: unknown[] }).items).toHaveLength(1);
  }, 90_000);
});
