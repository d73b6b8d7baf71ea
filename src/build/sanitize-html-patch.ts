/**
 * A fix for a cost in sanitize-html 2.17.5, applied where the parser threads' code is bundled
 * (thread-bundle.ts): the library declares its `Frame` constructor (one per element) inside
 * `sanitizeHtml`, so every call makes a new constructor. V8 then builds a new prototype and object
 * shape for the first element of every call, and the library's handlers (`onopentag`, `ontext`,
 * `onclosetag`, whose type feedback all calls share) meet frames of a new shape in each call, which
 * keeps their property reads megamorphic. With one constructor for all calls, the HTML of 5,000
 * bench posts took 0.71-0.77 of the time (median of five alternating rounds in each of three runs of
 * `npm run bench`; alone: `node bin/run.mjs bench/sanitize-child.ts --content <corpus>`), and
 * `<p>hi</p>` 4-8 µs instead of 26-40 µs a call. Cold CLI builds of the 10,000 posts, alternating
 * with and without it: 0.89 of the time in median of five pairs (0.87 to 1.14).
 *
 * The change is applied only to the exact file it was written for (its SHA-256): any other version
 * is bundled as it is (correct, only slower), and tests/build/sanitize-html-patch.test.ts fails so
 * that the change is looked at again. It changes no output: the frames hold the same fields, set at
 * the same moments; the two parent updates, which read the library's current element stack, are
 * handed that stack by their callers instead of reaching it through the closure.
 */
import { createHash } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Plugin } from "esbuild";

/** SHA-256 of sanitize-html 2.17.5's `index.js`, the file the edits below were written for. */
const PATCHED_SOURCE_SHA256 = "bbf5d9ce1d079ce156bba96c4463d23b8da79a78f713745e46a5fd7157b842d6";

/** The per-call constructor: from its first line to the line that closes it. */
const INNER_FRAME = /\n {2}function Frame\(tag, attribs\) \{\n[\s\S]*?\n {2}\}\n/;

/** One constructor for every call, placed before `sanitizeHtml` (after the `mediaTags` it reads). */
const SHARED_FRAME = `
function Frame(tag, attribs, tagPosition) {
  this.tag = tag;
  this.attribs = attribs || {};
  this.tagPosition = tagPosition;
  this.text = '';
  this.openingTagLength = 0;
  this.mediaChildren = [];
}
Frame.prototype.updateParentNodeText = function (stack) {
  if (stack.length) stack[stack.length - 1].text += this.text;
};
Frame.prototype.updateParentNodeMediaChildren = function (stack) {
  if (stack.length && mediaTags.includes(this.tag)) stack[stack.length - 1].mediaChildren.push(this.tag);
};

`;

/** The line that starts `sanitizeHtml`, before which the shared constructor goes. */
const SANITIZE_HTML = "\nfunction sanitizeHtml(html, options, _recursing) {\n";

/** Each edit: what it replaces (found exactly `count` times) and with what. */
const EDITS: { find: string | RegExp; replace: string; count: number }[] = [
  { find: INNER_FRAME, replace: "\n", count: 1 },
  { find: SANITIZE_HTML, replace: `\n${SHARED_FRAME}${SANITIZE_HTML.slice(1)}`, count: 1 },
  // `tagPosition` was `result.length` read in the constructor, at this same moment.
  { find: "new Frame(name, attribs);", replace: "new Frame(name, attribs, result.length);", count: 1 },
  { find: "frame.updateParentNodeText();", replace: "frame.updateParentNodeText(stack);", count: 2 },
  {
    find: "frame.updateParentNodeMediaChildren();",
    replace: "frame.updateParentNodeMediaChildren(stack);",
    count: 1,
  },
];

/**
 * sanitize-html's `index.js` with one `Frame` constructor for all calls, or `undefined` when `source`
 * is not the file the change was written for.
 */
export function patchSanitizeHtml(source: string): string | undefined {
  if (createHash("sha256").update(source).digest("hex") !== PATCHED_SOURCE_SHA256) return undefined;
  let patched = source;
  for (const { find, replace, count } of EDITS) {
    const pattern = typeof find === "string" ? new RegExp(escapeRegExp(find), "g") : new RegExp(find, "g");
    if ((patched.match(pattern) ?? []).length !== count) return undefined;
    // A function as replacement: `$` in the replacement text is not a pattern.
    patched = patched.replace(pattern, () => replace);
  }
  return patched;
}

/** The esbuild plugin that bundles sanitize-html's `index.js` as `patchSanitizeHtml` makes it. */
export const sanitizeHtmlPatch: Plugin = {
  name: "sanitize-html-shared-frame",
  setup(build) {
    build.onLoad({ filter: /[\\/]node_modules[\\/]sanitize-html[\\/]index\.js$/ }, async (args) => {
      const contents = patchSanitizeHtml(await readFile(args.path, "utf8"));
      // Another version: loaded as it is.
      return contents === undefined ? undefined : { contents, loader: "js" };
    });
  },
};

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * sanitize-html as the threads' bundle holds it, loaded into this process (written to `dir` as one
 * CommonJS file): for the tests and the bench, which compare it with the library as published.
 */
export async function loadPatchedSanitizeHtml(dir: string): Promise<typeof import("sanitize-html")> {
  const { build } = await import("esbuild");
  const result = await build({
    stdin: { contents: 'module.exports = require("sanitize-html");', resolveDir: HERE },
    bundle: true,
    platform: "node",
    format: "cjs",
    plugins: [sanitizeHtmlPatch],
    write: false,
    logLevel: "silent",
  });
  const file = join(dir, `sanitize-html-${process.pid}-${loaded++}.cjs`);
  await writeFile(file, result.outputFiles[0]?.text ?? "");
  return createRequire(file)(file);
}

/** Files written by `loadPatchedSanitizeHtml` in this process, so that each has a name of its own. */
let loaded = 0;

/** This module's folder: `sanitize-html` resolves from it as from the build's own modules. */
const HERE = fileURLToPath(new URL(".", import.meta.url));
