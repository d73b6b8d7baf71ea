/**
 * Atom 1.0 (RFC 4287). Pure: the output depends on the view only.
 */
import type { Author, FeedView, Post } from "../model";
import { parseRfc3339, rfc3339 } from "./dates";
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

const ATOM_NS = "http://www.w3.org/2005/Atom";

/** RFC 3339 in UTC without fractions, whatever offset the input used (RFC 4287 §3.3). */
function atomDate(value: string): string {
  return rfc3339(parseRfc3339(value));
}

/** Appends `person` as lines of an author (RFC 4287 §3.2: one name, at most one uri and one email). */
function renderAuthor(person: Author, lines: string[]): void {
  lines.push("<author>", `  ${textElement("name", person.name)}`);
  if (person.url) lines.push(`  ${textElement("uri", person.url)}`);
  if (person.email) lines.push(`  ${textElement("email", person.email)}`);
  lines.push("</author>");
}

function renderEntry(post: Post): string {
  const lines = [
    // RFC 4287 §4.1.2: atom:entry MUST contain exactly one atom:id, atom:title and atom:updated.
    textElement("id", post.id),
    // RFC 4287 §3.1.1: our titles are plain text, so say so.
    textElement("title", post.title, { type: "text" }),
    // RFC 4287 §4.1.2: an entry without atom:content MUST have an alternate link; we always give one.
    emptyElement("link", { rel: "alternate", type: "text/html", href: post.link }),
    textElement("published", atomDate(post.published)),
    textElement("updated", atomDate(post.updated)),
  ];
  if (stripInvalidXmlChars(post.summary) !== "") {
    lines.push(textElement("summary", post.summary, { type: "text" }));
  }
  // RFC 4287 §4.1.3.1: type="html" content is escaped HTML markup.
  lines.push(textElement("content", post.contentHtml, { type: "html" }));
  // RFC 4287 §4.2.2: atom:category MUST have a term attribute.
  const terms = new Set([...post.categories, ...post.tags].map(stripInvalidXmlChars));
  for (const term of terms) if (term !== "") lines.push(emptyElement("category", { term }));
  for (const author of post.authors) renderAuthor(author, lines);
  return indentedBlock("  <entry>", lines, "  </entry>", "    ");
}

function renderHead(view: FeedView): string {
  const { site } = view;
  const head = [
    // RFC 4287 §4.1.1: atom:feed MUST contain exactly one atom:id, atom:title and atom:updated.
    textElement("id", view.id),
    textElement("title", view.title, { type: "text" }),
  ];
  if (stripInvalidXmlChars(view.description) !== "") {
    head.push(textElement("subtitle", view.description, { type: "text" }));
  }
  head.push(
    emptyElement("link", { rel: "alternate", type: "text/html", href: view.homePageUrl }),
    // RFC 4287 §4.1.1: atom:feed SHOULD contain one atom:link with rel="self".
    emptyElement("link", { rel: "self", type: "application/atom+xml", href: view.urls.atom }),
  );
  for (const { rel, href } of relatedLinks(view, "atom")) head.push(emptyElement("link", { rel, href }));
  // The newest item's date, never the build time.
  head.push(textElement("updated", atomDate(view.updated)));
  // RFC 4287 §4.1.1: a feed author is required unless every entry has one; the site title stands in.
  renderAuthor(site.author ?? { name: site.title }, head);
  head.push(textElement("generator", "feed-publisher"));
  // RFC 5005 §4: an archive document carries fh:archive.
  if (view.history.archive) head.push(emptyElement("fh:archive", {}));
  // RFC 4287 §2: xml:lang gives the language of the whole document.
  const feed = view.history.archive
    ? openTag("feed", { xmlns: ATOM_NS, "xmlns:fh": HISTORY_NS, "xml:lang": site.language })
    : openTag("feed", { xmlns: ATOM_NS, "xml:lang": site.language });
  let text = `${XML_DECLARATION}\n${feed}\n`;
  for (const line of head) text += `  ${line}\n`;
  return text;
}

/** Atom 1.0 in parts: each entry is the same in every feed (see document.ts). */
export const atomParts: DocumentParts = {
  head: renderHead,
  item: renderEntry,
  separator: "",
  tail: () => "</feed>\n",
};

/** Renders a feed view as an Atom 1.0 document (UTF-8 text ending with a newline). */
export function renderAtom(view: FeedView): string {
  return renderDocument(atomParts, view);
}
