/**
 * Why we render feeds ourselves: faults of the `feed` npm package (6.0.0) on our content, observed
 * with the same fixture. Each test asserts the fault (so it fails, and deserves a second look, if a
 * new version fixes it) and, beside it, that our renderer gets the same thing right.
 */
import { Feed, type Item as FeedItem } from "feed";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { FeedView } from "../../src/model";
import { renderAtom } from "../../src/render/atom";
import { rfc822 } from "../../src/render/dates";
import { renderJsonFeed } from "../../src/render/jsonfeed";
import { renderRss } from "../../src/render/rss";
import { assertJsonFeed11, assertWellFormedXml } from "../helpers/feed-parsers";
import { makeView } from "./fixture";
import { onlyChild, parseXmlTree } from "./xml-tree";

/** The view given to `feed` with every option that can express it; `updated` left to its default. */
function feedPackage(view: FeedView): Feed {
  const { site } = view;
  const feed = new Feed({
    id: view.id,
    title: view.title,
    description: view.description,
    link: view.homePageUrl,
    language: site.language,
    feedLinks: { ...view.urls },
    generator: "feed-publisher",
    ...(site.author
      ? { author: { name: site.author.name, email: site.author.email, link: site.author.url } }
      : {}),
  });
  for (const post of view.items) feed.addItem(feedItem(post));
  return feed;
}

function feedItem(post: FeedView["items"][number]): FeedItem {
  return {
    id: post.id,
    title: post.title,
    link: post.link,
    date: new Date(post.updated),
    published: new Date(post.published),
    description: post.summary,
    content: post.contentHtml,
    category: [...post.categories, ...post.tags].map((name) => ({ name, term: name })),
    // `author: []` makes json1() throw (see below), so items without authors leave it out.
    ...(post.authors.length > 0
      ? { author: post.authors.map((a) => ({ name: a.name, email: a.email, link: a.url })) }
      : {}),
  };
}

/** The fixture with its plain post only, which `feed` renders well-formed. */
function plainView(title?: string): FeedView {
  const view = makeView();
  const post = view.items[2];
  if (!post) throw new Error("fixture has three items");
  view.items = [{ ...post, title: title ?? post.title }];
  view.updated = post.updated;
  return view;
}

afterEach(() => {
  vi.useRealTimers();
});

describe("the feed package, compared with our renderers", () => {
  it("writes JSON Feed version 1 with a singular author and no language; we write 1.1", () => {
    const view = makeView();
    const theirs = JSON.parse(feedPackage(view).json1());
    expect(theirs.version).toBe("https://jsonfeed.org/version/1");
    expect(theirs.author).toEqual({ name: "Site Owner", url: "https://example.com/about" });
    expect(theirs.items[0].author).toEqual({ name: "张三", url: "https://example.com/zhang" });
    expect(theirs).not.toHaveProperty("language");
    expect(() => assertJsonFeed11(feedPackage(view).json1())).toThrow(/version/);

    const ours = JSON.parse(renderJsonFeed(view));
    expect(ours.version).toBe("https://jsonfeed.org/version/1.1");
    expect(ours).not.toHaveProperty("author");
    expect(ours.authors).toEqual([{ name: "Site Owner", url: "https://example.com/about" }]);
    expect(ours.items[0].authors).toEqual([{ name: "张三", url: "https://example.com/zhang" }]);
    expect(() => assertJsonFeed11(renderJsonFeed(view))).not.toThrow();
  });

  it("throws in json1() on an item with an empty author list; we accept items without authors", () => {
    const feed = feedPackage(plainView());
    feed.addItem({ ...feedItem(makeView().items[1] as FeedView["items"][number]), author: [] });
    expect(() => feed.json1()).toThrow(TypeError);

    expect(() => assertJsonFeed11(renderJsonFeed(makeView()))).not.toThrow();
  });

  it("lets a control character in a title through, so its XML is not well-formed; ours is", () => {
    const view = plainView("Plain\u0001post");
    const theirs = feedPackage(view);
    expect(() => assertWellFormedXml(feedPackage(plainView()).rss2())).not.toThrow();
    expect(() => assertWellFormedXml(theirs.rss2())).toThrow(/disallowed character/);
    expect(() => assertWellFormedXml(theirs.atom1())).toThrow(/disallowed character/);

    for (const ours of [renderRss(view), renderAtom(view)]) {
      expect(() => assertWellFormedXml(ours)).not.toThrow();
      expect(ours).toContain("Plainpost");
    }
  });

  it("leaves attribute values unescaped, so a category with < breaks its Atom; ours escapes it", () => {
    const view = makeView();
    expect(view.items[0]?.categories).toContain('a < b & "c"');
    expect(() => assertWellFormedXml(feedPackage(view).atom1())).toThrow(/not well-formed/);

    expect(() => assertWellFormedXml(renderAtom(view))).not.toThrow();
  });

  it("dates its RSS and Atom with the current time; ours carry the newest item's date", () => {
    const view = plainView();
    vi.useFakeTimers();
    const first = new Date("2030-01-01T00:00:00Z");
    vi.setSystemTime(first);
    const rssBefore = feedPackage(view).rss2();
    const atomBefore = feedPackage(view).atom1();
    const oursBefore = [renderRss(view), renderAtom(view), renderJsonFeed(view)];
    vi.setSystemTime(new Date(first.getTime() + 1000));
    const rssAfter = feedPackage(view).rss2();
    const atomAfter = feedPackage(view).atom1();
    const oursAfter = [renderRss(view), renderAtom(view), renderJsonFeed(view)];

    const lastBuildDate = (xml: string) =>
      onlyChild(onlyChild(parseXmlTree(xml), "channel"), "lastBuildDate").text;
    const updated = (xml: string) => onlyChild(parseXmlTree(xml), "updated").text;
    expect(lastBuildDate(rssBefore)).toBe("Tue, 01 Jan 2030 00:00:00 GMT");
    expect(lastBuildDate(rssAfter)).toBe("Tue, 01 Jan 2030 00:00:01 GMT");
    expect(updated(atomBefore)).toBe("2030-01-01T00:00:00.000Z");
    expect(updated(atomAfter)).not.toBe(updated(atomBefore));

    expect(oursAfter).toEqual(oursBefore);
    expect(lastBuildDate(renderRss(view))).toBe(rfc822(view.updated));
    expect(updated(renderAtom(view))).toBe(view.updated);
  });
});
