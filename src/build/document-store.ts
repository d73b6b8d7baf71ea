/**
 * Where a build keeps its documents, by KV key (`doc/<sha256>`): in memory (a `Map`, as tests and
 * small callers use), or on disk as they are rendered (`FolderDocuments`, dist/doc/), so that a
 * build's memory follows its largest feed rather than the whole site's output.
 *
 * Keys are content addresses: a key always names the same bytes, so a document already stored under
 * its key need not be written again, and two sets sharing a folder never disagree.
 */
import { randomBytes } from "node:crypto";
import {
  closeSync,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { basename, join } from "node:path";

/** The part of `Map<string, Uint8Array>` a build uses; a `Map` is one. */
export interface Documents extends Iterable<[string, Uint8Array]> {
  readonly size: number;
  has(key: string): boolean;
  get(key: string): Uint8Array | undefined;
  set(key: string, bytes: Uint8Array): unknown;
  delete(key: string): boolean;
  keys(): Iterable<string>;
}

/** A new set with the same documents, which can grow without changing `documents`. */
export function copyDocuments(documents: Documents): Documents {
  return documents instanceof FolderDocuments ? documents.copy() : new Map(documents);
}

/** The byte length of a document of `documents`, without reading it from disk. */
export function documentSize(documents: Documents, key: string): number | undefined {
  return documents instanceof FolderDocuments ? documents.sizeOf(key) : documents.get(key)?.byteLength;
}

const PREFIX = "doc/";
/** The folder's table of contents: which pack holds each document, at which offset. */
export const PACK_INDEX_FILE = "index.json";
const PACK_INDEX_FORMAT = 1;
const PACK_SUFFIX = ".pack";
/**
 * A pack whose documents in use fill less than this share of it is rewritten: its documents are
 * copied into the build's own pack and the old one removed, so a folder rebuilt many times stays
 * within about twice its output.
 */
const MIN_PACK_USE = 0.5;

/** Where a document's bytes are: `size` bytes at `offset` of the pack file `pack`. */
export interface PackLocation {
  pack: string;
  offset: number;
  size: number;
}

/** `doc/index.json`: packs by name, then each document as `[pack number, offset, size]`. */
interface PackIndexFile {
  format: number;
  packs: string[];
  documents: Record<string, [number, number, number]>;
}

/** An append-only pack file being written by this thread. */
class PackWriter {
  private fd: number | undefined;
  private length = 0;

  constructor(readonly path: string) {}

  /** Appends `bytes`, returning their offset. */
  append(bytes: Uint8Array): number {
    this.fd ??= openSync(this.path, "wx");
    const offset = this.length;
    for (let done = 0; done < bytes.byteLength; )
      done += writeSync(this.fd, bytes, done, bytes.byteLength - done, offset + done);
    this.length += bytes.byteLength;
    return offset;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/** What every copy of one folder's set shares: what is on disk, and the writes made. */
interface Disk {
  /** Every document stored in the folder (from its index, or written since it was opened). */
  locations: Map<string, PackLocation>;
  /** This build's pack (created at the first write). */
  writer: PackWriter;
  /** Names of the packs another thread is writing into for this build (see compress.ts). */
  lent: Set<string>;
  /** Documents another thread is writing (see `claim`), until it reports them with `written`. */
  claimed: Set<string>;
  written: number;
}

/**
 * Documents stored in `<dir>/doc/` as they are set: appended to one pack file per build and per
 * writing thread, and found through `doc/index.json`, which `commit` writes once the build is whole.
 * Creating thousands of small files cost seconds of kernel time per build on our disks; appending to
 * one file costs a copy into the page cache. Only sizes and locations stay in memory, and documents
 * are read back on demand.
 *
 * A rebuild reuses what the last committed build stored (see `adopt`). Pack files are never changed
 * once written, so an interrupted build leaves the last index and its packs valid: its own pack is
 * not listed, and the next `commit` removes it.
 */
export class FolderDocuments implements Documents {
  /** Opens `dir` (created if needed), with the documents its last committed build stored. */
  static open(dir: string): FolderDocuments {
    mkdirSync(join(dir, "doc"), { recursive: true });
    const locations = readPackIndex(join(dir, "doc"));
    const writer = new PackWriter(join(dir, "doc", newPackName("main")));
    return new FolderDocuments(dir, new Map(), {
      locations,
      writer,
      lent: new Set(),
      claimed: new Set(),
      written: 0,
    });
  }

  /** The documents of the build last committed into `dir`, to read (an empty set when there is none). */
  static committed(dir: string): FolderDocuments {
    const folder = FolderDocuments.open(dir);
    for (const [key, at] of folder.disk.locations) folder.sizes.set(key, at.size);
    return folder;
  }

  private constructor(
    readonly dir: string,
    private readonly sizes: Map<string, number>,
    private readonly disk: Disk,
  ) {}

  /** Documents written to the folder so far, by this set and its copies. */
  get writes(): number {
    return this.disk.written;
  }

  /**
   * A pack file name for another thread to append documents to; it reports each with `written`.
   * Its documents are listed by the next `commit`.
   */
  lendPack(role: string): string {
    const name = newPackName(role);
    this.disk.lent.add(name);
    return join(this.dir, "doc", name);
  }

  /** Takes into this set a document that another thread stored in a pack `lendPack` gave it. */
  written(key: string, at: PackLocation): void {
    checkKey(key);
    this.disk.locations.set(key, at);
    this.disk.claimed.delete(key);
    this.disk.written++;
    this.sizes.set(key, at.size);
  }

  /**
   * Takes `key` (`size` bytes) into this set for another thread to write into a pack `lendPack` gave
   * it and report with `written`. False when the folder stores it already, or another thread is
   * writing it: there is nothing to write. Until it is reported, `get` cannot read it.
   */
  claim(key: string, size: number): boolean {
    checkKey(key);
    this.sizes.set(key, size);
    if (this.disk.locations.get(key)?.size === size || this.disk.claimed.has(key)) return false;
    this.disk.claimed.add(key);
    return true;
  }

  /** Leaves `key` out of this set (its bytes stay until `commit` finds them unused). */
  delete(key: string): boolean {
    return this.sizes.delete(key);
  }

  get size(): number {
    return this.sizes.size;
  }

  has(key: string): boolean {
    return this.sizes.has(key);
  }

  sizeOf(key: string): number | undefined {
    return this.sizes.get(key);
  }

  /** Where the folder stores `key` (whether in this set or not). */
  locationOf(key: string): PackLocation | undefined {
    return this.disk.locations.get(key);
  }

  get(key: string): Uint8Array | undefined {
    if (this.disk.claimed.has(key) && this.sizes.has(key))
      throw new Error(`${key} is still being written by another thread`);
    const at = this.sizes.has(key) ? this.disk.locations.get(key) : undefined;
    return at ? readAt(join(this.dir, "doc"), at) : undefined;
  }

  set(key: string, bytes: Uint8Array): this {
    checkKey(key);
    if (this.sizes.get(key) === bytes.byteLength) return this;
    if (this.disk.locations.get(key)?.size !== bytes.byteLength && !this.disk.claimed.has(key)) {
      const offset = this.disk.writer.append(bytes);
      this.disk.locations.set(key, { pack: packName(this.disk.writer.path), offset, size: bytes.byteLength });
      this.disk.written++;
    }
    this.sizes.set(key, bytes.byteLength);
    return this;
  }

  /**
   * Takes a document the last committed build stored under `key` into this set without reading it,
   * when it has `size` bytes (as that build's manifest says). False when it is not stored whole.
   */
  adopt(key: string, size: number): boolean {
    if (this.sizes.get(key) === size) return true;
    if (this.disk.locations.get(key)?.size !== size) return false;
    this.sizes.set(key, size);
    return true;
  }

  keys(): IterableIterator<string> {
    return this.sizes.keys();
  }

  *[Symbol.iterator](): IterableIterator<[string, Uint8Array]> {
    for (const key of this.sizes.keys()) yield [key, this.get(key) as Uint8Array];
  }

  /** Another set over the same folder, starting with this one's documents. */
  copy(): FolderDocuments {
    return new FolderDocuments(this.dir, new Map(this.sizes), this.disk);
  }

  /** Keys of every document stored in the folder: from its last build, or written since. */
  listed(): string[] {
    return [...this.disk.locations.keys()];
  }

  /**
   * Makes the folder hold exactly this set: packs little of which is in use are copied from, the
   * index is replaced (atomically: written aside, then renamed), and packs and files the index does
   * not name are removed. Call it once every thread writing into the folder has finished. Returns
   * how many stored documents were let go.
   */
  commit(): number {
    const docDir = join(this.dir, "doc");
    const { locations, writer, claimed } = this.disk;
    if (claimed.size > 0)
      throw new Error(`${claimed.size} document(s) are still being written by another thread`);
    const own = packName(writer.path);
    const used = new Map<string, number>();
    for (const key of this.sizes.keys()) {
      const at = locations.get(key) as PackLocation;
      used.set(at.pack, (used.get(at.pack) ?? 0) + at.size);
    }
    const rewritten = new Set(
      [...used]
        .filter(([pack]) => pack !== own && !this.disk.lent.has(pack))
        .filter(([pack, bytes]) => bytes < MIN_PACK_USE * packLength(docDir, pack))
        .map(([pack]) => pack),
    );
    for (const key of this.sizes.keys()) {
      const at = locations.get(key) as PackLocation;
      if (rewritten.has(at.pack))
        locations.set(key, { pack: own, offset: writer.append(readAt(docDir, at)), size: at.size });
    }
    writer.close();
    const packs: string[] = [];
    const numbers = new Map<string, number>();
    const entries: PackIndexFile["documents"] = {};
    for (const key of this.sizes.keys()) {
      const at = locations.get(key) as PackLocation;
      let number = numbers.get(at.pack);
      if (number === undefined) {
        number = packs.push(at.pack) - 1;
        numbers.set(at.pack, number);
      }
      entries[key.slice(PREFIX.length)] = [number, at.offset, at.size];
    }
    const index: PackIndexFile = { format: PACK_INDEX_FORMAT, packs, documents: entries };
    const indexPath = join(docDir, PACK_INDEX_FILE);
    writeFileSync(`${indexPath}.partial`, JSON.stringify(index));
    renameSync(`${indexPath}.partial`, indexPath);
    for (const name of readdirSync(docDir)) {
      if (name !== PACK_INDEX_FILE && !numbers.has(name))
        rmSync(join(docDir, name), { recursive: true, force: true });
    }
    const letGo = [...locations.keys()].filter((key) => !this.sizes.has(key));
    for (const key of letGo) locations.delete(key);
    this.disk.lent.clear();
    return letGo.length;
  }
}

/** The documents `doc/index.json` lists whose packs hold them whole; none if it is missing or unreadable. */
function readPackIndex(docDir: string): Map<string, PackLocation> {
  const locations = new Map<string, PackLocation>();
  let index: PackIndexFile;
  try {
    index = JSON.parse(readFileSync(join(docDir, PACK_INDEX_FILE), "utf8")) as PackIndexFile;
  } catch {
    return locations;
  }
  if (index?.format !== PACK_INDEX_FORMAT || !Array.isArray(index.packs)) return locations;
  const lengths = index.packs.map((pack) => packLength(docDir, pack));
  for (const [sha, [number, offset, size]] of Object.entries(index.documents ?? {})) {
    const pack = index.packs[number];
    // A pack cut short (a damaged disk, a hand edit) loses the documents past its end.
    if (pack !== undefined && offset + size <= (lengths[number] ?? 0))
      locations.set(PREFIX + sha, { pack, offset, size });
  }
  return locations;
}

/** The length of a pack file, or 0 when it is not there. */
function packLength(docDir: string, pack: string): number {
  if (!pack.endsWith(PACK_SUFFIX) || pack.includes("/")) return 0;
  const stats = statSync(join(docDir, pack), { throwIfNoEntry: false });
  return stats?.isFile() ? stats.size : 0;
}

/** Reads a document's bytes from its pack. */
function readAt(docDir: string, at: PackLocation): Uint8Array {
  const fd = openSync(join(docDir, at.pack), "r");
  try {
    const bytes = new Uint8Array(at.size);
    for (let done = 0; done < at.size; ) {
      const read = readSync(fd, bytes, done, at.size - done, at.offset + done);
      if (read === 0)
        throw new Error(`${at.pack} ends before its document at ${at.offset} (${fstatSync(fd).size} bytes)`);
      done += read;
    }
    return bytes;
  } finally {
    closeSync(fd);
  }
}

/** A pack file name no other build or thread uses: time, process and random bits. */
function newPackName(role: string): string {
  return `${Date.now().toString(36)}-${process.pid}-${randomBytes(4).toString("hex")}-${role}${PACK_SUFFIX}`;
}

function packName(path: string): string {
  return basename(path);
}

function checkKey(key: string): void {
  if (!key.startsWith(PREFIX) || key.includes("/", PREFIX.length) || key.length === PREFIX.length)
    throw new Error(`not a document key: ${key}`);
}
