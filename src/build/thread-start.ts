/**
 * How a post parser thread (parser-thread.ts) is started, from the cheapest way that works here:
 * - compiled JavaScript (the project built to `.js`): the thread module beside this one, as it is;
 * - TypeScript run through tsx: the thread compiled once into one file (thread-bundle.ts);
 * - when that file cannot be made: tsx in the thread. On Node 20 tsx's ESM hooks exist in the main
 *   thread only (module.register does not reach worker threads before Node 22), while its require
 *   hook works in any thread: the thread registers that hook and loads the module through it,
 *   compiling every module again (~0.3 s of CPU per thread more than the compiled file).
 */
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { Worker, type WorkerOptions } from "node:worker_threads";
import { parserThreadBundle } from "./thread-bundle";

/** Where a parser thread's code comes from (see the module comment). */
export type ThreadEntry = { kind: "compiled"; url: URL } | { kind: "bundle"; file: string } | { kind: "tsx" };

/** The way threads are started in this process: compiled, else the bundle, else tsx. */
export async function parserThreadEntry(bundleDir?: string): Promise<ThreadEntry> {
  const self = import.meta.url;
  if (!self.endsWith(".ts"))
    return { kind: "compiled", url: new URL(`./parser-thread${extension(self)}`, self) };
  const file = await parserThreadBundle(bundleDir);
  return file ? { kind: "bundle", file } : { kind: "tsx" };
}

/** Starts a parser thread from `entry` with `workerData`. */
export function startThread(entry: ThreadEntry, workerData: unknown): Worker {
  switch (entry.kind) {
    case "compiled":
      return new Worker(entry.url, { workerData });
    case "bundle": {
      // Plain JavaScript: the thread needs none of tsx's preloads, which cost ~0.2 s of CPU each.
      // Its stack traces name the TypeScript sources, as they do under tsx.
      const execArgv = withoutTsxPreload(process.execArgv);
      if (!execArgv.includes("--enable-source-maps")) execArgv.push("--enable-source-maps");
      return workerWithOptions(entry.file, { workerData, execArgv });
    }
    case "tsx": {
      const self = import.meta.url;
      const tsx = createRequire(self).resolve("tsx/cjs/api");
      const thread = fileURLToPath(new URL("./parser-thread.ts", self));
      const code = `require(${JSON.stringify(tsx)}).register();\nrequire(${JSON.stringify(thread)});`;
      return new Worker(code, { eval: true, workerData });
    }
  }
}

/**
 * `new Worker(code, options)`, leaving out of `options.execArgv` the options a worker refuses: V8's
 * (`--max-old-space-size`, `--stack-size`, ...) and the process-wide ones. A worker started without
 * `execArgv` inherits the process's and ignores those; one given an `execArgv` throws
 * ERR_WORKER_INVALID_EXEC_ARGV, naming them. V8's options apply to the whole process anyway.
 */
export function workerWithOptions(code: string | URL, options: WorkerOptions): Worker {
  try {
    return new Worker(code, options);
  } catch (error) {
    if ((error as { code?: string }).code !== "ERR_WORKER_INVALID_EXEC_ARGV" || !options.execArgv)
      throw error;
    const refused = refusedOptions(String((error as Error).message));
    const execArgv = options.execArgv.filter((option) => !refused.has(String(option)));
    // When the message names none of them, keep only what the thread's stack traces need.
    const kept = execArgv.length < options.execArgv.length ? execArgv : ["--enable-source-maps"];
    return new Worker(code, { ...options, execArgv: kept });
  }
}

/** The options named by Node's ERR_WORKER_INVALID_EXEC_ARGV message (`...flags: --a, --b=1`). */
function refusedOptions(message: string): Set<string> {
  const list = /execArgv flags: (.*)$/s.exec(message)?.[1] ?? "";
  return new Set(
    list
      .split(", ")
      .map((option) => option.trim())
      .filter(Boolean),
  );
}

/**
 * `execArgv` without the modules tsx preloads (`--import tsx`, or the `--require`/`--import` of
 * files in its package that its command line adds); other options (`--cpu-prof`, ...) stay. A worker
 * inherits the process's `execArgv` by default, and so would load tsx's loader again.
 */
export function withoutTsxPreload(execArgv: readonly string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const option = execArgv[i] ?? "";
    const preload = /^(--import|--require|-r|--loader|--experimental-loader)(=(.*))?$/.exec(option);
    if (preload) {
      const inline = preload[2] !== undefined;
      const value = inline ? (preload[3] ?? "") : (execArgv[i + 1] ?? "");
      if (isTsx(value)) {
        if (!inline) i++;
        continue;
      }
    }
    kept.push(option);
  }
  return kept;
}

/** `tsx`, a path inside it (`tsx/esm`), or a file in a `node_modules/tsx/` folder. */
function isTsx(specifier: string): boolean {
  return /^tsx(\/|$)/.test(specifier) || /[/\\]node_modules[/\\]tsx[/\\]/.test(specifier);
}

function extension(url: string): string {
  return /\.[^./]+$/.exec(url)?.[0] ?? ".js";
}
