/**
 * Parses post files on every core: the calling thread reads files and consults the cache, worker
 * threads parse what the cache does not have. The result is exactly what `parsePostFile` gives for
 * each file with its own `ProblemLog`, in input order, so a caller cannot tell the difference.
 *
 * The threads run parser-thread.ts, started as thread-start.ts decides.
 */

import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import type { Worker } from "node:worker_threads";
import type { Post } from "../model";
import { deserializeParse, type ParsedPostFile, type PostCache } from "./cache";
import type { PostItems } from "./items";
// Types only: the parser itself is loaded when this thread parses (see below), not to start threads.
import type { ParseJob, ThreadSetup, WorkerReply } from "./parser-thread";
import type { PostContext } from "./post";
import { WORKER_ROLE } from "./thread-role";
import { parserThreadEntry, startThread, type ThreadEntry } from "./thread-start";

export type { ParsedPostFile } from "./cache";

export interface ParseOptions {
  /** Parsed posts from earlier builds; without it every file is parsed. */
  cache?: PostCache;
  /** Worker threads to start when there is enough to parse; default: one per core. 0: none. */
  threads?: number;
  /**
   * Fewest files to parse for which threads are started (default `INLINE_LIMIT`); below it, every
   * file is parsed on the calling thread.
   */
  inlineLimit?: number;
  /** Called as files are done (read from the cache or parsed). */
  onProgress?: (done: number, total: number) => void;
  /**
   * Called with a post's items when a thread parsed it: with this, threads also render each post's
   * items (`renderPostItems`), so the calling thread need not. Called before the post is done, after
   * it is in the cache: the callee may release its HTML (post-content.ts).
   */
  onItems?: (post: Post, items: PostItems) => void;
  /** How threads are started; default: `parserThreadEntry()`, found when threads are first needed. */
  threadEntry?: ThreadEntry;
}

/** Files sent to a worker per message: big enough to amortize messaging, small enough to balance. */
const BATCH_SIZE = 32;
/** Batches a worker holds at once, so that it never waits for the next one. */
const BATCHES_IN_FLIGHT = 2;
/**
 * Below this many files to parse, starting threads costs more than it saves, so they are parsed on
 * the calling thread: each thread loads the parser and its libraries (~0.5 s of CPU from the compiled
 * file) and warms its JIT again, which the bench measured as a loss at 1,000 posts, break-even near
 * 3,000 and a gain at 10,000 (when threads compiled the parser themselves, ~0.3 s more each).
 */
export const INLINE_LIMIT = 2000;
/** Files looked up in the cache between two turns of the event loop. */
const LOOKUP_CHUNK = 64;
/** Batches read and waiting for a thread before reading more (besides those the threads hold). */
const QUEUED_BATCHES = 8;

/**
 * Parses the files at `paths` (relative to `contentDir`, as `parsePostFile` wants them) and returns,
 * in the same order, each file's post (when published) and problems. Throws what `parsePostFile`
 * throws, or when a worker thread dies.
 */
export async function parsePostFiles(
  contentDir: string,
  paths: readonly string[],
  context: PostContext,
  options: ParseOptions = {},
): Promise<ParsedPostFile[]> {
  const { cache, onProgress } = options;
  const threads = options.threads ?? availableParallelism();
  const inlineLimit = Math.max(1, options.inlineLimit ?? INLINE_LIMIT);
  const results: ParsedPostFile[] = new Array(paths.length);
  let done = 0;
  const finish = (index: number, parsed: ParsedPostFile) => {
    results[index] = parsed;
    done++;
    onProgress?.(done, paths.length);
  };
  /** Keys of the files parsed (not found in the cache), by index: their parses go into the cache. */
  const keys: (string | undefined)[] = [];
  const parsedNow = (index: number, parsed: ParsedPostFile, items?: PostItems, serialized?: Uint8Array) => {
    const key = keys[index];
    // The cache first: `onItems` may release the post's HTML (see post-content.ts).
    if (cache && key) cache.set(key, parsed, serialized);
    if (parsed.post && items) options.onItems?.(parsed.post, items);
    finish(index, parsed);
  };

  let pool: ParserThreads | undefined;
  const waiting: ParseJob[] = [];
  /** Files looked up in the cache so far, and how many of them missed. */
  let looked = 0;
  let missed = 0;
  // Threads start once `inlineLimit` files wait to be parsed or, sooner, once the share of misses so far
  // says that many will: a cold build then parses while this thread still reads and hashes files.
  const manyToParse = () =>
    waiting.length >= inlineLimit || (looked > 0 && (missed / looked) * paths.length >= inlineLimit);
  const dispatch = (final: boolean) => {
    if (!pool && threads > 0 && manyToParse()) {
      pool = new ParserThreads(
        threads,
        options.threadEntry ?? parserThreadEntry(),
        { context, contentDir, renderItems: options.onItems !== undefined },
        parsedNow,
      );
    }
    while (pool && (waiting.length >= BATCH_SIZE || (final && waiting.length > 0)))
      pool.submit(waiting.splice(0, BATCH_SIZE));
  };

  try {
    if (cache) {
      cache.index();
      for (let start = 0; start < paths.length; start += LOOKUP_CHUNK) {
        paths.slice(start, start + LOOKUP_CHUNK).forEach((path, offset) => {
          const bytes = readFileSync(join(contentDir, path));
          const job = { index: start + offset, path, bytes, key: cache.keyOf(path, bytes) };
          const hit = cache.get(job.key);
          looked++;
          if (hit) finish(job.index, hit);
          else {
            missed++;
            keys[job.index] = job.key;
            waiting.push(job);
          }
        });
        dispatch(false);
        // Lets the threads' answers in between chunks, and reads ahead of them only a few batches:
        // a file waiting in the queue holds its bytes (the whole corpus, for a fast disk).
        if (pool) await pool.backlogAtMost(QUEUED_BATCHES);
        else await new Promise((next) => setImmediate(next));
      }
    } else {
      paths.forEach((path, index) => {
        waiting.push({ index, path });
      });
    }
    dispatch(true);
    if (pool) await pool.drained();
    else {
      // Loaded only here: with threads, this thread never parses, and the parser's libraries take
      // a few tenths of a second to load.
      const { parseJob } = await import("./parser-thread");
      for (const job of waiting) parsedNow(job.index, parseJob(contentDir, job, context));
    }
  } catch (error) {
    cache?.discard();
    throw error;
  } finally {
    await pool?.close();
  }
  // One file for the whole build, renamed into place once every post is parsed (see cache.ts).
  cache?.save();
  return results;
}

/**
 * Worker threads fed batches of jobs from one queue. Jobs can be submitted at once: they wait in the
 * queue until the threads are started, once `entry` is known.
 */
class ParserThreads {
  private readonly queue: ParseJob[][] = [];
  private readonly workers: { worker: Worker; inFlight: number }[] = [];
  private readonly started: Promise<void>;
  private failure: Error | undefined;
  private settle: { resolve: () => void; reject: (error: Error) => void } | undefined;
  /** Callers of `backlogAtMost`, each with its bound. */
  private waiters: { batches: number; resolve: () => void }[] = [];
  private closing = false;

  constructor(
    count: number,
    entry: ThreadEntry | Promise<ThreadEntry>,
    setup: ThreadSetup,
    private readonly finish: (
      index: number,
      parsed: ParsedPostFile,
      items?: PostItems,
      serialized?: Uint8Array,
    ) => void,
  ) {
    this.started = Promise.resolve(entry)
      .then((known) => {
        if (this.closing) return;
        for (let i = 0; i < count; i++) this.start(known, setup);
        this.pump();
      })
      .catch((error) => this.fail(error instanceof Error ? error : new Error(String(error))));
  }

  private start(entry: ThreadEntry, setup: ThreadSetup): void {
    const worker = startThread(entry, { [WORKER_ROLE]: true, ...setup });
    const slot = { worker, inFlight: 0 };
    worker.on("message", (reply: WorkerReply) => this.receive(slot, reply));
    worker.on("error", (error) => this.fail(error));
    worker.on("exit", (code) => {
      if (!this.closing) this.fail(new Error(`a post parser thread stopped (exit code ${code})`));
    });
    this.workers.push(slot);
  }

  submit(batch: ParseJob[]): void {
    this.queue.push(batch);
    this.pump();
  }

  /** Resolves once at most `batches` batches wait for a thread (or a thread has failed). */
  backlogAtMost(batches: number): Promise<void> {
    return new Promise((resolve) => {
      this.waiters.push({ batches, resolve });
      this.check();
    });
  }

  /** Resolves when every submitted job is done; rejects on the first failure. */
  drained(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.settle = { resolve, reject };
      this.check();
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.started;
    await Promise.all(this.workers.map(({ worker }) => worker.terminate()));
  }

  private pump(): void {
    for (const slot of this.workers) {
      while (slot.inFlight < BATCHES_IN_FLIGHT && this.queue.length > 0) {
        slot.worker.postMessage(this.queue.shift());
        slot.inFlight++;
      }
    }
  }

  private receive(slot: { inFlight: number }, reply: WorkerReply): void {
    if ("error" in reply) {
      this.fail(new Error(`${reply.path}: ${reply.error}`));
      return;
    }
    slot.inFlight--;
    for (const { index, serialized, items } of reply.results)
      this.finish(index, deserializeParse(serialized), items, serialized);
    this.pump();
    this.check();
  }

  private fail(error: Error): void {
    this.failure ??= error;
    this.check();
  }

  private check(): void {
    this.waiters = this.waiters.filter((waiter) => {
      const done = this.failure !== undefined || this.queue.length <= waiter.batches;
      if (done) waiter.resolve();
      return !done;
    });
    if (!this.settle) return;
    if (this.failure) this.settle.reject(this.failure);
    else if (this.queue.length === 0 && this.workers.every((slot) => slot.inFlight === 0))
      this.settle.resolve();
  }
}
