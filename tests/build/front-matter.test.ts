/**
 * Front matter is split exactly as gray-matter 4 split it when front-matter.ts called it (with the
 * same YAML engine): random files made of the lines that matter to the split, then a few by hand.
 */
import fc from "fast-check";
import matter from "gray-matter";
import yaml from "js-yaml";
import { describe, expect, it } from "vitest";
import { isRecord } from "../../src/build/config";
import { readFrontMatter } from "../../src/build/front-matter";
import { ProblemLog } from "../../src/build/problems";

const encoder = new TextEncoder();

/** What front-matter.ts gave through gray-matter, for text already past its checks. */
function throughGrayMatter(text: string): { data: unknown; body: string; raw: string } {
  const file = matter(text, {
    engines: { yaml: (source: string) => yaml.load(source, { schema: yaml.CORE_SCHEMA }) as object },
  });
  return { data: file.data ?? {}, body: file.content, raw: file.matter };
}

const LINES = [
  "",
  " \t",
  "title: a",
  "date: 2024-01-01 10:00 +0800",
  "tags: [a, b]",
  "# a comment",
  "  # an indented comment",
  "#",
  "---",
  "--- ",
  "----",
  "---x",
  "...",
  "key: '---'",
  "text: |",
  "  --- inside a block",
  "body text",
  "\u00a0",
  "~",
];
const file = fc
  .record({
    opening: fc.constantFrom("", " ", "\t "),
    lines: fc.array(fc.constantFrom(...LINES), { maxLength: 12 }),
    end: fc.constantFrom("", "\n", "\n\n"),
  })
  .map(({ opening, lines, end }) => `---${opening}\n${lines.join("\n")}${end}`);

describe("readFrontMatter", () => {
  it("splits front matter from the body as gray-matter did", () => {
    fc.assert(
      fc.property(file, (text) => {
        const log = new ProblemLog("a.md");
        const read = readFrontMatter(encoder.encode(text), log);
        if (!/\n---[ \t]*(\n|$)/.test(text.slice(3)) || text.trim() === "") {
          expect(read).toBeUndefined();
          return;
        }
        let expected: ReturnType<typeof throughGrayMatter>;
        try {
          expected = throughGrayMatter(text);
        } catch {
          // Not YAML: skipped with the reason, or read after repair (as before).
          expect(read === undefined || log.problems.some((p) => p.severity === "warning")).toBe(true);
          return;
        }
        if (!isRecord(expected.data)) expect(read).toBeUndefined();
        else expect(read).toEqual(expected);
      }),
      { numRuns: 2000, seed: 20261126 },
    );
  });

  it.each([
    ["empty front matter", "---\n---\nbody"],
    ["comments only", "---\n# a\n  # b\n---\nbody"],
    ["a longer dash line closes it", "---\ntitle: a\n---x\nbody\n---\nmore"],
    ["blanks after the closing dashes", "---\ntitle: a\n---  \nbody"],
    ["no body", "---\ntitle: a\n---"],
    ["two newlines after it", "---\ntitle: a\n---\n\nbody"],
  ])("gives gray-matter's split for %s", (_, text) => {
    const log = new ProblemLog("a.md");
    expect(readFrontMatter(encoder.encode(text), log)).toEqual(throughGrayMatter(text));
  });
});
