/**
 * The calling thread of a threaded build never parses, so it must not pay for loading the parser's
 * libraries: the modules it loads to build must not import them (pool.ts loads the parser only to
 * parse on its own).
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const PARSER_LIBRARIES = /[\\/]node_modules[\\/](sanitize-html|markdown-it|htmlparser2|gray-matter)[\\/]/;

/** The parser library files a fresh Node process has loaded after importing `module`. */
async function librariesLoadedBy(module: string): Promise<string[]> {
  const script = `
    await import(${JSON.stringify(new URL(module, import.meta.url).href)});
    const { createRequire } = await import("node:module");
    console.log(JSON.stringify(Object.keys(createRequire(import.meta.url).cache)));
  `;
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ["--import", "tsx", "--input-type=module", "-e", script],
    {
      cwd: new URL("../..", import.meta.url),
    },
  );
  return (JSON.parse(stdout) as string[]).filter((file) => PARSER_LIBRARIES.test(file));
}

describe("the build's calling thread", () => {
  it("loads no parser library to build (threads load them)", async () => {
    expect(await librariesLoadedBy("../../src/build/site.ts")).toEqual([]);
  }, 30_000);

  it("would see them loaded by the parser itself (the check can fail)", async () => {
    expect((await librariesLoadedBy("../../src/build/parser-thread.ts")).length).toBeGreaterThan(0);
  }, 30_000);
});
