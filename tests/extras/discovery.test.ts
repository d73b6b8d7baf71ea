/** The discovery page and the OPML lists: every feed listed, valid markup, escaped text, dates of items. */
import { beforeAll, describe, expect, it } from "vitest";
import {
  addDiscoveryDocuments,
  DISCOVERY_CONTENT_TYPE,
  feedDirectory,
  OPML_CONTENT_TYPE,
  renderDiscoveryPage,
  renderOpml,
} from "../../src/build/discovery";
import { feedScopes } from "../../src/build/feeds";
import { parseFeedPath } from "../../src/build/manifest-routes";
import { type BuildResult, buildSite } from "../../src/build/site";
import { FEED_FORMATS } from "../../src/model";
import { DISCOVERY_PATH, feedPath, OPML_PATH, opmlPath } from "../../src/paths";
import { documentAt } from "../helpers/check-build";
import { assertWellFormedXml } from "../helpers/feed-parsers";
import { parseXmlTree } from "../render/xml-tree";
import { elementsNamed, feedRoutes, handMadeSite, SITE } from "./fixture";

let result: BuildResult;
beforeAll(async () => {
  result = await buildSite("content", { now: new Date("2026-01-01T00:00:00Z") });
}, 60_000);

/** Public URLs of the subscription documents of the build (aliases and archive pages left out). */
function feedUrls(build: BuildResult): string[] {
  return Object.keys(build.manifest.routes)
    .filter((path) => parseFeedPath(path) !== undefined)
    .map((path) => build.manifest.siteUrl + path);
}

describe("the discovery page of content/", () => {
  it("is served at / as UTF-8 HTML, dated by the newest item", () => {
    const entry = result.manifest.routes[DISCOVERY_PATH];
    expect(entry?.contentType).toBe(DISCOVERY_CONTENT_TYPE);
    expect(entry?.lastModified).toBe(result.manifest.routes["/atom.xml"]?.lastModified);
  });

  it("is an HTML5 document with the site's language, a title and no scripts", () => {
    const page = documentAt(result, DISCOVERY_PATH);
    expect(page.startsWith("<!DOCTYPE html>\n")).toBe(true);
    const html = parseXmlTree(page);
    expect(html.name).toBe("html");
    expect(html.attributes.lang).toBe("zh-CN");
    expect(elementsNamed(html, "meta")[0]?.attributes.charset).toBe("utf-8");
    expect(elementsNamed(html, "title")[0]?.text).toBe("港湾财经 Harbour Ledger: feeds");
    expect(elementsNamed(html, "script")).toEqual([]);
    expect(page).not.toMatch(/<script|javascript:|\son\w+=/i);
  });

  it("has a <link rel=alternate> with type and title for every format of every feed", () => {
    const html = parseXmlTree(documentAt(result, DISCOVERY_PATH));
    const links = elementsNamed(html, "link").filter((l) => l.attributes.rel === "alternate");
    expect(links.map((l) => l.attributes.href).sort()).toEqual(feedUrls(result).sort());
    expect(links).toHaveLength(result.feeds * 3);
    for (const link of links) {
      const path = (link.attributes.href ?? "").slice(result.manifest.siteUrl.length);
      const type = result.manifest.routes[path]?.contentType.split(";")[0];
      expect(link.attributes.type, path).toBe(type);
      expect(link.attributes.title, path).toMatch(/^港湾财经 Harbour Ledger.* \((RSS|Atom|JSON Feed)\)$/);
    }
  });

  it("lists every category and tag, sorted, with a link to each of its three formats", () => {
    const html = parseXmlTree(documentAt(result, DISCOVERY_PATH));
    const anchors = elementsNamed(html, "a").map((a) => a.attributes.href ?? "");
    const feedAnchors = anchors.filter((href) => !href.includes("/feeds.opml"));
    expect(feedAnchors.sort()).toEqual(feedUrls(result).sort());
    for (const href of anchors) expect(href.startsWith(`${result.manifest.siteUrl}/`), href).toBe(true);
    const items = elementsNamed(html, "li").map((li) => li.text.replace(/:\s*[·\s]*$/, ""));
    const categories = result.site.posts.flatMap((p) => p.categories);
    const tags = result.site.posts.flatMap((p) => p.tags);
    const sorted = (names: string[]) => [...new Set(names)].sort();
    expect(items).toEqual(["港湾财经 Harbour Ledger", ...sorted(categories), ...sorted(tags)]);
    expect(items).toContain("market open");
    expect(items).toContain("宏观新闻");
    expect(anchors).toContain(`${result.manifest.siteUrl}/feeds.opml?format=atom`);
  });
});

describe("the OPML lists of content/", () => {
  it.each(FEED_FORMATS)("lists every category and tag feed in %s, as valid OPML 2.0", (format) => {
    const path = opmlPath(format);
    expect(result.manifest.routes[path]?.contentType).toBe(OPML_CONTENT_TYPE);
    const text = documentAt(result, path);
    assertWellFormedXml(text);
    const opml = parseXmlTree(text);
    expect(opml.name).toBe("opml");
    expect(opml.attributes.version).toBe("2.0");
    const [head, body] = opml.children;
    expect(head?.name).toBe("head");
    expect(elementsNamed(opml, "title")[0]?.text).toContain("港湾财经 Harbour Ledger");
    // RFC 822, the newest item's date: the same as the site feed's Last-Modified, not the build time.
    expect(elementsNamed(opml, "dateCreated")[0]?.text).toBe(
      result.manifest.routes["/atom.xml"]?.lastModified,
    );
    expect(body?.children.map((o) => o.attributes.text)).toEqual(["Categories", "Tags"]);
    const [categories, tags] = body?.children ?? [];
    // In the order of the feeds' names (code points), as the build lists scopes.
    const expected = (kind: "category" | "tag") =>
      feedScopes(result.site.posts)
        .filter((scope) => scope.kind === kind)
        .map((scope) => result.manifest.siteUrl + feedPath(scope, format));
    expect(categories?.children.map((o) => o.attributes.xmlUrl)).toEqual(expected("category"));
    expect(tags?.children.map((o) => o.attributes.xmlUrl)).toEqual(expected("tag"));
    for (const outline of [...(categories?.children ?? []), ...(tags?.children ?? [])]) {
      expect(outline.attributes.type).toBe("rss");
      expect(outline.attributes.text).toMatch(/^港湾财经 Harbour Ledger · /);
      expect(outline.attributes.title).toBe(outline.attributes.text);
      expect(outline.attributes.htmlUrl).toBe("https://ledger.example.org/");
    }
  });

  it("serves the Atom list at /feeds.opml", () => {
    expect(result.manifest.routes[OPML_PATH]).toEqual(result.manifest.routes[opmlPath("atom")]);
  });
});

describe("feedDirectory", () => {
  const hard = { kind: "category", name: `<b>&"x"'` } as const;
  const rendered = handMadeSite({
    ...feedRoutes("/", "Mon, 01 Jan 2024 00:00:00 GMT"),
    ...feedRoutes(feedPath(hard, "rss").replace("rss.xml", ""), "Wed, 03 Jan 2024 00:00:00 GMT"),
    ...feedRoutes("/tag/b/", "Tue, 02 Jan 2024 00:00:00 GMT"),
    "/tag/b/archive/1/atom.xml": "Sat, 01 Jan 2000 00:00:00 GMT",
  });
  rendered.manifest.routes["/feed.xml"] = {
    ...(rendered.manifest.routes["/atom.xml"] ?? ({} as never)),
    canonical: "/atom.xml",
  };

  it("lists subscription documents only, site first, dated by the newest", () => {
    const directory = feedDirectory(SITE, rendered.manifest.routes);
    expect(directory?.feeds.map((f) => f.scope)).toEqual([
      { kind: "site" },
      hard,
      { kind: "tag", name: "b" },
    ]);
    expect(directory?.updated).toBe("Wed, 03 Jan 2024 00:00:00 GMT");
    expect(directory?.feeds[1]?.title).toBe(`Hand & Made <Site> · <b>&"x"'`);
    expect(directory?.feeds[1]?.urls.json).toBe(`https://hand.example/blog${feedPath(hard, "json")}`);
  });

  it("escapes every name and title on the page and in OPML", () => {
    const directory = feedDirectory(SITE, rendered.manifest.routes);
    if (!directory) throw new Error("no feeds");
    const page = renderDiscoveryPage(directory);
    expect(page).not.toContain("<b>");
    expect(page).toContain("&lt;b&gt;&amp;&quot;x&quot;&apos;");
    const html = parseXmlTree(page);
    expect(elementsNamed(html, "h1")[0]?.text).toBe("Hand & Made <Site>");
    expect(elementsNamed(html, "li")[1]?.text).toMatch(/^<b>&"x"':/);
    const opml = parseXmlTree(renderOpml(directory, "json"));
    expect(elementsNamed(opml, "outline")[1]?.attributes.title).toBe(`Hand & Made <Site> · <b>&"x"'`);
    expect(elementsNamed(opml, "outline").filter((o) => o.attributes.type === "rss")).toHaveLength(2);
  });

  it("has nothing to list without feeds", () => {
    expect(feedDirectory(SITE, {})).toBeUndefined();
    const site = handMadeSite({});
    expect(addDiscoveryDocuments(site, SITE).manifest.routes).toEqual({});
  });
});

describe("discovery documents over a schedule", () => {
  const rendered = handMadeSite(feedRoutes("/tag/a/", "Mon, 01 Jan 2024 00:00:00 GMT"), [
    // A new tag appears: the page and the lists change.
    { from: "2030-01-01T00:00:00Z", routes: feedRoutes("/tag/b/", "Tue, 01 Jan 2030 00:00:00 GMT") },
    // Only an archive page changes: nothing to re-list, and no newer date.
    {
      from: "2030-02-01T00:00:00Z",
      routes: { "/tag/a/archive/1/atom.xml": "Sat, 01 Jan 2000 00:00:00 GMT" },
    },
    // The only tag with posts left is removed: nothing to discover.
    {
      from: "2030-03-01T00:00:00Z",
      routes: Object.fromEntries(
        Object.keys({ ...feedRoutes("/tag/a/", ""), ...feedRoutes("/tag/b/", "") }).map((p) => [p, null]),
      ),
    },
  ]);
  const out = addDiscoveryDocuments(rendered, SITE);
  const decode = (key: string | undefined) => new TextDecoder().decode(out.documents.get(key ?? ""));

  it("renders them for the routes in force at first", () => {
    const page = decode(out.manifest.routes[DISCOVERY_PATH]?.key);
    expect(page).toContain("/tag/a/atom.xml");
    expect(page).not.toContain("/tag/b/atom.xml");
  });

  it("renders them again at each change that alters them, and only then", () => {
    const [added, archived, removed] = out.manifest.schedule ?? [];
    const paths = [DISCOVERY_PATH, OPML_PATH, ...FEED_FORMATS.map(opmlPath)].sort();
    expect(Object.keys(added?.routes ?? {}).filter((p) => !parseFeedPath(p))).toEqual(paths);
    expect(decode(added?.routes[DISCOVERY_PATH]?.key)).toContain("/tag/b/atom.xml");
    expect(added?.routes[OPML_PATH]?.lastModified).toBe("Tue, 01 Jan 2030 00:00:00 GMT");
    expect(decode(added?.routes[opmlPath("rss")]?.key)).toContain(
      "<dateCreated>Tue, 01 Jan 2030 00:00:00 GMT</dateCreated>",
    );
    expect(Object.keys(archived?.routes ?? {})).toEqual(["/tag/a/archive/1/atom.xml"]);
    for (const path of paths) expect(removed?.routes[path], path).toBeNull();
  });

  it("keeps the input as it was", () => {
    expect(rendered.manifest.routes[DISCOVERY_PATH]).toBeUndefined();
    expect(Object.keys(rendered.manifest.schedule?.[0]?.routes ?? {})).toHaveLength(3);
  });
});
