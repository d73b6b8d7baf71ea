/**
 * A small, hand-made feed view with the content that breaks naive generators: Chinese text, every XML
 * special character, `]]>`, control characters XML forbids, a category with spaces and `<`, a tag that
 * repeats a category, an item without authors and one whose `updated` differs from `published`.
 */
import type { FeedView, Post } from "../../src/model";

/** The hostile title as written by the author (U+0001 and U+FFFE included). */
export const HOSTILE_TITLE = "金融消息 & < > \" ' ]]> &amp; \u0001end\uFFFE";
/** What every parser must read back: the same text without the forbidden code points. */
export const HOSTILE_TITLE_TEXT = "金融消息 & < > \" ' ]]> &amp; end";

const hostile: Post = {
  id: "tag:example.com,2024:/2024/05/02/hostile",
  title: HOSTILE_TITLE,
  published: "2024-05-02T08:00:00Z",
  updated: "2024-05-03T10:15:00Z",
  link: "https://news.example.org/article?id=7&lang=zh",
  permalink: "https://example.com/2024/05/02/hostile/",
  summary: "摘要：A & B < C \u0001",
  contentHtml:
    '<p>正文\u0001 with <a href="https://example.com/?a=1&amp;b=2">a link</a>, ]]> and \uFFFE.</p>\n<pre>\tcode</pre>',
  categories: ["金融 新闻", 'a < b & "c"'],
  tags: ["中文", 'a < b & "c"'],
  authors: [{ name: "张三", email: "zhang@example.com", url: "https://example.com/zhang" }],
  source: "_posts/2024-05-02-hostile.md",
};

const anonymous: Post = {
  id: "tag:example.com,2024:/2024/04/01/no-author",
  title: "No author here",
  published: "2024-04-01T00:00:00Z",
  updated: "2024-04-01T00:00:00Z",
  link: "https://example.com/2024/04/01/no-author/",
  permalink: "https://example.com/2024/04/01/no-author/",
  summary: "",
  contentHtml: "<p>Nobody wrote this.</p>",
  categories: [],
  tags: ["tag with spaces"],
  authors: [],
  source: "_posts/2024-04-01-no-author.md",
};

const plain: Post = {
  id: "tag:example.com,2023:/2023/12/31/plain",
  title: "Plain post by two people",
  published: "2023-12-31T23:59:59Z",
  updated: "2023-12-31T23:59:59Z",
  link: "https://example.com/2023/12/31/plain/",
  permalink: "https://example.com/2023/12/31/plain/",
  summary: "A short summary.",
  contentHtml: "<p>Hello, <em>world</em>.</p>",
  categories: ["notes"],
  tags: [],
  authors: [{ name: "Ann O'Neil" }, { name: "李四", url: "https://example.com/lisi" }],
  source: "_posts/2023-12-31-plain.md",
};

/** A fresh copy of the fixture view, newest item first. */
export function makeView(): FeedView {
  return structuredClone({
    site: {
      title: "示例博客",
      description: "A test site & more",
      url: "https://example.com",
      language: "zh-CN",
      timezone: "Asia/Shanghai",
      author: { name: "Site Owner", email: "owner@example.com", url: "https://example.com/about" },
      feedLimit: 20,
    },
    scope: { kind: "site" },
    id: "tag:example.com,2024:feed",
    title: "示例博客 & <friends>",
    description: 'Posts "about" things',
    urls: {
      rss: "https://example.com/rss.xml",
      atom: "https://example.com/atom.xml",
      json: "https://example.com/feed.json",
    },
    homePageUrl: "https://example.com/",
    updated: "2024-05-03T10:15:00Z",
    items: [hostile, anonymous, plain],
    history: { archive: false },
  } satisfies FeedView);
}

/** The newest `updated` among the items, as the build computes it. */
export function newestUpdate(view: FeedView): string {
  const times = view.items.map((post) => Date.parse(post.updated));
  return new Date(Math.max(...times)).toISOString().replace(".000Z", "Z");
}

/** Freezes an object graph so that any attempt to mutate it throws. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
