/**
 * The Worker inside workerd on a real build of `content/`: gzip negotiation and its validators,
 * jekyll-feed aliases, the discovery page and OPML lists, Link headers, and scheduled routes picked
 * by time from a manifest made by hand.
 */
import { createExecutionContext, env, SELF, waitOnExecutionContext } from "cloudflare:test";
import { beforeAll, describe, expect, inject, it } from "vitest";
import type { Manifest, ManifestEntry } from "../../src/model";
import { acceptsGzip } from "../../src/worker/encoding";
import type { Env } from "../../src/worker/env";
import worker from "../../src/worker/index";
import { effectiveEntry } from "../../src/worker/schedule";
import { expectedFeedLink, manifestOf, putBuild } from "./support";

const ORIGIN = "http://feeds.test";
const content = inject("contentBuild");
const manifest = manifestOf(content);

beforeAll(async () => {
  await putBuild(env.FEEDS, content);
});

function route(path: string): ManifestEntry {
  const entry = manifest.routes[path];
  if (!entry) throw new Error(`no route ${path} in the content build`);
  return entry;
}

/** Calls the Worker's fetch handler directly: the response is what the Worker returned, body unread. */
async function direct(path: string, init?: RequestInit, overrides: Partial<Env> = {}): Promise<Response> {
  const ctx = createExecutionContext();
  const response = await worker.fetch(new Request(ORIGIN + path, init), { ...env, ...overrides } as Env, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

async function sha256Hex(bytes: ArrayBuffer | Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

async function gunzip(bytes: ArrayBuffer): Promise<ArrayBuffer> {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Response(stream).arrayBuffer();
}

const ATOM = route("/atom.xml");
const ATOM_GZIP = ATOM.gzip ?? { key: "", etag: "", size: 0 };

describe("Accept-Encoding (RFC 9110 §12.5.3)", () => {
  it.each([
    ["gzip", true],
    ["gzip, deflate, br, zstd", true],
    ["GZIP", true],
    ["x-gzip", true],
    ["*", true],
    ["br;q=1.0, gzip;q=0.8, *;q=0.1", true],
    ["gzip;q=0.5", true],
    ["gzip ; q=0.001", true],
    ["gzip;q=0", false],
    ["gzip;q=0.000", false],
    ["*, gzip;q=0", false],
    ["*;q=0", false],
    ["identity", false],
    ["br, deflate", false],
    ["", false],
    ["gzip;q=0.5, identity", false],
    ["gzip;q=0.5, *", false],
    ["gzip;q=1, identity;q=0.5", true],
    ["gzip;q=2", false],
    ["gzip;q=abc", false],
  ])("%j accepts gzip: %s", (header, expected) => {
    expect(acceptsGzip(header)).toBe(expected);
  });

  it("treats a request without the header as identity-only", () => {
    expect(acceptsGzip(null)).toBe(false);
  });
});

describe("gzip variants", () => {
  it("answers gzip bytes to a client that accepts them, with their own tag and length", async () => {
    const response = await direct("/atom.xml", { headers: { "Accept-Encoding": "gzip, deflate, br" } });
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Encoding")).toBe("gzip");
    expect(response.headers.get("ETag")).toBe(ATOM_GZIP.etag);
    expect(response.headers.get("ETag")).not.toBe(ATOM.etag);
    expect(response.headers.get("Content-Length")).toBe(String(ATOM_GZIP.size));
    expect(response.headers.get("Vary")).toBe("Accept-Encoding");
    expect(response.headers.get("Content-Type")).toBe(ATOM.contentType);
    const body = await response.arrayBuffer();
    expect(body.byteLength).toBe(ATOM_GZIP.size);
    expect(`doc/${await sha256Hex(body)}`).toBe(ATOM_GZIP.key);
    const identity = await gunzip(body);
    expect(identity.byteLength).toBe(ATOM.size);
    expect(`"${(await sha256Hex(identity)).slice(0, 32)}"`).toBe(ATOM.etag);
  });

  it("is not compressed again by the runtime: a client decoding once reads the feed", async () => {
    const response = await SELF.fetch(`${ORIGIN}/atom.xml`, { headers: { "Accept-Encoding": "gzip" } });
    expect(response.headers.get("Content-Encoding")).toBe("gzip");
    const text = await response.text();
    expect(text.startsWith("<?xml")).toBe(true);
    expect(new TextEncoder().encode(text).byteLength).toBe(ATOM.size);
  });

  it.each([
    ["refusing gzip with q=0", { "Accept-Encoding": "gzip;q=0, br" }],
    ["asking for identity only", { "Accept-Encoding": "identity" }],
    ["sending no Accept-Encoding", {}],
  ])("answers identity bytes to a client %s, still with Vary", async (_, headers) => {
    const response = await direct("/atom.xml", { headers });
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Encoding")).toBeNull();
    expect(response.headers.get("ETag")).toBe(ATOM.etag);
    expect(response.headers.get("Content-Length")).toBe(String(ATOM.size));
    expect(response.headers.get("Vary")).toBe("Accept-Encoding");
    const body = await response.arrayBuffer();
    expect(`"${(await sha256Hex(body)).slice(0, 32)}"`).toBe(ATOM.etag);
  });

  it.each([
    ["sent none", "", null],
    ["asked for identity only", "identity", null],
    ["refused gzip", "gzip;q=0, br", null],
    ["asked for gzip", "gzip, deflate", "gzip"],
  ])(
    "decides by the client's own header when the edge rewrote it: a client that %s",
    async (_, own, coding) => {
      // As Cloudflare's edge and Miniflare hand it over: the header rewritten, the client's in `cf`.
      const response = await direct("/atom.xml", {
        headers: { "Accept-Encoding": "br, gzip" },
        cf: { clientAcceptEncoding: own },
      });
      expect(response.headers.get("Content-Encoding")).toBe(coding);
      expect(response.headers.get("ETag")).toBe(coding ? ATOM_GZIP.etag : ATOM.etag);
      expect(response.headers.get("Vary")).toBe("Accept-Encoding");
      await response.arrayBuffer();
    },
  );

  it("answers 304 to the selected representation's tag, with Vary and that tag", async () => {
    for (const tag of [ATOM_GZIP.etag, `W/${ATOM_GZIP.etag}`, `"x", ${ATOM_GZIP.etag}`]) {
      const response = await direct("/atom.xml", {
        headers: { "Accept-Encoding": "gzip", "If-None-Match": tag },
      });
      expect(response.status, tag).toBe(304);
      expect(response.headers.get("ETag")).toBe(ATOM_GZIP.etag);
      expect(response.headers.get("Vary")).toBe("Accept-Encoding");
      expect(response.headers.get("Content-Encoding")).toBeNull();
      expect(await response.text()).toBe("");
    }
    const identity = await direct("/atom.xml", { headers: { "If-None-Match": ATOM.etag } });
    expect(identity.status).toBe(304);
    expect(identity.headers.get("ETag")).toBe(ATOM.etag);
    expect(identity.headers.get("Vary")).toBe("Accept-Encoding");
  });

  it("does not answer 304 to the other representation's tag (RFC 9110 §13.1.2)", async () => {
    const gzipClient = await direct("/atom.xml", {
      headers: { "Accept-Encoding": "gzip", "If-None-Match": ATOM.etag },
    });
    expect(gzipClient.status).toBe(200);
    expect(gzipClient.headers.get("ETag")).toBe(ATOM_GZIP.etag);
    expect((await gzipClient.arrayBuffer()).byteLength).toBe(ATOM_GZIP.size);
    const identityClient = await direct("/atom.xml", { headers: { "If-None-Match": ATOM_GZIP.etag } });
    expect(identityClient.status).toBe(200);
    expect(identityClient.headers.get("ETag")).toBe(ATOM.etag);
    await identityClient.arrayBuffer();
  });

  it("gives HEAD the selected representation's headers", async () => {
    const gzip = await direct("/atom.xml", { method: "HEAD", headers: { "Accept-Encoding": "gzip" } });
    expect(gzip.status).toBe(200);
    expect(gzip.headers.get("Content-Encoding")).toBe("gzip");
    expect(gzip.headers.get("Content-Length")).toBe(String(ATOM_GZIP.size));
    expect(gzip.headers.get("ETag")).toBe(ATOM_GZIP.etag);
    expect(gzip.headers.get("Vary")).toBe("Accept-Encoding");
    expect(gzip.body).toBeNull();
    const identity = await SELF.fetch(`${ORIGIN}/atom.xml`, { method: "HEAD" });
    expect(identity.headers.get("Content-Length")).toBe(String(ATOM.size));
    expect(identity.headers.get("ETag")).toBe(ATOM.etag);
    expect(await identity.text()).toBe("");
  });
});

describe("jekyll-feed URLs", () => {
  const category = "/category/macro/atom.xml";
  const tag = "/tag/%E5%AE%8F%E8%A7%82%E6%96%B0%E9%97%BB/atom.xml";

  it.each([
    ["/feed.xml", "/atom.xml"],
    ["/feed/macro.xml", category],
    ["/feed/by_tag/宏观新闻.xml", tag],
    ["/feed/by_tag/%E5%AE%8F%E8%A7%82%E6%96%B0%E9%97%BB.xml", tag],
  ])("%s answers the bytes of %s with its self link", async (alias, canonical) => {
    const [aliased, original] = await Promise.all([
      SELF.fetch(ORIGIN + alias),
      SELF.fetch(ORIGIN + canonical),
    ]);
    expect(aliased.status).toBe(200);
    expect(new Uint8Array(await aliased.arrayBuffer())).toEqual(new Uint8Array(await original.arrayBuffer()));
    expect(aliased.headers.get("ETag")).toBe(original.headers.get("ETag"));
    expect(aliased.headers.get("Content-Type")).toBe("application/atom+xml; charset=utf-8");
    expect(aliased.headers.get("Link")).toBe(expectedFeedLink(manifest.siteUrl, canonical));
    expect(aliased.headers.get("Link")).toBe(original.headers.get("Link"));
  });

  it("serves aliases gzipped too", async () => {
    const response = await direct("/feed.xml", { headers: { "Accept-Encoding": "gzip" } });
    expect(response.headers.get("ETag")).toBe(ATOM_GZIP.etag);
    expect((await response.arrayBuffer()).byteLength).toBe(ATOM_GZIP.size);
  });
});

describe("discovery page and OPML lists", () => {
  it("serves / as HTML for a short while", async () => {
    const response = await SELF.fetch(`${ORIGIN}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("text/html; charset=utf-8");
    expect(response.headers.get("Cache-Control")).toBe("public, max-age=60");
    expect(response.headers.get("Link")).toBeNull();
    const page = await response.text();
    expect(page).toMatch(/^<!DOCTYPE html>/);
    expect(page.match(/<link rel="alternate"/g)).toHaveLength(
      Object.entries(manifest.routes).filter(
        ([path, e]) =>
          !e.canonical && /^\/(category\/[^/]+\/|tag\/[^/]+\/)?(rss\.xml|atom\.xml|feed\.json)$/.test(path),
      ).length,
    );
  });

  it.each([
    ["/feeds.opml", "atom.xml"],
    ["/feeds.opml?format=atom", "atom.xml"],
    ["/feeds.opml?format=rss", "rss.xml"],
    ["/feeds.opml?format=json", "feed.json"],
    ["/feeds.opml?format=rss&_=1716000000", "rss.xml"],
  ])("serves %s listing the %s documents", async (path, file) => {
    const response = await SELF.fetch(ORIGIN + path);
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("text/x-opml; charset=utf-8");
    expect(response.headers.get("Cache-Control")).toBe("public, max-age=60");
    const opml = await response.text();
    expect(opml).toContain('<opml version="2.0">');
    const urls = [...opml.matchAll(/xmlUrl="([^"]+)"/g)].map((m) => m[1] ?? "");
    expect(urls.length).toBeGreaterThan(10);
    for (const url of urls) expect(url.endsWith(`/${file}`), url).toBe(true);
  });

  it.each(["?format=xml", "?format=", "?format=RSS", "?format=atom.xml"])(
    "answers /feeds.opml%s with 400 and a short message",
    async (query) => {
      const response = await SELF.fetch(`${ORIGIN}/feeds.opml${query}`);
      expect(response.status).toBe(400);
      expect(response.headers.get("Content-Type")).toBe("text/plain; charset=utf-8");
      const text = await response.text();
      expect(text).toBe("Unknown format: use /feeds.opml?format=rss, atom or json\n");
    },
  );

  it("ignores query strings on feeds (cache-busters)", async () => {
    const response = await SELF.fetch(`${ORIGIN}/atom.xml?format=xml&nocache=1`);
    expect(response.status).toBe(200);
    expect(response.headers.get("ETag")).toBe(ATOM.etag);
    await response.arrayBuffer();
  });
});

describe("scheduled routes, hub and archive pages (a manifest made by hand)", () => {
  const BUILD_ID = "5c4ed01ed0000001";
  const SOON_SECONDS = 120;
  const macro = route("/category/macro/atom.xml");
  const markets = route("/category/markets/atom.xml");
  const plain: ManifestEntry = { ...route("/tag/funds/atom.xml"), gzip: undefined };
  let now = 0;

  function handMade(): Manifest {
    now = Date.now();
    const at = (seconds: number) => new Date(now + seconds * 1000).toISOString();
    return {
      buildId: BUILD_ID,
      siteUrl: "https://sched.example",
      hub: "https://hub.example/",
      routes: {
        "/atom.xml": ATOM,
        "/rss.xml": route("/rss.xml"),
        "/gone/atom.xml": macro,
        "/plain/atom.xml": plain,
        "/later/atom.xml": markets,
        "/archive/1/atom.xml": { ...macro, archive: true },
      },
      schedule: [
        {
          from: "2020-01-01T00:00:00Z",
          routes: { "/atom.xml": macro, "/gone/atom.xml": null, "/new/atom.xml": markets },
        },
        { from: at(-60), routes: { "/rss.xml": route("/category/macro/rss.xml") } },
        { from: at(SOON_SECONDS), routes: { "/atom.xml": markets, "/soon/atom.xml": macro } },
        { from: at(86_400), routes: { "/later/atom.xml": macro } },
      ],
    };
  }

  let schedule: Manifest;
  beforeAll(async () => {
    schedule = handMade();
    await env.FEEDS.put(`manifest/${BUILD_ID}`, JSON.stringify(schedule));
  });

  const get = (path: string, init?: RequestInit) => direct(path, init, { BUILD_ID });

  it("applies every change whose instant has passed, in order", async () => {
    const response = await get("/atom.xml");
    expect(response.status).toBe(200);
    expect(response.headers.get("ETag")).toBe(macro.etag);
    expect((await response.arrayBuffer()).byteLength).toBe(macro.size);
    expect((await get("/rss.xml")).headers.get("ETag")).toBe(route("/category/macro/rss.xml").etag);
    expect((await get("/new/atom.xml")).headers.get("ETag")).toBe(markets.etag);
  });

  it("removes routes a passed change removes, and does not serve future routes yet", async () => {
    expect((await get("/gone/atom.xml")).status).toBe(404);
    expect((await get("/soon/atom.xml")).status).toBe(404);
  });

  it("keeps max-age from reaching past the next change of the route", async () => {
    const response = await get("/atom.xml");
    const cacheControl = response.headers.get("Cache-Control") ?? "";
    const maxAge = Number(/^public, max-age=(\d+)$/.exec(cacheControl)?.[1]);
    const left = (now + SOON_SECONDS * 1000 - Date.now()) / 1000;
    expect(maxAge, cacheControl).toBeLessThanOrEqual(left);
    expect(maxAge).toBeGreaterThan(SOON_SECONDS - 30);
    const notModified = await get("/atom.xml", { headers: { "If-None-Match": macro.etag } });
    expect(notModified.status).toBe(304);
    expect(notModified.headers.get("Cache-Control")).toMatch(/^public, max-age=\d+$/);
  });

  it("keeps the usual max-age when the next change is further away", async () => {
    const response = await get("/later/atom.xml");
    expect(response.headers.get("Cache-Control")).toBe("public, max-age=300, stale-while-revalidate=86400");
    expect((await get("/rss.xml")).headers.get("Cache-Control")).toBe(
      "public, max-age=300, stale-while-revalidate=86400",
    );
  });

  it("picks entries by time as a pure function", () => {
    expect(effectiveEntry(schedule, "/atom.xml", Date.parse("2019-12-31T23:59:59Z"))).toEqual(ATOM);
    expect(effectiveEntry(schedule, "/atom.xml", Date.parse("2020-01-01T00:00:00Z"))).toEqual(macro);
    expect(effectiveEntry(schedule, "/atom.xml", now + SOON_SECONDS * 1000)).toEqual(markets);
    expect(effectiveEntry(schedule, "/soon/atom.xml", now + SOON_SECONDS * 1000)).toEqual(macro);
    expect(effectiveEntry(schedule, "/gone/atom.xml", now)).toBeUndefined();
    expect(effectiveEntry(schedule, "/nope.xml", now)).toBeUndefined();
  });

  it("advertises the hub and the other formats in Link (WebSub §4, RFC 8288)", async () => {
    const response = await get("/atom.xml");
    expect(response.headers.get("Link")).toBe(
      '<https://sched.example/atom.xml>; rel="self", <https://hub.example/>; rel="hub", ' +
        '<https://sched.example/rss.xml>; rel="alternate"; type="application/rss+xml"',
    );
    expect((await get("/rss.xml")).headers.get("Link")).toBe(
      '<https://sched.example/rss.xml>; rel="self", <https://hub.example/>; rel="hub", ' +
        '<https://sched.example/atom.xml>; rel="alternate"; type="application/atom+xml"',
    );
  });

  it("caches archive pages for a year, immutable (RFC 8246)", async () => {
    const response = await get("/archive/1/atom.xml");
    expect(response.status).toBe(200);
    expect(response.headers.get("Cache-Control")).toBe("public, max-age=31536000, immutable");
    expect(response.headers.get("Link")).toBe(
      '<https://sched.example/archive/1/atom.xml>; rel="self", <https://hub.example/>; rel="hub"',
    );
    await response.arrayBuffer();
  });

  it("sends no Vary for a document without a gzip variant", async () => {
    const response = await get("/plain/atom.xml", { headers: { "Accept-Encoding": "gzip" } });
    expect(response.headers.get("Vary")).toBeNull();
    expect(response.headers.get("Content-Encoding")).toBeNull();
    expect(response.headers.get("ETag")).toBe(plain.etag);
    await response.arrayBuffer();
  });
});

describe("cost per request with gzip", () => {
  it("reads KV at most twice for a gzip answer, and not at all for its 304", async () => {
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
    const response = await direct(
      "/category/macro/feed.json",
      { headers: { "Accept-Encoding": "gzip" } },
      { FEEDS: kv },
    );
    expect(response.headers.get("Content-Encoding")).toBe("gzip");
    await response.arrayBuffer();
    expect(reads).toBeLessThanOrEqual(2);
    reads = 0;
    const revalidated = await direct(
      "/category/macro/feed.json",
      { headers: { "Accept-Encoding": "gzip", "If-None-Match": response.headers.get("ETag") ?? "" } },
      { FEEDS: kv },
    );
    expect(revalidated.status).toBe(304);
    expect(reads).toBe(0);
  });
});
