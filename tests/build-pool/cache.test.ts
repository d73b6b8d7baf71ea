/** The parsed-post cache: keys follow every input of a parse, entries are only reused when still right. */
import { readdirSync } from "node:fs";
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { deserialize, serialize } from "node:v8";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  cacheSalt,
  type ParsedPostFile,
  PostCache,
  parserFingerprint,
  serializeParse,
} from "../../src/build/cache";
import { readSiteConfig } from "../../src/build/config";
import { parsePostFiles } from "../../src/build/pool";
import type { PostContext } from "../../src/build/post";
import { ProblemLog } from "../../src/build/problems";
import type { Post } from "../../src/model";
import { FINEWS_DIR, SPEC_POST } from "../corpus";

/** Two worker threads even for a few files (the default parses fewer than 2,000 on the caller). */
const ON_THREADS = { threads: 2, inlineLimit: 1 } as const;

interface StoredRecord {
  key: string;
  payloadStart: number;
  end: number;
  payload: Buffer;
}

/**
 * The records of a cache file, read the way the format is written down in cache.ts (a 4-byte
 * little-endian length, the key's length, the key, the serialized parse), independently of its code.
 */
function readRecords(bytes: Buffer): StoredRecord[] {
  const records: StoredRecord[] = [];
  for (let start = 0; start < bytes.byteLength; ) {
    const end = start + 4 + bytes.readUInt32LE(start);
    const keyLength = bytes[start + 4] ?? 0;
    const payloadStart = start + 5 + keyLength;
    const key = bytes.toString("latin1", start + 5, payloadStart);
    records.push({ key, payloadStart, end, payload: bytes.subarray(payloadStart, end) });
    start = end;
  }
  return records;
}

let context: PostContext;
let dir: string;
let cache: PostCache;

function samplePost(published: string): Post {
  return {
    id: "tag:example.com,2024-01-01:a",
    title: "a",
    published,
    updated: published,
    link: "https://example.com/a",
    permalink: "https://example.com/a",
    summary: "",
    contentHtml: "<p>a</p>",
    categories: [],
    tags: [],
    authors: [],
    source: "_posts/2024-01-01-a.md",
  };
}

beforeAll(async () => {
  const config = await readSiteConfig(FINEWS_DIR, new ProblemLog("_config.yml"));
  context = { config };
});
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "post-cache-test-"));
  cache = await PostCache.open(dir, context);
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe("PostCache keys", () => {
  const bytes = new TextEncoder().encode("---\ntitle: a\n---\n");

  it("depend on the path, the bytes and the config, and on nothing else", async () => {
    const key = cache.keyOf("_posts/a.md", bytes);
    expect(cache.keyOf("_posts/a.md", bytes)).toBe(key);
    expect(cache.keyOf("_posts/b.md", bytes)).not.toBe(key);
    expect(cache.keyOf("_posts/a.md", new TextEncoder().encode("---\ntitle: b\n---\n"))).not.toBe(key);

    const moved = {
      ...context,
      config: { ...context.config, site: { ...context.config.site, timezone: "UTC" } },
    };
    expect((await PostCache.open(dir, moved)).keyOf("_posts/a.md", bytes)).not.toBe(key);
  });

  it("change with the parser's code: the fingerprint covers the sources", async () => {
    const fingerprint = await parserFingerprint();
    expect(await parserFingerprint()).toBe(fingerprint);
    expect(cacheSalt(`${fingerprint}x`, context)).not.toBe(cacheSalt(fingerprint, context));
  });
});

describe("PostCache entries", () => {
  const parsed: ParsedPostFile = {
    post: samplePost("2024-01-01T00:00:00Z"),
    problems: [{ path: "_posts/2024-01-01-a.md", severity: "warning", message: "m", action: "a" }],
  };

  it("give back what was stored, once saved", () => {
    cache.set("ab12", parsed);
    expect(cache.get("ab12")).toBeUndefined();
    cache.save();
    expect(cache.get("ab12")).toEqual(parsed);
    expect(cache.get("cd34")).toBeUndefined();
  });

  it("are not kept for a file that published nothing", () => {
    cache.set("ab12", { problems: parsed.problems });
    cache.save();
    expect(cache.get("ab12")).toBeUndefined();
  });

  it("are kept across builds by save: what another cache saved is seen at the next index", () => {
    const other = new PostCache(dir, cache.salt);
    cache.index();
    other.set("ab12", parsed);
    expect(cache.get("ab12")).toBeUndefined();
    other.save();
    expect(cache.get("ab12")).toBeUndefined();
    cache.index();
    expect(cache.get("ab12")).toEqual(parsed);
    expect(new PostCache(dir, cache.salt).get("ab12")).toEqual(parsed);
  });

  it("saved are only those the build used or made: entries of files gone are dropped", () => {
    cache.set("ab12", parsed);
    cache.set("cd34", parsed);
    cache.save();
    const next = new PostCache(dir, cache.salt);
    expect(next.get("ab12")).toEqual(parsed);
    next.save();
    const after = new PostCache(dir, cache.salt);
    expect(after.get("ab12")).toEqual(parsed);
    expect(after.get("cd34")).toBeUndefined();
    after.set("ef56", parsed);
    after.discard();
    expect(readdirSync(dir).filter((name) => name.endsWith(".partial"))).toEqual([]);
  });

  it("are a miss when damaged, and the records before and after still read", async () => {
    cache.set("ab12", parsed);
    cache.set("cd34", parsed);
    cache.set("ef56", parsed);
    cache.save();
    const bytes = await readFile(cache.file);
    const records = readRecords(bytes);
    expect(records.map((r) => r.key)).toEqual(["ab12", "cd34", "ef56"]);
    // The middle record's serialized parse overwritten with other bytes of the same length.
    const damaged = Buffer.from(bytes);
    const middle = records[1] as StoredRecord;
    damaged.fill(0xff, middle.payloadStart, middle.end);
    await writeFile(cache.file, damaged);
    const reread = new PostCache(dir, cache.salt);
    expect(reread.get("ab12")).toEqual(parsed);
    expect(reread.get("cd34")).toBeUndefined();
    expect(reread.get("ef56")).toEqual(parsed);
    // A file cut short (an interrupted copy, a full disk): the records before the cut still read.
    await writeFile(cache.file, bytes.subarray(0, (records[2] as StoredRecord).end - 3));
    const cut = new PostCache(dir, cache.salt);
    expect(cut.get("cd34")).toEqual(parsed);
    expect(cut.get("ef56")).toBeUndefined();
    await writeFile(cache.file, "\u0000garbage");
    expect(new PostCache(dir, cache.salt).get("cd34")).toBeUndefined();
  });

  it("store the bytes a parser thread sent as they are, not an encoding of their own", async () => {
    // Bytes that differ from what `parsed` serializes to: what is read back must be these.
    const sent = { ...parsed, post: { ...(parsed.post as Post), title: "as the thread sent it" } };
    const serialized = serializeParse(sent);
    cache.set("ab12", parsed, serialized);
    cache.save();
    const [record] = readRecords(await readFile(cache.file));
    expect(record?.payload).toEqual(Buffer.from(serialized));
    expect(new PostCache(dir, cache.salt).get("ab12")).toEqual(sent);
  });

  it("keep the newest few files of other salts and remove older ones and those of the JSON format", async () => {
    await writeFile(join(dir, `posts-${"9".repeat(32)}.jsonl`), '{"key":"ab12"}\n');
    for (let i = 0; i < 6; i++) {
      const other = new PostCache(dir, `${i}`.repeat(64));
      other.set("ab12", parsed);
      other.save();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    cache.set("ab12", parsed);
    cache.save();
    const files = (await readdir(dir)).filter((name) => name.endsWith(".v8")).sort();
    expect(files).toHaveLength(4);
    expect(files).toContain(basename(cache.file));
    expect(files).toContain(`posts-${"5".repeat(32)}.v8`);
    expect(files).not.toContain(`posts-${"0".repeat(32)}.v8`);
    expect((await readdir(dir)).filter((name) => name.endsWith(".jsonl"))).toEqual([]);
  });
});

describe("parsePostFiles with a cache", () => {
  it("reuses stored posts and parses only the files that changed", async () => {
    const content = await mkdtemp(join(tmpdir(), "post-cache-content-"));
    try {
      const posts = join(content, "_posts");
      const names = (await readdir(join(FINEWS_DIR, "_posts"))).sort();
      await cp(join(FINEWS_DIR, "_posts"), posts, { recursive: true });
      const paths = names.map((name) => `_posts/${name}`);

      const fresh = await parsePostFiles(content, paths, context, ON_THREADS);
      expect(await parsePostFiles(content, paths, context, { ...ON_THREADS, cache })).toEqual(fresh);
      const stored = readRecords(await readFile(cache.file));
      expect(stored.length).toBeGreaterThan(100);

      // Mark every stored entry: a second build must give back the marked posts, so it read them.
      const marked = stored.map(({ key, payload }) => {
        const entry = deserialize(payload) as ParsedPostFile & { post: Post };
        entry.post.title = `cached: ${entry.post.title}`;
        const body = serialize(entry);
        const head = Buffer.alloc(5 + key.length);
        head.writeUInt32LE(1 + key.length + body.byteLength, 0);
        head[4] = key.length;
        head.write(key, 5, "latin1");
        return Buffer.concat([head, body]);
      });
      await writeFile(cache.file, Buffer.concat(marked));
      cache.index();
      // And change one file: that one must be parsed again.
      const changed = join(content, SPEC_POST);
      await writeFile(changed, (await readFile(changed, "utf8")).replace(/^title: .*$/m, 'title: "changed"'));

      const again = await parsePostFiles(content, paths, context, { ...ON_THREADS, cache });
      const titles = new Map(again.flatMap((p) => (p.post ? [[p.post.source, p.post.title]] : [])));
      expect(titles.get(SPEC_POST)).toBe("changed");
      const others = [...titles].filter(([source]) => source !== SPEC_POST);
      expect(others.length).toBeGreaterThan(100);
      for (const [, title] of others) expect(title).toMatch(/^cached: /);
      // Files that published nothing were parsed again and agree with a fresh parse.
      expect(again.filter((p) => !p.post)).toEqual(fresh.filter((p) => !p.post));
    } finally {
      await rm(content, { recursive: true, force: true });
    }
  });
});
