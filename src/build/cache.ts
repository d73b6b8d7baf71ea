/**
 * A cache of parsed posts, so that a rebuild only parses the files that changed. An entry is keyed by
 * the SHA-256 of everything the parse depends on: the file's path and bytes, the site config, and a
 * fingerprint of the parsing code itself (this folder's sources, the lockfile, Node and ICU versions),
 * so editing the parser or upgrading a library never serves a stale post.
 *
 * Entries are JSON lines in one file per salt, `<dir>/posts-<salt>.jsonl`, read whole when a build
 * starts; the entries that build uses or makes are appended to a file beside it as they come, which
 * is renamed into place when parsing ends. One file instead of thousands (creating them was a large
 * part of a cold build's kernel time here), and entries of deleted or edited files go away by
 * themselves. Concurrent builds may share a
 * cache: the last to finish wins, and an entry's bytes depend only on its key. A missing or
 * unreadable entry is a miss, never an error.
 */
import { createHash } from "node:crypto";
import {
  closeSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { threadId } from "node:worker_threads";
import type { Post } from "../model";
import type { PostContext } from "./post";
import type { Problem } from "./problems";

/** Where the build keeps parsed posts unless told otherwise (inside node_modules, like other tools). */
export const DEFAULT_CACHE_DIR = join("node_modules", ".cache", "feed-publisher", "posts");

/** Bump when the shape of a stored entry changes. */
export const CACHE_FORMAT = 2;

/** Cache files (one per salt: code version and config) kept in a folder; older ones are removed. */
const KEPT_FILES = 4;

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
  for (const file of await parserSourceFiles()) {
    hash.update(`${file}\n`);
    hash.update(await readFile(file));
  }
  return hash.digest("hex");
}

/** The absolute paths of the files `parserFingerprint` reads, in the order it reads them. */
export async function parserSourceFiles(): Promise<string[]> {
  const here = dirname(fileURLToPath(import.meta.url));
  const files: string[] = [];
  for (const source of PARSER_SOURCES) files.push(...(await sourceFiles(join(here, source))));
  return files;
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
  /** The stored file, and where each key's line is in it, once read (see `index`). */
  private stored: { bytes: Buffer; lines: Map<string, [start: number, end: number]> } | undefined;
  /** The file `save` will rename into place, written as entries are kept, and the keys in it. */
  private pending: { path: string; fd: number; keys: Set<string> } | undefined;

  constructor(
    readonly dir: string,
    readonly salt: string,
  ) {}

  /** Opens the cache in `dir` for posts parsed with `context`. */
  static async open(dir: string, context: PostContext): Promise<PostCache> {
    return new PostCache(dir, cacheSalt(await parserFingerprint(), context));
  }

  /** The file of this salt's entries. */
  get file(): string {
    return join(this.dir, `posts-${this.salt.slice(0, 32)}.jsonl`);
  }

  /**
   * Reads the stored entries (again) and starts a new set of entries for `save`: a build calls it
   * once, first. Entries saved by others afterwards are not seen until the next `index`.
   */
  index(): void {
    this.discard();
    this.read();
  }

  /** Finds each line of the stored file; lines start `{"key":"<key>",` (see `set`: keys are hex). */
  private read(): void {
    let bytes: Buffer;
    try {
      bytes = readFileSync(this.file);
    } catch {
      bytes = Buffer.alloc(0);
    }
    const lines = new Map<string, [number, number]>();
    const prefix = Buffer.from('{"key":"');
    for (let start = 0; start < bytes.byteLength; ) {
      let end = bytes.indexOf(0x0a, start);
      if (end < 0) end = bytes.byteLength;
      if (bytes.subarray(start, start + prefix.byteLength).equals(prefix)) {
        const close = bytes.indexOf(0x22, start + prefix.byteLength);
        if (close > start + prefix.byteLength && close < end)
          lines.set(bytes.toString("latin1", start + prefix.byteLength, close), [start, end]);
      }
      start = end + 1;
    }
    this.stored = { bytes, lines };
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

  /** The parse of `key` as the last `save` (of any cache on this folder) left it, if any; a hit is kept. */
  get(key: string): ParsedPostFile | undefined {
    if (!this.stored) this.read();
    const stored = this.stored as NonNullable<typeof this.stored>;
    const place = stored.lines.get(key);
    if (place === undefined) return undefined;
    let entry: CacheEntry & { key: string };
    try {
      entry = JSON.parse(stored.bytes.toString("utf8", place[0], place[1])) as CacheEntry & { key: string };
    } catch {
      return undefined;
    }
    if (entry?.key !== key || entry.format !== CACHE_FORMAT || !entry.post || !Array.isArray(entry.problems))
      return undefined;
    this.keep(key, stored.bytes.subarray(place[0], place[1]));
    return { post: entry.post, problems: entry.problems };
  }

  /**
   * Keeps a parse for the next builds (once saved). Only files that gave a post are kept: files left
   * out are few.
   */
  set(key: string, parsed: ParsedPostFile): void {
    if (!parsed.post) return;
    const entry: CacheEntry = { format: CACHE_FORMAT, post: parsed.post, problems: parsed.problems };
    this.keep(key, Buffer.from(`{"key":${JSON.stringify(key)},${JSON.stringify(entry).slice(1)}`));
  }

  /**
   * Replaces the stored file with the entries this build used or made (written aside as they came,
   * now renamed, so a reader never sees half of it); removes all but the newest few files of other
   * salts.
   */
  save(): void {
    const pending = this.pending ?? this.startPending();
    this.pending = undefined;
    closeSync(pending.fd);
    renameSync(pending.path, this.file);
    this.stored = undefined;
    const others = listing(this.dir)
      .filter((name) => /^posts-[0-9a-f]+\.jsonl$/.test(name))
      .map((name) => join(this.dir, name))
      .filter((path) => path !== this.file)
      .map((path) => ({ path, time: statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? 0 }))
      .sort((a, b) => b.time - a.time);
    for (const { path } of others.slice(KEPT_FILES - 1)) rmSync(path, { force: true });
  }

  /** Removes what this build kept without saving it. */
  discard(): void {
    if (!this.pending) return;
    closeSync(this.pending.fd);
    rmSync(this.pending.path, { force: true });
    this.pending = undefined;
  }

  private keep(key: string, line: Uint8Array): void {
    const pending = this.pending ?? this.startPending();
    if (pending.keys.has(key)) return;
    pending.keys.add(key);
    writeAll(pending.fd, line);
    writeAll(pending.fd, NEWLINE);
  }

  private startPending(): NonNullable<typeof this.pending> {
    mkdirSync(this.dir, { recursive: true });
    const path = `${this.file}.${process.pid}.${threadId}.partial`;
    this.pending = { path, fd: openSync(path, "w"), keys: new Set() };
    return this.pending;
  }
}

const NEWLINE = Buffer.from("\n");

function writeAll(fd: number, bytes: Uint8Array): void {
  for (let done = 0; done < bytes.byteLength; ) done += writeSync(fd, bytes, done, bytes.byteLength - done);
}
