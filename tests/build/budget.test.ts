/** Feed documents stay within the byte budget, and what was trimmed is reported. */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { feedView, postsIn } from "../../src/build/feeds";
import { formatProblem } from "../../src/build/problems";
import { type BuildResult, buildSite } from "../../src/build/site";
import { FEED_FORMATS } from "../../src/model";
import { renderAtom } from "../../src/render/atom";
import { renderJsonFeed } from "../../src/render/jsonfeed";
import { renderRss } from "../../src/render/rss";
import { checkEveryFeed } from "../helpers/check-build";

const RENDER = { rss: renderRss, atom: renderAtom, json: renderJsonFeed };

let dir: string;
let result: BuildResult;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "feeds-budget-"));
  await mkdir(join(dir, "_posts"), { recursive: true });
  await writeFile(
    join(dir, "_config.yml"),
    "title: Big\nurl: https://big.example\nfeed:\n  max_bytes: 400000\n",
  );
  for (let day = 1; day <= 12; day++) {
    const dd = String(day).padStart(2, "0");
    // ~90 KB each: under the per-post share (100 KB), but 12 of them do not fit in 400 KB.
    const body = `Post ${day}.\n\n${"<p>一段很长的文字，用来撑大文档。</p>\n".repeat(1800)}`;
    await writeFile(
      join(dir, "_posts", `2024-02-${dd}-big-${dd}.md`),
      `---\ntitle: Big ${day}\ndate: 2024-02-${dd} 10:00\ncategories: big\n---\n${body}`,
    );
  }
  result = await buildSite(dir, { now: new Date("2026-01-01T00:00:00Z") });
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("the feed byte budget", () => {
  it("keeps every document within feed: max_bytes", () => {
    for (const entry of Object.values(result.manifest.routes))
      expect(entry.size).toBeLessThanOrEqual(400_000);
  });

  it("leaves out the oldest items, keeps the newest, and reports how many", async () => {
    const lines = result.site.problems.map(formatProblem);
    expect(lines).toContain(
      "/category/big/atom.xml: over the 400 KB feed budget with 12 items (9 oldest item(s) left out)",
    );
    expect(lines.filter((l) => l.includes("feed budget with 12 items"))).toHaveLength(6);
    expect(await checkEveryFeed(result)).toBe(Object.keys(result.manifest.routes).length);
  });

  it("builds each trimmed document from the items it keeps, as the renderers would", () => {
    const scope = { kind: "category", name: "big" } as const;
    const view = feedView(result.site.config.site, scope, postsIn(scope, result.site.posts));
    const decoder = new TextDecoder();
    for (const format of FEED_FORMATS) {
      const entry =
        result.manifest.routes[`/category/big/${format === "json" ? "feed.json" : `${format}.xml`}`];
      const text = decoder.decode(result.documents.get(entry?.key ?? ""));
      const kept = (text.match(/<entry>|<item>|"content_html"/g) ?? []).length;
      expect(kept).toBeGreaterThan(0);
      expect(kept).toBeLessThan(view.items.length);
      expect(text).toBe(RENDER[format]({ ...view, items: view.items.slice(0, kept) }));
    }
  });
});
