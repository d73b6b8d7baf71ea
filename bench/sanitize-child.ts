/**
 * sanitize-html as published against sanitize-html as the parser threads' bundle holds it
 * (src/build/sanitize-html-patch.ts), run by bench/run.ts in its own process:
 *
 *   node bin/run.mjs bench/sanitize-child.ts --content DIR [--posts N] [--rounds R]
 *
 * Both sanitize the same HTML (the bodies of the first N posts of the content folder, Markdown ones
 * rendered with the build's renderer; without the build's earlier steps on the body, such as cutting
 * out the original article's link) with the build's options, in alternating rounds in this one process, so that both meet the
 * machine at about the same speed. Prints one JSON line: the milliseconds of every round of each.
 */
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { extname, join } from "node:path";
import { parseArgs } from "node:util";
import sanitizeHtml from "sanitize-html";
import { readFrontMatter } from "../src/build/front-matter";
import { renderMarkdown, sanitizeOptions } from "../src/build/html";
import { MARKDOWN_EXTENSIONS } from "../src/build/post-files";
import { ProblemLog } from "../src/build/problems";
import { loadPatchedSanitizeHtml } from "../src/build/sanitize-html-patch";

/** What one comparison reports. */
export interface SanitizeReport {
  posts: number;
  /** Milliseconds per round, the library as published and as bundled. */
  published: number[];
  bundled: number[];
  /** Whether both gave the same output for every post. */
  same: boolean;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      content: { type: "string" },
      posts: { type: "string", default: "5000" },
      rounds: { type: "string", default: "5" },
    },
  });
  if (!values.content) throw new Error("--content is required");
  const postsDir = join(values.content, "_posts");
  const names = (await readdir(postsDir)).sort().slice(0, Number(values.posts));
  const htmls: string[] = [];
  for (const name of names) {
    const file = readFrontMatter(await readFile(join(postsDir, name)), new ProblemLog(name));
    if (file)
      htmls.push(
        MARKDOWN_EXTENSIONS.has(extname(name).toLowerCase()) ? renderMarkdown(file.body) : file.body,
      );
  }
  const options = sanitizeOptions("https://news.example.com/2024/01/01/post.html");

  const dir = await mkdtemp(join(tmpdir(), "bench-sanitize-"));
  try {
    const bundled = await loadPatchedSanitizeHtml(dir);
    const report: SanitizeReport = { posts: htmls.length, published: [], bundled: [], same: true };
    const outputs = new Map<string, string[]>();
    for (let round = 0; round < Number(values.rounds); round++) {
      const order =
        round % 2 === 0 ? (["published", "bundled"] as const) : (["bundled", "published"] as const);
      for (const which of order) {
        const sanitize = which === "published" ? sanitizeHtml : bundled;
        const started = performance.now();
        const out = htmls.map((html) => sanitize(html, options));
        report[which].push(performance.now() - started);
        outputs.set(which, out);
      }
    }
    const [a, b] = [outputs.get("published") ?? [], outputs.get("bundled") ?? []];
    report.same = a.length === b.length && a.every((html, i) => html === b[i]);
    process.stdout.write(`${JSON.stringify(report)}\n`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
