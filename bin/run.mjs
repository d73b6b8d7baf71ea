#!/usr/bin/env node
/**
 * Runs one of the project's TypeScript entry points compiled once, instead of compiling every module
 * again through tsx at each start (`npm run build` is `node bin/run.mjs src/build/cli.ts build`):
 *
 *   node bin/run.mjs <entry.ts> [arguments of the entry...]
 *   node bin/run.mjs --compile <entry.ts>     (compiles only: prints the compiled file, or exits 1)
 *
 * The entry and the project modules it imports are bundled by esbuild, npm packages left as imports
 * (they resolve from the project's node_modules, so the output lives inside it), with code splitting,
 * so that a module the entry imports only when needed (the parser, the deploy commands) is still
 * loaded only then. Each module's `import.meta.url` is replaced by its own source's URL, so the paths
 * modules derive from it stay right. The output goes to
 * `node_modules/.cache/feed-publisher/run-<key>/` (`FEED_PUBLISHER_RUN_DIR` moves the parent
 * folder, which must stay inside node_modules), where the key hashes the project's folder, the
 * sources, the lockfile, tsconfig.json, this file, Node's and esbuild's versions and the entry;
 * `files.json` lists every output file with its SHA-256, checked at each start, so a damaged one is
 * made again. It is written aside and renamed, so a reader never sees half of it.
 *
 * When it cannot be compiled (no esbuild, a module outside the hashed sources), the entry runs
 * through tsx as before. Plain JavaScript on purpose: this file is what starts before any TypeScript.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
/** Bump when the options below or the folder's layout change. */
const FORMAT = 1;
/** Folders kept (one per version of the sources); older ones are removed. */
const KEPT = 4;
/** The folders whose TypeScript an entry may import; with the files below, they make the key. */
const SOURCE_DIRS = ["src", "bench"];
/** Folders inside those that hold no sources (the bench's output). */
const NOT_SOURCES = [join(ROOT, "bench", "out")];
const KEY_FILES = ["package-lock.json", "tsconfig.json"];

/** The compiled entry's path, made when missing or damaged; `undefined` when it cannot be made. */
async function compiledEntry(entryPath) {
  const requireHere = createRequire(import.meta.url);
  const esbuildVersion = JSON.parse(
    readFileSync(requireHere.resolve("esbuild/package.json"), "utf8"),
  ).version;
  const sources = SOURCE_DIRS.flatMap((dir) => typeScriptFiles(join(ROOT, dir)));
  const hash = createHash("sha256").update(
    // The project's folder too: the output holds the sources' absolute URLs (see `ownUrls`).
    `format ${FORMAT}\nroot ${ROOT}\nnode ${process.versions.node}\nesbuild ${esbuildVersion}\nentry ${relative(ROOT, entryPath)}\n`,
  );
  // This file too: its options decide the output.
  const self = fileURLToPath(import.meta.url);
  for (const file of [...sources, ...KEY_FILES.map((name) => join(ROOT, name)), self]) {
    hash.update(`${relative(ROOT, file)}\n`);
    hash.update(readFileSync(file));
  }
  const parent = resolve(
    process.env.FEED_PUBLISHER_RUN_DIR ?? join(ROOT, "node_modules", ".cache", "feed-publisher"),
  );
  const dir = join(parent, `run-${hash.digest("hex").slice(0, 32)}`);
  const name = basename(entryPath).replace(/\.[cm]?ts$/, ".mjs");
  if (isIntact(dir)) return join(dir, name);

  const esbuild = await import("esbuild");
  if (esbuild.version !== esbuildVersion) return undefined;
  const result = await esbuild.build({
    entryPoints: [entryPath],
    absWorkingDir: ROOT,
    bundle: true,
    splitting: true,
    packages: "external",
    platform: "node",
    format: "esm",
    target: `node${process.versions.node}`,
    outdir: dir,
    outExtension: { ".js": ".mjs" },
    sourcemap: "linked",
    sourcesContent: false,
    metafile: true,
    write: false,
    logLevel: "silent",
    plugins: [ownUrls],
  });
  // The key is only as good as the sources it hashed: every module in the output must be one of them.
  const hashed = new Set(sources);
  const outside = Object.keys(result.metafile.inputs).filter((input) => !hashed.has(resolve(ROOT, input)));
  if (outside.length > 0) return undefined;

  const aside = `${dir}.${process.pid}.partial`;
  rmSync(aside, { recursive: true, force: true });
  mkdirSync(aside, { recursive: true });
  const listed = {};
  for (const output of result.outputFiles) {
    const file = relative(dir, output.path);
    writeFileSync(join(aside, file), output.contents);
    listed[file] = sha256(output.contents);
  }
  writeFileSync(join(aside, "files.json"), `${JSON.stringify(listed, null, 1)}\n`);
  // Another process may have finished the same folder meanwhile (the same bytes), and be running
  // from it: that one stays. A damaged one is replaced.
  if (!isIntact(dir)) {
    rmSync(dir, { recursive: true, force: true });
    try {
      renameSync(aside, dir);
    } catch {
      // Renamed by another process between the two calls.
    }
  }
  rmSync(aside, { recursive: true, force: true });
  removeOldFolders(parent, dir);
  return isIntact(dir) ? join(dir, name) : undefined;
}

/** esbuild plugin: in each project module, `import.meta.url` becomes the URL of that module's source. */
const ownUrls = {
  name: "own-urls",
  setup(build) {
    build.onLoad({ filter: /\.[cm]?ts$/ }, (args) => {
      const text = readFileSync(args.path, "utf8");
      const url = JSON.stringify(pathToFileURL(args.path).href);
      return { contents: text.replaceAll("import.meta.url", url), loader: "ts" };
    });
  },
};

/** Whether every file `files.json` lists is there with its bytes. */
function isIntact(dir) {
  try {
    const listed = JSON.parse(readFileSync(join(dir, "files.json"), "utf8"));
    const files = Object.entries(listed);
    return (
      files.length > 0 && files.every(([file, digest]) => sha256(readFileSync(join(dir, file))) === digest)
    );
  } catch {
    return false;
  }
}

/** Every `.ts` file under `dir` (but in `NOT_SOURCES`), sorted; none when it does not exist. */
function typeScriptFiles(dir) {
  if (NOT_SOURCES.includes(dir)) return [];
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const files = [];
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isDirectory()) files.push(...typeScriptFiles(path));
    else if (e.isFile() && e.name.endsWith(".ts")) files.push(path);
  }
  return files.sort();
}

/** Removes all but the newest few `run-*` folders besides `kept`. */
function removeOldFolders(parent, kept) {
  const others = readdirSync(parent)
    .filter((name) => /^run-[0-9a-f]+$/.test(name))
    .map((name) => join(parent, name))
    .filter((path) => path !== kept)
    .map((path) => ({ path, time: statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? 0 }))
    .sort((a, b) => b.time - a.time);
  for (const { path } of others.slice(KEPT - 1)) rmSync(path, { recursive: true, force: true });
}

function sha256(bytes) {
  return createHash("sha256").update(bytes).digest("hex");
}

const compileOnly = process.argv[2] === "--compile";
const entryArgument = process.argv[compileOnly ? 3 : 2];
if (!entryArgument) {
  console.error("usage: node bin/run.mjs [--compile] <entry.ts> [arguments...]");
  process.exit(2);
}
const entry = resolve(entryArgument);
const compiled = await compiledEntry(entry).catch(() => undefined);
if (compileOnly) {
  if (compiled) console.log(compiled);
  else console.error(`${entryArgument}: cannot be compiled; it runs through tsx`);
  process.exit(compiled ? 0 : 1);
}
// The entry reads its own arguments as process.argv.slice(2), as when it is run directly.
process.argv.splice(1, 2, entry);
if (compiled) {
  // Stack traces name the TypeScript sources, as they do under tsx.
  process.setSourceMapsEnabled(true);
  await import(pathToFileURL(compiled).href);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import(pathToFileURL(entry).href);
}
