/**
 * Runs one measured step of the bench in a fresh Node process, started as the CLI is (`bin/run.mjs`:
 * the TypeScript compiled once), stopping it at a time limit, and samples its peak RSS from /proc
 * meanwhile so that a stopped step still has one.
 */
import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { statusLine } from "../src/build/progress";

/** How a child process ended, and what it printed last on stdout. */
export interface ChildRun {
  /** Wall time from spawn to exit (or to the stop), in seconds. */
  wall: number;
  /** Peak RSS sampled from /proc (Linux), in bytes; 0 when unknown. */
  sampledRss: number;
  /** The last line the child printed, when it finished. */
  lastLine?: string;
  /** True when it was stopped at the time limit. */
  stopped: boolean;
}

/**
 * Runs `node bin/run.mjs <script> ...args`, showing `status` meanwhile (none for a run beside another
 * that shows one); throws when it fails.
 */
export async function runChild(
  script: string,
  args: string[],
  limit: number,
  status?: string,
): Promise<ChildRun> {
  const line = status === undefined ? undefined : statusLine(status);
  const started = performance.now();
  const child = spawn(process.execPath, [join("bin", "run.mjs"), script, ...args], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let stdout = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  let sampledRss = 0;
  const sampler = setInterval(async () => {
    if (child.pid) sampledRss = Math.max(sampledRss, await peakRss(child.pid));
  }, 250);
  let stopped = false;
  const timer = setTimeout(() => {
    stopped = true;
    child.kill("SIGKILL");
  }, limit * 1000);
  const code = await new Promise<number | null>((done) => child.on("exit", (c) => done(c)));
  const wall = (performance.now() - started) / 1000;
  clearInterval(sampler);
  clearTimeout(timer);
  line?.finish();
  if (stopped) return { wall, sampledRss, stopped };
  if (code !== 0) throw new Error(`${script} ${args.join(" ")} failed with exit code ${code}`);
  return { wall, sampledRss, stopped, lastLine: stdout.trim().split("\n").at(-1) };
}

/** Peak resident set size of a running process (Linux `VmHWM`), in bytes; 0 when unknown. */
async function peakRss(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8").catch(() => "");
  const kib = /^VmHWM:\s+(\d+) kB/m.exec(status)?.[1];
  return kib ? Number(kib) * 1024 : 0;
}

/**
 * Compiles `script` as `bin/run.mjs` runs it, so that no measured step includes the compiling (a
 * publisher's builds compile once per version of the sources). Throws when it cannot be compiled.
 */
export async function compileChild(script: string): Promise<void> {
  const child = spawn(process.execPath, [join("bin", "run.mjs"), "--compile", script], {
    stdio: ["ignore", "ignore", "inherit"],
  });
  const code = await new Promise<number | null>((done) => child.on("exit", done));
  if (code !== 0) throw new Error(`bin/run.mjs could not compile ${script} (exit code ${code})`);
}
