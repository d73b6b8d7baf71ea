/** The real finews corpus, built with the real build and read back by real feed parsers. */
import { beforeAll, describe, expect, it } from "vitest";
import { formatProblem } from "../../src/build/problems";
import { type BuildResult, buildSite } from "../../src/build/site";
import { FINEWS_DIR, SPEC_POST } from "../corpus";
import { checkEveryFeed, documentAt } from "../helpers/check-build";

const NOW = new Date("2026-01-01T00:00:00Z");
let result: BuildResult;

beforeAll(async () => {
  result = await buildSite(FINEWS_DIR, { now: NOW });
});

describe("building the finews corpus", () => {
  it("publishes every post that has a date and reports the rest", () => {
    expect(result.site.files).toBe(152);
    expect(result.site.posts).toHaveLength(151);
    expect(result.site.problems.map(formatProblem)).toEqual([
      '_posts/-202205262391921712.md: date "+0800" is not a date, and the file name has none (post skipped)',
      "_posts/2021-12-08-202112082206703990.md: blank line before the front matter's opening --- (front matter read anyway)",
      "_posts/2021-12-08-202112082206870651.md: empty original-article autolink <> (linked to the post's own page)",
    ]);
  });

  it("publishes site, category and tag feeds in every format, each read alike by every parser", async () => {
    const categories = Object.keys(result.manifest.routes).filter((p) => p.startsWith("/category/"));
    expect(categories.map((p) => decodeURIComponent(p.split("/")[2] ?? ""))).toEqual(
      expect.arrayContaining(["emnews", "sitenews", "zhongguozhengquanbao"]),
    );
    expect(await checkEveryFeed(result)).toBe(Object.keys(result.manifest.routes).length);
  });

  it("gives byte-identical output for the same input", async () => {
    const again = await buildSite(FINEWS_DIR, { now: NOW });
    expect(again.manifest).toEqual(result.manifest);
    expect([...again.documents.keys()]).toEqual([...result.documents.keys()]);
  });
});

describe(`the specified post (${SPEC_POST})`, () => {
  const id = "tag:finews.withounder.com,2022-03-30:NW202203302328327187";
  const original = "http://finews.zning.xyz/html_News/NewsShare.html?infoCode=NW202203302328327187";

  it.each([
    "/rss.xml",
    "/category/zhongguozhengquanbao/rss.xml",
    "/tag/%E4%B8%AD%E5%9B%BD%E8%AF%81%E5%88%B8%E6%8A%A5%E6%96%B0%E9%97%BB/rss.xml",
  ])("is in %s with its title, date and original link, without the hidden blocks", (path) => {
    const rss = documentAt(result, path);
    const item = rss.split("<item>").find((part) => part.includes(id));
    expect(item).toBeDefined();
    expect(item).toContain("<title>涉9亿用户！淘宝微信互通了 支付环节密谋这件大事</title>");
    expect(item).toContain("<pubDate>Wed, 30 Mar 2022 09:30:36 GMT</pubDate>");
    expect(item).toContain(`<link>${original.replace("&", "&amp;")}</link>`);
    expect(item).not.toMatch(/display:\s*none|EM_StockImg|style=|class=|返回/);
    expect(item).toContain("淘宝与微信这两大超级应用之间的关系更密切了。");
  });

  it("has the same id, link and date in Atom and JSON Feed", () => {
    const atom = documentAt(result, "/category/zhongguozhengquanbao/atom.xml");
    expect(atom).toContain(`<id>${id}</id>`);
    expect(atom).toContain("<published>2022-03-30T09:30:36Z</published>");
    const json = JSON.parse(
      documentAt(result, "/tag/%E4%B8%AD%E5%9B%BD%E8%AF%81%E5%88%B8%E6%8A%A5%E6%96%B0%E9%97%BB/feed.json"),
    );
    expect(json.items[0]).toMatchObject({
      id,
      url: original,
      date_published: "2022-03-30T09:30:36Z",
      tags: ["zhongguozhengquanbao", "中国证券报新闻"],
    });
    expect(json.items[0].content_html).not.toContain("display:none");
  });
});

describe("content of every finews post", () => {
  it("has only absolute http(s) URLs, no back-links and no source autolink", () => {
    for (const post of result.site.posts) {
      for (const [, url] of post.contentHtml.matchAll(/(?:href|src)="([^"]*)"/g)) {
        expect(url, post.source).toMatch(/^https?:\/\//);
      }
      expect(post.contentHtml, post.source).not.toMatch(/返回首页|&lt;http|<!--/);
    }
  });

  it("links every post to its original article, or to its own page when the autolink is empty", () => {
    const byFile = new Map(result.site.posts.map((p) => [p.source, p]));
    expect(byFile.get("_posts/2021-12-08-202112082206703990.md")?.link).toBe(
      "http://stock.eastmoney.com/news/1611,202112082206703990.html",
    );
    expect(byFile.get("_posts/2021-12-08-202112082206870651.md")?.link).toBe(
      "https://finews.withounder.com/emnews/2021/12/08/202112082206870651.html",
    );
  });

  it("reads dates without a zone in the site's zone (Asia/Shanghai)", () => {
    const post = result.site.posts.find((p) => p.source === "_posts/2021-12-08-202112082206703990.md");
    expect(post?.published).toBe("2021-12-08T02:18:31Z");
  });
});
