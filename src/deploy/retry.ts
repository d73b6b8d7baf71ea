/** Retrying a KV request with exponential backoff. */

/** How often and how patiently to retry. */
export interface RetryPolicy {
  /** Tries in all, the first included. */
  attempts: number;
  /** Wait before the second try; doubled before each later one. */
  baseDelayMs: number;
  /** Longest wait between two tries. */
  maxDelayMs: number;
}

/**
 * Default: 5 tries over ~15 s. KV answers 429 to more than one write per second to the same key
 * (KV limits), and the API has transient 5xx; both clear within seconds.
 */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 1000, maxDelayMs: 8000 };

/** Waits `ms` milliseconds. */
export const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

/**
 * Calls `request` until it succeeds or `policy.attempts` tries have failed, then rethrows the last
 * error. `onRetry` hears about each failure that will be retried.
 */
export async function withRetry<T>(
  request: () => Promise<T>,
  policy: RetryPolicy = DEFAULT_RETRY,
  onRetry: (error: unknown, attempt: number, delayMs: number) => void = () => {},
  wait: (ms: number) => Promise<void> = sleep,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await request();
    } catch (error) {
      if (attempt >= policy.attempts) throw error;
      const delayMs = Math.min(policy.baseDelayMs * 2 ** (attempt - 1), policy.maxDelayMs);
      onRetry(error, attempt, delayMs);
      await wait(delayMs);
    }
  }
}
