/**
 * Parser threads start from the parser compiled once (thread-bundle.ts) and parse exactly as the
 * calling thread does; a damaged compiled file is made again, and when none can be made the threads
 * compile the sources through tsx as before.
 */
import { once } from "node:events";
import { mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Compressor } from "../../src/build/compress";
import { readSiteConfig } from "../../src/build/config";
import { parsePostFiles } from "../../src/build/pool";
import type { PostContext } from "../../src/build/post";
import { ProblemLog } from "../../src/build/problems";
import { DEFAULT_BUNDLE_DIR, parserThreadBundle } from "../../src/build/thread-bundle";
import {
  parserThreadEntry,
  type ThreadEntry,
  withoutTsxPreload,
  workerWithOptions,
} from "../../src/build/thread-start";
import { XSS_PAYLOADS } from "../build/xss-payloads";
import { FINEWS_DIR } from "../corpus";

/** Two worker threads even for a few files (the default parses fewer than 2,000 on the caller). */
const ON_THREADS = { threads: 2, inlineLimit: 1 } as const;

let context: PostContext;
let finewsPaths: string[];
/** Each test's compiled threads go to a folder of their own inside node_modules (for imports). */
let bundles: string;
/** Posts written for these tests: hostile markup, broken front matter, odd dates. */
let hostileDir: string;
let hostilePaths: string[];

async function parsedInline(dir: string, paths: string[]) {
  return parsePostFiles(dir, paths, context, { threads: 0 });
}

beforeAll(async () => {
  const config = await readSiteConfig(FINEWS_DIR, new ProblemLog("_config.yml"));
  context = { config };
  finewsPaths = (await readdir(join(FINEWS_DIR, "_posts"))).map((name) => `_posts/${name}`).sort();
  await mkdir(join(DEFAULT_BUNDLE_DIR, ".."), { recursive: true });
  bundles = await mkdtemp(join(DEFAULT_BUNDLE_DIR, "..", "thread-start-test-"));
  hostileDir = await mkdtemp(join(tmpdir(), "thread-start-test-"));
  await mkdir(join(hostileDir, "_posts"));
  const files: Record<string, string | Uint8Array> = {
    "2024-01-01-not-utf8.md": new Uint8Array([0x2d, 0x2d, 0x2d, 0x0a, 0xff, 0xfe]),
    "2024-01-02-broken-yaml.md": "---\ntitle: [unclosed\n---\nbody\n",
    "2024-01-03-quotes.md":
      '---\ntitle: "他说"好"了"\ndate: 2024-01-03 10:00 +0800\n---\n<p hidden>x</p>ok\n',
    "2024-01-04-html.html":
      '---\ntitle: h\n---\n<img srcset="a.png 1x, //c.example/b.png 2x"><a href="x">y</a>\n',
  };
  XSS_PAYLOADS.forEach((payload, i) => {
    files[`2024-02-${String((i % 28) + 1).padStart(2, "0")}-xss-${i}.md`] =
      `---\ntitle: x${i}\ncategories: [a, "${i}"]\n---\n${payload}\n\n<http://origin.example/${i}>\n`;
  });
  for (const [name, content] of Object.entries(files))
    await writeFile(join(hostileDir, "_posts", name), content);
  hostilePaths = Object.keys(files)
    .map((name) => `_posts/${name}`)
    .sort();
});
afterAll(async () => {
  await rm(bundles, { recursive: true, force: true });
  await rm(hostileDir, { recursive: true, force: true });
});

describe("parser threads from the compiled parser", () => {
  it("are how threads start when the sources are TypeScript", async () => {
    expect((await parserThreadEntry()).kind).toBe("bundle");
  });

  it("parse exactly as the calling thread does", async () => {
    const file = await parserThreadBundle(join(bundles, "same"));
    expect(file).toBeDefined();
    const threadEntry: ThreadEntry = { kind: "bundle", file: file as string };
    for (const [dir, paths] of [
      [FINEWS_DIR, finewsPaths],
      [hostileDir, hostilePaths],
    ] as const) {
      const onThreads = await parsePostFiles(dir, paths, context, { ...ON_THREADS, threadEntry });
      expect(onThreads).toEqual(await parsedInline(dir, paths));
    }
  });

  it("hold the packages they use, importing only Node's own modules", async () => {
    const file = (await parserThreadBundle(join(bundles, "packages"))) as string;
    const code = await readFile(file, "utf8");
    const imported = [...code.matchAll(/^import\b[^;]*?from\s*"([^"]+)"/gm)].map((match) => match[1]);
    expect(imported.length).toBeGreaterThan(0);
    expect(imported.filter((specifier) => !specifier?.startsWith("node:"))).toEqual([]);
    expect(code).not.toMatch(/\bimport\(\s*"(?!node:)/);
    // sanitize-html's own code is in the file, not loaded from node_modules.
    expect(code).toContain("node_modules/sanitize-html/index.js");
    // With one element constructor for all calls (src/build/sanitize-html-patch.ts).
    expect(code).toMatch(/Frame\.prototype\.updateParentNodeText = function ?\(stack\)/);
  });

  it("are made once and then reused as they are", async () => {
    const dir = join(bundles, "reuse");
    const file = (await parserThreadBundle(dir)) as string;
    const made = await stat(file);
    expect(await parserThreadBundle(dir)).toBe(file);
    expect((await stat(file)).mtimeMs).toBe(made.mtimeMs);
    expect((await readdir(dir)).filter((name) => name.endsWith(".partial"))).toEqual([]);
  });

  it.each([
    ["cut short", (code: string) => code.slice(0, code.length / 2)],
    ["edited", (code: string) => code.replace("parsePostFile", "parsePostFileX")],
    ["empty", () => ""],
  ])("are made again when the file is %s", async (_, damage) => {
    const dir = join(bundles, "damaged");
    const file = (await parserThreadBundle(dir)) as string;
    const intact = await readFile(file, "utf8");
    await writeFile(file, damage(intact));
    expect(await parserThreadBundle(dir)).toBe(file);
    expect(await readFile(file, "utf8")).toBe(intact);
    const paths = finewsPaths.slice(0, 8);
    const onThreads = await parsePostFiles(FINEWS_DIR, paths, context, {
      ...ON_THREADS,
      threadEntry: { kind: "bundle", file },
    });
    expect(onThreads).toEqual(await parsedInline(FINEWS_DIR, paths));
  });

  it("replace those of earlier parser versions, keeping the newest few", async () => {
    const dir = join(bundles, "old");
    await mkdir(dir, { recursive: true });
    const old = ["a", "b", "c", "d", "e"].map((c) => join(dir, `parser-thread-${c.repeat(32)}.mjs`));
    for (const [i, path] of old.entries()) {
      await writeFile(path, "// an earlier parser\n");
      await utimes(path, 1_000_000 + i, 1_000_000 + i);
    }
    const file = (await parserThreadBundle(dir)) as string;
    expect((await readdir(dir)).sort()).toEqual(
      [...old.slice(-3), file].map((path) => basename(path)).sort(),
    );
  });

  it("fall back to tsx in the thread when the file cannot be written, parsing the same", async () => {
    const blocked = join(bundles, "blocked");
    await writeFile(blocked, "a file where the folder would be");
    expect(await parserThreadBundle(join(blocked, "sub"))).toBeUndefined();
    const threadEntry = await parserThreadEntry(join(blocked, "sub"));
    expect(threadEntry).toEqual({ kind: "tsx" });
    const onThreads = await parsePostFiles(hostileDir, hostilePaths, context, { ...ON_THREADS, threadEntry });
    expect(onThreads).toEqual(await parsedInline(hostileDir, hostilePaths));
  });
});

describe("threads under options a worker refuses", () => {
  // `node --max-old-space-size=4096 --stack-size=2000 --import tsx src/build/cli.ts build` is how a
  // publisher gives a large site more memory. A worker given an execArgv with V8's options throws.
  const refused = ["--max-old-space-size=4096", "--stack-size=2000"];
  const withOptions = async <T>(run: () => Promise<T>): Promise<T> => {
    const before = [...process.execArgv];
    process.execArgv.push(...refused);
    try {
      return await run();
    } finally {
      process.execArgv.splice(0, process.execArgv.length, ...before);
    }
  };

  it("still start parser threads, parsing as the calling thread does", async () => {
    const file = (await parserThreadBundle(join(bundles, "options"))) as string;
    const paths = finewsPaths.slice(0, 8);
    const onThreads = await withOptions(() =>
      parsePostFiles(FINEWS_DIR, paths, context, { ...ON_THREADS, threadEntry: { kind: "bundle", file } }),
    );
    expect(onThreads).toEqual(await parsedInline(FINEWS_DIR, paths));
  });

  it("still start the gzip thread", async () => {
    const bytes = new TextEncoder().encode("<feed>".repeat(2000));
    const entry = {
      key: "doc/a",
      contentType: "application/atom+xml",
      etag: '"a"',
      lastModified: "x",
      size: bytes.byteLength,
    };
    const made = await withOptions(async () => {
      const compressor = new Compressor(new Map());
      compressor.add(entry, bytes);
      return compressor.done();
    });
    expect(gunzipSync(made.get("doc/a") as Uint8Array)).toEqual(Buffer.from(bytes));
  });

  it("keep the options a worker accepts", async () => {
    const worker = workerWithOptions(
      "require('node:worker_threads').parentPort.postMessage(process.execArgv)",
      {
        eval: true,
        execArgv: ["--max-old-space-size=4096", "--no-warnings", "--enable-source-maps"],
      },
    );
    const [execArgv] = (await once(worker, "message")) as [string[]];
    expect(execArgv).toEqual(["--no-warnings", "--enable-source-maps"]);
    await worker.terminate();
  });
});

describe("withoutTsxPreload", () => {
  it("drops what tsx preloads and keeps every other option", () => {
    expect(withoutTsxPreload(["--import", "tsx", "--cpu-prof", "--cpu-prof-dir=/tmp/p"])).toEqual([
      "--cpu-prof",
      "--cpu-prof-dir=/tmp/p",
    ]);
    expect(
      withoutTsxPreload([
        "--require",
        "/app/node_modules/tsx/dist/preflight.cjs",
        "--import",
        "file:///app/node_modules/tsx/dist/loader.mjs",
      ]),
    ).toEqual([]);
    expect(withoutTsxPreload(["--import=tsx/esm", "-r", "./setup.cjs", "--max-old-space-size=512"])).toEqual([
      "-r",
      "./setup.cjs",
      "--max-old-space-size=512",
    ]);
    expect(withoutTsxPreload(["--import", "tsxish", "--loader=tsx"])).toEqual(["--import", "tsxish"]);
  });
});
