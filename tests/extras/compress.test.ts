/** Gzip variants: deterministic bytes that gunzip to the identity document, with their own tags. */
import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addGzipVariants, Compressor, gzipDocument, gzipEtag } from "../../src/build/compress";
import { FolderDocuments } from "../../src/build/document-store";
import { mapEntries, storeDocument } from "../../src/build/manifest-routes";
import { feedRoutes, gunzip, handMadeSite } from "./fixture";

const DATE = "Tue, 05 Mar 2024 07:30:00 GMT";

describe("gzipDocument", () => {
  const text = new TextEncoder().encode("<feed>港湾财经</feed>\n".repeat(200));

  it("gives the same bytes for the same document, with no name and no time stamp (RFC 1952 §2.3)", () => {
    const first = gzipDocument(text);
    expect(gzipDocument(text)).toEqual(first);
    expect([...first.subarray(0, 3)]).toEqual([0x1f, 0x8b, 8]);
    // FLG: no FNAME, FCOMMENT or FEXTRA; MTIME = 0.
    expect(first[3]).toBe(0);
    expect([...first.subarray(4, 8)]).toEqual([0, 0, 0, 0]);
    expect(gunzip(first)).toEqual(text);
  });
});

describe("addGzipVariants", () => {
  const rendered = handMadeSite({ ...feedRoutes("/", DATE), ...feedRoutes("/tag/a/", DATE) }, [
    { from: "2030-01-01T00:00:00Z", routes: { ...feedRoutes("/tag/b/", DATE), "/tag/a/rss.xml": null } },
  ]);
  const result = addGzipVariants(rendered);

  it("adds a variant to every Atom and JSON Feed route and scheduled entry, removals staying removals", () => {
    const entries = [
      ...Object.values(result.manifest.routes),
      ...Object.values(result.manifest.schedule?.[0]?.routes ?? {}).filter((e) => e !== null),
    ];
    expect(entries).toHaveLength(9);
    const rss = entries.filter((entry) => entry.contentType.startsWith("application/rss+xml"));
    expect(rss).toHaveLength(3);
    for (const entry of entries) {
      if (rss.includes(entry)) continue;
      const gzip = entry.gzip;
      if (!gzip) throw new Error(`${entry.key} has no gzip variant`);
      const bytes = result.documents.get(gzip.key);
      expect(bytes?.byteLength).toBe(gzip.size);
      expect(gzip.size).toBeLessThan(entry.size * 0.9);
      expect(gunzip(bytes)).toEqual(result.documents.get(entry.key));
      expect(gzip.key).toMatch(/^doc\/[0-9a-f]{64}$/);
      expect(gzip.etag).toBe(`${entry.etag.slice(0, -1)}-gzip"`);
      expect(gzip.etag).not.toBe(entry.etag);
    }
    expect(result.manifest.schedule?.[0]?.routes["/tag/a/rss.xml"]).toBeNull();
    expect(result.manifest.schedule?.[0]?.from).toBe("2030-01-01T00:00:00Z");
  });

  it("leaves RSS to the edge, which compresses application/rss+xml itself (platform.md)", () => {
    const rss = [result.manifest.routes["/rss.xml"], result.manifest.schedule?.[0]?.routes["/tag/b/rss.xml"]];
    for (const entry of rss) {
      expect(entry?.contentType).toMatch(/^application\/rss\+xml/);
      expect(entry?.gzip).toBeUndefined();
    }
  });

  it("leaves its input alone and is repeatable", () => {
    expect(Object.values(rendered.manifest.routes).some((e) => e.gzip)).toBe(false);
    expect(rendered.documents.size).toBe(9);
    // 9 documents, and a variant of the 6 that are not RSS.
    expect(result.documents.size).toBe(15);
    expect(addGzipVariants(rendered).manifest).toEqual(result.manifest);
  });

  it("compresses a document once however many routes point at it", () => {
    const shared = handMadeSite({ "/atom.xml": DATE });
    const entry = shared.manifest.routes["/atom.xml"];
    if (!entry) throw new Error("no /atom.xml");
    shared.manifest.routes["/feed.xml"] = { ...entry, canonical: "/atom.xml" };
    const out = addGzipVariants(shared);
    expect(out.documents.size).toBe(2);
    expect(out.manifest.routes["/feed.xml"]?.gzip).toEqual(out.manifest.routes["/atom.xml"]?.gzip);
    expect(out.manifest.routes["/feed.xml"]?.canonical).toBe("/atom.xml");
  });

  it("skips documents that gzip does not make at least 10% smaller", () => {
    const site = handMadeSite({});
    // Bytes that look random (SHA-256 blocks) do not compress.
    const random = new Uint8Array(
      Array.from({ length: 128 }, (_, i) => [...createHash("sha256").update(String(i)).digest()]).flat(),
    );
    const tiny = new TextEncoder().encode("{}");
    site.manifest.routes["/random"] = storeDocument(site.documents, random, "application/octet-stream", DATE);
    site.manifest.routes["/tiny"] = storeDocument(site.documents, tiny, "application/json", DATE);
    const out = addGzipVariants(site);
    expect(out.manifest.routes["/random"]?.gzip).toBeUndefined();
    expect(out.manifest.routes["/tiny"]?.gzip).toBeUndefined();
    expect(out.documents.size).toBe(2);
  });
});

describe("gzipEtag", () => {
  it("keeps the tag quoted and distinct", () => {
    expect(gzipEtag('"abc"')).toBe('"abc-gzip"');
  });
});

describe("archive pages", () => {
  it("are left uncompressed: served once per subscriber, then cached for a year", () => {
    const rendered = handMadeSite({ ...feedRoutes("/", DATE), "/archive/1/atom.xml": DATE });
    const archive = rendered.manifest.routes["/archive/1/atom.xml"];
    if (!archive) throw new Error("no archive route");
    rendered.manifest.routes["/archive/1/atom.xml"] = { ...archive, archive: true };
    const result = addGzipVariants(rendered);
    expect(result.manifest.routes["/archive/1/atom.xml"]?.gzip).toBeUndefined();
    expect(result.manifest.routes["/atom.xml"]?.gzip).toBeDefined();
  });
});

describe("Compressor", () => {
  const rendered = handMadeSite({ ...feedRoutes("/", DATE), ...feedRoutes("/tag/a/", DATE) });
  const compress = async (maxQueuedKib?: number) => {
    const compressor = new Compressor(new Map(), undefined, maxQueuedKib);
    mapEntries(rendered.manifest, (entry) => {
      compressor.add(entry, rendered.documents.get(entry.key) ?? new Uint8Array());
      return entry;
    });
    return addGzipVariants(rendered, await compressor.done());
  };

  it("gives what compressing each document on this thread gives, on its thread or, when it lags, on this one", async () => {
    const expected = addGzipVariants(rendered);
    for (const result of [await compress(), await compress(0)]) {
      expect(result.manifest).toEqual(expected.manifest);
      expect([...result.documents.keys()].sort()).toEqual([...expected.documents.keys()].sort());
    }
  });
});

describe("Compressor.store, in a build into a folder", () => {
  const rendered = handMadeSite({ ...feedRoutes("/", DATE), ...feedRoutes("/tag/a/", DATE) });
  const expected = addGzipVariants(rendered);
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "feeds-store-"));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** Stores every rendered document through a compressor, as a build does, and commits the folder. */
  const storeAll = async (maxQueuedKib?: number) => {
    const folder = FolderDocuments.open(dir);
    const compressor = new Compressor(folder, undefined, maxQueuedKib);
    mapEntries(rendered.manifest, (entry) => {
      // A copy, as a build hands over bytes it no longer uses (the thread may take their buffer).
      compressor.store(entry, new Uint8Array(rendered.documents.get(entry.key) ?? []));
      return entry;
    });
    const result = addGzipVariants({ ...rendered, documents: folder }, await compressor.done());
    // As writeDist does: the finished site's set is the folder's.
    (result.documents as FolderDocuments).commit();
    return { result, folder };
  };

  it("writes each document and its variant once, on the thread or, when it lags, on this one", async () => {
    for (const maxQueuedKib of [undefined, 0]) {
      const { result, folder } = await storeAll(maxQueuedKib);
      expect(result.manifest).toEqual(expected.manifest);
      // Three feeds' documents in three formats, and the Atom and JSON Feed variants of two feeds.
      expect(folder.writes).toBe(expected.documents.size);
      const stored = FolderDocuments.committed(dir);
      expect(new Map(stored)).toEqual(new Map(expected.documents));
      await rm(join(dir, "doc"), { recursive: true, force: true });
    }
  });

  it("moves a document's own buffer to the thread instead of copying it", async () => {
    const folder = FolderDocuments.open(dir);
    const compressor = new Compressor(folder);
    const entry = rendered.manifest.routes["/atom.xml"];
    if (!entry) throw new Error("no /atom.xml");
    const bytes = new Uint8Array(rendered.documents.get(entry.key) ?? []);
    compressor.store(entry, bytes);
    expect(bytes.byteLength).toBe(0);
    // Until the thread reports it, the document cannot be read, and the folder cannot be committed.
    expect(() => folder.get(entry.key)).toThrow(/still being written/);
    expect(() => folder.commit()).toThrow(/still being written/);
    await compressor.done();
    expect(folder.get(entry.key)).toEqual(rendered.documents.get(entry.key));
    folder.commit();
  });
});
