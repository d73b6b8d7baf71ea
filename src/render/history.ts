/**
 * RFC 5005 (Feed Paging and Archiving) and WebSub links, shared by the XML renderers: the same
 * relations in the same order, as `atom:link` elements (RSS carries them in the Atom namespace,
 * RFC 5005 Appendix B).
 */
import type { FeedFormat, FeedView } from "../model";

/** RFC 5005 §4: the namespace of `fh:archive`. */
export const HISTORY_NS = "http://purl.org/syndication/history/1.0";

export interface RelLink {
  rel: string;
  href: string;
}

/** `hub` (W3C WebSub §4), then `current`, `prev-archive`, `next-archive` (RFC 5005 §4), in this format. */
export function relatedLinks(view: FeedView, format: FeedFormat): RelLink[] {
  const links: RelLink[] = [];
  if (view.site.hub) links.push({ rel: "hub", href: view.site.hub });
  const { current, prevArchive, nextArchive } = view.history;
  if (current) links.push({ rel: "current", href: current[format] });
  if (prevArchive) links.push({ rel: "prev-archive", href: prevArchive[format] });
  if (nextArchive) links.push({ rel: "next-archive", href: nextArchive[format] });
  return links;
}
