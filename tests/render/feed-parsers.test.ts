/** The checks the render tests rely on must be able to fail: these feed them broken documents. */
import { describe, expect, it } from "vitest";
import { renderJsonFeed } from "../../src/render/jsonfeed";
import { assertJsonFeed11, assertWellFormedXml } from "../helpers/feed-parsers";
import { makeView } from "./fixture";

describe("assertWellFormedXml", () => {
  it("accepts a namespace-well-formed document", () => {
    expect(() => assertWellFormedXml('<a xmlns:x="urn:x"><x:b c="&amp;"/></a>')).not.toThrow();
  });

  it.each([
    ["a control character", "<a>\u0001</a>"],
    ["U+FFFE", "<a>\uFFFE</a>"],
    ["a reference to a control character", "<a>&#1;</a>"],
    ["an unescaped &", "<a>&</a>"],
    ["an unescaped < in an attribute", '<a b="<"/>'],
    ["an undeclared prefix", "<a><x:b/></a>"],
    ["]]> in text", "<a>]]></a>"],
    ["an unclosed element", "<a><b></a>"],
    ["two roots", "<a/><b/>"],
  ])("rejects %s", (_, xml) => {
    expect(() => assertWellFormedXml(xml)).toThrow(/not well-formed/);
  });
});

describe("assertJsonFeed11", () => {
  const valid = () => JSON.parse(renderJsonFeed(makeView()));
  const broken = (change: (feed: ReturnType<typeof valid>) => void) => {
    const feed = valid();
    change(feed);
    return JSON.stringify(feed);
  };

  it.each([
    ["version 1", /version/, (f: ReturnType<typeof valid>) => (f.version = "https://jsonfeed.org/version/1")],
    ["no title", /title/, (f: ReturnType<typeof valid>) => delete f.title],
    ["next_url equal to feed_url", /next_url/, (f: ReturnType<typeof valid>) => (f.next_url = f.feed_url)],
    ["no language", /language/, (f: ReturnType<typeof valid>) => delete f.language],
    ["a singular author", /singular author/, (f: ReturnType<typeof valid>) => (f.author = { name: "x" })],
    ["authors not an array", /authors/, (f: ReturnType<typeof valid>) => (f.authors = { name: "x" })],
    ["a numeric item id", /id/, (f: ReturnType<typeof valid>) => (f.items[0].id = 1)],
    ["an item without content", /content/, (f: ReturnType<typeof valid>) => delete f.items[1].content_html],
    [
      "an RFC 822 date",
      /RFC 3339/,
      (f: ReturnType<typeof valid>) => (f.items[0].date_published = "Thu, 02 May 2024 08:00:00 GMT"),
    ],
    ["duplicate ids", /unique/, (f: ReturnType<typeof valid>) => (f.items[1].id = f.items[0].id)],
  ])("rejects %s", (_, message, change) => {
    expect(() => assertJsonFeed11(broken(change))).toThrow(message);
  });
});
