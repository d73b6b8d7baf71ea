/**
 * Stands in for src/build/post.ts inside src/build/load.ts during a pooled bench build (see
 * parse-hooks.ts): everything is post.ts's own, except that `parsePostFile` answers from results
 * that `parsePostFiles` computed ahead, on worker threads and from the cache. A file that was not
 * parsed ahead, or is parsed with another config, goes to the real `parsePostFile` and is counted,
 * so the real `loadSite` and `buildSite` run unchanged and cannot give a different result.
 */
import type { ParsedPostFile } from "../src/build/cache";
import { type PostContext, parsePostFile as parseNow } from "../src/build/post";
import type { ProblemLog } from "../src/build/problems";
import type { Post } from "../src/model";

export * from "../src/build/post";

/** The results parsed ahead, by path, for the config they were parsed with. */
export const preparsed = {
  config: "",
  results: new Map<string, ParsedPostFile>(),
  /** Calls answered from `results`, and calls that had to parse. */
  used: 0,
  parsedNow: 0,
};

/** `parsePostFile`, answered from `preparsed` when the file and the config are the ones parsed ahead. */
export function parsePostFile(
  path: string,
  bytes: Uint8Array,
  context: PostContext,
  log: ProblemLog,
): Post | undefined {
  const ready = preparsed.results.get(path);
  if (ready && JSON.stringify(context.config) === preparsed.config) {
    preparsed.used++;
    log.problems.push(...ready.problems);
    return ready.post;
  }
  preparsed.parsedNow++;
  return parseNow(path, bytes, context, log);
}
