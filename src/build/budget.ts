/**
 * Keeping every feed document under a byte budget (aggregators give up near 512 KB-1 MB, feeds.md),
 * whatever a single post weighs: an oversized post is published with its summary and a link to the
 * original instead of its full text, and a document still over budget keeps fewer items.
 * Everything trimmed is reported.
 */
import type { FeedView, Post } from "../model";
import { escapeText } from "../render/xml";
import type { Problem } from "./problems";

/** Bytes a feed document may take unless `_config.yml` says otherwise (`feed: max_bytes`). */
export const DEFAULT_FEED_BUDGET = 1_000_000;

/** Share of the budget one post's content may take before it is cut to its summary. */
const POST_SHARE = 4;

const encoder = new TextEncoder();

/** Posts whose content alone would take more than a quarter of the budget are cut to their summary. */
export function capLargePosts(
  posts: readonly Post[],
  budget: number,
): { posts: Post[]; problems: Problem[] } {
  const limit = Math.floor(budget / POST_SHARE);
  const problems: Problem[] = [];
  const capped = posts.map((post) => {
    const size = encoder.encode(post.contentHtml).byteLength;
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
 * Renders `view`, dropping its oldest items until the document fits `budget` (one item always stays).
 * Returns the bytes and how many items were left out.
 */
export function renderWithinBudget(
  view: FeedView,
  render: (view: FeedView) => string,
  budget: number,
): { bytes: Uint8Array; dropped: number } {
  let bytes = encoder.encode(render(view));
  if (bytes.byteLength <= budget || view.items.length <= 1) return { bytes, dropped: 0 };
  // Binary search for the most items that fit: sizes grow with the item count.
  let fits = 1;
  let fails = view.items.length;
  while (fails - fits > 1) {
    const middle = Math.floor((fits + fails) / 2);
    if (encoder.encode(render({ ...view, items: view.items.slice(0, middle) })).byteLength <= budget)
      fits = middle;
    else fails = middle;
  }
  bytes = encoder.encode(render({ ...view, items: view.items.slice(0, fits) }));
  return { bytes, dropped: view.items.length - fits };
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1_000_000) return `${(bytes / 1_000_000).toFixed(1)} MB`;
  if (bytes >= 1_000) return `${Math.round(bytes / 1_000)} KB`;
  return `${bytes} bytes`;
}
