/**
 * Reading our feeds back the way subscribers do: a strict XML well-formedness check, several real feed
 * parsers per format reduced to one small shape, and a strict JSON Feed 1.1 field check.
 *
 * Parser quirks normalized here (each parser is otherwise used as documented):
 * - Dates: every parser returns a different form (RFC 822 text, RFC 3339 with or without milliseconds);
 *   `published` is always `new Date(x).toISOString()` of the parser's own value.
 * - feedsmith: RSS `guid` is `{ value, isPermaLink }`; Atom `title` is `{ value, type }` and links are
 *   `{ href, rel, type }` objects. It trims text values.
 * - rss-parser: Atom `published` (falling back to `updated`) comes back as `pubDate`; we read `isoDate`,
 *   which it derives from it, for both formats. Only the first `dc:creator` is kept (not compared).
 * - @extractus/feed-extractor:
 *   - its Atom `published` is really `updated || modified || published || issued`, so the entry's own
 *     `published` is read through `getExtraEntryFields`;
 *   - it decodes text twice (fast-xml-parser decodes entities, then its `getText` unescapes HTML
 *     again: a title with the literal text `&amp;` reads back as `&`), so `processEntities: false`
 *     leaves decoding to `getText` alone. Its unescape still decodes a literal `&#9;` twice;
 *   - fast-xml-parser turns numeric-looking text into numbers (`parseTagValue: false` keeps strings);
 *   - Atom `link` is an object for one link and an array for several; the `rel="alternate"` one is
 *     picked through `getExtraEntryFields` (its own pick is the first link, whatever its rel);
 *   - descriptions are cut at 250 characters by default (`descriptionMaxLen: 0` keeps them whole);
 *   - an Atom feed without entries is "Unrecognized feed format", and JSON ids go through the HTML
 *     unescape too (`&amp;` in an id would read as `&`).
 */
import type { FeedData, ParserOptions } from "@extractus/feed-extractor";
import { SaxesParser } from "saxes";
import type { FeedFormat } from "../../src/model";

/** One item as every parser reports it. */
export interface ParsedItem {
  id: string;
  link: string;
  title: string;
  /** ISO 8601 from the parser's own date value, normalized with `new Date(x).toISOString()`. */
  published: string;
}

/** One feed as read by one parser. */
export interface ParsedFeed {
  parser: string;
  title: string;
  items: ParsedItem[];
}

/**
 * Throws unless `xml` is a well-formed, namespace-well-formed XML 1.0 document (forbidden characters,
 * unescaped `&` or `<`, undeclared prefixes...). The message carries the parser's first error.
 */
export function assertWellFormedXml(xml: string): void {
  const parser = new SaxesParser({ xmlns: true });
  const errors: string[] = [];
  parser.on("error", (error) => {
    errors.push(error.message);
  });
  parser.write(xml).close();
  if (errors.length > 0) throw new Error(`XML is not well-formed: ${errors[0]}`);
}

function isoDate(value: unknown): string {
  if (typeof value !== "string" || value === "") return "";
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? `invalid: ${value}` : date.toISOString();
}

function text(value: unknown): string {
  return typeof value === "string" ? value : value === undefined ? "" : String(value);
}

// --- feedsmith -------------------------------------------------------------------------------------

async function feedsmithRss(body: string): Promise<ParsedFeed> {
  const { parseRssFeed } = await import("feedsmith");
  const feed = parseRssFeed(body);
  return {
    parser: "feedsmith",
    title: text(feed.title),
    items: (feed.items ?? []).map((item) => ({
      id: text(item.guid?.value),
      link: text(item.link),
      title: text(item.title),
      published: isoDate(item.pubDate),
    })),
  };
}

async function feedsmithAtom(body: string): Promise<ParsedFeed> {
  const { parseAtomFeed } = await import("feedsmith");
  const feed = parseAtomFeed(body);
  return {
    parser: "feedsmith",
    title: text(feed.title?.value),
    items: (feed.entries ?? []).map((entry) => ({
      id: text(entry.id),
      link: text(entry.links?.find((link) => (link.rel ?? "alternate") === "alternate")?.href),
      title: text(entry.title?.value),
      published: isoDate(entry.published),
    })),
  };
}

async function feedsmithJson(body: string): Promise<ParsedFeed> {
  const { parseJsonFeed } = await import("feedsmith");
  const feed = parseJsonFeed(JSON.parse(body));
  return {
    parser: "feedsmith",
    title: text(feed.title),
    items: (feed.items ?? []).map((item) => ({
      id: text(item.id),
      link: text(item.url),
      title: text(item.title),
      published: isoDate(item.date_published),
    })),
  };
}

// --- rss-parser (RSS and Atom only) ----------------------------------------------------------------

async function rssParser(body: string): Promise<ParsedFeed> {
  const { default: RssParser } = await import("rss-parser");
  const feed = await new RssParser().parseString(body);
  return {
    parser: "rss-parser",
    title: text(feed.title),
    items: feed.items.map((item) => ({
      // RSS items carry `guid`, Atom entries `id`.
      id: text(item.guid ?? item.id),
      link: text(item.link),
      title: text(item.title),
      published: isoDate(item.isoDate),
    })),
  };
}

// --- @extractus/feed-extractor ---------------------------------------------------------------------

type Raw = Record<string, unknown>;

function alternateHref(links: unknown): unknown {
  const list = (Array.isArray(links) ? links : [links]) as Raw[];
  const link = list.find((l) => typeof l === "object" && (l["@_rel"] ?? "alternate") === "alternate");
  return link?.["@_href"];
}

const EXTRACTOR_OPTIONS: ParserOptions = {
  descriptionMaxLen: 0,
  xmlParserOptions: { processEntities: false, parseTagValue: false },
  getExtraEntryFields: (entry) => ({
    // Atom only (RSS items have neither): the entry's own published date and alternate link.
    atomPublished: entry.published,
    atomLink: typeof entry.link === "object" ? alternateHref(entry.link) : undefined,
  }),
};

function extractorFeed(feed: FeedData, format: FeedFormat): ParsedFeed {
  return {
    parser: "feed-extractor",
    title: text(feed.title),
    items: (feed.entries ?? []).map((entry) => ({
      id: text(entry.id),
      link: text(format === "atom" ? unescapeAttr(entry.atomLink) : entry.link),
      title: text(entry.title),
      published: isoDate(format === "atom" ? entry.atomPublished : entry.published),
    })),
  };
}

const XML_ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

/** Raw attribute values come back undecoded with `processEntities: false`: decode them once. */
function unescapeAttr(value: unknown): string {
  return text(value).replace(/&(?:#x([0-9a-fA-F]+)|#(\d+)|(\w+));/g, (ref, hex, dec, name) => {
    if (hex !== undefined) return String.fromCodePoint(Number.parseInt(hex, 16));
    if (dec !== undefined) return String.fromCodePoint(Number.parseInt(dec, 10));
    return XML_ENTITIES[name] ?? ref;
  });
}

async function feedExtractor(format: FeedFormat, body: string): Promise<ParsedFeed> {
  const { extractFromJson, extractFromXml } = await import("@extractus/feed-extractor");
  const feed =
    format === "json" ? extractFromJson(body, EXTRACTOR_OPTIONS) : extractFromXml(body, EXTRACTOR_OPTIONS);
  return extractorFeed(feed, format);
}

/** Parses `body` with every installed parser that reads `format` (at least two each). */
export async function parseWithAll(format: FeedFormat, body: string): Promise<ParsedFeed[]> {
  switch (format) {
    case "rss":
      return Promise.all([feedsmithRss(body), rssParser(body), feedExtractor(format, body)]);
    case "atom":
      return Promise.all([feedsmithAtom(body), rssParser(body), feedExtractor(format, body)]);
    case "json":
      return Promise.all([feedsmithJson(body), feedExtractor(format, body)]);
  }
}

// --- JSON Feed 1.1 ---------------------------------------------------------------------------------

const JSON_FEED_11 = "https://jsonfeed.org/version/1.1";
/** RFC 3339 §5.6 date-time. */
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;

function isString(value: unknown): value is string {
  return typeof value === "string";
}

function isAbsoluteUrl(value: unknown): boolean {
  return isString(value) && URL.canParse(value);
}

function checkAuthors(where: string, authors: unknown, problems: string[]): void {
  if (!Array.isArray(authors)) {
    problems.push(`${where}.authors is not an array`);
    return;
  }
  authors.forEach((author: Raw, i) => {
    if (typeof author !== "object" || author === null)
      problems.push(`${where}.authors[${i}] is not an object`);
    else if (![author.name, author.url, author.avatar].some(isString)) {
      problems.push(`${where}.authors[${i}] has no name, url or avatar`);
    }
  });
}

function checkItem(item: Raw, i: number, problems: string[]): void {
  const where = `items[${i}]`;
  if (!isString(item.id) || item.id === "") problems.push(`${where}.id is not a non-empty string`);
  if (!isString(item.content_html) && !isString(item.content_text)) {
    problems.push(`${where} has neither content_html nor content_text`);
  }
  for (const key of ["date_published", "date_modified"]) {
    const value = item[key];
    if (value !== undefined && !(isString(value) && RFC3339.test(value))) {
      problems.push(`${where}.${key} is not RFC 3339: ${JSON.stringify(value)}`);
    }
  }
  for (const key of ["url", "external_url"]) {
    if (item[key] !== undefined && !isAbsoluteUrl(item[key])) problems.push(`${where}.${key} is not a URL`);
  }
  for (const key of ["title", "summary"]) {
    if (item[key] !== undefined && !isString(item[key])) problems.push(`${where}.${key} is not a string`);
  }
  if (item.tags !== undefined && !(Array.isArray(item.tags) && item.tags.every(isString))) {
    problems.push(`${where}.tags is not an array of strings`);
  }
  if ("author" in item) problems.push(`${where} uses the deprecated singular author`);
  if (item.authors !== undefined) checkAuthors(where, item.authors, problems);
}

/**
 * Throws, listing every problem, unless `body` is a JSON Feed 1.1 document with what public feeds
 * need: version, title, home_page_url, feed_url (never equal to next_url), language, an authors array,
 * and items with unique string ids, content, and RFC 3339 dates.
 */
export function assertJsonFeed11(body: string): void {
  const feed = JSON.parse(body) as Raw;
  const problems: string[] = [];
  if (feed.version !== JSON_FEED_11) problems.push(`version is ${JSON.stringify(feed.version)}`);
  if (!isString(feed.title) || feed.title === "") problems.push("title is not a non-empty string");
  if (!isAbsoluteUrl(feed.home_page_url)) problems.push("home_page_url is not a URL");
  if (!isAbsoluteUrl(feed.feed_url)) problems.push("feed_url is not a URL");
  if (feed.next_url !== undefined && feed.next_url === feed.feed_url)
    problems.push("next_url equals feed_url");
  if (!isString(feed.language) || feed.language === "") problems.push("language is missing");
  if ("author" in feed) problems.push("feed uses the deprecated singular author");
  checkAuthors("feed", feed.authors, problems);
  if (!Array.isArray(feed.items)) {
    problems.push("items is not an array");
  } else {
    for (const [i, item] of feed.items.entries()) checkItem(item, i, problems);
    const ids = feed.items.map((item: Raw) => item.id);
    if (new Set(ids).size !== ids.length) problems.push("item ids are not unique");
  }
  if (problems.length > 0) throw new Error(`not a valid JSON Feed 1.1 document:\n- ${problems.join("\n- ")}`);
}
