/**
 * JSON Feed 1.1 (https://jsonfeed.org/version/1.1). Pure: the output depends on the view only.
 * Strings lose the code points XML forbids, so the three formats carry the same text.
 */
import type { Author, FeedView, Post } from "../model";
import { parseRfc3339, rfc3339 } from "./dates";
import { type DocumentParts, renderDocument } from "./document";
import { stripInvalidXmlChars as clean } from "./xml";

/** JSON Feed 1.1 author: name, url, avatar (no e-mail). */
interface JsonAuthor {
  name: string;
  url?: string;
}

function jsonAuthor(author: Author): JsonAuthor {
  return author.url ? { name: clean(author.name), url: clean(author.url) } : { name: clean(author.name) };
}

/** RFC 3339 in UTC without fractions, the same instant the XML formats give. */
function jsonDate(value: string): string {
  return rfc3339(parseRfc3339(value));
}

function jsonItem(post: Post): Record<string, unknown> {
  const summary = clean(post.summary);
  const terms = [...new Set([...post.categories, ...post.tags].map(clean))].filter((t) => t !== "");
  return {
    // JSON Feed 1.1: id is a string, unique and unchanging.
    id: clean(post.id),
    title: clean(post.title),
    url: clean(post.link),
    date_published: jsonDate(post.published),
    date_modified: jsonDate(post.updated),
    // JSON Feed 1.1: summary is plain text.
    ...(summary === "" ? {} : { summary }),
    // JSON Feed 1.1: content_html or content_text is required.
    content_html: clean(post.contentHtml),
    ...(terms.length === 0 ? {} : { tags: terms }),
    // JSON Feed 1.1: `authors` (an array) replaces the deprecated `author`.
    ...(post.authors.length === 0 ? {} : { authors: post.authors.map(jsonAuthor) }),
  };
}

/** The top-level members before `items`, which comes last so that items can follow as text. */
function feedMembers(view: FeedView): Record<string, unknown> {
  const { site } = view;
  const description = clean(view.description);
  return {
    version: "https://jsonfeed.org/version/1.1",
    title: clean(view.title),
    ...(description === "" ? {} : { description }),
    home_page_url: clean(view.homePageUrl),
    // JSON Feed 1.1: feed_url is the URL of this document (its self link).
    feed_url: clean(view.urls.json),
    // JSON Feed 1.1 pagination: next_url holds older items (our next older archive page).
    ...(view.history.prevArchive ? { next_url: clean(view.history.prevArchive.json) } : {}),
    language: clean(site.language),
    // Same fallback as Atom, so the formats name the same author.
    authors: [jsonAuthor(site.author ?? { name: site.title })],
    // JSON Feed 1.1: hubs lists the WebSub hubs of the feed.
    ...(site.hub ? { hubs: [{ type: "WebSub", url: clean(site.hub) }] } : {}),
  };
}

/**
 * An item as `JSON.stringify(feed, null, 2)` lays it out inside `"items": [`: two levels deep. The
 * item is stringified inside two arrays, which indents it by those two levels, and the arrays' own
 * lines are cut off (slices, not copies). Indenting the item's text afterwards copied its whole
 * `content_html` once more through a replace: rendering the three items of 3,000 bench posts took
 * 225 ms against 235 ms (median of 8 alternating rounds in one process).
 */
function itemText(item: Record<string, unknown>): string {
  const nested = JSON.stringify([[item]], null, 2);
  return nested.slice(NESTED_HEAD.length, -NESTED_TAIL.length);
}

/** What `JSON.stringify([[x]], null, 2)` puts before and after `x`'s own lines. */
const NESTED_HEAD = "[\n  [\n";
const NESTED_TAIL = "\n  ]\n]";

/**
 * JSON Feed 1.1 in parts, laid out as `JSON.stringify(feed, null, 2)` would lay it out: the head is
 * the object up to `"items": [`, each item is the same in every feed (see document.ts).
 */
export const jsonFeedParts: DocumentParts = {
  head: (view) => {
    const members = JSON.stringify(feedMembers(view), null, 2);
    return `${members.slice(0, -"\n}".length)},\n  "items": [\n`;
  },
  item: (post) => itemText(jsonItem(post)),
  separator: ",\n",
  tail: () => "\n  ]\n}\n",
};

/** Renders a feed view as a JSON Feed 1.1 document (UTF-8 text ending with a newline). */
export function renderJsonFeed(view: FeedView): string {
  return renderDocument(jsonFeedParts, view);
}
