import { describe, expect, it } from "vitest";
import type { FeedView } from "../../src/model";
import { renderRss } from "../../src/render/rss";
import { stripInvalidXmlChars } from "../../src/render/xml";
import { assertWellFormedXml } from "../helpers/feed-parsers";
import { makeView, newestUpdate } from "./fixture";
import { childrenNamed, onlyChild, parseXmlTree, type XmlElement } from "./xml-tree";

const ATOM = "http://www.w3.org/2005/Atom";
const CONTENT = "http://purl.org/rss/1.0/modules/content/";
const DC = "http://purl.org/dc/elements/1.1/";

function channelOf(view: FeedView): XmlElement {
  const xml = renderRss(view);
  assertWellFormedXml(xml);
  const rss = parseXmlTree(xml);
  expect(rss.name).toBe("rss");
  return onlyChild(rss, "channel");
}

const textOf = (element: XmlElement, name: string) => onlyChild(element, name).text;

describe("renderRss", () => {
  it("starts with the XML declaration and declares the namespaces it uses", () => {
    const xml = renderRss(makeView());
    expect(xml.startsWith('<?xml version="1.0" encoding="utf-8"?>\n<rss ')).toBe(true);
    expect(parseXmlTree(xml).attributes).toEqual({
      version: "2.0",
      "xmlns:atom": ATOM,
      "xmlns:content": CONTENT,
      "xmlns:dc": DC,
    });
  });

  it("writes the channel from the view", () => {
    const view = makeView();
    const channel = channelOf(view);
    expect(textOf(channel, "title")).toBe(view.title);
    expect(textOf(channel, "link")).toBe(view.homePageUrl);
    expect(textOf(channel, "description")).toBe(view.description);
    expect(textOf(channel, "language")).toBe("zh-CN");
    expect(textOf(channel, "generator")).toBe("feed-publisher");
    expect(textOf(channel, "managingEditor")).toBe("owner@example.com (Site Owner)");
  });

  it("dates the channel with the newest item, not the build time", () => {
    const view = makeView();
    expect(textOf(channelOf(view), "lastBuildDate")).toBe("Fri, 03 May 2024 10:15:00 GMT");
    expect(new Date(textOf(channelOf(view), "lastBuildDate")).toISOString()).toBe(
      new Date(newestUpdate(view)).toISOString(),
    );
  });

  it("links to itself with atom:link rel=self", () => {
    const view = makeView();
    const self = onlyChild(channelOf(view), "atom:link");
    expect(self.uri).toBe(ATOM);
    expect(self.attributes).toEqual({ href: view.urls.rss, rel: "self", type: "application/rss+xml" });
  });

  it("falls back to the title for an empty description and omits managingEditor without an e-mail", () => {
    const view = makeView();
    view.description = "";
    view.site.author = { name: "No Mail" };
    const channel = channelOf(view);
    expect(textOf(channel, "description")).toBe(view.title);
    expect(childrenNamed(channel, "managingEditor")).toEqual([]);
  });

  it("writes items in the given order with an opaque guid", () => {
    const view = makeView();
    const items = childrenNamed(channelOf(view), "item");
    expect(items.map((item) => onlyChild(item, "guid").text)).toEqual(view.items.map((post) => post.id));
    for (const item of items) expect(onlyChild(item, "guid").attributes).toEqual({ isPermaLink: "false" });
    expect(items.map((item) => textOf(item, "link"))).toEqual(view.items.map((post) => post.link));
    expect(items.map((item) => textOf(item, "pubDate"))).toEqual([
      "Thu, 02 May 2024 08:00:00 GMT",
      "Mon, 01 Apr 2024 00:00:00 GMT",
      "Sun, 31 Dec 2023 23:59:59 GMT",
    ]);
  });

  it("puts the plain summary in description before the escaped HTML in content:encoded", () => {
    const view = makeView();
    const [hostile, anonymous] = childrenNamed(channelOf(view), "item") as [XmlElement, XmlElement];
    const names = hostile.children.map((child) => child.name);
    expect(names.indexOf("description")).toBeGreaterThanOrEqual(0);
    expect(names.indexOf("description")).toBeLessThan(names.indexOf("content:encoded"));
    expect(textOf(hostile, "description")).toBe("摘要：A & B < C ");
    const content = onlyChild(hostile, "content:encoded");
    expect(content.uri).toBe(CONTENT);
    expect(content.text).toBe(stripInvalidXmlChars(view.items[0]?.contentHtml ?? ""));
    expect(content.children).toEqual([]);
    // An empty summary writes no description.
    expect(childrenNamed(anonymous, "description")).toEqual([]);
    expect(textOf(anonymous, "content:encoded")).toBe("<p>Nobody wrote this.</p>");
  });

  it("writes one category per distinct category or tag, categories first", () => {
    const items = childrenNamed(channelOf(makeView()), "item");
    expect(items.map((item) => childrenNamed(item, "category").map((c) => c.text))).toEqual([
      ["金融 新闻", 'a < b & "c"', "中文"],
      ["tag with spaces"],
      ["notes"],
    ]);
  });

  it("names authors with dc:creator, and none for an item without authors", () => {
    const items = childrenNamed(channelOf(makeView()), "item");
    expect(items.map((item) => childrenNamed(item, "dc:creator").map((c) => c.text))).toEqual([
      ["张三"],
      [],
      ["Ann O'Neil", "李四"],
    ]);
    expect(items.flatMap((item) => childrenNamed(item, "author"))).toEqual([]);
    expect(onlyChild(items[0] as XmlElement, "dc:creator").uri).toBe(DC);
  });
});
