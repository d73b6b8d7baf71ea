/**
 * Serving figures: the feed Worker, bundled as `wrangler deploy` bundles it, run by Miniflare's
 * workerd on 127.0.0.1 over KV state persisted from a real build, against a baseline Worker that
 * answers with the same document from the same KV and does nothing else. Both are measured in turns
 * in the same run, so the ratio is fair on a noisy machine.
 */
import { execFile } from "node:child_process";
import { readdir, readFile, stat } from "node:fs/promises";
import { type IncomingHttpHeaders, request } from "node:http";
import { join } from "node:path";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import { Miniflare } from "miniflare";
import { FolderDocuments } from "../src/build/document-store";
import { feedsNamespaceId, kvPersistDir, openLocalKv } from "../src/build/local-kv";
import { progressBar } from "../src/build/progress";
import { type Manifest, manifestKey } from "../src/model";
import { type LoadResult, type LoadSummary, runLoad, summarize } from "./load-client";

const run = promisify(execFile);

/** Keeps wrangler off the network (platform.md). */
export const OFFLINE_WRANGLER_ENV = {
  WRANGLER_SEND_METRICS: "false",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  WRANGLER_HIDE_BANNER: "true",
};

/** The Worker as `wrangler deploy` would upload it. */
export interface WorkerBundle {
  scriptPath: string;
  bytes: number;
  gzipBytes: number;
}

/** Bundles the Worker offline with `wrangler deploy --dry-run --outdir <outDir>`. */
export async function bundleWorker(projectDir: string, outDir: string): Promise<WorkerBundle> {
  const wrangler = join(projectDir, "node_modules", ".bin", "wrangler");
  await run(wrangler, ["deploy", "--dry-run", "--outdir", outDir], {
    cwd: projectDir,
    env: { ...process.env, ...OFFLINE_WRANGLER_ENV },
    maxBuffer: 16 * 2 ** 20,
  });
  const names = await readdir(outDir);
  const main = names.find((name) => name === "index.js") ?? names.find((name) => /\.m?js$/.test(name));
  if (!main) throw new Error(`wrangler wrote no script into ${outDir}`);
  const code = await readFile(join(outDir, main));
  return {
    scriptPath: join(outDir, main),
    bytes: code.byteLength,
    gzipBytes: gzipSync(code, { level: 9 }).byteLength,
  };
}

/**
 * Puts a build written by `writeDist` (`<distDir>/manifest.json` and the documents in doc/) into the
 * local KV under `stateDir` through workerd's KV (Miniflare), documents first and the manifest last,
 * as a publish does: the documents named in `keys`, or all of them. Local puts are slow (tens to
 * a few hundred a second), so the bench puts the manifest and the documents it requests.
 */
export async function fillKv(
  projectDir: string,
  stateDir: string,
  distDir: string,
  keys?: readonly string[],
): Promise<{ written: number; seconds: number }> {
  const started = performance.now();
  const manifestText = await readFile(join(distDir, "manifest.json"), "utf8");
  const manifest = JSON.parse(manifestText) as Manifest;
  const stored = FolderDocuments.committed(distDir);
  const queue = keys ? [...keys] : [...stored.keys()];
  const progress = progressBar("  filling KV", queue.length + 1, "keys");
  const { kv, dispose } = await openLocalKv(projectDir, stateDir);
  try {
    let written = 0;
    const next = async (): Promise<void> => {
      for (let key = queue.pop(); key !== undefined; key = queue.pop()) {
        const data = stored.get(key);
        if (!data) throw new Error(`${distDir} has no document ${key}`);
        // Read into an ArrayBuffer of its own: Miniflare's proxy refuses views into a shared pool.
        await kv.put(key, data.buffer as ArrayBuffer);
        progress.update(++written);
      }
    };
    await Promise.all(Array.from({ length: 8 }, next));
    await kv.put(manifestKey(manifest.buildId), manifestText);
    return { written: written + 1, seconds: (performance.now() - started) / 1000 };
  } finally {
    progress.finish();
    await dispose();
  }
}

/** A Worker listening on 127.0.0.1; `cpuSeconds` reads its workerd process's CPU time. */
interface RunningWorker {
  url: URL;
  cpuSeconds: () => Promise<number | undefined>;
  dispose: () => Promise<void>;
}

async function startWorker(
  options: ConstructorParameters<typeof Miniflare>[0],
  kv: { namespaceId: string; persist: string },
): Promise<RunningWorker> {
  const before = new Set(await workerdProcesses());
  const mf = new Miniflare({
    ...options,
    host: "127.0.0.1",
    port: 0,
    kvNamespaces: { FEEDS: kv.namespaceId },
    kvPersist: kv.persist,
  } as ConstructorParameters<typeof Miniflare>[0]);
  const url = await mf.ready;
  const pid = (await workerdProcesses()).find((p) => !before.has(p));
  return {
    url,
    cpuSeconds: () => (pid ? processCpuSeconds(pid) : Promise.resolve(undefined)),
    dispose: () => mf.dispose(),
  };
}

/** workerd processes started by this process (Linux /proc; none elsewhere). */
async function workerdProcesses(): Promise<number[]> {
  const pids: number[] = [];
  const entries = await readdir("/proc").catch(() => []);
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, "utf8").catch(() => "");
    const match = /^\d+ \((.*)\) \S+ (\d+)/.exec(stat);
    if (match?.[1] === "workerd" && Number(match[2]) === process.pid) pids.push(Number(entry));
  }
  return pids;
}

/** User + system CPU seconds of a process (Linux /proc, clock ticks of 1/100 s). */
async function processCpuSeconds(pid: number): Promise<number | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => undefined);
  if (!stat) return undefined;
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Serving figures of one target. */
export interface ServingFigures extends LoadSummary {
  /** workerd CPU milliseconds per request, when it could be read. */
  cpuPerRequest?: number;
}

export interface ServingReport {
  path: string;
  /** The bytes both Workers served, e.g. "gzip, 73,027 bytes". */
  representation: string;
  worker: ServingFigures;
  baseline: ServingFigures;
  notModified: ServingFigures;
  bundle: WorkerBundle;
  connections: number;
  seconds: number;
  rounds: number;
}

export interface ServingOptions {
  projectDir: string;
  stateDir: string;
  bundle: WorkerBundle;
  manifest: Manifest;
  /** Feed path to request, e.g. `/category/x/atom.xml`. */
  path: string;
  connections: number;
  seconds: number;
  rounds: number;
}

/**
 * Starts the Worker and a baseline serving the same bytes, then measures them in alternating rounds,
 * and the Worker's 304 path.
 */
export async function measureServing(options: ServingOptions): Promise<ServingReport> {
  const { manifest, path } = options;
  const entry = manifest.routes[path];
  if (!entry) throw new Error(`the build has no route ${path}`);
  const kv = {
    namespaceId: await feedsNamespaceId(options.projectDir),
    persist: kvPersistDir(options.projectDir, options.stateDir),
  };
  const compatibilityDate = await compatibilityDateOf(options.projectDir);
  const worker = await startWorker(
    {
      modules: true,
      scriptPath: options.bundle.scriptPath,
      compatibilityDate,
      bindings: { BUILD_ID: manifest.buildId },
    },
    kv,
  );
  const servers = [worker];
  try {
    // The representation the Worker serves to a client accepting gzip, as feed readers do: with a
    // gzip variant, that is the variant.
    const first = await rawGet(new URL(path, worker.url).href, ACCEPTS_GZIP);
    const served =
      first.headers["content-encoding"] === "gzip" && entry.gzip
        ? { key: entry.gzip.key, size: entry.gzip.size, encoding: "gzip" }
        : { key: entry.key, size: entry.size, encoding: "" };
    const baseline = await startWorker(
      {
        modules: true,
        script: `export default {
  async fetch(request, env) {
    const body = await env.FEEDS.get(env.KEY, "stream");
    const headers = { "Content-Type": env.TYPE };
    if (env.ENCODING) headers["Content-Encoding"] = env.ENCODING;
    return new Response(body, { headers, encodeBody: env.ENCODING ? "manual" : "automatic" });
  },
};`,
        compatibilityDate,
        bindings: { KEY: served.key, TYPE: entry.contentType, ENCODING: served.encoding },
      },
      kv,
    );
    servers.push(baseline);
    return await compare(options, worker, baseline, {
      path,
      etag: String(first.headers.etag ?? entry.etag),
      representation: `${served.encoding || "identity"}, ${served.size.toLocaleString("en-US")} bytes`,
      bytes: first.body,
    });
  } finally {
    for (const server of servers) await server.dispose();
  }
}

interface Target {
  path: string;
  /** The entity tag the Worker sent, for the 304 runs. */
  etag: string;
  /** Which bytes are served, e.g. "gzip, 73,027 bytes". */
  representation: string;
  /** The Worker's response body. */
  bytes: Buffer;
}

/** Load runs against both servers: alternating rounds of each, then the Worker's 304 path. */
async function compare(
  options: ServingOptions,
  worker: RunningWorker,
  baseline: RunningWorker,
  target: Target,
): Promise<ServingReport> {
  const workerUrl = new URL(target.path, worker.url).href;
  const baselineUrl = new URL(target.path, baseline.url).href;
  const expected = await rawGet(baselineUrl);
  if (!expected.body.equals(target.bytes))
    throw new Error(`the Worker and the baseline do not serve the same bytes at ${target.path}`);

  const load = { connections: options.connections, seconds: options.seconds };
  const warm = { connections: options.connections, seconds: 1 };
  await runLoad(workerUrl, warm);
  await runLoad(baselineUrl, warm);
  const runs: { worker: LoadResult[]; baseline: LoadResult[]; notModified: LoadResult[] } = {
    worker: [],
    baseline: [],
    notModified: [],
  };
  const cpu = { worker: 0, baseline: 0, notModified: 0 };
  const steps = options.rounds * 2 + 1;
  const progress = progressBar("  serving", steps, "runs");
  const measure = async (name: keyof typeof runs, server: RunningWorker, url: string, headers = {}) => {
    const before = await server.cpuSeconds();
    runs[name].push(await runLoad(url, { ...load, headers: { ...ACCEPTS_GZIP, ...headers } }));
    const after = await server.cpuSeconds();
    cpu[name] += before === undefined || after === undefined ? Number.NaN : after - before;
    progress.update(runs.worker.length + runs.baseline.length + runs.notModified.length);
  };
  for (let round = 0; round < options.rounds; round++) {
    // Alternate which goes first, so neither always runs on a warmer (or busier) machine.
    if (round % 2 === 0) {
      await measure("baseline", baseline, baselineUrl);
      await measure("worker", worker, workerUrl);
    } else {
      await measure("worker", worker, workerUrl);
      await measure("baseline", baseline, baselineUrl);
    }
  }
  await measure("notModified", worker, workerUrl, { "If-None-Match": target.etag });
  progress.finish();
  const figures = (name: keyof typeof runs): ServingFigures => {
    const summary = summarize(runs[name]);
    const perRequest = (cpu[name] * 1000) / summary.requests;
    return Number.isFinite(perRequest) ? { ...summary, cpuPerRequest: perRequest } : summary;
  };
  return {
    path: target.path,
    representation: target.representation,
    worker: figures("worker"),
    baseline: figures("baseline"),
    notModified: figures("notModified"),
    bundle: options.bundle,
    connections: options.connections,
    seconds: options.seconds,
    rounds: options.rounds,
  };
}

async function compatibilityDateOf(projectDir: string): Promise<string> {
  const toml = await readFile(join(projectDir, "wrangler.toml"), "utf8");
  return /^compatibility_date\s*=\s*"([^"]+)"/m.exec(toml)?.[1] ?? "2026-04-20";
}

/** What every request of the serving bench says, as feed readers do. */
const ACCEPTS_GZIP = { "Accept-Encoding": "gzip" };

/** One GET with node:http: status, headers and the body exactly as sent (nothing decoded). */
function rawGet(url: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  return new Promise((done, fail) => {
    const req = request(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () =>
        done({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on("error", fail);
    });
    req.on("error", fail);
    req.end();
  });
}

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** True when `path` exists. */
export async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
