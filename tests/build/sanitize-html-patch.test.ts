/**
 * The change the parser threads' bundle makes to sanitize-html (src/build/sanitize-html-patch.ts):
 * it applies to the installed version only, fixes what it says (one element constructor for every
 * call, where the published library makes one per call), and sanitizes exactly as the library does.
 * The library is patched here the way the bundle patches it: through the esbuild plugin.
 */
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import sanitizeHtml from "sanitize-html";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFrontMatter } from "../../src/build/front-matter";
import { renderMarkdown, sanitizeOptions } from "../../src/build/html";
import { ProblemLog } from "../../src/build/problems";
import { loadPatchedSanitizeHtml, patchSanitizeHtml } from "../../src/build/sanitize-html-patch";
import { FINEWS_DIR } from "../corpus";
import { XSS_PAYLOADS } from "./xss-payloads";

const require = createRequire(import.meta.url);
const LIBRARY_FILE = require.resolve("sanitize-html");

let dir: string;
/** sanitize-html as the parser threads' bundle holds it. */
let patched: typeof sanitizeHtml;
/** Every finews post's body, as written and as rendered. */
let finewsBodies: string[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "sanitize-patch-"));
  patched = await loadPatchedSanitizeHtml(dir);

  const posts = join(FINEWS_DIR, "_posts");
  finewsBodies = [];
  for (const name of await readdir(posts)) {
    const file = readFrontMatter(await readFile(join(posts, name)), new ProblemLog(name));
    if (file) finewsBodies.push(file.body, renderMarkdown(file.body));
  }
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The constructors of the element frames one call of `sanitize` made. */
function frameConstructors(sanitize: typeof sanitizeHtml, html: string): Set<unknown> {
  const constructors = new Set<unknown>();
  sanitize(html, {
    exclusiveFilter: (frame) => {
      constructors.add(Object.getPrototypeOf(frame));
      return false;
    },
  });
  return constructors;
}

describe("sanitize-html in the parser threads' bundle", () => {
  it("is patched: the change was written for the installed version", async () => {
    const source = await readFile(LIBRARY_FILE, "utf8");
    expect(patchSanitizeHtml(source)).toBeDefined();
    expect(patched).not.toBe(sanitizeHtml);
    expect(Object.keys(patched)).toEqual(Object.keys(sanitizeHtml));
  });

  it("is left as it is when the file is any other version", async () => {
    const source = await readFile(LIBRARY_FILE, "utf8");
    expect(patchSanitizeHtml(`${source}\n`)).toBeUndefined();
    expect(patchSanitizeHtml(source.replace("this.tagPosition = result.length;", ""))).toBeUndefined();
  });

  it("makes one element constructor for all calls, where the published library makes one per call", () => {
    const html = "<p>one <em>two</em></p><div>three</div>";
    const [first] = frameConstructors(sanitizeHtml, html);
    const [second] = frameConstructors(sanitizeHtml, html);
    expect(frameConstructors(sanitizeHtml, html).size).toBe(1);
    // The fault: each call of the published library has frames of a constructor of its own.
    expect(first).not.toBe(second);

    const [patchedFirst] = frameConstructors(patched, html);
    const [patchedSecond] = frameConstructors(patched, html);
    expect(patchedFirst).toBe(patchedSecond);
  });

  /** Options to compare under: the build's own, the library's defaults, and text kept of every tag. */
  const OPTION_SETS: [string, () => sanitizeHtml.IOptions | undefined][] = [
    ["the build's options", () => sanitizeOptions("https://news.example.com/a/b.html")],
    ["the library's defaults", () => undefined],
    [
      "elements filtered by their media children and their descendants' text",
      () => ({
        allowedTags: ["p", "div", "em", "a", "img", "video", "picture"],
        textFilter: (text, tagName) => `${text}[${tagName}]`,
        exclusiveFilter: (frame) =>
          frame.mediaChildren.length > 1 ||
          frame.mediaChildren.includes("video") ||
          (frame.tag !== "p" && frame.text.includes("drop")),
      }),
    ],
    [
      "every tag dropped, text filtered",
      () => ({ allowedTags: [], textFilter: (text) => text.toUpperCase() }),
    ],
    // The library's other way of escaping: entities kept as written.
    ["entities left as written", () => ({ parser: { decodeEntities: false } })],
  ];

  /** Where an element's text and media children reach its parent (what the frames' methods do). */
  const NESTED = [
    '<p><img src="a.png"><img src="b.png"></p>',
    "<div><p>drop</p></div>",
    "<div><em><p>drop</p></em> kept</div>",
    '<p><video src="v.mp4"></video><img src="c.png"></p><p><img src="d.png"></p>',
  ];

  it.each(OPTION_SETS)(
    "sanitizes the finews posts, script injections and nested elements as the library does, with %s",
    (_, options) => {
      expect(finewsBodies.length).toBeGreaterThan(100);
      for (const html of [...finewsBodies, ...XSS_PAYLOADS, ...NESTED]) {
        expect(patched(html, options())).toBe(sanitizeHtml(html, options()));
      }
    },
  );

  const TAGS = [
    "p",
    "div",
    "a",
    "img",
    "em",
    "script",
    "style",
    "textarea",
    "svg",
    "video",
    "picture",
    "html",
  ];
  const ATTRIBUTES = [
    'href="//x.example/a"',
    "href=javascript:alert(1)",
    'src="/i.png"',
    'style="display: none"',
    "hidden",
    'class="c"',
    'srcset="a.png 1x, b.png 2x"',
    "onclick=alert(1)",
    `title='say "hi" & <bye>'`,
    'alt="a &amp; b &#39; &zz; &"',
  ];
  const piece = fc.oneof(
    fc
      .tuple(fc.constantFrom(...TAGS), fc.subarray(ATTRIBUTES), fc.boolean())
      .map(
        ([tag, attributes, selfClosing]) => `<${[tag, ...attributes].join(" ")}${selfClosing ? "/" : ""}>`,
      ),
    fc.constantFrom(...TAGS).map((tag) => `</${tag}>`),
    fc.constantFrom(
      "drop",
      "text",
      " & ",
      "&amp;",
      "&lt;b&gt;",
      "<!-- c -->",
      "<![CDATA[x]]>",
      "<",
      "\u00a0",
    ),
    fc.string({ maxLength: 8 }),
  );

  it.each(OPTION_SETS)("sanitizes generated markup as the library does, with %s", (_, options) => {
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), (pieces) => {
        const html = pieces.join("");
        expect(patched(html, options())).toBe(sanitizeHtml(html, options()));
      }),
      { numRuns: 300, seed: 20261126 },
    );
  });
});
