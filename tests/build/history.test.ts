/** RFC 5005 archives, WebSub hub links and scheduled posts, on a generated site. */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BuildResult, buildSite } from "../../src/build/site";
import { checkEveryFeed, documentAt } from "../helpers/check-build";

const NOW = new Date("2025-01-01T00:00:00Z");
let dir: string;

async function site(posts: number, extra = ""): Promise<BuildResult> {
  await rm(join(dir, "_posts"), { recursive: true, force: true });
  await mkdir(join(dir, "_posts"));
  await writeFile(
    join(dir, "_config.yml"),
    `title: History\nurl: https://h.example\ntimezone: UTC\nwebsub_hub: https://hub.example/\nfeed:\n  posts_limit: 5\n${extra}`,
  );
  for (let i = 1; i <= posts; i++) {
    const day = String(i).padStart(2, "0");
    await writeFile(
      join(dir, "_posts", `2024-03-${day}-p${day}.md`),
      `---\ntitle: Post ${i}\ndate: 2024-03-${day} 12:00\ncategories: c\n---\nBody ${i}.\n`,
    );
  }
  return buildSite(dir, { now: NOW });
}

/** `rel` → `href` of the feed-level links of an Atom document (entries use rel="alternate" only). */
function atomLinks(xml: string): Record<string, string> {
  const head = xml.slice(0, xml.indexOf("<entry>"));
  return Object.fromEntries(
    [...head.matchAll(/<link rel="([^"]+)"(?: type="[^"]*")? href="([^"]+)"/g)].map((m) => [m[1], m[2]]),
  );
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "feeds-history-"));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("RFC 5005 archives", () => {
  it("are not published when _config.yml says feed: archives: false, and nothing links to them", async () => {
    const result = await site(12, "  archives: false\n");
    const routes = Object.keys(result.manifest.routes);
    expect(routes.filter((r) => r.includes("/archive/"))).toEqual([]);
    const xml = documentAt(result, "/category/c/atom.xml");
    expect(Object.keys(atomLinks(xml)).sort()).toEqual(["alternate", "hub", "self"]);
    expect(xml.match(/<entry>/g)).toHaveLength(5);
    expect(JSON.parse(documentAt(result, "/category/c/feed.json")).next_url).toBeUndefined();
    expect(result.site.problems).toEqual([]);
  });

  it("warns about a feed: archives that is not a boolean, and keeps publishing them", async () => {
    const result = await site(12, "  archives: sometimes\n");
    expect(Object.keys(result.manifest.routes)).toContain("/category/c/archive/1/atom.xml");
    expect(result.site.problems.map((p) => p.message)).toContain(
      'feed: archives "sometimes" is not true or false',
    );
  });

  it("chains the subscription document and full archive pages, holding every post", async () => {
    const result = await site(12);
    const routes = Object.keys(result.manifest.routes);
    expect(routes.filter((r) => r.startsWith("/category/c/archive/"))).toEqual([
      "/category/c/archive/1/atom.xml",
      "/category/c/archive/1/feed.json",
      "/category/c/archive/1/rss.xml",
      "/category/c/archive/2/atom.xml",
      "/category/c/archive/2/feed.json",
      "/category/c/archive/2/rss.xml",
    ]);
    expect(result.manifest.routes["/category/c/archive/1/atom.xml"]?.archive).toBe(true);
    expect(result.manifest.routes["/category/c/atom.xml"]?.archive).toBeUndefined();

    const seen = new Set<string>();
    let url: string | undefined = "https://h.example/category/c/atom.xml";
    const visited: string[] = [];
    while (url) {
      const xml = documentAt(result, url.slice("https://h.example".length));
      visited.push(url);
      for (const m of xml.matchAll(/<entry>\s*<id>([^<]+)<\/id>/g)) seen.add(m[1] ?? "");
      const links = atomLinks(xml);
      if (visited.length > 1) {
        expect(xml).toContain('xmlns:fh="http://purl.org/syndication/history/1.0"');
        expect(xml).toContain("<fh:archive/>");
        expect(links.current).toBe("https://h.example/category/c/atom.xml");
      }
      expect(links.hub).toBe("https://hub.example/");
      url = links["prev-archive"];
    }
    expect(visited).toEqual([
      "https://h.example/category/c/atom.xml",
      "https://h.example/category/c/archive/2/atom.xml",
      "https://h.example/category/c/archive/1/atom.xml",
    ]);
    expect(seen.size).toBe(12);
    expect(atomLinks(documentAt(result, "/category/c/archive/1/atom.xml"))["next-archive"]).toBe(
      "https://h.example/category/c/archive/2/atom.xml",
    );
    expect(await checkEveryFeed(result)).toBe(routes.length);
  });

  it("gives RSS the same links as atom:link, and JSON Feed next_url and hubs", async () => {
    const result = await site(12);
    const rss = documentAt(result, "/category/c/archive/2/rss.xml");
    expect(rss).toContain('<atom:link href="https://h.example/category/c/rss.xml" rel="current"/>');
    expect(rss).toContain(
      '<atom:link href="https://h.example/category/c/archive/1/rss.xml" rel="prev-archive"/>',
    );
    expect(rss).toContain('<atom:link href="https://hub.example/" rel="hub"/>');
    expect(rss).toContain("<fh:archive/>");
    const json = JSON.parse(documentAt(result, "/category/c/feed.json"));
    expect(json.next_url).toBe("https://h.example/category/c/archive/2/feed.json");
    expect(json.hubs).toEqual([{ type: "WebSub", url: "https://hub.example/" }]);
    expect(JSON.parse(documentAt(result, "/category/c/archive/1/feed.json")).next_url).toBeUndefined();
    expect(result.manifest.hub).toBe("https://hub.example/");
  });

  it("never changes a full archive page when a newer post is added", async () => {
    const before = await site(12);
    const after = await site(13);
    for (const page of [
      "/category/c/archive/1/atom.xml",
      "/category/c/archive/2/rss.xml",
      "/archive/2/feed.json",
    ]) {
      expect(after.manifest.routes[page]?.etag, page).toBe(before.manifest.routes[page]?.etag);
    }
    expect(after.manifest.routes["/category/c/atom.xml"]?.etag).not.toBe(
      before.manifest.routes["/category/c/atom.xml"]?.etag,
    );
  });
});

describe("scheduled posts", () => {
  it("are rendered ahead into a schedule that takes effect at their date", async () => {
    await site(3);
    await writeFile(
      join(dir, "_posts", "2025-02-01-later.md"),
      "---\ntitle: Later\ndate: 2025-02-01 08:00\ncategories: [c, new]\n---\nScheduled.\n",
    );
    const result = await buildSite(dir, { now: NOW });
    expect(Object.keys(result.manifest.routes)).not.toContain("/category/new/atom.xml");
    expect(documentAt(result, "/atom.xml")).not.toContain("Later");
    expect(result.manifest.schedule).toHaveLength(1);
    const overlay = result.manifest.schedule?.[0];
    expect(overlay?.from).toBe("2025-02-01T08:00:00Z");
    // The feeds it changes, and what follows from them (extras.ts): the discovery page and OPML lists
    // (a new category), and the jekyll-feed aliases of the changed Atom documents.
    expect(Object.keys(overlay?.routes ?? {})).toEqual([
      "/",
      "/atom.xml",
      "/category/c/atom.xml",
      "/category/c/feed.json",
      "/category/c/rss.xml",
      "/category/new/atom.xml",
      "/category/new/feed.json",
      "/category/new/rss.xml",
      "/feed.json",
      "/feed.xml",
      "/feed/c.xml",
      "/feed/new.xml",
      "/feeds.opml",
      "/feeds.opml?format=atom",
      "/feeds.opml?format=json",
      "/feeds.opml?format=rss",
      "/rss.xml",
    ]);
    const entry = overlay?.routes["/atom.xml"];
    expect(entry?.lastModified).toBe("Sat, 01 Feb 2025 08:00:00 GMT");
    const bytes = result.documents.get(entry?.key ?? "");
    expect(new TextDecoder().decode(bytes)).toContain('<title type="text">Later</title>');
  });
});

describe("jekyll-feed compatible ids", () => {
  it("gives each post the id jekyll-feed published for it", async () => {
    const result = await site(2, "feed_ids: jekyll-feed\n");
    expect(result.site.posts.map((p) => p.id)).toEqual([
      "https://h.example/c/2024/03/02/p02",
      "https://h.example/c/2024/03/01/p01",
    ]);
    expect(documentAt(result, "/atom.xml")).toContain("<id>https://h.example/c/2024/03/02/p02</id>");
  });
});
