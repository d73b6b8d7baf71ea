import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { escapeAttr, escapeText, stripInvalidXmlChars, textElement } from "../../src/render/xml";
import { assertWellFormedXml } from "../helpers/feed-parsers";
import { parseXmlTree } from "./xml-tree";

/** XML 1.0 §2.11: a parser reads CR LF and lone CR in content as LF. */
const normalizeLineEnds = (s: string) => s.replace(/\r\n?/g, "\n");

describe("stripInvalidXmlChars", () => {
  it.each([
    ["U+0000", "\u0000"],
    ["U+0001", "\u0001"],
    ["U+0008", "\u0008"],
    ["U+000B", "\u000B"],
    ["U+000C", "\u000C"],
    ["U+000E", "\u000E"],
    ["U+001F", "\u001F"],
    ["U+FFFE", "\uFFFE"],
    ["U+FFFF", "\uFFFF"],
    ["a lone high surrogate", "\uD83D"],
    ["a lone low surrogate", "\uDE00"],
  ])("removes %s", (_, char) => {
    expect(stripInvalidXmlChars(`a${char}b${char}`)).toBe("ab");
  });

  it("keeps tab, line breaks, surrogate pairs and every other allowed character", () => {
    const allowed = "\t\n\r 中文 😀 \u007F \u0085 \uFFFD \uE000 𐍈";
    expect(stripInvalidXmlChars(allowed)).toBe(allowed);
  });

  it("removes a surrogate only when it is unpaired", () => {
    expect(stripInvalidXmlChars("\uDE00\uD83D\uDE00\uD83D")).toBe("😀");
  });
});

describe("escapeText", () => {
  it("escapes & < > and nothing else", () => {
    expect(escapeText(`a & b < c > d " ' ]]>`)).toBe(`a &amp; b &lt; c &gt; d " ' ]]&gt;`);
  });

  it("strips forbidden characters before escaping", () => {
    expect(escapeText("x\u0001&\uFFFEy")).toBe("x&amp;y");
  });
});

describe("escapeAttr", () => {
  it("escapes markup, both quotes and whitespace that attribute normalization would change", () => {
    expect(escapeAttr(`a&b<c>d"e'f\tg\nh\ri`)).toBe("a&amp;b&lt;c&gt;d&quot;e&apos;f&#9;g&#10;h&#13;i");
  });

  it("strips forbidden characters", () => {
    expect(escapeAttr("\u0001ok\uDE00")).toBe("ok");
  });
});

describe("round trip through a conforming XML parser", () => {
  // Any UTF-16 string, lone surrogates and control characters included.
  const anyString = fc.string({ unit: "binary", maxLength: 40 });
  const hostile = fc.string({
    unit: fc.constantFrom(
      "&",
      "<",
      ">",
      '"',
      "'",
      "]]>",
      "\t",
      "\n",
      "\r",
      "\u0001",
      "\uFFFE",
      "\uD800",
      "中",
    ),
    maxLength: 20,
  });
  const input = fc.oneof(anyString, hostile);

  it("text: always well-formed, reads back as the stripped string", () => {
    fc.assert(
      fc.property(input, (s) => {
        const xml = textElement("t", s);
        assertWellFormedXml(xml);
        expect(parseXmlTree(xml).text).toBe(normalizeLineEnds(stripInvalidXmlChars(s)));
      }),
      { numRuns: 300 },
    );
  });

  it("attributes: always well-formed, read back exactly as the stripped string", () => {
    fc.assert(
      fc.property(input, (s) => {
        const xml = textElement("t", "", { a: s });
        assertWellFormedXml(xml);
        expect(parseXmlTree(xml).attributes.a).toBe(stripInvalidXmlChars(s));
      }),
      { numRuns: 300 },
    );
  });
});

describe("long texts (a post's HTML, remembered between formats)", () => {
  const long = (fill: string) => `<p title="a&b">${fill.repeat(1200)}</p>`;

  it("escape and clean each text as given, however they alternate", () => {
    const a = long("港");
    const b = long("股");
    const dirty = long("市").replace("市", "\u0001");
    expect(new Set([a.length, b.length, dirty.length]).size).toBe(1);
    for (const text of [a, b, a, dirty, a, dirty, b]) {
      const expected = text
        .replaceAll("\u0001", "")
        .replace(/&/g, "&amp;")
        .replace(/</g, "&lt;")
        .replace(/>/g, "&gt;");
      expect(escapeText(text)).toBe(expected);
      expect(stripInvalidXmlChars(text)).toBe(text.replaceAll("\u0001", ""));
    }
  });
});
