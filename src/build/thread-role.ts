/**
 * The mark in a post parser thread's `workerData` (vitest and others run tests in worker threads too),
 * in a module of its own so that the calling thread can start parser threads without loading the
 * parser itself.
 */
export const WORKER_ROLE = "feed-publisher/post-parser";
