/**
 * Where a build keeps its documents, by KV key (`doc/<sha256>`): in memory (a `Map`, as tests and
 * small callers use), or in a folder as they are rendered (`FolderDocuments`, dist/doc/), so that a
 * build's memory follows its largest feed rather than the whole site's output.
 *
 * Keys are content addresses: a key always names the same bytes, so a file already in the folder
 * under its key need not be written again, and two sets sharing a folder never disagree.
 */
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";

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

/**
 * Documents written to `<dir>/doc/<sha256>` when they are set (synchronously: thousands of small
 * files, where asynchronous calls would each be a round trip to libuv's pool), and read back on
 * demand. Only their sizes stay in memory. Files of earlier builds stay until `writeDist` removes
 * what the final build does not use; one of the right size is taken as written (see `adopt`).
 */
export class FolderDocuments implements Documents {
  /** Opens `dir` (created if needed), noting which documents an earlier build left there. */
  static open(dir: string): FolderDocuments {
    mkdirSync(join(dir, "doc"), { recursive: true });
    const files = new Map<string, number | undefined>();
    for (const name of readdirSync(join(dir, "doc"))) files.set(PREFIX + name, undefined);
    return new FolderDocuments(dir, new Map(), { files, written: 0 });
  }

  private constructor(
    readonly dir: string,
    private readonly sizes: Map<string, number>,
    /** Shared by every copy: the files in the folder (size once known, -1: not a file), and writes. */
    private readonly disk: { files: Map<string, number | undefined>; written: number },
  ) {}

  /** Documents written to the folder so far, by this set and its copies. */
  get writes(): number {
    return this.disk.written;
  }

  /**
   * Takes into this set a document that another thread wrote to the folder under `key` (see
   * compress.ts): `size` bytes, already whole on disk.
   */
  written(key: string, size: number, wrote: boolean): void {
    this.pathOf(key);
    this.disk.files.set(key, size);
    if (wrote) this.disk.written++;
    this.sizes.set(key, size);
  }

  /** Leaves `key` out of this set (its file stays until `writeDist` removes what is unused). */
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

  get(key: string): Uint8Array | undefined {
    if (!this.sizes.has(key)) return undefined;
    return new Uint8Array(readFileSync(this.pathOf(key)));
  }

  set(key: string, bytes: Uint8Array): this {
    if (this.sizes.get(key) === bytes.byteLength) return this;
    // A file of the wrong size is what an interrupted write leaves: it is written again.
    if (this.diskSize(key) !== bytes.byteLength) {
      writeFileSync(this.pathOf(key), bytes);
      this.disk.files.set(key, bytes.byteLength);
      this.disk.written++;
    }
    this.sizes.set(key, bytes.byteLength);
    return this;
  }

  /**
   * Takes the file an earlier build left under `key` into this set without reading it, when it has
   * `size` bytes (as that build's manifest says). False when it is not there whole.
   */
  adopt(key: string, size: number): boolean {
    if (this.sizes.get(key) === size) return true;
    if (this.diskSize(key) !== size) return false;
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

  /** Keys of the files the folder held when it was opened, or written since. */
  listed(): string[] {
    return [...this.disk.files.keys()];
  }

  /** Files in the folder that are not documents of this set. */
  unused(): string[] {
    return [...this.disk.files.keys()].filter((key) => !this.sizes.has(key));
  }

  private diskSize(key: string): number | undefined {
    if (!this.disk.files.has(key)) return undefined;
    let size = this.disk.files.get(key);
    if (size === undefined) {
      const stats = statSync(this.pathOf(key), { throwIfNoEntry: false });
      size = stats?.isFile() ? stats.size : -1;
      this.disk.files.set(key, size);
    }
    return size;
  }

  private pathOf(key: string): string {
    if (!key.startsWith(PREFIX) || key.includes("/", PREFIX.length))
      throw new Error(`not a document key: ${key}`);
    return join(this.dir, key);
  }
}
