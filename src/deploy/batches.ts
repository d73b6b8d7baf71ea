/**
 * Workers KV limits that shape a publish, and splitting writes into bulk requests that respect them.
 * Source: developers.cloudflare.com/kv/platform/limits and the bulk write API
 * (`PUT /accounts/:id/storage/kv/namespaces/:id/bulk`), as summarized in ../shared/docs/platform.md.
 */
import type { KvEntry } from "./store";

/** Keys per bulk request: wrangler 4 sends 1,000 per request (`BATCH_KEY_MAX`), so we do too. */
export const MAX_KEYS_PER_BULK_REQUEST = 1000;

/** "The entire request size must be 100 megabytes or less" (bulk write API). */
export const MAX_BYTES_PER_BULK_REQUEST = 100_000_000;

/** A key is at most 512 bytes (KV limits). */
export const MAX_KEY_BYTES = 512;

/** A value is at most 25 MiB (KV limits). */
export const MAX_VALUE_BYTES = 25 * 1024 * 1024;

/** Free plan: 1,000 writes a day per account (deletes and lists have their own 1,000 a day each). */
export const FREE_PLAN_WRITES_PER_DAY = 1000;

/** Bounds of one bulk request; tests make them small to see several batches. */
export interface BatchLimits {
  maxKeys: number;
  maxBytes: number;
}

/** The limits of a real bulk request. */
export const BULK_REQUEST_LIMITS: BatchLimits = {
  maxKeys: MAX_KEYS_PER_BULK_REQUEST,
  maxBytes: MAX_BYTES_PER_BULK_REQUEST,
};

const encoder = new TextEncoder();

/**
 * Size of an entry in a bulk request body: values travel base64-encoded inside JSON
 * (`{"key":…,"value":…,"base64":true}`), so a value costs 4/3 of its bytes plus the key and ~40 bytes.
 */
export function requestBytes(entry: KvEntry): number {
  return (
    encoder.encode(JSON.stringify(entry.key)).byteLength + Math.ceil(entry.value.byteLength / 3) * 4 + 40
  );
}

/** Throws when an entry can never be written: its key or value is over the KV limits. */
export function assertWithinLimits(entry: KvEntry): void {
  const keyBytes = encoder.encode(entry.key).byteLength;
  if (keyBytes > MAX_KEY_BYTES) {
    throw new RangeError(`KV key ${entry.key.slice(0, 60)}… is ${keyBytes} bytes, over the 512-byte limit`);
  }
  if (entry.value.byteLength > MAX_VALUE_BYTES) {
    throw new RangeError(
      `KV value of ${entry.key} is ${entry.value.byteLength} bytes, over the 25 MiB limit`,
    );
  }
}

/** Splits entries, in order, into bulk requests of at most `limits.maxKeys` keys and `limits.maxBytes`. */
export function intoBatches(
  entries: readonly KvEntry[],
  limits: BatchLimits = BULK_REQUEST_LIMITS,
): KvEntry[][] {
  const batches: KvEntry[][] = [];
  let current: KvEntry[] = [];
  let bytes = 0;
  for (const entry of entries) {
    assertWithinLimits(entry);
    const size = requestBytes(entry);
    if (current.length > 0 && (current.length >= limits.maxKeys || bytes + size > limits.maxBytes)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(entry);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** Splits keys to delete into bulk requests of at most `maxKeys`. */
export function keyBatches(keys: readonly string[], maxKeys = MAX_KEYS_PER_BULK_REQUEST): string[][] {
  const batches: string[][] = [];
  for (let i = 0; i < keys.length; i += maxKeys) batches.push(keys.slice(i, i + maxKeys));
  return batches;
}
