/** The project's own sample posts (`content/`), built and read back by real feed parsers. */
import { beforeAll, describe, expect, it } from "vitest";
import { formatProblem } from "../../src/build/problems";
import { type BuildResult, buildSite } from "../../src/build/site";
import { checkEveryFeed, documentAt } from "../helpers/check-build";

let result: BuildResult;

beforeAll(async () => {
  result = await buildSite("content", { now: new Date("2026-01-01T00:00:00Z") });
});

describe("building content/", () => {
  it("publishes every sample post but the unpublished one", () => {
    expect(result.site.posts.map((p) => p.source)).toHaveLength(6);
    expect(result.site.problems.map(formatProblem)).toEqual([
      "_posts/2024-03-09-unfinished.md: published: false (not published)",
    ]);
  });

  it("reads every feed alike with every parser", async () => {
    expect(await checkEveryFeed(result)).toBe(Object.keys(result.manifest.routes).length);
  });

  it("splits a space-separated categories string into two categories, but not a singular category", () => {
    const routes = Object.keys(result.manifest.routes);
    expect(routes).toContain("/category/shipping/atom.xml");
    expect(routes).toContain("/category/markets/atom.xml");
    expect(routes).toContain("/category/market%20open/atom.xml");
    expect(routes).not.toContain("/category/market/atom.xml");
  });

  it("never lets the unpublished post into any feed", () => {
    for (const path of Object.keys(result.manifest.routes)) {
      expect(documentAt(result, path), path).not.toContain("quarterly review");
    }
  });

  it("removes scripts, handlers, hidden trackers and styles, and makes URLs absolute", () => {
    const html = result.site.posts.map((p) => p.contentHtml).join("\n");
    expect(html).not.toMatch(/<script|onerror|tracker\.example|style=|<!--/);
    expect(html).toContain('src="https://ledger.example.org/img/open-20240306.png"');
    expect(html).toContain('href="https://ledger.example.org/shipping/markets/2024/03/tables/weekly.html"');
    expect(html).toContain('href="https://stats.example.net/chart.png"');
  });

  it("prefers canonical_url, then the trailing autolink, then the post's own page", () => {
    const link = (slug: string) => result.site.posts.find((p) => p.source.includes(slug))?.link;
    expect(link("chip-fund")).toBe("https://research.example.net/notes/chip-fund-phase-two");
    expect(link("port-volumes")).toBe("http://news.example.net/shipping/2024/03/port-volumes");
    expect(link("site-notes")).toBe("https://ledger.example.org/sitenews/2024/03/08/site-notes.html");
  });

  it("sets each feed's updated date to its newest item, never the build time", () => {
    const rss = documentAt(result, "/category/macro/rss.xml");
    expect(rss).toContain("<lastBuildDate>Tue, 05 Mar 2024 07:30:00 GMT</lastBuildDate>");
    expect(result.manifest.routes["/category/macro/rss.xml"]?.lastModified).toBe(
      "Tue, 05 Mar 2024 07:30:00 GMT",
    );
  });
});
