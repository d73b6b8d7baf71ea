/**
 * A bounded HTTP load generator for loopback servers: a fixed number of keep-alive connections, each
 * sending one request after another for a fixed time. Nothing but node:http, so the figures do not
 * depend on a tool that is not in the project.
 */
import { Agent, request } from "node:http";

export interface LoadOptions {
  /** Connections kept open, each with one request in flight. */
  connections: number;
  /** How long to send requests, in seconds. */
  seconds: number;
  headers?: Record<string, string>;
}

/** What a run measured. */
export interface LoadResult {
  seconds: number;
  /** Latency of every completed request, in milliseconds. */
  latencies: number[];
  /** Responses by status code. */
  statuses: Record<number, number>;
  /** Body bytes received. */
  bytes: number;
  errors: number;
}

/** Throughput and latency of one or more runs against the same target. */
export interface LoadSummary {
  requests: number;
  /** Requests per second over the runs' total time. */
  rate: number;
  /** Latency percentiles, in milliseconds. */
  p50: number;
  p95: number;
  p99: number;
  statuses: Record<number, number>;
  errors: number;
}

/** Sends GET requests to `url` on `connections` connections for `seconds` seconds. */
export async function runLoad(url: string, options: LoadOptions): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  const latencies: number[] = [];
  const statuses: Record<number, number> = {};
  let bytes = 0;
  let errors = 0;
  const started = performance.now();
  const deadline = started + options.seconds * 1000;

  const once = () =>
    new Promise<void>((done) => {
      const sent = performance.now();
      const req = request(url, { agent, headers: options.headers }, (res) => {
        res.on("data", (chunk: Buffer) => {
          bytes += chunk.byteLength;
        });
        res.on("end", () => {
          latencies.push(performance.now() - sent);
          const status = res.statusCode ?? 0;
          statuses[status] = (statuses[status] ?? 0) + 1;
          done();
        });
        res.on("error", () => {
          errors++;
          done();
        });
      });
      req.on("error", () => {
        errors++;
        done();
      });
      req.end();
    });

  const connection = async () => {
    while (performance.now() < deadline) await once();
  };
  await Promise.all(Array.from({ length: options.connections }, connection));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return { seconds, latencies, statuses, bytes, errors };
}

/** Sums runs of one target (e.g. the rounds of an interleaved comparison). */
export function summarize(runs: readonly LoadResult[]): LoadSummary {
  const latencies = runs.flatMap((run) => run.latencies).sort((a, b) => a - b);
  const seconds = runs.reduce((sum, run) => sum + run.seconds, 0);
  const statuses: Record<number, number> = {};
  for (const run of runs)
    for (const [code, count] of Object.entries(run.statuses))
      statuses[Number(code)] = (statuses[Number(code)] ?? 0) + count;
  return {
    requests: latencies.length,
    rate: latencies.length / seconds,
    p50: percentile(latencies, 0.5),
    p95: percentile(latencies, 0.95),
    p99: percentile(latencies, 0.99),
    statuses,
    errors: runs.reduce((sum, run) => sum + run.errors, 0),
  };
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], share: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(share * sorted.length) - 1)] ?? Number.NaN;
}
