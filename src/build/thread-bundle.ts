/**
 * The parser thread's TypeScript (parser-thread.ts and the project modules it imports) compiled once
 * into one JavaScript file, so that each thread starts on plain JavaScript instead of compiling every
 * module again through tsx: that saved ~0.3 s of CPU per thread here (see pool.ts).
 *
 * The file is made with esbuild, npm packages included: a thread that imported them from
 * node_modules spent ~0.2 s of CPU resolving them and scanning each CommonJS file for its exports
 * (Node's lexer ran hot enough to be optimized twice per thread), against ~0.1 s to load the one
 * file. It is kept in `node_modules/.cache/feed-publisher/` under a name made from the parser's
 * fingerprint (cache.ts: the sources, the lockfile, Node), esbuild's version and tsconfig.json:
 * editing the parser names a new file. Its last line is the SHA-256 of the rest, checked at every
 * use, so a damaged file is made again (last, so that the lines of the source map stay right); it
 * is written aside and renamed, so a reader never sees half of one. sanitize-html goes in with one
 * change that makes it faster and changes none of its output (sanitize-html-patch.ts).
 */
import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { threadId } from "node:worker_threads";
import { parserFingerprint, parserSourceFiles } from "./cache";
import { sanitizeHtmlPatch } from "./sanitize-html-patch";

/** The project's root: this module is `src/build/thread-bundle.ts`. */
const PROJECT_ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** Where the compiled thread is kept unless told otherwise (beside the parsed-post cache). */
export const DEFAULT_BUNDLE_DIR = join(PROJECT_ROOT, "node_modules", ".cache", "feed-publisher");

/** The module a parser thread starts on. */
const THREAD_SOURCE = fileURLToPath(new URL("./parser-thread.ts", import.meta.url));

/** Bump when the options below or the file's layout change. */
const BUNDLE_FORMAT = 4;

/** Compiled threads kept in the folder (one per parser version); older ones are removed. */
const KEPT_FILES = 4;

/** The line that ends a compiled thread, after its code. */
const TRAILER = /\n\/\/ sha256 ([0-9a-f]{64})\n$/;

/** Files written aside by this thread so far, so that two calls at once never share a name. */
let written = 0;

/**
 * The path of the compiled parser thread in `dir`, made when missing or damaged; `undefined` when it
 * cannot be made (no esbuild, a module outside the fingerprinted sources and the packages, a folder
 * that cannot be written).
 */
export async function parserThreadBundle(dir = DEFAULT_BUNDLE_DIR): Promise<string | undefined> {
  try {
    // The version from esbuild's package.json: loading esbuild itself takes ~90 ms of CPU.
    const esbuildPackage = createRequire(import.meta.url).resolve("esbuild/package.json");
    const { version } = JSON.parse(await readFile(esbuildPackage, "utf8")) as { version: string };
    const key = createHash("sha256")
      .update(`format ${BUNDLE_FORMAT}\nesbuild ${version}\n`)
      .update(await parserFingerprint())
      .update(await readFile(join(PROJECT_ROOT, "tsconfig.json")))
      .digest("hex");
    const file = join(dir, `parser-thread-${key.slice(0, 32)}.mjs`);
    if (await isIntact(file)) return file;

    const esbuild = await import("esbuild");
    if (esbuild.version !== version) return undefined;
    const result = await esbuild.build({
      entryPoints: [THREAD_SOURCE],
      absWorkingDir: PROJECT_ROOT,
      bundle: true,
      platform: "node",
      format: "esm",
      // The packages are CommonJS: esbuild turns their `require` of Node's modules into calls of a
      // `require` that an ES module lacks, so the file makes one.
      banner: {
        js: 'import { createRequire } from "node:module";\nconst require = createRequire(import.meta.url);',
      },
      // The running Node as target, as tsx compiles the sources. Unlike tsx, names are not kept:
      // keeping them costs a call for every closure made (~1% of parsing), and only names that two
      // modules share at top level get renamed in a bundle, which only stack traces would show
      // (and with source maps they name the sources).
      target: `node${process.versions.node}`,
      keepNames: false,
      // Stack traces name the sources (the thread runs with --enable-source-maps, as tsx maps them).
      // Without their text, the map is a third of the size, and a thread reads it in ~30 ms.
      sourcemap: "inline",
      sourcesContent: false,
      outfile: file,
      metafile: true,
      // sanitize-html with one element constructor for all calls (see sanitize-html-patch.ts).
      plugins: [sanitizeHtmlPatch],
      write: false,
      logLevel: "silent",
    });
    // The name is only as good as the fingerprint: every module in the file must be one it reads,
    // or a package's (the lockfile it reads names their versions).
    const fingerprinted = new Set(await parserSourceFiles());
    const packages = join(PROJECT_ROOT, "node_modules", "/");
    const outside = Object.keys(result.metafile.inputs)
      .map((input) => resolve(PROJECT_ROOT, input))
      .filter((input) => !fingerprinted.has(input) && !input.startsWith(packages));
    if (outside.length > 0 || result.outputFiles.length !== 1) return undefined;
    const code = result.outputFiles[0]?.text ?? "";

    await mkdir(dir, { recursive: true });
    const aside = `${file}.${process.pid}.${threadId}.${written++}.partial`;
    await writeFile(aside, `${code}\n// sha256 ${sha256(code)}\n`);
    await rename(aside, file);
    await removeOldBundles(dir, file);
    return file;
  } catch {
    return undefined;
  }
}

/** Whether `file` exists and its code is what its last line says. */
async function isIntact(file: string): Promise<boolean> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    return false;
  }
  const trailer = TRAILER.exec(text);
  return trailer !== null && trailer[1] === sha256(text.slice(0, trailer.index));
}

/** Removes all but the newest few compiled threads besides `kept` (those of earlier parser versions). */
async function removeOldBundles(dir: string, kept: string): Promise<void> {
  const others = (await readdir(dir))
    .filter((name) => /^parser-thread-[0-9a-f]+\.mjs$/.test(name))
    .map((name) => join(dir, name))
    .filter((path) => path !== kept);
  const dated = await Promise.all(
    others.map(async (path) => ({ path, time: (await stat(path).catch(() => undefined))?.mtimeMs ?? 0 })),
  );
  dated.sort((a, b) => b.time - a.time);
  await Promise.all(dated.slice(KEPT_FILES - 1).map(({ path }) => rm(path, { force: true })));
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
