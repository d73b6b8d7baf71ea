/**
 * Writing a plan's entries into KV: bulk requests within the KV limits, each retried with backoff,
 * documents first and the manifest last, so that a manifest in KV never names a missing document.
 * An interrupted upload is resumed by running it again: keys are content-addressed or build-scoped,
 * so the new plan skips everything already written.
 */
import { type BatchLimits, BULK_REQUEST_LIMITS, intoBatches } from "./batches";
import { MANIFEST_PREFIX } from "./plan";
import { DEFAULT_RETRY, type RetryPolicy, sleep, withRetry } from "./retry";
import type { KvEntry, KvStore } from "./store";

/** Where an upload has got to, after a batch was written. */
export interface UploadProgress {
  /** 1-based number of the batch just written, out of `batches`. */
  batch: number;
  batches: number;
  /** Keys written so far, out of `total`. */
  written: number;
  total: number;
  /** Keys of the batch just written. */
  keys: string[];
}

/** Tuning and observing an upload; the defaults are the real KV limits and retry policy. */
export interface UploadOptions {
  limits?: BatchLimits;
  retry?: RetryPolicy;
  /** How to wait between tries (tests pass one that does not). */
  wait?: (ms: number) => Promise<void>;
  /** Runs after each batch is written and before the next one starts. */
  afterBatch?: (progress: UploadProgress) => void | Promise<void>;
  /** Progress and retry messages. */
  log?: (line: string) => void;
}

/** An upload that gave up; what was written stays, and a rerun skips it. */
export class UploadError extends Error {
  constructor(
    readonly written: number,
    readonly total: number,
    cause: unknown,
  ) {
    super(
      `upload stopped after ${written} of ${total} keys: ${cause instanceof Error ? cause.message : String(cause)}. ` +
        "The live build is untouched; run the same command again to resume (keys already written are skipped).",
      { cause },
    );
    this.name = "UploadError";
  }
}

/** Writes `writes` into `store`, manifests in the last batches; returns the number of keys written. */
export async function upload(
  store: KvStore,
  writes: readonly KvEntry[],
  options: UploadOptions = {},
): Promise<number> {
  const {
    limits = BULK_REQUEST_LIMITS,
    retry = DEFAULT_RETRY,
    wait = sleep,
    afterBatch,
    log = () => {},
  } = options;
  const isManifest = (entry: KvEntry) => entry.key.startsWith(MANIFEST_PREFIX);
  const batches = [
    ...intoBatches(
      writes.filter((entry) => !isManifest(entry)),
      limits,
    ),
    ...intoBatches(writes.filter(isManifest), limits),
  ];
  let written = 0;
  for (const [index, batch] of batches.entries()) {
    try {
      await withRetry(
        () => store.put(batch),
        retry,
        (error, attempt, delayMs) =>
          log(
            `retrying batch ${index + 1}/${batches.length} in ${delayMs} ms (try ${attempt} failed: ${messageOf(error)})`,
          ),
        wait,
      );
    } catch (error) {
      throw new UploadError(written, writes.length, error);
    }
    written += batch.length;
    if (batches.length > 1)
      log(`uploaded ${written} of ${writes.length} keys (batch ${index + 1}/${batches.length})`);
    await afterBatch?.({
      batch: index + 1,
      batches: batches.length,
      written,
      total: writes.length,
      keys: batch.map((entry) => entry.key),
    });
  }
  return written;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
