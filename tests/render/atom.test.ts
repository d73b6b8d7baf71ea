import { describe, expect, it } from "vitest";
import type { FeedView } from "../../src/model";
import { renderAtom } from "../../src/render/atom";
import { stripInvalidXmlChars } from "../../src/render/xml";
import { assertWellFormedXml } from "../helpers/feed-parsers";
import { makeView, newestUpdate } from "./fixture";
import { childrenNamed, onlyChild, parseXmlTree, type XmlElement } from "./xml-tree";

const ATOM = "http://www.w3.org/2005/Atom";

function feedOf(view: FeedView): XmlElement {
  const xml = renderAtom(view);
  assertWellFormedXml(xml);
  return parseXmlTree(xml);
}

const textOf = (element: XmlElement, name: string) => onlyChild(element, name).text;
const entriesOf = (view: FeedView) => childrenNamed(feedOf(view), "entry");
const people = (element: XmlElement) =>
  childrenNamed(element, "author").map((author) =>
    Object.fromEntries(author.children.map((child) => [child.name, child.text])),
  );

describe("renderAtom", () => {
  it("is an Atom feed in the site's language", () => {
    const feed = feedOf(makeView());
    expect(feed.uri).toBe(ATOM);
    expect(feed.local).toBe("feed");
    expect(feed.attributes["xml:lang"]).toBe("zh-CN");
    // Every element is in the Atom namespace.
    const all = (e: XmlElement): XmlElement[] => [e, ...e.children.flatMap(all)];
    expect(new Set(all(feed).map((e) => e.uri))).toEqual(new Set([ATOM]));
  });

  it("has exactly one id, title, updated, and a subtitle", () => {
    const view = makeView();
    const feed = feedOf(view);
    expect(textOf(feed, "id")).toBe(view.id);
    expect(onlyChild(feed, "title").attributes).toEqual({ type: "text" });
    expect(textOf(feed, "title")).toBe(view.title);
    expect(onlyChild(feed, "subtitle").attributes).toEqual({ type: "text" });
    expect(textOf(feed, "subtitle")).toBe(view.description);
    expect(textOf(feed, "generator")).toBe("feed-publisher");
  });

  it("is updated when its newest item was", () => {
    const view = makeView();
    expect(textOf(feedOf(view), "updated")).toBe(newestUpdate(view));
    expect(newestUpdate(view)).toBe("2024-05-03T10:15:00Z");
  });

  it("links to itself and to the home page", () => {
    const view = makeView();
    expect(childrenNamed(feedOf(view), "link").map((link) => link.attributes)).toEqual([
      { rel: "alternate", type: "text/html", href: view.homePageUrl },
      { rel: "self", type: "application/atom+xml", href: view.urls.atom },
    ]);
  });

  it("has a feed author: the site's, or the site title when the site has none", () => {
    expect(people(feedOf(makeView()))).toEqual([
      { name: "Site Owner", uri: "https://example.com/about", email: "owner@example.com" },
    ]);
    const view = makeView();
    delete view.site.author;
    view.description = "";
    const feed = feedOf(view);
    expect(people(feed)).toEqual([{ name: "示例博客" }]);
    expect(childrenNamed(feed, "subtitle")).toEqual([]);
  });

  it("writes entries in order with id, text title, dates and an alternate link", () => {
    const view = makeView();
    const entries = entriesOf(view);
    expect(entries.map((entry) => textOf(entry, "id"))).toEqual(view.items.map((post) => post.id));
    expect(entries.map((entry) => onlyChild(entry, "title").attributes.type)).toEqual([
      "text",
      "text",
      "text",
    ]);
    expect(entries.map((entry) => textOf(entry, "published"))).toEqual(view.items.map((p) => p.published));
    expect(entries.map((entry) => textOf(entry, "updated"))).toEqual(view.items.map((p) => p.updated));
    expect(entries.map((entry) => onlyChild(entry, "link").attributes)).toEqual(
      view.items.map((post) => ({ rel: "alternate", type: "text/html", href: post.link })),
    );
  });

  it("writes a text summary and escaped HTML content", () => {
    const view = makeView();
    const [hostile, anonymous] = entriesOf(view) as [XmlElement, XmlElement];
    expect(onlyChild(hostile, "summary").attributes).toEqual({ type: "text" });
    const content = onlyChild(hostile, "content");
    expect(content.attributes).toEqual({ type: "html" });
    expect(content.children).toEqual([]);
    expect(content.text).toBe(stripInvalidXmlChars(view.items[0]?.contentHtml ?? ""));
    expect(childrenNamed(anonymous, "summary")).toEqual([]);
  });

  it("writes one category term per distinct category or tag, escaped", () => {
    const entries = entriesOf(makeView());
    expect(entries.map((entry) => childrenNamed(entry, "category").map((c) => c.attributes))).toEqual([
      [{ term: "金融 新闻" }, { term: 'a < b & "c"' }, { term: "中文" }],
      [{ term: "tag with spaces" }],
      [{ term: "notes" }],
    ]);
  });

  it("writes entry authors, and none for an entry without authors", () => {
    expect(entriesOf(makeView()).map(people)).toEqual([
      [{ name: "张三", uri: "https://example.com/zhang", email: "zhang@example.com" }],
      [],
      [{ name: "Ann O'Neil" }, { name: "李四", uri: "https://example.com/lisi" }],
    ]);
  });

  it("normalizes dates to UTC without fractions", () => {
    const view = makeView();
    const post = view.items[0];
    if (!post) throw new Error("fixture has items");
    post.published = "2024-05-02T16:00:00.250+08:00";
    expect(textOf(entriesOf(view)[0] as XmlElement, "published")).toBe("2024-05-02T08:00:00Z");
  });
});
