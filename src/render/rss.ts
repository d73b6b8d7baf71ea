/**
 * RSS 2.0 (https://www.rssboard.org/rss-specification) with the Atom, Content and Dublin Core
 * namespaces. Pure: the output depends on the view only.
 */
import type { FeedView, Post } from "../model";
import { rfc822 } from "./dates";
import { type DocumentParts, renderDocument } from "./document";
import { HISTORY_NS, relatedLinks } from "./history";
import {
  emptyElement,
  indentedBlock,
  openTag,
  stripInvalidXmlChars,
  textElement,
  XML_DECLARATION,
} from "./xml";

const NAMESPACES = {
  version: "2.0",
  "xmlns:atom": "http://www.w3.org/2005/Atom",
  "xmlns:content": "http://purl.org/rss/1.0/modules/content/",
  "xmlns:dc": "http://purl.org/dc/elements/1.1/",
};

function renderItem(post: Post): string {
  const lines = [
    // RSS Best Practices (guid): an opaque id must say isPermaLink="false".
    textElement("guid", post.id, { isPermaLink: "false" }),
    textElement("title", post.title),
    textElement("link", post.link),
    textElement("pubDate", rfc822(post.published)),
  ];
  // RSS Best Practices (content:encoded): plain summary in description, before the full HTML.
  if (stripInvalidXmlChars(post.summary) !== "") lines.push(textElement("description", post.summary));
  lines.push(textElement("content:encoded", post.contentHtml));
  const terms = new Set([...post.categories, ...post.tags].map(stripInvalidXmlChars));
  for (const term of terms) if (term !== "") lines.push(textElement("category", term));
  // RSS 2.0 `author` must be an e-mail address; a bare name goes in dc:creator.
  for (const author of post.authors) lines.push(textElement("dc:creator", author.name));
  return indentedBlock("    <item>", lines, "    </item>", "      ");
}

function renderHead(view: FeedView): string {
  const { site } = view;
  // RSS 2.0: channel title, link and description are required; fall back to the title.
  const channel = [
    textElement("title", view.title),
    textElement("description", stripInvalidXmlChars(view.description) === "" ? view.title : view.description),
    textElement("link", view.homePageUrl),
    // RSS Best Practices (atom:link): the self link is the URL the feed is served at.
    emptyElement("atom:link", { href: view.urls.rss, rel: "self", type: "application/rss+xml" }),
  ];
  // RFC 5005 Appendix B: RSS carries the history links (and WebSub's hub) as atom:link.
  for (const { rel, href } of relatedLinks(view, "rss"))
    channel.push(emptyElement("atom:link", { href, rel }));
  channel.push(
    textElement("language", site.language),
    // The newest item's date, never the build time, so the bytes only change with the content.
    textElement("lastBuildDate", rfc822(view.updated)),
  );
  // RSS 2.0: managingEditor is an e-mail address, optionally followed by the name in parentheses.
  if (site.author?.email) {
    channel.push(textElement("managingEditor", `${site.author.email} (${site.author.name})`));
  }
  channel.push(textElement("generator", "feed-publisher"));
  if (view.history.archive) channel.push(emptyElement("fh:archive", {}));
  const rss = openTag("rss", view.history.archive ? { ...NAMESPACES, "xmlns:fh": HISTORY_NS } : NAMESPACES);
  let text = `${XML_DECLARATION}\n${rss}\n  <channel>\n`;
  for (const line of channel) text += `    ${line}\n`;
  return text;
}

/** RSS 2.0 in parts: each item is the same in every feed (see document.ts). */
export const rssParts: DocumentParts = {
  head: renderHead,
  item: renderItem,
  separator: "",
  tail: () => "  </channel>\n</rss>\n",
};

/** Renders a feed view as an RSS 2.0 document (UTF-8 text ending with a newline). */
export function renderRss(view: FeedView): string {
  return renderDocument(rssParts, view);
}
