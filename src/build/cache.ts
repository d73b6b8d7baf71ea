/**
 * A cache of parsed posts, so that a rebuild only parses the files that changed. An entry is keyed by
 * the SHA-256 of everything the parse depends on: the file's path and bytes, the site config, and a
 * fingerprint of the parsing code itself (this folder's sources, the lockfile, Node and ICU versions),
 * so editing the parser or upgrading a library never serves a stale post.
 *
 * Entries are records in one file per salt, `<dir>/posts-<salt>.v8`, read whole when a build starts;
 * the entries that build uses or makes are appended to a file beside it as they come, which is
 * renamed into place when parsing ends. A record is the key and the parse in V8's serialization
 * format (`node:v8`), the very bytes a parser thread sends the parse in: storing it costs a write,
 * with no second encoding (JSON took a few tenths of a second of the calling thread per 10,000
 * posts). One file instead of thousands (creating them was a large part of a cold build's kernel
 * time here), and entries of deleted or edited files go away by themselves. Concurrent builds may
 * share a cache: the last to finish wins, and an entry's bytes depend only on its key. A missing or
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
import { deserialize, serialize } from "node:v8";
import { threadId } from "node:worker_threads";
import type { Post } from "../model";
import type { PostContext } from "./post";
import type { Problem } from "./problems";

/** Where the build keeps parsed posts unless told otherwise (inside node_modules, like other tools). */
export const DEFAULT_CACHE_DIR = join("node_modules", ".cache", "feed-publisher", "posts");

/** Bump when the shape of a stored entry changes (it is part of every salt, through the fingerprint). */
export const CACHE_FORMAT = 3;

/** Cache files (one per salt: code version and config) kept in a folder; older ones are removed. */
const KEPT_FILES = 4;

/** What parsing one post file gives: the post when it is published, and what was reported. */
export interface ParsedPostFile {
  post?: Post;
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
  /** The stored file, and where each key's record is in it, once read (see `index`). */
  private stored: { bytes: Buffer; records: Map<string, [start: number, end: number]> } | undefined;
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
    return join(this.dir, `posts-${this.salt.slice(0, 32)}.v8`);
  }

  /**
   * Reads the stored entries (again) and starts a new set of entries for `save`: a build calls it
   * once, first. Entries saved by others afterwards are not seen until the next `index`.
   */
  index(): void {
    this.discard();
    this.read();
  }

  /**
   * Finds each record of the stored file: a 4-byte little-endian length of the rest, the key's length
   * in one byte, the key (ASCII), then the serialized parse. Reading stops at a record cut short.
   */
  private read(): void {
    let bytes: Buffer;
    try {
      bytes = readFileSync(this.file);
    } catch {
      bytes = Buffer.alloc(0);
    }
    const records = new Map<string, [number, number]>();
    for (let start = 0; start + 5 <= bytes.byteLength; ) {
      const end = start + 4 + bytes.readUInt32LE(start);
      const keyEnd = start + 5 + (bytes[start + 4] ?? 0);
      if (end > bytes.byteLength || keyEnd > end) break;
      records.set(bytes.toString("latin1", start + 5, keyEnd), [start, end]);
      start = end;
    }
    this.stored = { bytes, records };
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
    const place = stored.records.get(key);
    if (place === undefined) return undefined;
    const record = stored.bytes.subarray(place[0], place[1]);
    let parsed: ParsedPostFile;
    try {
      parsed = deserializeParse(record.subarray(5 + key.length));
    } catch {
      return undefined;
    }
    if (typeof parsed?.post !== "object" || parsed.post === null || !Array.isArray(parsed.problems))
      return undefined;
    this.keep(key, record);
    return { post: parsed.post, problems: parsed.problems };
  }

  /**
   * Keeps a parse for the next builds (once saved). Only files that gave a post are kept: files left
   * out are few. `serialized`: `parsed` as `serializeParse` gave it, when the caller has it already.
   */
  set(key: string, parsed: ParsedPostFile, serialized?: Uint8Array): void {
    if (!parsed.post) return;
    const payload = serialized ?? serializeParse(parsed);
    const head = Buffer.alloc(5 + key.length);
    head.writeUInt32LE(1 + key.length + payload.byteLength, 0);
    head[4] = key.length;
    head.write(key, 5, "latin1");
    this.keep(key, head, payload);
  }

  /**
   * Replaces the stored file with the entries this build used or made (written aside as they came,
   * now renamed, so a reader never sees half of it); removes all but the newest few files of other
   * salts, and those of earlier formats.
   */
  save(): void {
    const pending = this.pending ?? this.startPending();
    this.pending = undefined;
    closeSync(pending.fd);
    renameSync(pending.path, this.file);
    this.stored = undefined;
    const all = listing(this.dir);
    for (const name of all.filter((name) => /^posts-[0-9a-f]+\.jsonl$/.test(name)))
      rmSync(join(this.dir, name), { force: true });
    const others = all
      .filter((name) => /^posts-[0-9a-f]+\.v8$/.test(name))
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

  /** Appends a record (in parts) for `key`, unless this build kept one already. */
  private keep(key: string, ...parts: Uint8Array[]): void {
    if (key.length > 255 || !/^[\x20-\x7e]*$/.test(key)) throw new Error(`not a cache key: ${key}`);
    const pending = this.pending ?? this.startPending();
    if (pending.keys.has(key)) return;
    pending.keys.add(key);
    for (const part of parts) writeAll(pending.fd, part);
  }

  private startPending(): NonNullable<typeof this.pending> {
    mkdirSync(this.dir, { recursive: true });
    const path = `${this.file}.${process.pid}.${threadId}.partial`;
    this.pending = { path, fd: openSync(path, "w"), keys: new Set() };
    return this.pending;
  }
}

/**
 * One parse in V8's serialization format: what a parser thread sends (its bytes are transferred, not
 * copied) and what the cache stores as it is. `deserializeParse` reads it back.
 */
export function serializeParse(parsed: ParsedPostFile): Uint8Array {
  return serialize(parsed);
}

export function deserializeParse(bytes: Uint8Array): ParsedPostFile {
  return deserialize(bytes) as ParsedPostFile;
}

function writeAll(fd: number, bytes: Uint8Array): void {
  for (let done = 0; done < bytes.byteLength; ) done += writeSync(fd, bytes, done, bytes.byteLength - done);
}
