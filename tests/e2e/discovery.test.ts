/**
 * End to end, as a person finds the feeds: `content/` built, the Worker bundled the way wrangler
 * deploys it (`wrangler deploy --dry-run`, offline), served by Miniflare on 127.0.0.1 with the build
 * in its KV, and `/` opened in headless Chromium (Debian's package, driven by playwright-core). The
 * page loads, lists every feed, has its `<link rel="alternate">` tags, and every link on it answers
 * 200 when the browser follows it (gzip and all).
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Miniflare } from "miniflare";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BuildResult, buildSite } from "../../src/build/site";
import { manifestKey } from "../../src/model";

const CHROMIUM = "/usr/bin/chromium";
/** As the machine's notes run it: no sandbox as root, and nothing that reaches for the network. */
const CHROMIUM_FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const MISSING = `${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium; .ci/run does)`;
const hasChromium = existsSync(CHROMIUM);

if (!hasChromium) {
  describe("without Chromium", () => {
    // CI installs it (.ci/run), so there a missing browser is a failure, not a skip.
    if (process.env.CI) {
      it("fails in CI", () => {
        throw new Error(MISSING);
      });
    } else it.skip(`is skipped: ${MISSING}`, () => {});
  });
}

describe.runIf(hasChromium)("the discovery page in headless Chromium", () => {
  let dir: string;
  let build: BuildResult;
  let mf: Miniflare;
  let origin: string;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "feeds-e2e-"));
    build = await buildSite("content", { now: new Date("2026-01-01T00:00:00Z") });
    const { buildId } = build.manifest;
    // FEEDS_BUILD_ID: wrangler's [build] command only bakes this id in (no build, no upload).
    await promisify(execFile)("npx", ["wrangler", "deploy", "--dry-run", "--outdir", join(dir, "bundle")], {
      env: {
        ...process.env,
        WRANGLER_SEND_METRICS: "false",
        CLOUDFLARE_CF_FETCH_ENABLED: "false",
        WRANGLER_HIDE_BANNER: "true",
        FEEDS_BUILD_ID: buildId,
      },
    });
    mf = new Miniflare({
      scriptPath: join(dir, "bundle", "index.js"),
      modules: true,
      // Module names are paths relative to this root, which must hold the bundle.
      modulesRoot: join(dir, "bundle"),
      compatibilityDate: "2026-04-20",
      kvNamespaces: ["FEEDS"],
      kvPersist: join(dir, "kv"),
      bindings: { BUILD_ID: buildId },
      host: "127.0.0.1",
      port: 0,
    });
    origin = (await mf.ready).origin;
    const kv = await mf.getKVNamespace("FEEDS");
    await Promise.all([...build.documents].map(([key, bytes]) => kv.put(key, bytes)));
    await kv.put(manifestKey(buildId), JSON.stringify(build.manifest));
    context = await chromium.launchPersistentContext(join(dir, "profile"), {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_FLAGS,
    });
    page = await context.newPage();
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await mf?.dispose();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** Subscription documents of the build (aliases, pages and lists left out). */
  const feedUrls = () =>
    Object.entries(build.manifest.routes)
      .filter(([, e]) => !e.canonical && /^application\/(rss|atom|feed)\+/.test(e.contentType))
      .map(([path]) => build.manifest.siteUrl + path)
      .sort();

  /** The same path and query on the local server (the page's links are the site's public URLs). */
  const local = (href: string) => {
    const url = new URL(href);
    return origin + url.pathname + url.search;
  };

  it("loads / as an HTML page titled after the site", async () => {
    const response = await page.goto(`${origin}/`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()["content-type"]).toBe("text/html; charset=utf-8");
    expect(await page.title()).toBe("港湾财经 Harbour Ledger: feeds");
    expect(await page.locator("html").getAttribute("lang")).toBe("zh-CN");
    await expect(page.locator("h1").textContent()).resolves.toBe("港湾财经 Harbour Ledger");
    expect(await page.locator("script").count()).toBe(0);
  });

  it("has a <link rel=alternate> for every format of every feed", async () => {
    const links = await page
      .locator('head link[rel="alternate"]')
      .evaluateAll((els) => els.map((el) => [el.getAttribute("href"), el.getAttribute("type")]));
    expect(links).toHaveLength(build.feeds * 3);
    expect(links.map(([href]) => href).sort()).toEqual(feedUrls());
    for (const [, type] of links) expect(type).toMatch(/^application\/(rss\+xml|atom\+xml|feed\+json)$/);
  });

  it("lists every category and tag with links to its three formats", async () => {
    const anchors = await page
      .locator("main a")
      .evaluateAll((els) => els.map((el) => el.getAttribute("href") ?? ""));
    const feeds = anchors.filter((href) => !href.includes("/feeds.opml"));
    expect(feeds).toHaveLength(build.feeds * 3);
    expect([...feeds].sort()).toEqual(feedUrls());
    expect(anchors.filter((href) => href.includes("/feeds.opml"))).toHaveLength(3);
    const items = await page.locator("main li").allTextContents();
    expect(items).toHaveLength(build.feeds);
    for (const name of ["market open", "宏观新闻", "macro"]) {
      expect(
        items.some((item) => item.startsWith(`${name}:`)),
        name,
      ).toBe(true);
    }
  });

  it("has links that all answer 200 when the browser follows them", async () => {
    const hrefs = await page
      .locator("a, head link[rel=alternate]")
      .evaluateAll((els) => els.map((el) => el.getAttribute("href") ?? ""));
    const urls = [...new Set(hrefs.map(local))];
    expect(urls.length).toBe(build.feeds * 3 + 3);
    // Fetched by the page itself: Chromium asks for gzip and must read what it gets.
    const answers = await page.evaluate(
      (list) =>
        Promise.all(
          list.map(async (url) => {
            const response = await fetch(url);
            const text = await response.text();
            return {
              url,
              status: response.status,
              type: response.headers.get("content-type"),
              start: text.slice(0, 5),
            };
          }),
        ),
      urls,
    );
    for (const answer of answers) {
      expect(answer.status, answer.url).toBe(200);
      if (answer.url.endsWith(".json")) expect(answer.start.startsWith("{"), answer.url).toBe(true);
      else expect(answer.start, answer.url).toBe("<?xml");
      if (answer.url.includes("/feeds.opml")) expect(answer.type).toBe("text/x-opml; charset=utf-8");
    }
  });

  it("opens a feed the page links to", async () => {
    const href = await page.locator('main a[type="application/atom+xml"]').first().getAttribute("href");
    const response = await page.goto(local(href ?? ""));
    expect(response?.status()).toBe(200);
    expect(response?.headers()["content-encoding"]).toBe("gzip");
    expect(await response?.text()).toContain("<feed");
  });
});
