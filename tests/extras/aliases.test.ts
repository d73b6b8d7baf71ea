/** jekyll-feed URLs: each answers with its Atom document, names encoded as ours, collisions reported. */
import { beforeAll, describe, expect, it } from "vitest";
import { addJekyllAliases, jekyllFeedPath } from "../../src/build/aliases";
import { type BuildResult, buildSite } from "../../src/build/site";
import type { FeedScope } from "../../src/model";
import { canonicalPath, feedPath } from "../../src/paths";
import { feedRoutes, handMadeSite } from "./fixture";

const NOW = new Date("2026-01-01T00:00:00Z");
let content: BuildResult;
let names: BuildResult;
beforeAll(async () => {
  [content, names] = await Promise.all([
    buildSite("content", { now: NOW }),
    buildSite("tests/fixtures/names", { now: NOW }),
  ]);
}, 60_000);

describe("jekyllFeedPath", () => {
  it.each<[FeedScope, string]>([
    [{ kind: "site" }, "/feed.xml"],
    [{ kind: "category", name: "macro" }, "/feed/macro.xml"],
    [{ kind: "category", name: "market open" }, "/feed/market%20open.xml"],
    [{ kind: "tag", name: "宏观新闻" }, "/feed/by_tag/%E5%AE%8F%E8%A7%82%E6%96%B0%E9%97%BB.xml"],
    [{ kind: "category", name: "." }, "/feed/..xml"],
    [{ kind: "category", name: "a/b" }, "/feed/a%2Fb.xml"],
    [{ kind: "tag", name: "by_tag" }, "/feed/by_tag/by_tag.xml"],
  ])("%j is at %s", (scope, path) => {
    expect(jekyllFeedPath(scope)).toBe(path);
  });
});

describe("aliases in a real build", () => {
  it("answers /feed.xml with the site's Atom document, naming it as canonical", () => {
    const alias = content.manifest.routes["/feed.xml"];
    expect(alias).toEqual({ ...content.manifest.routes["/atom.xml"], canonical: "/atom.xml" });
    expect(alias?.gzip).toBeDefined();
  });

  it("gives every category and tag its jekyll-feed URL, and nothing else", () => {
    const scopes = [...new Set(content.site.posts.flatMap((p) => p.categories))]
      .map((name): FeedScope => ({ kind: "category", name }))
      .concat([...new Set(content.site.posts.flatMap((p) => p.tags))].map((name) => ({ kind: "tag", name })));
    const aliases = Object.entries(content.manifest.routes).filter(([, e]) => e.canonical !== undefined);
    expect(aliases).toHaveLength(scopes.length + 1);
    for (const scope of scopes) {
      const target = feedPath(scope, "atom");
      expect(content.manifest.routes[jekyllFeedPath(scope)], target).toEqual({
        ...content.manifest.routes[target],
        canonical: target,
      });
    }
    expect(content.manifest.routes["/feed/by_tag/%E5%AE%8F%E8%A7%82%E6%96%B0%E9%97%BB.xml"]?.canonical).toBe(
      "/tag/%E5%AE%8F%E8%A7%82%E6%96%B0%E9%97%BB/atom.xml",
    );
    expect(content.site.problems.filter((p) => p.path.startsWith("/feed"))).toEqual([]);
  });

  it("puts every alias of hard names where a request finds it", () => {
    const aliases = Object.entries(names.manifest.routes).filter(([, e]) => e.canonical !== undefined);
    expect(aliases.length).toBeGreaterThan(10);
    for (const [path, entry] of aliases) {
      expect(canonicalPath(path), path).toBe(path);
      expect(new URL(path, "https://x.example").pathname, path).toBe(path);
      expect(names.manifest.routes[entry.canonical ?? ""]?.key, path).toBe(entry.key);
    }
    expect(names.manifest.routes["/feed/..xml"]?.canonical).toBe("/category/~./atom.xml");
  });
});

describe("addJekyllAliases", () => {
  const DATE = "Mon, 01 Jan 2024 00:00:00 GMT";

  it("leaves out and reports an alias whose URL is already a route", () => {
    const rendered = handMadeSite({
      ...feedRoutes("/", DATE),
      ...feedRoutes("/category/c/", DATE),
      "/feed.xml": DATE,
    });
    const own = rendered.manifest.routes["/feed.xml"];
    const { rendered: out, problems } = addJekyllAliases(rendered);
    expect(out.manifest.routes["/feed.xml"]).toEqual(own);
    expect(out.manifest.routes["/feed/c.xml"]?.canonical).toBe("/category/c/atom.xml");
    expect(problems).toEqual([
      {
        path: "/feed.xml",
        severity: "warning",
        message: "this jekyll-feed URL is already served by another document",
        action: "not made an alias of /atom.xml",
      },
    ]);
  });

  it("also when the route only appears in a scheduled change", () => {
    const rendered = handMadeSite(feedRoutes("/category/c/", DATE), [
      { from: "2030-01-01T00:00:00Z", routes: { "/feed/c.xml": DATE } },
    ]);
    const { rendered: out, problems } = addJekyllAliases(rendered);
    expect(out.manifest.routes["/feed/c.xml"]).toBeUndefined();
    expect(problems.map((p) => p.path)).toEqual(["/feed/c.xml"]);
  });

  it("follows its target through scheduled changes, removals included", () => {
    const later = "Tue, 01 Jan 2030 00:00:00 GMT";
    const rendered = handMadeSite(feedRoutes("/category/c/", DATE), [
      {
        from: "2030-01-01T00:00:00Z",
        routes: { ...feedRoutes("/tag/new/", later), "/category/c/atom.xml": later },
      },
      { from: "2030-02-01T00:00:00Z", routes: { "/category/c/rss.xml": later } },
      { from: "2030-03-01T00:00:00Z", routes: { "/category/c/atom.xml": null } },
    ]);
    const { rendered: out, problems } = addJekyllAliases(rendered);
    expect(problems).toEqual([]);
    const [first, second, third] = out.manifest.schedule ?? [];
    expect(out.manifest.routes["/feed/c.xml"]?.lastModified).toBe(DATE);
    expect(first?.routes["/feed/c.xml"]).toEqual({
      ...first?.routes["/category/c/atom.xml"],
      canonical: "/category/c/atom.xml",
    });
    expect(first?.routes["/feed/by_tag/new.xml"]?.canonical).toBe("/tag/new/atom.xml");
    expect(Object.keys(second?.routes ?? {})).toEqual(["/category/c/rss.xml"]);
    expect(third?.routes["/feed/c.xml"]).toBeNull();
    expect(rendered.manifest.schedule?.[0]?.routes["/feed/c.xml"]).toBeUndefined();
  });
});
