/**
 * `absoluteUrl` skips the URL parser for URLs already written as the parser would write them
 * (`isSerializedHttpUrl`). Property: for any URL-like string built from the pieces the parser treats
 * specially (case, Punycode, numeric hosts, ports, user info, dot segments, characters it
 * percent-encodes), the shortcut never gives another answer than the parser.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { absoluteUrl, isSerializedHttpUrl } from "../../src/build/html";

const BASE = "https://news.example.com/2024/05/06/post.html";

/** What `absoluteUrl` answered before the shortcut: the parser, always. */
function parsed(value: string, base: string, schemes: ReadonlySet<string>): string | undefined {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: as absoluteUrl does.
  const trimmed = value.replace(/[\u0000-\u001F\u007F]+/g, "").trim();
  if (trimmed === "") return undefined;
  try {
    const url = trimmed.startsWith("//") ? new URL(`https:${trimmed}`) : new URL(trimmed, base);
    return schemes.has(url.protocol) ? url.href : undefined;
  } catch {
    return undefined;
  }
}

const pick = <T>(values: readonly T[]) => fc.constantFrom(...values);
const scheme = pick([
  "https://",
  "http://",
  "HTTPS://",
  "Http://",
  "https:/",
  "https:///",
  "//",
  "ftp://",
  "",
]);
const label = pick([
  ...["a", "example", "img", "static", "localhost", "a-b", "-a", "b-", "a--b", "ab--cd", "a_b", "Example"],
  ...["xn--bcher-kva", "xn--zz", "XN--a", "1", "0", "255", "0x7f", "0X1", "08", "中文", "é", "", "[::1]"],
]);
const host = fc
  .tuple(fc.array(label, { minLength: 1, maxLength: 4 }), pick(["", ".", ":443", ":80", ":8080", ":"]))
  .map(([labels, end]) => `${labels.join(".")}${end}`);
const userInfo = pick(["", "", "", "user@", "u:p@", "@"]);
const segment = pick([
  ...["", "a", "b.html", "~x", "a;b=c", "@", ":", "a,b", "(x)", "*", "+", "!", "$", "a_b", "A"],
  ...[".", "..", ".a", "%2e", "%2E", "%2e%2e", "a%20b", "%zz", "%", "a b", "a'b", 'a"b', "a{b}"],
  ...["a^b", "a`b", "a|b", "a\\b", "é", "中", "a<b>", "\t", "a\nb"],
]);
const path = fc.array(segment, { maxLength: 5 }).map((segments) => segments.map((s) => `/${s}`).join(""));
const query = pick([
  "",
  "",
  "?",
  "?a=b",
  "?a=b&c=d",
  "?a'b",
  "?a b",
  '?a"',
  "?q=%",
  "?x?y",
  "?a^b",
  "?{}",
  "?é",
]);
const fragment = pick(["", "", "#", "#f", "#a b", "#a#b", "#`", "#x'y", "#/p?q", "#é"]);
const urlLike = fc.tuple(scheme, userInfo, host, path, query, fragment).map((parts) => parts.join(""));

describe("absoluteUrl's shortcut past the URL parser", () => {
  it("takes only URLs that the parser gives back unchanged", () => {
    fc.assert(
      fc.property(urlLike, (value) => {
        if (!isSerializedHttpUrl(value)) return;
        expect(new URL(value).href).toBe(value);
      }),
      { numRuns: 20000, seed: 20261126 },
    );
  });

  it("answers as the parser does, for every scheme set", () => {
    const schemeSets = [new Set(["http:", "https:", "mailto:"]), new Set(["https:"]), new Set(["http:"])];
    fc.assert(
      fc.property(urlLike, pick([0, 1, 2]), (value, which) => {
        const schemes = schemeSets[which] as Set<string>;
        expect(absoluteUrl(value, BASE, schemes)).toBe(parsed(value, BASE, schemes));
      }),
      { numRuns: 20000, seed: 20261127 },
    );
  });

  it("is taken by the usual absolute and protocol-relative addresses", () => {
    for (const value of [
      "https://img.example.org/download/D263763846_w750h334.jpg",
      "http://quote.example.com/r/106.36702",
      "https://www.example.org/a/653710.html?from=rss&id=3#top",
      "https://cdn.example.net/s/2024/x.png?w=640,h=480;q=80",
    ])
      expect(isSerializedHttpUrl(value), value).toBe(true);
    // Left to the parser, which changes, refuses or has to check each of them.
    for (const value of [
      "https://Example.com/",
      "https://example.com",
      "https://example.com:443/",
      "https://1.2.3.4/",
      "https://a.0x7f/",
      "https://xn--zz.com/",
      "https://example.com/a/../b",
      "https://example.com/%2e/b",
      "https://example.com/a b",
      "https://example.com/?a'b",
      "https://user@example.com/",
    ])
      expect(isSerializedHttpUrl(value), value).toBe(false);
  });
});
