/** Category and tag names with characters URLs treat specially: each gets its own working URL. */
import { describe, expect, it } from "vitest";
import { buildSite } from "../../src/build/site";
import type { FeedScope } from "../../src/model";
import { canonicalPath, decodeName, encodeName, feedPath } from "../../src/paths";

const NAMES = [
  "a/b",
  "..",
  ".",
  "...",
  "100%",
  "50% off",
  "with space",
  "Café",
  "中文",
  "🚀 rocket",
  "Case",
  "case",
];
const MORE = ["~tilde", "~..", "?q=1#frag", "a+b", "C++", "%2E%2E", "", "x".repeat(600)];

describe("encodeName / decodeName", () => {
  it.each([...NAMES, ...MORE])("round-trips %j through one path segment", (name) => {
    const segment = encodeName(name);
    expect(segment).not.toMatch(/[/?#\s]/);
    expect(segment).not.toMatch(/^(\.|%2e)+$/i);
    expect(decodeName(segment)).toBe(name.normalize("NFC"));
  });

  it("gives every name a different segment", () => {
    const segments = [...NAMES, ...MORE].map(encodeName);
    expect(new Set(segments).size).toBe(segments.length);
  });

  it("keeps each feed path where URL resolution leaves it", () => {
    for (const name of [...NAMES, ...MORE]) {
      const path = feedPath({ kind: "category", name }, "atom");
      expect(new URL(path, "https://x.example").pathname, name).toBe(path);
      expect(canonicalPath(path)).toBe(path);
    }
  });

  it("finds the same feed however a client spells the name", () => {
    const path = feedPath({ kind: "tag", name: "Café" }, "rss");
    expect(canonicalPath("/tag/Café/rss.xml")).toBe(path);
    expect(canonicalPath("/tag/caf%c3%a9/rss.xml")).toBe(feedPath({ kind: "tag", name: "café" }, "rss"));
    expect(canonicalPath("/tag/Cafe%CC%81/rss.xml")).toBe(path);
    expect(canonicalPath("/tag/%E0%A4/rss.xml")).toBeUndefined();
  });
});

describe("a post filed under hard names", () => {
  it("publishes one feed per name, merging only NFC/NFD spellings of one name", async () => {
    const result = await buildSite("tests/fixtures/names", { now: new Date("2026-01-01T00:00:00Z") });
    const scopes: FeedScope[] = [
      ...NAMES.map((name): FeedScope => ({ kind: "category", name })),
      { kind: "category", name: "長".repeat(200) + "x".repeat(300) },
      { kind: "tag", name: "été" },
      { kind: "tag", name: "ÉTÉ" },
      { kind: "tag", name: "标签/斜杠" },
    ];
    const routes = Object.keys(result.manifest.routes);
    for (const scope of scopes) expect(routes, JSON.stringify(scope)).toContain(feedPath(scope, "json"));
    expect(routes.filter((r) => r.startsWith("/category/Caf"))).toHaveLength(3);
    expect(result.site.problems.map((p) => p.message)).toEqual(["tags has an empty name"]);
    for (const entry of Object.values(result.manifest.routes)) expect(entry.key.length).toBeLessThan(512);
  });
});
