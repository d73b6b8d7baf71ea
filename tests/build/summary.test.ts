/**
 * The summary functions, and a differential test against the implementation they replaced (kept
 * below as the reference): whole-tree parsing and whole-text segmentation, which the new code must
 * match exactly while doing less work.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import matter from "gray-matter";
import { DomUtils, parseDocument } from "htmlparser2";
import { describe, expect, it } from "vitest";
import { renderMarkdown, sanitizePostHtml } from "../../src/build/html";
import { cutSummary, firstParagraphText, htmlToText, SUMMARY_LIMIT } from "../../src/build/summary";
import { stripInvalidXmlChars } from "../../src/render/xml";
import { FINEWS_DIR } from "../corpus";

const SEED = 20260501;
const RUNS = 3000;

// The reference: summary.ts as it was before the streaming parser and the lazy segmentation.
const reference = (() => {
  const BLOCKS = new Set(["p", "blockquote", "li", "h1", "h2", "h3", "h4", "h5", "h6", "dd", "td", "pre"]);
  const SENTENCE_END = /[。！？!?…．.；;]/u;
  const graphemes = new Intl.Segmenter("und", { granularity: "grapheme" });
  const collapse = (text: string) => stripInvalidXmlChars(text).replace(/\s+/g, " ").trim();
  return {
    htmlToText(html: string): string {
      return collapse(DomUtils.textContent(parseDocument(html).children));
    },
    firstParagraphText(html: string): string {
      const document = parseDocument(html);
      const block = DomUtils.findOne(
        (element) => BLOCKS.has(element.name) && collapse(DomUtils.textContent(element)) !== "",
        document.children,
        true,
      );
      return collapse(DomUtils.textContent(block ?? document.children));
    },
    cutSummary(text: string, limit = SUMMARY_LIMIT): string {
      const clusters = Array.from(graphemes.segment(text), (s) => s.segment);
      if (clusters.length <= limit) return text;
      const head = clusters.slice(0, limit - 1);
      let cut = -1;
      for (let i = head.length - 1; i >= limit / 2; i--) {
        if (SENTENCE_END.test(head[i] ?? "")) {
          cut = i + 1;
          break;
        }
      }
      if (cut > 0) return head.slice(0, cut).join("");
      for (let i = head.length - 1; i >= limit / 2; i--) {
        if (/\s/.test(head[i] ?? "")) {
          cut = i;
          break;
        }
      }
      return `${head
        .slice(0, cut > 0 ? cut : head.length)
        .join("")
        .trimEnd()}…`;
    },
  };
})();

const TAGS = [
  // the blocks
  "p",
  "blockquote",
  "li",
  "h1",
  "h2",
  "h3",
  "h4",
  "h5",
  "h6",
  "dd",
  "td",
  "pre",
  // inline, containers, tags with implied ends, void, raw text and foreign content
  "span",
  "b",
  "em",
  "a",
  "div",
  "ul",
  "ol",
  "dl",
  "dt",
  "table",
  "tbody",
  "tr",
  "th",
  "section",
  "br",
  "hr",
  "img",
  "script",
  "style",
  "title",
  "textarea",
  "svg",
  "math",
  "select",
  "option",
  "button",
  "input",
  "form",
];

/** Text pieces: ASCII, CJK, emoji sequences, combining marks, entities that decode to text. */
const WORDS = [
  "a",
  "Hello world",
  "中文",
  "引用的摘要。",
  "，",
  "👨‍👩‍👧",
  "🇨🇳",
  "e\u0301",
  "&amp;",
  "&#128512;",
  "&lt;p&gt;",
  "&am",
  "&",
  "<",
  ">",
  "]]>",
];
/** Pieces that are blank once collapsed (whitespace of all kinds, XML-invalid characters), or nearly. */
const BLANKS = [
  " ",
  "  ",
  "\n",
  "\t",
  "\r\n",
  "\u00a0",
  "\u3000",
  "\u2028",
  "\u0301",
  "\u200d",
  "\u0001",
  "\ufffe",
  "\u0000",
  "&nbsp;",
  "&#x3000;",
  "&#xD83D;",
  "&#0;",
  "&#1;",
];
const plainText = fc.oneof(
  { weight: 10, arbitrary: fc.constantFrom(...WORDS) },
  { weight: 10, arbitrary: fc.constantFrom(...BLANKS) },
  { weight: 2, arbitrary: fc.string({ unit: "grapheme", maxLength: 6 }) },
);
/** With lone surrogates too, which pair up across tags (these take the tree). */
const text = fc.oneof(
  { weight: 30, arbitrary: plainText },
  { weight: 1, arbitrary: fc.constantFrom("\ud83d", "\ude00") },
);

const tagName = fc.oneof(
  fc.constantFrom(...TAGS),
  fc.constantFrom(...TAGS).map((t) => t.toUpperCase()),
);
const attributes = fc.constantFrom("", ' class="x"', " id=a", ' title="<p>"', " hidden");
const token = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(tagName, attributes).map(([t, a]) => `<${t}${a}>`) },
  { weight: 1, arbitrary: tagName.map((t) => `<${t}/>`) },
  { weight: 3, arbitrary: tagName.map((t) => `</${t}>`) },
  { weight: 6, arbitrary: text },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      "<!-- note 注释 -->",
      "<![CDATA[ cdata 文字 ]]>",
      "<!DOCTYPE html>",
      "<?xml version='1.0'?>",
      "</>",
      "<>",
      "</br>",
      "</p>",
    ),
  },
);
/** What may be cut off at the very end: an open tag, a comment or an entity left unfinished. */
const tail = fc.constantFrom(
  "",
  "",
  "",
  "<p class='x",
  "<p",
  "</p",
  "<!-- open",
  "<![CDATA[ x",
  "&#12",
  "<",
  "</",
);
const fragment = fc
  .tuple(fc.array(token, { maxLength: 40 }), tail)
  .map(([tokens, end]) => tokens.join("") + end);

/** Well-nested trees too, since real posts are mostly that. */
const { tree } = fc.letrec<{ tree: string; node: string }>((tie) => ({
  tree: fc.array(tie("node"), { maxLength: 5 }).map((nodes) => nodes.join("")),
  node: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    plainText,
    fc.tuple(fc.constantFrom(...TAGS), tie("tree")).map(([t, inner]) => `<${t}>${inner}</${t}>`),
    fc.tuple(fc.constantFrom(...TAGS), tie("tree")).map(([t, inner]) => `<${t}>${inner}`),
  ),
}));

function posts(): string[] {
  const folder = join(FINEWS_DIR, "_posts");
  return readdirSync(folder).map((name) => {
    const { content } = matter(readFileSync(join(folder, name), "utf8"));
    return sanitizePostHtml(renderMarkdown(content), "https://finews.example/emnews/a.html");
  });
}

describe("firstParagraphText", () => {
  it("takes the first block with text, its inner elements included", () => {
    expect(firstParagraphText("<p> </p><p>First <b>para</b>graph.</p><p>Second.</p>")).toBe(
      "First paragraph.",
    );
    expect(firstParagraphText("<h2>标题</h2><p>正文。</p>")).toBe("标题");
  });

  it("prefers the outer block opened first to a block inside it", () => {
    expect(
      firstParagraphText("<blockquote>\n<p>摘要一。</p>\n<p>摘要二。</p>\n</blockquote><p>正文</p>"),
    ).toBe("摘要一。 摘要二。");
    expect(firstParagraphText("<li><p></p>item <p>text</p></li>")).toBe("item text");
  });

  it("skips blocks whose text is only whitespace, invalid characters, comments or line breaks", () => {
    expect(firstParagraphText("<p>\u3000\u00a0<br></p><p>\u0001<!-- c --></p><pre>\n</pre><p>text</p>")).toBe(
      "text",
    );
  });

  it("falls back to the whole text when no block has any", () => {
    expect(firstParagraphText("<div>just <span>a div</span></div> and more")).toBe("just a div and more");
    expect(firstParagraphText("")).toBe("");
  });

  it("closes what the HTML leaves open as htmlparser2 does", () => {
    expect(firstParagraphText("<ul><li>one<li>two</ul>")).toBe("one");
    expect(firstParagraphText("<p>unclosed <b>bold")).toBe("unclosed bold");
    expect(firstParagraphText("<div><p>a<div>b</div>")).toBe("a");
  });

  it("pairs surrogates split by a tag as the tree's text does", () => {
    expect(firstParagraphText("<p>\uD83D<b>\uDE00</b></p><p>x</p>")).toBe("\uD83D\uDE00");
  });

  it("matches the tree-building implementation on random fragments", () => {
    fc.assert(
      fc.property(fragment, (html) => {
        expect(firstParagraphText(html)).toBe(reference.firstParagraphText(html));
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it("matches the tree-building implementation on random trees", () => {
    fc.assert(
      fc.property(tree, (html) => {
        expect(firstParagraphText(html)).toBe(reference.firstParagraphText(html));
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it("matches the tree-building implementation on the finews posts", () => {
    const htmls = posts();
    expect(htmls.length).toBeGreaterThan(100);
    for (const html of htmls) expect(firstParagraphText(html)).toBe(reference.firstParagraphText(html));
  });
});

describe("htmlToText", () => {
  it("gives all the text, comments left out, whitespace collapsed", () => {
    expect(htmlToText("<p>a <!-- no --> b</p>\n<p>c&amp;d</p><![CDATA[x]]>")).toBe("a b c&d");
  });

  it("matches the tree-building implementation", () => {
    fc.assert(
      fc.property(fc.oneof(fragment, tree), (html) => {
        expect(htmlToText(html)).toBe(reference.htmlToText(html));
      }),
      { seed: SEED, numRuns: RUNS },
    );
    for (const html of posts()) expect(htmlToText(html)).toBe(reference.htmlToText(html));
  });
});

describe("cutSummary", () => {
  it("keeps a text within the limit as it is", () => {
    expect(cutSummary("短文本。")).toBe("短文本。");
    expect(cutSummary("")).toBe("");
    expect(cutSummary("👨‍👩‍👧".repeat(SUMMARY_LIMIT))).toBe("👨‍👩‍👧".repeat(SUMMARY_LIMIT));
  });

  it("cuts at a sentence end, a space, or between characters", () => {
    expect(cutSummary("一二三四五。六七八九十", 8)).toBe("一二三四五。");
    expect(cutSummary("一二三。四五六七八九十", 8)).toBe("一二三。四五六…");
    expect(cutSummary("one two three four", 10)).toBe("one two…");
    expect(cutSummary("一二三四五六七八九十", 5)).toBe("一二三四…");
  });

  it("counts grapheme clusters, not code units", () => {
    expect(cutSummary("👨‍👩‍👧".repeat(5), 4)).toBe(`${"👨‍👩‍👧".repeat(3)}…`);
    expect(cutSummary("e\u0301".repeat(5), 5)).toBe("e\u0301".repeat(5));
  });

  const pieces = fc.constantFrom(
    "a",
    "b",
    " ",
    "\n",
    "\u3000",
    "中",
    "文",
    "。",
    "！",
    "?",
    ".",
    ";",
    "…",
    "👨‍👩‍👧",
    "👍🏽",
    "🇨🇳",
    "\u200d",
    "\u0301",
    "e\u0301",
    "\r\n",
    "\ud83d",
    "\ude00",
    "각",
    "\u1100\u1161",
    "क्षि",
  );
  const text = fc.oneof(
    fc.array(pieces, { maxLength: 400 }).map((p) => p.join("")),
    fc.string({ unit: "grapheme", maxLength: 400 }),
    fc.string({ unit: "binary", maxLength: 400 }),
  );

  it("matches whole-text segmentation for limits 1 to 300", () => {
    fc.assert(
      fc.property(text, fc.integer({ min: 1, max: 300 }), (t, limit) => {
        expect(cutSummary(t, limit)).toBe(reference.cutSummary(t, limit));
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it("matches whole-text segmentation around the limit and for odd limits", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: -2, max: 2 }),
        fc.array(pieces, { minLength: 1, maxLength: 3 }),
        (limit, delta, unit) => {
          const t = unit.join("").repeat(limit + delta + 1);
          expect(cutSummary(t, limit)).toBe(reference.cutSummary(t, limit));
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
    for (const limit of [0, -1, 0.5, 2.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      for (const t of ["", "a", "abc def", "一二三。四五六", "👨‍👩‍👧👨‍👩‍👧👨‍👩‍👧"]) {
        expect(cutSummary(t, limit)).toBe(reference.cutSummary(t, limit));
      }
    }
  });
});
