/**
 * Where a build is published: a Workers KV namespace, seen through the few operations publishing
 * needs. Two implementations: `local-store.ts` (the local KV that `npm start` serves, through
 * Miniflare) and `wrangler-store.ts` (the namespace on the account, through `wrangler kv ... --remote`).
 */

/** One KV key and the bytes to store under it. */
export interface KvEntry {
  key: string;
  value: Uint8Array;
}

/** A Workers KV namespace, batch-oriented because the remote API is (one request per batch). */
export interface KvStore {
  /** Says which namespace this is, for messages ("local KV in .wrangler/state", ...). */
  readonly description: string;
  /** Every key starting with `prefix`, all pages. */
  list(prefix: string): Promise<string[]>;
  /** The bytes under `key`, or `null` when there is none. */
  get(key: string): Promise<Uint8Array | null>;
  /** Writes one batch (one bulk request remotely: see `batches.ts` for its limits). */
  put(batch: readonly KvEntry[]): Promise<void>;
  /** Deletes one batch of keys; a key that is not there is not an error. */
  delete(keys: readonly string[]): Promise<void>;
  /** Releases what the store holds open (a Miniflare instance, temporary files). */
  close(): Promise<void>;
}

/** Target of a publish: the local KV `npm start` serves, or the namespace on the Cloudflare account. */
export type Target = "local" | "remote";
