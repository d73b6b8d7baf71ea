/**
 * Property: whatever the posts contain (random text, any code point, hostile markup, broken front
 * matter), the build does not crash, and every feed it writes is well-formed, read alike by the real
 * parsers, and carries only safe markup. Fixed seed here; `npm run fuzz` runs longer with a new seed.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import yaml from "js-yaml";
import { describe, expect, it } from "vitest";
import { formatProblem } from "../../src/build/problems";
import { buildSite } from "../../src/build/site";
import { checkEveryFeed, documentAt } from "../helpers/check-build";
import { assertSafeHtml } from "../helpers/html-safety";
import { XSS_PAYLOADS } from "./xss-payloads";

const RUNS = Number(process.env.FUZZ_RUNS ?? 25);
const SEED = process.env.FUZZ_SEED
  ? Number(process.env.FUZZ_SEED)
  : process.env.FUZZ_RUNS
    ? Date.now()
    : 20261126;

const anyText = fc.string({ unit: "binary", maxLength: 40 });
const FRAGMENTS = [
  ...XSS_PAYLOADS,
  '<p style="display:none;height:1px">hidden</p>',
  "<!-- comment -->",
  "]]> & &amp; &#0; &#xFFFE; < > \" '",
  "<http://original.example/a?b=1&c=2>",
  "<>",
  "[返回首页](../)｜[返回](//x.example/)",
  '[rel](../a.html) ![img](/i.png) <img srcset="a.png 1x, //c.example/b.png 2x">',
  "{{ site.title }} {% include x %}",
  "> 引用的摘要。第二句。",
  "| a | b |\n| - | - |\n| 1 | 2 |",
  "```\n<script>in code</script>\n```",
];
const body = fc
  .array(fc.oneof(fc.constantFrom(...FRAGMENTS), anyText), { maxLength: 6 })
  .map((parts) => parts.join("\n\n"));
const name = fc.oneof(anyText, fc.constantFrom("a b", "..", "中文", "Case", "case", "a/b", "%", "🚀"));
const date = fc
  .record({
    instant: fc.date({
      min: new Date("1970-01-01T00:00:00Z"),
      max: new Date("2030-12-31T00:00:00Z"),
      noInvalidDate: true,
    }),
    style: fc.constantFrom("zone", "plain", "z", "dateonly", "text", "missing"),
  })
  .map(({ instant, style }) => {
    const iso = instant.toISOString();
    const plain = `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
    return {
      iso,
      value: {
        zone: `${plain} +0800`,
        plain,
        z: iso,
        dateonly: iso.slice(0, 10),
        text: "soon",
        missing: undefined,
      }[style],
    };
  });
const mutation = fc.option(
  fc.record({ at: fc.nat(), kind: fc.constantFrom("cut", "insert", "quote", "fence"), text: anyText }),
  { freq: 3 },
);

const post = fc.record({
  title: fc.oneof(anyText, fc.constantFrom('A "quoted" title', "]]>&<", "")),
  date,
  categories: fc.array(name, { maxLength: 2 }),
  tags: fc.oneof(fc.array(name, { maxLength: 2 }), name),
  published: fc.constantFrom(true, true, true, false),
  body,
  mutation,
});

function render(p: {
  title: string;
  date: { value: string | undefined };
  categories: string[];
  tags: string[] | string;
  published: boolean;
  body: string;
  mutation: { at: number; kind: string; text: string } | null;
}): string {
  const data: Record<string, unknown> = { title: p.title, categories: p.categories, tags: p.tags };
  if (p.date.value !== undefined) data.date = p.date.value;
  if (!p.published) data.published = false;
  let text = `---\n${yaml.dump(data)}---\n${p.body}\n`;
  if (p.mutation) {
    const at = p.mutation.at % (text.length + 1);
    if (p.mutation.kind === "cut") text = text.slice(0, at);
    if (p.mutation.kind === "insert") text = text.slice(0, at) + p.mutation.text + text.slice(at);
    if (p.mutation.kind === "quote") text = text.replace(/^title: .*$/m, `title: "${p.title}"`);
    if (p.mutation.kind === "fence") text = text.replace("---\n", "\n---\n");
  }
  return text;
}

describe("fuzzing the build", () => {
  it(`keeps every feed valid and safe (${RUNS} runs, seed ${SEED})`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(post, { minLength: 1, maxLength: 4 }), async (posts) => {
        const dir = await mkdtemp(join(tmpdir(), "feeds-fuzz-"));
        try {
          await mkdir(join(dir, "_posts"));
          await writeFile(
            join(dir, "_config.yml"),
            "title: Fuzz\nurl: https://fuzz.example\ntimezone: Asia/Shanghai\n",
          );
          for (const [i, p] of posts.entries()) {
            const day = p.date.iso.slice(0, 10);
            await writeFile(join(dir, "_posts", `${day}-post-${i}.md`), render(p));
          }
          const result = await buildSite(dir, { now: new Date("2031-01-01T00:00:00Z") });
          const lines = result.site.problems.map(formatProblem);
          expect(new Set(lines).size).toBe(lines.length);
          if (result.site.posts.length === 0) return;
          await checkEveryFeed(result);
          for (const [path, entry] of Object.entries(result.manifest.routes)) {
            if (!entry.contentType.startsWith("application/feed+json")) continue;
            const feed = JSON.parse(documentAt(result, path)) as { items: { content_html: string }[] };
            for (const item of feed.items) assertSafeHtml(item.content_html, path);
          }
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
  }, 600_000);
});
