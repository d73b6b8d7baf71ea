/** Running the project's pinned wrangler (4.86.0) as a child process. */
import { spawn, spawnSync } from "node:child_process";
import { join } from "node:path";

/** Keeps wrangler off the network where it can be (platform.md): no metrics, no `cf` fetch, no update banner. */
export function offlineWranglerEnv(): Record<string, string> {
  return {
    WRANGLER_SEND_METRICS: "false",
    CLOUDFLARE_CF_FETCH_ENABLED: "false",
    WRANGLER_HIDE_BANNER: "true",
  };
}

/** A wrangler command that exited with a non-zero code. */
export class WranglerError extends Error {
  constructor(
    readonly args: readonly string[],
    readonly code: number | null,
    readonly stderr: string,
  ) {
    const tail = stderr.trim().split("\n").slice(-8).join("\n");
    super(`wrangler ${args.slice(0, 3).join(" ")} failed (exit ${code})${tail ? `:\n${tail}` : ""}`);
    this.name = "WranglerError";
  }
}

/** What a successful wrangler command printed. */
export interface WranglerRun {
  stdout: Buffer;
  stderr: string;
}

/**
 * Runs `wrangler <args>` in `projectDir` (its wrangler.toml) with node, not a shell, so arguments
 * are passed as they are. `inherit` shows wrangler's own output (deploys); otherwise it is captured.
 */
export function runWrangler(
  projectDir: string,
  args: readonly string[],
  options: { inherit?: boolean; env?: Record<string, string> } = {},
): Promise<WranglerRun> {
  const script = join(projectDir, "node_modules", "wrangler", "bin", "wrangler.js");
  const child = spawn(process.execPath, [script, ...args], {
    cwd: projectDir,
    env: { ...offlineWranglerEnv(), ...process.env, ...options.env },
    stdio: options.inherit ? ["inherit", "inherit", "inherit"] : ["ignore", "pipe", "pipe"],
  });
  const stdout: Buffer[] = [];
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => stdout.push(chunk));
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  return new Promise((done, fail) => {
    child.on("error", fail);
    child.on("close", (code) => {
      if (code === 0) done({ stdout: Buffer.concat(stdout), stderr });
      else fail(new WranglerError(args, code, stderr || Buffer.concat(stdout).toString("utf8")));
    });
  });
}

/**
 * The command line of the wrangler process that is running this one as its `[build] command`, found
 * by walking up the process tree with POSIX `ps`; `undefined` when there is none or `ps` cannot tell.
 * wrangler tells its build command which command runs (`WRANGLER_COMMAND`) but not its flags, and
 * `--dry-run` must not write to the account.
 */
export function parentWranglerCommandLine(): string | undefined {
  let pid = process.ppid;
  for (let depth = 0; depth < 8 && pid > 1; depth++) {
    const ps = spawnSync("ps", ["-o", "ppid=,args=", "-p", String(pid)], { encoding: "utf8" });
    const match = ps.status === 0 ? /^\s*(\d+)\s+(.*)$/s.exec(ps.stdout.trim()) : null;
    if (!match) return undefined;
    const args = match[2] ?? "";
    if (/wrangler\S*\s+(deploy|versions\s+upload)\b/.test(args)) return args;
    pid = Number(match[1]);
  }
  return undefined;
}

/** Whether a wrangler command line asks for `--dry-run`. */
export function isDryRun(commandLine: string | undefined): boolean {
  return commandLine !== undefined && /\s--dry-run(=true)?(\s|$)/.test(commandLine);
}
