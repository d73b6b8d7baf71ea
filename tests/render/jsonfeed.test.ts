import { describe, expect, it } from "vitest";
import { renderJsonFeed } from "../../src/render/jsonfeed";
import { stripInvalidXmlChars } from "../../src/render/xml";
import { assertJsonFeed11 } from "../helpers/feed-parsers";
import { HOSTILE_TITLE_TEXT, makeView } from "./fixture";

type Json = Record<string, unknown>;
const render = (view = makeView()) => JSON.parse(renderJsonFeed(view)) as Json & { items: Json[] };

describe("renderJsonFeed", () => {
  it("passes the JSON Feed 1.1 checks", () => {
    expect(() => assertJsonFeed11(renderJsonFeed(makeView()))).not.toThrow();
  });

  it("is indented JSON ending with a newline", () => {
    const body = renderJsonFeed(makeView());
    expect(body).toBe(`${JSON.stringify(JSON.parse(body), null, 2)}\n`);
  });

  it("writes the feed fields in a fixed order", () => {
    const view = makeView();
    const feed = render(view);
    expect(Object.keys(feed)).toEqual([
      "version",
      "title",
      "description",
      "home_page_url",
      "feed_url",
      "language",
      "authors",
      "items",
    ]);
    expect(feed).toMatchObject({
      version: "https://jsonfeed.org/version/1.1",
      title: view.title,
      description: view.description,
      home_page_url: view.homePageUrl,
      feed_url: view.urls.json,
      language: "zh-CN",
      authors: [{ name: "Site Owner", url: "https://example.com/about" }],
    });
    expect(feed).not.toHaveProperty("author");
  });

  it("uses the site title as author when the site has none, and omits an empty description", () => {
    const view = makeView();
    delete view.site.author;
    view.description = "";
    const feed = render(view);
    expect(feed.authors).toEqual([{ name: "示例博客" }]);
    expect(feed).not.toHaveProperty("description");
    expect(() => assertJsonFeed11(renderJsonFeed(view))).not.toThrow();
  });

  it("writes the items in order with fixed keys", () => {
    const view = makeView();
    const [hostile, anonymous, plain] = render(view).items;
    expect(Object.keys(hostile ?? {})).toEqual([
      "id",
      "title",
      "url",
      "date_published",
      "date_modified",
      "summary",
      "content_html",
      "tags",
      "authors",
    ]);
    expect(hostile).toEqual({
      id: view.items[0]?.id,
      title: HOSTILE_TITLE_TEXT,
      url: "https://news.example.org/article?id=7&lang=zh",
      date_published: "2024-05-02T08:00:00Z",
      date_modified: "2024-05-03T10:15:00Z",
      summary: "摘要：A & B < C ",
      content_html: stripInvalidXmlChars(view.items[0]?.contentHtml ?? ""),
      tags: ["金融 新闻", 'a < b & "c"', "中文"],
      authors: [{ name: "张三", url: "https://example.com/zhang" }],
    });
    // No summary when empty, no authors when none.
    expect(Object.keys(anonymous ?? {})).toEqual([
      "id",
      "title",
      "url",
      "date_published",
      "date_modified",
      "content_html",
      "tags",
    ]);
    expect(plain?.authors).toEqual([
      { name: "Ann O'Neil" },
      { name: "李四", url: "https://example.com/lisi" },
    ]);
  });
});
