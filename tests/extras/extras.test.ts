/** finishSite: the three steps together, a new build id, the same bytes for the same content. */
import { describe, expect, it } from "vitest";
import { finishSite } from "../../src/build/extras";
import { feedRoutes, handMadeSite, SITE } from "./fixture";

const DATE = "Mon, 01 Jan 2024 00:00:00 GMT";

describe("finishSite", () => {
  const rendered = handMadeSite({ ...feedRoutes("/", DATE), ...feedRoutes("/tag/t/", DATE) });

  it("adds the discovery documents, gzip variants of all, and aliases that carry them", () => {
    const { rendered: out, problems } = finishSite(rendered, SITE);
    expect(problems).toEqual([]);
    const routes = out.manifest.routes;
    expect(Object.keys(routes)).toEqual([
      "/",
      "/atom.xml",
      "/feed.json",
      "/feed.xml",
      "/feed/by_tag/t.xml",
      "/feeds.opml",
      "/feeds.opml?format=atom",
      "/feeds.opml?format=json",
      "/feeds.opml?format=rss",
      "/rss.xml",
      "/tag/t/atom.xml",
      "/tag/t/feed.json",
      "/tag/t/rss.xml",
    ]);
    expect(routes["/"]?.gzip).toBeDefined();
    expect(routes["/feed.xml"]?.gzip).toEqual(routes["/atom.xml"]?.gzip);
  });

  it("gives the finished manifest its own id, the same for the same input", () => {
    const first = finishSite(rendered, SITE).rendered;
    const again = finishSite(
      handMadeSite({ ...feedRoutes("/", DATE), ...feedRoutes("/tag/t/", DATE) }),
      SITE,
    ).rendered;
    expect(first.manifest.buildId).toMatch(/^[0-9a-f]{16}$/);
    expect(first.manifest.buildId).not.toBe(rendered.manifest.buildId);
    expect(again.manifest).toEqual(first.manifest);
    expect([...again.documents]).toEqual([...first.documents]);
    const retitled = finishSite(rendered, { ...SITE, title: "Another title" }).rendered;
    expect(retitled.manifest.buildId).not.toBe(first.manifest.buildId);
  });

  it("leaves a site without routes as it is", () => {
    const empty = handMadeSite({});
    expect(finishSite(empty, SITE)).toEqual({ rendered: empty, problems: [] });
  });
});
