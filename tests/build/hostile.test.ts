/**
 * Broken, odd and malicious posts: the build keeps going, publishes every good post, reports each
 * problem once, and every feed stays well-formed, parseable and safe.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderMarkdown, sanitizePostHtml } from "../../src/build/html";
import { formatProblem } from "../../src/build/problems";
import { type BuildResult, buildSite } from "../../src/build/site";
import { feedPath } from "../../src/paths";
import { checkEveryFeed, documentAt } from "../helpers/check-build";
import { assertWellFormedXml } from "../helpers/feed-parsers";
import { assertSafeHtml } from "../helpers/html-safety";
import { XSS_PAYLOADS } from "./xss-payloads";

const NOW = new Date("2026-06-01T00:00:00Z");
const encoder = new TextEncoder();

/** Front matter plus body, with a unique marker to find the post in the feeds. */
function post(frontMatter: string, body: string): string {
  return `---\n${frontMatter.trim()}\n---\n${body}\n`;
}

const FILES: Record<string, string | Uint8Array> = {
  // Front matter
  "_posts/2024-01-01-no-front-matter.md": "Just text, marker-nofm.\n",
  "_posts/2024-01-02-empty.md": "",
  "_posts/2024-01-03-inner-quotes.md": post(
    'title: "他说"好"了"\ndate: 2024-01-03 10:00:00',
    "marker-quotes",
  ),
  "_posts/2024-01-04-broken-yaml.md": post("title: [unclosed\ndate: 2024-01-04", "marker-broken"),
  "_posts/2024-01-05-blank-line.md": `\n${post("title: Blank line first\ndate: 2024-01-05 08:00", "marker-blank")}`,
  "_posts/2024-01-06-crlf.md": post(
    "title: CRLF post\ndate: 2024-01-06 08:00",
    "marker-crlf\n\nsecond",
  ).replace(/\n/g, "\r\n"),
  "_posts/2024-01-07-bom.md": `\uFEFF${post("title: BOM post\ndate: 2024-01-07 08:00", "marker-bom")}`,
  "_posts/2024-01-08-latin1.md": Uint8Array.from([
    ...encoder.encode("---\ntitle: caf"),
    0xe9,
    ...encoder.encode("\n---\nmarker-latin1\n"),
  ]),
  "_posts/2024-01-09-wrong-types.md": post(
    "title: [a, list]\ndate: 2024-01-09 08:00\ncategories: [1, null, [nested], {a: 1}, '', '', null]\ntags: 2024",
    "marker-types: the first paragraph becomes the title.",
  ),
  // Dates
  "_posts/2024-02-01-no-zone.md": post("title: No zone\ndate: 2024-02-01 08:00:00", "marker-nozone"),
  "_posts/2024-02-02-utc.md": post("title: UTC\ndate: 2024-02-02T08:00:00Z", "marker-utc"),
  "_posts/2024-02-03-date-only.md": post("title: Date only\ndate: 2024-02-03", "marker-dateonly"),
  "_posts/2024-02-04-free-text.md": post("title: Free text\ndate: next Tuesday", "marker-freetext"),
  "_posts/2024-02-05-only-zone.md": post("title: Only zone\ndate:  +0800", "marker-onlyzone"),
  "_posts/2099-01-01-future.md": post("title: From the future\ndate: 2099-01-01 00:00", "marker-future"),
  "_posts/1969-07-20-moon.md": post("title: Before 1970\ndate: 1969-07-20 20:17:40 Z", "marker-1969"),
  "_posts/undated-name.md": post("title: Undated\ndate: sometime", "marker-undated"),
  // Text that XML forbids or must escape
  "_posts/2024-03-01-hostile-title.md": post(
    'title: "A ]]> & <b> \\"q\\" \'s \\x01\\uFFFE\\uFFFF\\uD800 end"\ndate: 2024-03-01 08:00',
    "marker-title body \u0001\u0008 with controls \uFFFE and \uFFFF.",
  ),
  "_posts/2024-03-02-relative-urls.md": post(
    "title: Relative URLs\ndate: 2024-03-02 08:00\ncategories: a/b",
    [
      "marker-relative [up](../up.html) [root](/root.html) [proto](//cdn.example/p.html)",
      '<img src="img/a.png" srcset="img/a.png 1x, /img/b.png 2x, //cdn.example/c.png 3x">',
      '<video poster="poster.jpg" src="/v.mp4"></video>',
    ].join("\n\n"),
  ),
  "_posts/2024-03-03-liquid.md": post(
    "title: Liquid\ndate: 2024-03-03 08:00",
    "marker-liquid {{ site.title }} and {% include x.html %} {% raw %}{{ kept }}{% endraw %}",
  ),
  // Files
  "_posts/.DS_Store": Uint8Array.from([0, 0, 0, 1, 66, 117, 100, 49]),
  "_posts/notes.txt": "not a post\n",
  "_posts/2024-04-01-long.markdown": post(
    "title: Markdown extension\ndate: 2024-04-01 08:00",
    "marker-markdown",
  ),
  "_posts/2024-04-02-raw.html": post("title: HTML post\ndate: 2024-04-02 08:00", "<p>marker-html</p>"),
  "_posts/2024/2024-04-03-nested.md": post("title: In a subfolder\ndate: 2024-04-03 08:00", "marker-nested"),
  "_posts/2024-04-04-twin-a.md": post("title: Twin A\ndate: 2024-04-04 08:00\nid: same-id", "marker-twina"),
  "_posts/2024-04-05-twin-b.md": post("title: Twin B\ndate: 2024-04-05 08:00\nid: same-id", "marker-twinb"),
  // Publishing flags
  "_posts/2024-05-01-unpublished.md": post(
    "title: Unpublished\ndate: 2024-05-01\npublished: false\ncategories: secret-a",
    "marker-secret1",
  ),
  "_posts/2024-05-02-unpublished-no.md": post(
    "title: Unpublished no\ndate: 2024-05-02\npublished: no\ntags: secret-b",
    "marker-secret2",
  ),
  "_posts/2024-05-03-draft.md": post(
    "title: Draft\ndate: 2024-05-03\ndraft: true\ncategories: secret-c",
    "marker-secret3",
  ),
  // Content
  "_posts/2024-06-01-xss.md": post(
    "title: Payloads\ndate: 2024-06-01 08:00\ncategories: xss",
    XSS_PAYLOADS.join("\n\nmarker-xss\n\n"),
  ),
  "_posts/2024-06-02-huge.md": post(
    "title: Huge\ndate: 2024-06-02 08:00\ncategories: huge",
    `marker-huge first paragraph.\n\n${"<p>全文很长的内容。Lots of text. </p>\n".repeat(120_000)}`,
  ),
};

let dir: string;
let result: BuildResult;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "feeds-hostile-"));
  await writeFile(
    join(dir, "_config.yml"),
    "title: Hostile\nurl: https://h.example/blog/\ntimezone: Asia/Shanghai\n",
  );
  for (const [path, content] of Object.entries(FILES)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  result = await buildSite(dir, { now: NOW });
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const every = () => Object.keys(result.manifest.routes).map((path) => documentAt(result, path));
const postBy = (marker: string) => result.site.posts.find((p) => p.contentHtml.includes(marker));

describe("what is reported", () => {
  it("reports each problem once, as path: reason (action)", () => {
    const lines = result.site.problems.map(formatProblem);
    expect(new Set(lines).size).toBe(lines.length);
    expect(lines).toEqual(
      expect.arrayContaining([
        "_posts/.DS_Store: hidden or backup file (ignored)",
        "_posts/notes.txt: not a Markdown or HTML file (.txt) (ignored)",
        "_posts/2024-01-01-no-front-matter.md: no front matter (a post starts with a --- line) (post skipped)",
        "_posts/2024-01-02-empty.md: empty file (post skipped)",
        "_posts/2024-01-03-inner-quotes.md: front matter has unescaped double quotes inside a quoted value (quotes escaped)",
        "_posts/2024-01-05-blank-line.md: blank line before the front matter's opening --- (front matter read anyway)",
        "_posts/2024-01-08-latin1.md: not valid UTF-8 (post skipped)",
        "_posts/2024-01-09-wrong-types.md: title is not text (a list) (title ignored)",
        "_posts/2024-01-09-wrong-types.md: empty title (title taken from the text)",
        "_posts/2024-01-09-wrong-types.md: categories has an empty (null) entry (entry ignored)",
        '_posts/2024-01-09-wrong-types.md: categories has an entry that is not a name ({"a":1}) (entry ignored)',
        "_posts/2024-01-09-wrong-types.md: categories has an empty name (entry ignored)",
        '_posts/2024-02-04-free-text.md: date "next Tuesday" is not a date (date taken from the file name)',
        '_posts/2024-02-05-only-zone.md: date "+0800" is not a date (date taken from the file name)',
        "_posts/2099-01-01-future.md: dated in the future (2098-12-31T16:00:00Z) (scheduled: appears in its feeds then, without another deploy)",
        '_posts/undated-name.md: date "sometime" is not a date, and the file name has none (post skipped)',
        "_posts/2024-03-03-liquid.md: 2 Liquid tag(s) that cannot be evaluated (removed from the content)",
        "_posts/2024-04-05-twin-b.md: has the same id as _posts/2024-04-04-twin-a.md (tag:h.example,2024:same-id) (post skipped)",
        "_posts/2024-05-01-unpublished.md: published: false (not published)",
        "_posts/2024-05-02-unpublished-no.md: published: false (not published)",
        "_posts/2024-05-03-draft.md: draft: true (not published)",
      ]),
    );
    expect(
      lines.find((l) => l.startsWith("_posts/2024-01-04-broken-yaml.md: front matter is not valid YAML")),
    ).toMatch(/\(post skipped\)$/);
    expect(lines.find((l) => l.startsWith("_posts/2024-06-02-huge.md: content is"))).toMatch(
      /over 250 KB .*\(published with its summary and a link to the original\)$/,
    );
  });

  it("counts skipped posts, and publishes all the others", () => {
    expect(result.skipped.map((p) => p.path).sort()).toEqual([
      "_posts/2024-01-01-no-front-matter.md",
      "_posts/2024-01-02-empty.md",
      "_posts/2024-01-04-broken-yaml.md",
      "_posts/2024-01-08-latin1.md",
      "_posts/2024-04-05-twin-b.md",
      "_posts/undated-name.md",
    ]);
    for (const marker of [
      "quotes",
      "blank",
      "crlf",
      "bom",
      "types",
      "nozone",
      "utc",
      "dateonly",
      "freetext",
    ]) {
      expect(postBy(`marker-${marker}`), marker).toBeDefined();
    }
    for (const marker of [
      "onlyzone",
      "1969",
      "relative",
      "liquid",
      "markdown",
      "html",
      "nested",
      "twina",
      "xss",
    ]) {
      expect(postBy(`marker-${marker}`), marker).toBeDefined();
    }
  });
});

describe("every feed stays valid and safe", () => {
  it("is well-formed and read alike by every parser", async () => {
    expect(await checkEveryFeed(result)).toBe(Object.keys(result.manifest.routes).length);
  });

  it("contains only safe markup in every item of every format", () => {
    for (const [path, entry] of Object.entries(result.manifest.routes)) {
      const text = documentAt(result, path);
      if (entry.contentType.startsWith("application/feed+json")) {
        const feed = JSON.parse(text) as { items: { content_html: string }[] };
        for (const item of feed.items) assertSafeHtml(item.content_html, path);
      } else {
        assertWellFormedXml(text);
        for (const html of xmlHtmlFields(text)) assertSafeHtml(html, path);
      }
    }
  });

  it.each(XSS_PAYLOADS.map((payload, i) => [i + 1, payload]))("neutralizes payload %i: %s", (_, payload) => {
    const html = sanitizePostHtml(renderMarkdown(payload), "https://h.example/blog/p.html");
    assertSafeHtml(html);
    // What survives may be visible text, never markup or a URL that runs code.
    for (const [, value] of html.matchAll(/="([^"]*)"/g))
      expect(value).not.toMatch(/alert|javascript|evil|tracker/i);
  });

  it("lets none of the payloads' targets into any document", () => {
    for (const text of every()) expect(text).not.toMatch(/evil\.example|tracker\.example|srcdoc/i);
  });

  it("keeps every document within the 1 MB budget, even with a multi-megabyte post", () => {
    for (const entry of Object.values(result.manifest.routes))
      expect(entry.size).toBeLessThanOrEqual(1_000_000);
    expect(postBy("marker-huge")?.contentHtml).toContain(
      '<a href="https://h.example/blog/huge/2024/06/02/huge.html">',
    );
  });
});

describe("names, dates and text", () => {
  it("never lets unpublished posts, drafts or future posts into any feed, under any name", () => {
    for (const text of every()) expect(text).not.toMatch(/marker-secret|marker-future|secret-[abc]/);
    const paths = Object.keys(result.manifest.routes);
    expect(paths.filter((p) => p.includes("secret"))).toEqual([]);
  });

  it("reads every date form into the right instant", () => {
    expect(postBy("marker-nozone")?.published).toBe("2024-02-01T00:00:00Z");
    expect(postBy("marker-utc")?.published).toBe("2024-02-02T08:00:00Z");
    expect(postBy("marker-dateonly")?.published).toBe("2024-02-02T16:00:00Z");
    expect(postBy("marker-freetext")?.published).toBe("2024-02-03T16:00:00Z");
    expect(postBy("marker-1969")?.published).toBe("1969-07-20T20:17:40Z");
    expect(documentAt(result, "/rss.xml")).toContain("<pubDate>Sun, 20 Jul 1969 20:17:40 GMT</pubDate>");
  });

  it("keeps hostile titles as text, without forbidden characters", () => {
    const title = postBy("marker-title")?.title;
    expect(title).toBe('A ]]> & <b> "q" \'s end');
    const atom = documentAt(result, "/atom.xml");
    expect(atom).toContain('<title type="text">A ]]&gt; &amp; &lt;b&gt; "q" \'s end</title>');
    expect(postBy("marker-title")?.contentHtml).toContain("marker-title body  with controls  and .");
  });

  it("makes relative URLs in href, src, srcset and poster absolute against the post's address", () => {
    const html = postBy("marker-relative")?.contentHtml ?? "";
    const base = "https://h.example/blog/a/b/2024/03/02/";
    expect(html).toContain(`href="https://h.example/blog/a/b/2024/03/up.html"`);
    expect(html).toContain('href="https://h.example/root.html"');
    expect(html).toContain('href="https://cdn.example/p.html"');
    expect(html).toContain(
      `srcset="${base}img/a.png 1x, https://h.example/img/b.png 2x, https://cdn.example/c.png 3x"`,
    );
    expect(html).toContain(`poster="${base}poster.jpg"`);
  });

  it("removes Liquid it cannot evaluate and keeps {% raw %} text", () => {
    expect(postBy("marker-liquid")?.contentHtml).toBe("<p>marker-liquid  and  {{ kept }}</p>");
  });

  it("reads wrong types as far as they make sense", () => {
    const p = postBy("marker-types");
    expect(p?.title).toBe("marker-types: the first paragraph becomes the title.");
    expect(p?.categories).toEqual(["1", "nested"]);
    expect(p?.tags).toEqual(["2024"]);
    expect(Object.keys(result.manifest.routes)).toContain(
      feedPath({ kind: "category", name: "a/b" }, "atom"),
    );
  });
});

/** The HTML carried by RSS content:encoded and Atom content elements, unescaped. */
function xmlHtmlFields(xml: string): string[] {
  const fields = [
    ...xml.matchAll(/<(content:encoded|content type="html")>([\s\S]*?)<\/content(?::encoded)?>/g),
  ];
  return fields.map(([, , escaped]) =>
    (escaped ?? "")
      .replace(/&lt;/g, "<")
      .replace(/&gt;/g, ">")
      .replace(/&quot;/g, '"')
      .replace(/&apos;/g, "'")
      .replace(/&amp;/g, "&"),
  );
}
