/**
 * Finding the feeds: `/`, a small HTML page listing every feed with `<link rel="alternate">` tags
 * (what browsers and readers detect), and `/feeds.opml`, an OPML 2.0 subscription list of every
 * category and tag feed in one format. Both are rendered at build time for every state of the
 * manifest's timeline, so a scheduled post that opens a new tag lists it at its instant.
 */
import {
  CONTENT_TYPES,
  FEED_FORMATS,
  type FeedFormat,
  type FeedScope,
  type Manifest,
  type ManifestEntry,
  type Site,
} from "../model";
import { DISCOVERY_PATH, feedPath, OPML_PATH, opmlPath } from "../paths";
import { emptyElement, escapeText, openTag, textElement, XML_DECLARATION } from "../render/xml";
import { copyDocuments, type Documents } from "./document-store";
import type { RenderedSite } from "./documents";
import { feedView } from "./feeds";
import { parseFeedPath, routeTimeline, sortedByPath, storeDocument } from "./manifest-routes";

/** One feed as the discovery page and the OPML list name it. */
export interface FeedListing {
  scope: FeedScope;
  /** The feed's own title (the one its documents carry). */
  title: string;
  description: string;
  /** Public URL of each format that is published. */
  urls: Partial<Record<FeedFormat, string>>;
}

/** Every feed of a site at one moment: what the discovery documents are rendered from. */
export interface FeedDirectory {
  site: Site;
  /** The site feed first, then categories, then tags, each sorted by name (code points). */
  feeds: FeedListing[];
  /** HTTP-date of the newest item in any feed (the latest `Last-Modified`), never the build time. */
  updated: string;
}

/** Human names of the formats, in link texts and titles. */
export const FORMAT_LABELS: Record<FeedFormat, string> = { rss: "RSS", atom: "Atom", json: "JSON Feed" };

/** `lang` and `charset` are declared in the page itself too (HTML §4.2.5.4). */
export const DISCOVERY_CONTENT_TYPE = "text/html; charset=utf-8";

/**
 * OPML has no registered media type (the OPML 2.0 spec names none). `text/x-opml` is the one feed
 * readers and OPML tools use and recognize for subscription lists, where `application/xml` would only
 * say "some XML"; `charset` is explicit because a `text/*` type without one may be read as US-ASCII
 * (RFC 2046 §4.1.2).
 */
export const OPML_CONTENT_TYPE = "text/x-opml; charset=utf-8";

/** The format `/feeds.opml` lists without `?format=`. */
export const DEFAULT_OPML_FORMAT: FeedFormat = "atom";

/**
 * The feeds published under `routes` (subscription documents only: archive pages and aliases are not
 * listed), titled as their documents are; `undefined` when there is none.
 */
export function feedDirectory(site: Site, routes: Manifest["routes"]): FeedDirectory | undefined {
  const feeds = new Map<string, FeedListing>();
  let updated: string | undefined;
  let updatedTime = Number.NEGATIVE_INFINITY;
  for (const [path, entry] of Object.entries(routes)) {
    // Archive pages are most routes: skipped before their paths are parsed.
    if (entry.archive || entry.canonical) continue;
    const route = parseFeedPath(path);
    if (!route) continue;
    const id = feedPath(route.scope, "atom");
    let listing = feeds.get(id);
    if (!listing) {
      const view = feedView(site, route.scope, []);
      listing = { scope: route.scope, title: view.title, description: view.description, urls: {} };
      feeds.set(id, listing);
    }
    listing.urls[route.format] = site.url + path;
    const time = Date.parse(entry.lastModified);
    if (updated === undefined || time > updatedTime) {
      updated = entry.lastModified;
      updatedTime = time;
    }
  }
  if (updated === undefined) return undefined;
  return { site, feeds: [...feeds.values()].sort(byScope), updated };
}

const KIND_ORDER = { site: 0, category: 1, tag: 2 } as const;

function byScope(a: FeedListing, b: FeedListing): number {
  const kinds = KIND_ORDER[a.scope.kind] - KIND_ORDER[b.scope.kind];
  if (kinds !== 0) return kinds;
  const x = nameOf(a.scope);
  const y = nameOf(b.scope);
  return x < y ? -1 : x > y ? 1 : 0;
}

function nameOf(scope: FeedScope): string {
  return scope.kind === "site" ? "" : scope.name;
}

/** The media type without parameters, as `<link type>` and `<a type>` want it. */
function mediaType(format: FeedFormat): string {
  return CONTENT_TYPES[format].split(";")[0] ?? "";
}

/**
 * The discovery page: HTML5 (and well-formed XML, so it can be checked like the feeds), UTF-8, no
 * scripts, every text escaped, absolute URLs only. Its head has one `<link rel="alternate">` per feed
 * and format (HTML §4.6.7.1: "alternate" with a feed media type is a feed), its body lists the feeds
 * with a link to each format and to the OPML lists.
 */
export function renderDiscoveryPage(directory: FeedDirectory): string {
  const { site, feeds } = directory;
  const alternates = feeds.flatMap((feed) =>
    FEED_FORMATS.flatMap((format) => {
      const href = feed.urls[format];
      if (href === undefined) return [];
      const title = `${feed.title} (${FORMAT_LABELS[format]})`;
      return [emptyElement("link", { rel: "alternate", type: mediaType(format), title, href })];
    }),
  );
  const section = (heading: string, kind: FeedScope["kind"], empty: string) => {
    const listed = feeds.filter((feed) => feed.scope.kind === kind);
    const body =
      listed.length === 0 ? textElement("p", empty) : `<ul>\n${listed.map(listItem).join("\n")}\n</ul>`;
    return `${textElement("h2", heading)}\n${body}`;
  };
  const opmlLinks = FEED_FORMATS.map((format) =>
    textElement("a", FORMAT_LABELS[format], { href: site.url + opmlPath(format), type: "text/x-opml" }),
  ).join(" · ");
  return [
    "<!DOCTYPE html>",
    openTag("html", { lang: site.language }),
    "<head>",
    emptyElement("meta", { charset: "utf-8" }),
    emptyElement("meta", { name: "viewport", content: "width=device-width, initial-scale=1" }),
    textElement("title", `${site.title}: feeds`),
    ...(site.description ? [emptyElement("meta", { name: "description", content: site.description })] : []),
    ...alternates,
    "<style>body{font:16px/1.5 system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem}</style>",
    "</head>",
    "<body>",
    "<main>",
    textElement("h1", site.title),
    ...(site.description ? [textElement("p", site.description)] : []),
    section("Whole site", "site", "No posts yet."),
    section("Categories", "category", "No categories."),
    section("Tags", "tag", "No tags."),
    textElement("h2", "All category and tag feeds at once"),
    `<p>OPML subscription list, pointing at: ${opmlLinks}</p>`,
    "</main>",
    "</body>",
    "</html>",
    "",
  ].join("\n");
}

function listItem(feed: FeedListing): string {
  const label = feed.scope.kind === "site" ? feed.title : feed.scope.name;
  const links = FEED_FORMATS.flatMap((format) => {
    const href = feed.urls[format];
    return href === undefined
      ? []
      : [textElement("a", FORMAT_LABELS[format], { href, type: mediaType(format) })];
  });
  return `<li>${escapeText(label)}: ${links.join(" · ")}</li>`;
}

/**
 * OPML 2.0 (opml.org/spec2.opml): `head` with the list's title and `dateCreated` (RFC 822, the newest
 * item's date, so an unchanged site gives the same bytes), `body` with two parent outlines,
 * "Categories" and "Tags", each holding one subscription outline per feed (`type="rss"` is what the
 * spec calls every subscription outline, whatever the format; `text` and `xmlUrl` are required).
 */
export function renderOpml(directory: FeedDirectory, format: FeedFormat): string {
  const { site, feeds } = directory;
  const group = (text: string, kind: FeedScope["kind"]) => {
    const outlines = feeds.flatMap((feed) => {
      const xmlUrl = feed.urls[format];
      if (feed.scope.kind !== kind || xmlUrl === undefined) return [];
      return [
        `    ${emptyElement("outline", {
          type: "rss",
          text: feed.title,
          title: feed.title,
          ...(format === "rss" ? { version: "RSS2" } : {}),
          description: feed.description,
          xmlUrl,
          htmlUrl: `${site.url}/`,
        })}`,
      ];
    });
    if (outlines.length === 0) return [`  ${emptyElement("outline", { text, title: text })}`];
    return [`  ${openTag("outline", { text, title: text })}`, ...outlines, "  </outline>"];
  };
  return [
    XML_DECLARATION,
    '<opml version="2.0">',
    "<head>",
    `  ${textElement("title", `${site.title}: category and tag feeds (${FORMAT_LABELS[format]})`)}`,
    `  ${textElement("dateCreated", directory.updated)}`,
    `  ${textElement("docs", "http://opml.org/spec2.opml")}`,
    "</head>",
    "<body>",
    ...group("Categories", "category"),
    ...group("Tags", "tag"),
    "</body>",
    "</opml>",
    "",
  ].join("\n");
}

const encoder = new TextEncoder();

/** The discovery routes (`/` and every `/feeds.opml` variant) for one directory, stored in `documents`. */
export function discoveryRoutes(
  directory: FeedDirectory,
  documents: Documents,
): Record<string, ManifestEntry> {
  const store = (text: string, contentType: string) =>
    storeDocument(documents, encoder.encode(text), contentType, directory.updated);
  const routes: Record<string, ManifestEntry> = {
    [DISCOVERY_PATH]: store(renderDiscoveryPage(directory), DISCOVERY_CONTENT_TYPE),
  };
  for (const format of FEED_FORMATS) {
    routes[opmlPath(format)] = store(renderOpml(directory, format), OPML_CONTENT_TYPE);
  }
  const fallback = routes[opmlPath(DEFAULT_OPML_FORMAT)];
  if (fallback) routes[OPML_PATH] = fallback;
  return routes;
}

/**
 * Adds the discovery page and the OPML lists to the manifest, rendered for the feeds in force before
 * any scheduled change and again after each change that alters them (the changed entries go into
 * that `schedule` entry). The input is not modified.
 */
export function addDiscoveryDocuments(rendered: RenderedSite, site: Site): RenderedSite {
  const documents = copyDocuments(rendered.documents);
  const states = routeTimeline(rendered.manifest).map((routes) => {
    const directory = feedDirectory(site, routes);
    return directory ? discoveryRoutes(directory, documents) : {};
  });
  const [initial = {}, ...later] = states;
  const manifest: Manifest = {
    ...rendered.manifest,
    routes: sortedByPath({ ...rendered.manifest.routes, ...initial }),
  };
  if (rendered.manifest.schedule) {
    let before = initial;
    manifest.schedule = rendered.manifest.schedule.map((change, i) => {
      const after = later[i] ?? {};
      const changed = changedRoutes(before, after);
      before = after;
      return { ...change, routes: sortedByPath({ ...change.routes, ...changed }) };
    });
  }
  return { ...rendered, manifest, documents };
}

/** What turns routes `before` into `after`: changed or new entries, and `null` for removed ones. */
function changedRoutes(
  before: Record<string, ManifestEntry>,
  after: Record<string, ManifestEntry>,
): Record<string, ManifestEntry | null> {
  const changed: Record<string, ManifestEntry | null> = {};
  for (const [path, entry] of Object.entries(after)) {
    if (JSON.stringify(before[path]) !== JSON.stringify(entry)) changed[path] = entry;
  }
  for (const path of Object.keys(before)) if (!(path in after)) changed[path] = null;
  return changed;
}
