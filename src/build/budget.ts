/**
 * Keeping every feed document under a byte budget (aggregators give up near 512 KB-1 MB, feeds.md),
 * whatever a single post weighs: an oversized post is published with its summary and a link to the
 * original instead of its full text, and a document still over budget keeps fewer items.
 * Everything trimmed is reported.
 */
import type { Post } from "../model";
import { escapeText } from "../render/xml";
import { contentBytes } from "./post-content";
import type { Problem } from "./problems";

/** Bytes a feed document may take unless `_config.yml` says otherwise (`feed: max_bytes`). */
export const DEFAULT_FEED_BUDGET = 1_000_000;

/** Share of the budget one post's content may take before it is cut to its summary. */
const POST_SHARE = 4;

/** Posts whose content alone would take more than a quarter of the budget are cut to their summary. */
export function capLargePosts(
  posts: readonly Post[],
  budget: number,
): { posts: Post[]; problems: Problem[] } {
  const limit = Math.floor(budget / POST_SHARE);
  const problems: Problem[] = [];
  const capped = posts.map((post) => {
    // Its UTF-8 length (kept when the HTML itself was released).
    const size = contentBytes(post);
    if (size <= limit) return post;
    problems.push({
      path: post.source,
      severity: "warning",
      message: `content is ${formatBytes(size)}, over ${formatBytes(limit)} (a quarter of the ${formatBytes(budget)} feed budget)`,
      action: "published with its summary and a link to the original",
    });
    const summary = post.summary ? `<p>${escapeText(post.summary)}</p>` : "";
    const more = `<p><a href="${escapeText(post.link).replace(/"/g, "&quot;")}">${escapeText(post.title)}</a></p>`;
    return { ...post, contentHtml: summary + more };
  });
  return { posts: capped, problems };
}

/**
 * How many items, newest first, a document can keep within `budget` bytes: `fixed` bytes of head and
 * tail, then the items of `itemSizes` with `separator` bytes between two. One item always stays.
 */
export function itemsWithinBudget(
  fixed: number,
  itemSizes: readonly number[],
  separator: number,
  budget: number,
): number {
  let total = fixed;
  let count = 0;
  for (const size of itemSizes) {
    const next = total + size + (count > 0 ? separator : 0);
    if (next > budget && count > 0) break;
    total = next;
    count++;
  }
  return count;
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1_000_000) return `${(bytes / 1_000_000).toFixed(1)} MB`;
  if (bytes >= 1_000) return `${Math.round(bytes / 1_000)} KB`;
  return `${bytes} bytes`;
}
