/**
 * The Worker inside workerd, against KV filled by a real build of `content/` and of the finews
 * corpus: every route, status and header, conditional GET, HEAD, 404, 405 and 503.
 */
import { createExecutionContext, env, SELF, waitOnExecutionContext } from "cloudflare:test";
import { beforeAll, describe, expect, inject, it } from "vitest";
import type { Env } from "../../src/worker/env";
import worker from "../../src/worker/index";
import { expectedFeedLink, feedDocumentPaths, manifestOf, putBuild } from "./support";

const ORIGIN = "http://feeds.test";
const content = inject("contentBuild");
const finews = inject("finewsBuild");
const names = inject("namesBuild");

async function sha256Hex(bytes: ArrayBuffer): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Calls the Worker with another environment (another build, or a failing KV). */
async function fetchWith(overrides: Partial<Env>, path: string, init?: RequestInit): Promise<Response> {
  const ctx = createExecutionContext();
  const response = await worker.fetch(new Request(ORIGIN + path, init), { ...env, ...overrides } as Env, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

beforeAll(async () => {
  for (const build of [content, finews, names]) await putBuild(env.FEEDS, build);
});

const manifest = manifestOf(content);
const paths = Object.keys(manifest.routes);
// The feed documents; the discovery page, OPML lists and aliases have their own tests (extras.test.ts).
const feedPaths = feedDocumentPaths(manifest);

describe("every route of a real build", () => {
  it("covers site, category and tag feeds in three formats", () => {
    expect(paths).toContain("/rss.xml");
    expect(paths).toContain("/atom.xml");
    expect(paths).toContain("/feed.json");
    expect(paths.filter((p) => p.startsWith("/category/")).length % 3).toBe(0);
    expect(paths.some((p) => p.startsWith("/tag/%E"))).toBe(true);
  });

  it.each(feedPaths)("GET %s answers the document with its headers", async (path) => {
    const entry = manifest.routes[path];
    const response = await SELF.fetch(ORIGIN + path);
    expect(response.status).toBe(200);
    const body = await response.arrayBuffer();
    expect(body.byteLength).toBe(entry?.size);
    expect(`"${(await sha256Hex(body)).slice(0, 32)}"`).toBe(entry?.etag);
    expect(response.headers.get("Content-Type")).toBe(entry?.contentType);
    expect(response.headers.get("Content-Type")).toMatch(
      /^application\/(rss\+xml|atom\+xml|feed\+json); charset=utf-8$/,
    );
    expect(response.headers.get("ETag")).toBe(entry?.etag);
    expect(response.headers.get("Last-Modified")).toBe(entry?.lastModified);
    expect(response.headers.get("Cache-Control")).toBe("public, max-age=300, stale-while-revalidate=86400");
    expect(response.headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(response.headers.get("Link")).toBe(expectedFeedLink(manifest.siteUrl, path));
  });
});

describe("names as written in the posts", () => {
  it("finds a Chinese tag however the client encodes it", async () => {
    const tagPath = paths.find((p) => p.startsWith("/tag/%E") && p.endsWith("/atom.xml"));
    if (!tagPath) throw new Error("no Chinese tag in content/");
    const name = decodeURIComponent(tagPath.split("/")[2] ?? "");
    for (const spelling of [
      tagPath,
      `/tag/${name}/atom.xml`,
      tagPath.toLowerCase().replace("/atom.xml", "/atom.xml"),
    ]) {
      const response = await SELF.fetch(ORIGIN + spelling);
      expect(response.status, spelling).toBe(200);
      expect(response.headers.get("ETag")).toBe(manifest.routes[tagPath]?.etag);
    }
  });

  it("keeps names case-sensitive, like Jekyll", async () => {
    const response = await SELF.fetch(`${ORIGIN}/category/MACRO/rss.xml`);
    expect(response.status).toBe(404);
  });

  it("serves a category whose name has a space at its percent-encoded path", async () => {
    const response = await SELF.fetch(`${ORIGIN}/category/market%20open/rss.xml`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("<rss");
  });
});

describe("conditional GET (RFC 9110 §13)", () => {
  const path = "/atom.xml";
  const entry = manifest.routes[path];
  if (!entry) throw new Error("no /atom.xml");

  async function expectNotModified(headers: Record<string, string>) {
    const response = await SELF.fetch(ORIGIN + path, { headers });
    expect(response.status).toBe(304);
    expect(await response.text()).toBe("");
    expect(response.headers.get("ETag")).toBe(entry?.etag);
    expect(response.headers.get("Last-Modified")).toBe(entry?.lastModified);
    expect(response.headers.get("Cache-Control")).toContain("public");
    expect(response.headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(response.headers.get("Link")).toContain('rel="self"');
  }

  it("answers 304 to a matching If-None-Match", () => expectNotModified({ "If-None-Match": entry.etag }));
  it("compares entity tags weakly", () => expectNotModified({ "If-None-Match": `W/${entry.etag}` }));
  it("matches inside a list", () => expectNotModified({ "If-None-Match": `"nope", ${entry.etag}` }));
  it("matches *", () => expectNotModified({ "If-None-Match": "*" }));
  it("answers 304 when not modified since Last-Modified", () =>
    expectNotModified({ "If-Modified-Since": entry.lastModified }));
  it("answers 304 for a later If-Modified-Since", () =>
    expectNotModified({
      "If-Modified-Since": new Date(Date.parse(entry.lastModified) + 60_000).toUTCString(),
    }));

  it("answers 200 for an older If-Modified-Since", async () => {
    const since = new Date(Date.parse(entry.lastModified) - 1000).toUTCString();
    const response = await SELF.fetch(ORIGIN + path, { headers: { "If-Modified-Since": since } });
    expect(response.status).toBe(200);
    expect((await response.arrayBuffer()).byteLength).toBe(entry.size);
  });

  it("lets a non-matching If-None-Match win over If-Modified-Since", async () => {
    const response = await SELF.fetch(ORIGIN + path, {
      headers: { "If-None-Match": '"stale"', "If-Modified-Since": entry.lastModified },
    });
    expect(response.status).toBe(200);
    await response.arrayBuffer();
  });

  it("ignores an unparsable If-Modified-Since", async () => {
    const response = await SELF.fetch(ORIGIN + path, { headers: { "If-Modified-Since": "yesterday" } });
    expect(response.status).toBe(200);
    await response.arrayBuffer();
  });
});

describe("HEAD, unknown feeds, other methods", () => {
  it("HEAD carries the GET headers and no body", async () => {
    const get = await SELF.fetch(`${ORIGIN}/rss.xml`);
    const getBody = await get.arrayBuffer();
    const head = await SELF.fetch(`${ORIGIN}/rss.xml`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
    expect(head.headers.get("Content-Length")).toBe(String(getBody.byteLength));
    for (const name of [
      "Content-Type",
      "ETag",
      "Last-Modified",
      "Cache-Control",
      "Link",
      "Access-Control-Allow-Origin",
    ]) {
      expect(head.headers.get(name), name).toBe(get.headers.get(name));
    }
  });

  it.each([
    "/index.html",
    "/nope.xml",
    "/category/no-such/rss.xml",
    "/category/macro/feed.xml",
    "/tag/%FF/rss.xml",
  ])("GET %s is a 404 with a short plain-text message", async (path) => {
    const response = await SELF.fetch(ORIGIN + path);
    expect(response.status).toBe(404);
    expect(response.headers.get("Content-Type")).toBe("text/plain; charset=utf-8");
    const text = await response.text();
    expect(text.length).toBeLessThan(200);
    expect(text).toMatch(/^No feed at /);
  });

  it.each(["POST", "PUT", "DELETE", "PATCH"])("%s is a 405 naming the allowed methods", async (method) => {
    const response = await SELF.fetch(`${ORIGIN}/rss.xml`, {
      method,
      body: method === "DELETE" ? undefined : "x",
    });
    expect(response.status).toBe(405);
    expect(response.headers.get("Allow")).toBe("GET, HEAD, OPTIONS");
    await response.text();
  });

  it("answers a CORS preflight for conditional requests", async () => {
    const response = await SELF.fetch(`${ORIGIN}/feed.json`, {
      method: "OPTIONS",
      headers: { Origin: "https://reader.example", "Access-Control-Request-Headers": "if-none-match" },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get("Access-Control-Allow-Headers")).toContain("If-None-Match");
  });
});

describe("KV trouble is a 503 with Retry-After, never a 500", () => {
  const failing = {
    get: () => Promise.reject(new Error("KV GET failed: 500 Internal Server Error")),
    getWithMetadata: () => Promise.reject(new Error("KV GET failed")),
  } as unknown as KVNamespace;

  async function expectUnavailable(response: Response) {
    expect(response.status).toBe(503);
    expect(response.headers.get("Retry-After")).toBe("30");
    const text = await response.text();
    expect(text).not.toMatch(/at .*\.(ts|js)|Error:/);
  }

  it("when the manifest cannot be read", async () => {
    await expectUnavailable(await fetchWith({ FEEDS: failing, BUILD_ID: "0000000000000001" }, "/rss.xml"));
  });

  it("when the document cannot be read (manifest already cached)", async () => {
    await SELF.fetch(`${ORIGIN}/rss.xml`).then((r) => r.arrayBuffer());
    await expectUnavailable(await fetchWith({ FEEDS: failing }, "/rss.xml"));
  });

  it("when the build is not in KV", async () => {
    await expectUnavailable(await fetchWith({ BUILD_ID: "ffffffffffffffff" }, "/rss.xml"));
  });

  it("when no build id is configured", async () => {
    await expectUnavailable(await fetchWith({ BUILD_ID: undefined }, "/rss.xml"));
  });
});

describe("cost per request", () => {
  function countingKv(): { kv: KVNamespace; reads: () => number } {
    let reads = 0;
    const kv = new Proxy(env.FEEDS, {
      get(target, property) {
        const value = Reflect.get(target, property, target);
        if (typeof value !== "function") return value;
        return (...args: unknown[]) => {
          if (property === "get" || property === "getWithMetadata") reads++;
          return value.apply(target, args);
        };
      },
    });
    return { kv, reads: () => reads };
  }

  it("reads KV at most twice, and once when the manifest is cached", async () => {
    const first = countingKv();
    const cold = await fetchWith({ FEEDS: first.kv, BUILD_ID: finews.buildId }, "/rss.xml");
    await cold.arrayBuffer();
    expect(cold.status).toBe(200);
    expect(first.reads()).toBeLessThanOrEqual(2);
    const second = countingKv();
    const warm = await fetchWith({ FEEDS: second.kv, BUILD_ID: finews.buildId }, "/atom.xml");
    await warm.arrayBuffer();
    expect(second.reads()).toBe(1);
    const third = countingKv();
    const revalidated = await fetchWith({ FEEDS: third.kv, BUILD_ID: finews.buildId }, "/atom.xml", {
      headers: { "If-None-Match": warm.headers.get("ETag") ?? "" },
    });
    expect(revalidated.status).toBe(304);
    expect(third.reads()).toBe(0);
  });
});

describe("the finews build", () => {
  const finewsManifest = manifestOf(finews);

  it("serves the specified post's category and tag feeds", async () => {
    for (const path of ["/category/zhongguozhengquanbao/atom.xml", "/tag/中国证券报新闻/feed.json"]) {
      const response = await fetchWith({ BUILD_ID: finews.buildId }, encodeURI(path));
      expect(response.status, path).toBe(200);
      const text = await response.text();
      expect(text).toContain("NW202203302328327187");
      expect(text).not.toContain("display:none");
    }
    expect(Object.keys(finewsManifest.routes).length).toBeGreaterThanOrEqual(21);
  });
});

describe("names that are hard to put in a URL", () => {
  const namesManifest = manifestOf(names);

  it.each(feedDocumentPaths(namesManifest))("serves %s at its own URL", async (path) => {
    const url = new URL(ORIGIN + path);
    expect(url.pathname).toBe(path);
    const response = await fetchWith({ BUILD_ID: names.buildId }, url.pathname);
    expect(response.status).toBe(200);
    expect(response.headers.get("ETag")).toBe(namesManifest.routes[path]?.etag);
    expect(response.headers.get("Link")).toBe(expectedFeedLink("https://names.example", path));
    await response.arrayBuffer();
  });

  it("keeps case twins and dot names apart", async () => {
    const etags = new Set<string | null>();
    for (const name of ["Case", "case", "~.", "~..", "~...", "%252E%252E"]) {
      const response = await fetchWith({ BUILD_ID: names.buildId }, `/category/${name}/atom.xml`);
      expect(response.status, name).toBe(200);
      etags.add(response.headers.get("ETag"));
      await response.arrayBuffer();
    }
    expect(etags.size).toBe(6);
  });
});
