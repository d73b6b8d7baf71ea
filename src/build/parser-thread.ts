/**
 * A post parser thread: `parsePostFiles` (pool.ts) starts one per core on this module. It parses the
 * batches of files it is sent and answers with the results, in batch order. `parseJob` is also how
 * the calling thread parses when it works alone.
 *
 * This module is the thread's entry point, compiled into one file by thread-bundle.ts, so it imports
 * the parser and nothing of the calling side.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { isMainThread, parentPort, workerData } from "node:worker_threads";
import { type ParsedPostFile, serializeParse } from "./cache";
import { type PostItems, renderPostItems } from "./items";
import { type PostContext, parsePostFile } from "./post";
import { ProblemLog } from "./problems";
import { WORKER_ROLE } from "./thread-role";
import { ownsBuffer } from "./transfer";

/** One file to parse: `bytes` and `key` are there when the cache was consulted. */
export interface ParseJob {
  index: number;
  path: string;
  bytes?: Uint8Array;
  key?: string;
}

/**
 * A thread's answer to one batch: every result, or the first file that threw. A result's parse comes
 * serialized (`serializeParse`): the calling thread reads it back, and stores the same bytes in the
 * cache of parsed posts.
 */
export type WorkerReply =
  | { results: { index: number; serialized: Uint8Array; items?: PostItems }[] }
  | { error: string; path: string };

/** What a parser thread is started with (its `workerData`, besides `WORKER_ROLE`). */
export interface ThreadSetup {
  context: PostContext;
  contentDir: string;
  /** Render each published post's items too (they are answered with it, their bytes transferred). */
  renderItems?: boolean;
}

/**
 * Reads (unless already read) and parses one file. File access is synchronous: on a worker thread
 * that costs nothing, while asynchronous calls would all queue on the process's four libuv threads
 * and wake each other thousands of times.
 */
export function parseJob(contentDir: string, job: ParseJob, context: PostContext): ParsedPostFile {
  const bytes = job.bytes ?? readFileSync(join(contentDir, job.path));
  const log = new ProblemLog(job.path);
  const post = parsePostFile(job.path, bytes, context, log);
  return post ? { post, problems: log.problems } : { problems: log.problems };
}

/** Parses each batch received and answers with the results, in batch order. */
function serveParseRequests(port: NonNullable<typeof parentPort>, setup: ThreadSetup): void {
  const { contentDir } = setup;
  port.on("message", (batch: ParseJob[]) => {
    const results: { index: number; serialized: Uint8Array; items?: PostItems }[] = [];
    const transfer: ArrayBuffer[] = [];
    for (const job of batch) {
      try {
        const parsed = parseJob(contentDir, job, setup.context);
        const items = setup.renderItems && parsed.post ? renderPostItems(parsed.post) : undefined;
        // A post's items are views of one buffer of their own (see `renderPostItems`), listed once.
        if (items)
          transfer.push(...new Set(Object.values(items).map((bytes) => bytes.buffer as ArrayBuffer)));
        const serialized = serializeParse(parsed);
        if (ownsBuffer(serialized)) transfer.push(serialized.buffer as ArrayBuffer);
        results.push({ index: job.index, serialized, ...(items ? { items } : {}) });
      } catch (error) {
        const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
        port.postMessage({ error: message, path: job.path } satisfies WorkerReply);
        return;
      }
    }
    port.postMessage({ results } satisfies WorkerReply, transfer);
  });
}

if (!isMainThread && parentPort && workerData?.[WORKER_ROLE] === true) {
  serveParseRequests(parentPort, workerData as ThreadSetup);
}
