/**
 * A cache of parsed posts, so that a rebuild only parses the files that changed. An entry is keyed by
 * the SHA-256 of everything the parse depends on: the file's path and bytes, the site config, and a
 * fingerprint of the parsing code itself (this folder's sources, the lockfile, Node and ICU versions),
 * so editing the parser or upgrading a library never serves a stale post.
 *
 * Entries are small JSON files under `<dir>/<2 hex>/<key>.json`. Concurrent builds and worker
 * threads can share one cache: an entry's bytes depend only on its key, so two writers write the
 * same bytes, and an entry read while being written does not parse, which makes it a miss. A
 * missing or unreadable entry is a miss, never an error.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Post } from "../model";
import type { PostContext } from "./post";
import type { Problem } from "./problems";

/** Where the build keeps parsed posts unless told otherwise (inside node_modules, like other tools). */
export const DEFAULT_CACHE_DIR = join("node_modules", ".cache", "feed-publisher", "posts");

/** Bump when the shape of a stored entry changes. */
export const CACHE_FORMAT = 1;

/** What parsing one post file gives: the post when it is published, and what was reported. */
export interface ParsedPostFile {
  post?: Post;
  problems: Problem[];
}

interface CacheEntry {
  format: number;
  post: Post;
  problems: Problem[];
}

/** The sources whose code decides what a post file parses to, relative to this module's folder. */
const PARSER_SOURCES = [".", "../render", "../model.ts", "../paths.ts", "../../package-lock.json"];

/**
 * A fingerprint of the parsing code and the runtime: the bytes of every source file of the build and
 * the renderers, the lockfile (library versions), and the Node and ICU versions (time zone rules).
 */
export async function parserFingerprint(): Promise<string> {
  const hash = createHash("sha256");
  hash.update(`format ${CACHE_FORMAT}\nnode ${process.versions.node}\nicu ${process.versions.icu}\n`);
  hash.update(`tz ${process.versions.tz ?? ""}\n`);
  const here = dirname(fileURLToPath(import.meta.url));
  for (const source of PARSER_SOURCES) {
    const path = join(here, source);
    for (const file of await sourceFiles(path)) {
      hash.update(`${file}\n`);
      hash.update(await readFile(file));
    }
  }
  return hash.digest("hex");
}

async function sourceFiles(path: string): Promise<string[]> {
  try {
    const entries = await readdir(path, { withFileTypes: true });
    return entries
      .filter((e) => e.isFile() && e.name.endsWith(".ts"))
      .map((e) => join(path, e.name))
      .sort();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOTDIR") return [path];
    if (code === "ENOENT") return [];
    throw error;
  }
}

/** The names in a folder; none when it does not exist. */
function listing(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** The salt of every key: the parser's fingerprint and the config the posts are parsed with. */
export function cacheSalt(fingerprint: string, context: PostContext): string {
  return createHash("sha256").update(fingerprint).update(JSON.stringify(context.config)).digest("hex");
}

/** Parsed posts stored under `dir`, valid for one parser and config (the `salt`). */
export class PostCache {
  /** Shard folders known to exist, so a cold build does not ask the disk 10,000 times. */
  private readonly folders = new Set<string>();
  /** The keys stored when `index` last looked, plus those set since; unset: ask the disk. */
  private stored: Set<string> | undefined;

  constructor(
    readonly dir: string,
    readonly salt: string,
  ) {}

  /** Opens the cache in `dir` for posts parsed with `context`. */
  static async open(dir: string, context: PostContext): Promise<PostCache> {
    return new PostCache(dir, cacheSalt(await parserFingerprint(), context));
  }

  /**
   * Lists the stored keys, so that `get` answers a miss without a failed open (a cold build would
   * otherwise try thousands of files that are not there). Entries that another process or thread
   * writes afterwards are not seen until the next `index`: at worst, a file is parsed again.
   */
  index(): void {
    const stored = new Set<string>();
    for (const shard of listing(this.dir)) {
      for (const name of listing(join(this.dir, shard)))
        if (name.endsWith(".json")) stored.add(name.slice(0, -".json".length));
    }
    this.stored = stored;
  }

  /** The key of one file: its path (relative to the content folder) and bytes, under this salt. */
  keyOf(path: string, bytes: Uint8Array): string {
    return createHash("sha256")
      .update(this.salt)
      .update("\0")
      .update(path)
      .update("\0")
      .update(bytes)
      .digest("hex");
  }

  /** The stored parse of `key`, if any. */
  get(key: string): ParsedPostFile | undefined {
    if (this.stored && !this.stored.has(key)) return undefined;
    let entry: CacheEntry;
    try {
      entry = JSON.parse(readFileSync(this.pathOf(key), "utf8")) as CacheEntry;
    } catch {
      return undefined;
    }
    if (entry?.format !== CACHE_FORMAT || !entry.post || !Array.isArray(entry.problems)) return undefined;
    return { post: entry.post, problems: entry.problems };
  }

  /**
   * Stores a parse. Only files that gave a post are kept: files left out are few. Written
   * in place, without a temporary file and a rename: on this disk that halves the cost of a cold
   * build's thousands of entries, and half an entry is a miss anyway (see above).
   */
  set(key: string, parsed: ParsedPostFile): void {
    if (!parsed.post) return;
    const entry: CacheEntry = { format: CACHE_FORMAT, post: parsed.post, problems: parsed.problems };
    const path = this.pathOf(key);
    const folder = dirname(path);
    if (!this.folders.has(folder)) {
      mkdirSync(folder, { recursive: true });
      this.folders.add(folder);
    }
    writeFileSync(path, JSON.stringify(entry));
    this.stored?.add(key);
  }

  private pathOf(key: string): string {
    return join(this.dir, key.slice(0, 2), `${key}.json`);
  }
}
