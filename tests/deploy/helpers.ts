/**
 * Helpers for the deploy tests: scratch copies of the project (so commands that write `.wrangler/`
 * and `dist/` never touch the working tree or each other), small content folders, and running the
 * CLI and wrangler in them, offline.
 */
import { spawn } from "node:child_process";
import { cp, mkdir, mkdtemp, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The project this test suite belongs to. */
export const PROJECT_DIR = fileURLToPath(new URL("../..", import.meta.url));

/** Keeps wrangler off the network (platform.md). */
export const OFFLINE = {
  WRANGLER_SEND_METRICS: "false",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  WRANGLER_HIDE_BANNER: "true",
};

/**
 * A copy of the project in a new temporary folder: wrangler.toml, package.json, the lockfile,
 * tsconfig.json, bin/, src/ and content/, with node_modules linked (not copied).
 */
export async function scratchProject(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "feeds-project-"));
  const entries = [
    "wrangler.toml",
    "package.json",
    "package-lock.json",
    "tsconfig.json",
    "bin",
    "src",
    "content",
  ];
  for (const entry of entries) {
    await cp(join(PROJECT_DIR, entry), join(dir, entry), { recursive: true });
  }
  await symlink(join(PROJECT_DIR, "node_modules"), join(dir, "node_modules"), "dir");
  return dir;
}

/** A Jekyll content folder under `parent` with `_config.yml` and the given posts. */
export async function writeSite(
  parent: string,
  name: string,
  posts: Record<string, string>,
): Promise<string> {
  const root = join(parent, name);
  await mkdir(join(root, "_posts"), { recursive: true });
  await writeFile(
    join(root, "_config.yml"),
    "title: Deploy test\nurl: https://deploy.example\ntimezone: UTC\nlang: en\n",
  );
  for (const [file, text] of Object.entries(posts)) await writeFile(join(root, "_posts", file), text);
  return root;
}

/** A post in `category` with `tags`, dated `date` (YYYY-MM-DD). */
export function post(title: string, date: string, category: string, tags: string[]): string {
  return `---\ntitle: ${title}\ndate: ${date} 08:00:00\ncategories: ${category}\ntags: [${tags.join(", ")}]\n---\n${title}: the body.\n`;
}

/** Three posts over two categories and three tags. */
export const SITE_A: Record<string, string> = {
  "2024-01-01-rates.md": post("Rates steady", "2024-01-01", "macro", ["rates", "central-banks"]),
  "2024-01-02-ports.md": post("Ports busy", "2024-01-02", "shipping", ["containers"]),
  "2024-01-03-cuts.md": post("Cut expected", "2024-01-03", "macro", ["rates"]),
};

/** Site A plus one post in an existing category with one existing tag. */
export const SITE_B: Record<string, string> = {
  ...SITE_A,
  "2024-01-04-freight.md": post("Freight rates up", "2024-01-04", "shipping", ["containers"]),
};

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `command args` in `cwd` with the offline wrangler environment plus `env`. */
export function run(
  cwd: string,
  command: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<Run> {
  return new Promise((done) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, ...OFFLINE, ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    child.on("close", (code) => done({ code, stdout, stderr }));
  });
}

/** `tsx src/build/cli.ts <args>` in the project copy `cwd`. */
export function runCli(cwd: string, args: string[]): Promise<Run> {
  return run(cwd, process.execPath, ["--import", "tsx", "src/build/cli.ts", ...args]);
}

/** `wrangler <args>` in the project copy `cwd`, with the pinned wrangler. */
export function runWrangler(cwd: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  return run(
    cwd,
    process.execPath,
    [join(cwd, "node_modules", "wrangler", "bin", "wrangler.js"), ...args],
    env,
  );
}
