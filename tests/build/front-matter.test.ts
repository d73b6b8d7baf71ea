/**
 * readFrontMatter hands gray-matter only the front matter and the line that closes it; what it gives
 * must be what gray-matter gives for the whole post (src/build/front-matter.ts).
 */
import fc from "fast-check";
import matter from "gray-matter";
import yaml from "js-yaml";
import { describe, expect, it } from "vitest";
import { readFrontMatter } from "../../src/build/front-matter";
import { ProblemLog } from "../../src/build/problems";

const encoder = new TextEncoder();

/** gray-matter on the whole text, with the engine the build gives it. */
function wholeTextMatter(text: string) {
  const file = matter(text, {
    engines: { yaml: (source: string) => yaml.load(source, { schema: yaml.CORE_SCHEMA }) as object },
  });
  return { data: file.data, body: file.content, raw: file.matter };
}

/** Front matter lines (each key at most once: js-yaml refuses a repeated key). */
const yamlLine = fc.constantFrom(
  "title: 标题",
  "date: 2024-05-30 13:19:22",
  "categories: [a, b c]",
  "tags:\n  - 港股\n  - x",
  "# a comment",
  "note: '--- in a value'",
  "empty:",
  "",
);
/** The line gray-matter takes for the end of the front matter (the first `\n---`), as written. */
const closingLine = fc.constantFrom("---", "--- ", "---\t", "----", "---x", "---  trailing");
const bodyPiece = fc.oneof(
  fc.constantFrom("", "\n", "\n\n", "text", "<p>段落</p>", "---", "\n---\n", "\n----", " ", "\t"),
  fc.string({ maxLength: 6 }).map((s) => s.replace(/\r/g, "")),
);

describe("readFrontMatter", () => {
  it("reads what gray-matter reads from the whole post", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(yamlLine, { maxLength: 5 }),
        closingLine,
        fc.array(bodyPiece, { maxLength: 8 }),
        fc.boolean(),
        (lines, closing, pieces, endsAfterClosing) => {
          const body = pieces.join("");
          const text = `---\n${lines.map((line) => `${line}\n`).join("")}${closing}${endsAfterClosing ? "" : `\n${body}`}`;
          // Posts the build refuses before gray-matter sees them are not this test's concern.
          fc.pre(/\n---[ \t]*(\n|$)/.test(text.slice(3)) && text.trim() !== "");
          const expected = wholeTextMatter(text);
          const read = readFrontMatter(encoder.encode(text), new ProblemLog("post.md"));
          expect(read).toEqual(expected);
        },
      ),
      { numRuns: 2000, seed: 20261126 },
    );
  });

  it.each([
    ["a closing line and a body", "---\ntitle: a\n---\nbody\n---\nmore\n", "body\n---\nmore\n"],
    ["a blank line after the closing one", "---\ntitle: a\n---\n\nbody", "\nbody"],
    ["spaces after the closing ---", "---\ntitle: a\n---  \nbody", "  \nbody"],
    ["no line break after the closing ---", "---\ntitle: a\n---", ""],
  ])("cuts the body as gray-matter does: %s", (_, text, body) => {
    const read = readFrontMatter(encoder.encode(text), new ProblemLog("post.md"));
    expect(read?.body).toBe(body);
    expect(read?.body).toBe(wholeTextMatter(text).body);
  });
});
