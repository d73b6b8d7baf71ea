/**
 * The finews convention: a republished post ends with the original article's address as a bare
 * Markdown autolink (`<http://…>`) on its own line, optionally followed by "返回…" back-links to the
 * category and home pages. Neither belongs in the published content.
 */

/** A line made only of Markdown links whose text starts with 返回 ("back to"), joined by bars or spaces. */
const BACK_LINKS = /^\s*(?:\[返回[^\]\n]*\]\([^)\n]*\)\s*[｜|]?\s*)+$/;

/** A CommonMark autolink alone on its line; `<>` is the generator's way of writing "no link". */
const AUTOLINK = /^\s*<((?:https?:)?\/\/[^\s<>]*)?>\s*$/i;

export interface OriginalLink {
  /** The body without the trailing autolink and back-links. */
  body: string;
  /** The address found, exactly as written; `undefined` when there is none. */
  link?: string;
  /** True when the autolink was present but empty (`<>`). */
  empty: boolean;
}

/** Takes the trailing autolink and back-links off a Markdown body. */
export function extractOriginalLink(markdownBody: string): OriginalLink {
  const lines = markdownBody.split("\n");
  let end = lines.length;
  const skipBlankAndBackLinks = () => {
    while (end > 0 && ((lines[end - 1] ?? "").trim() === "" || BACK_LINKS.test(lines[end - 1] ?? ""))) end--;
  };
  skipBlankAndBackLinks();
  const match = AUTOLINK.exec(lines[end - 1] ?? "");
  if (!match) {
    // Back-links alone are still navigation for the site's pages, not content.
    return { body: lines.slice(0, end).join("\n"), empty: false };
  }
  end--;
  while (end > 0 && (lines[end - 1] ?? "").trim() === "") end--;
  const link = match[1];
  return { body: lines.slice(0, end).join("\n"), link: link || undefined, empty: !link };
}
