/** finishSite: the three steps together, a new build id, the same bytes for the same content. */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Compressor } from "../../src/build/compress";
import { FolderDocuments } from "../../src/build/document-store";
import { finishSite } from "../../src/build/extras";
import { mapEntries } from "../../src/build/manifest-routes";
import type { ManifestEntry } from "../../src/model";
import { feedRoutes, handMadeSite, SITE } from "./fixture";

const DATE = "Mon, 01 Jan 2024 00:00:00 GMT";

describe("finishSite", () => {
  const rendered = handMadeSite({ ...feedRoutes("/", DATE), ...feedRoutes("/tag/t/", DATE) });

  it("adds the discovery documents, gzip variants of all, and aliases that carry them", async () => {
    const { rendered: out, problems } = await finishSite(rendered, SITE);
    expect(problems).toEqual([]);
    const routes = out.manifest.routes;
    expect(Object.keys(routes)).toEqual([
      "/",
      "/atom.xml",
      "/feed.json",
      "/feed.xml",
      "/feed/by_tag/t.xml",
      "/feeds.opml",
      "/feeds.opml?format=atom",
      "/feeds.opml?format=json",
      "/feeds.opml?format=rss",
      "/rss.xml",
      "/tag/t/atom.xml",
      "/tag/t/feed.json",
      "/tag/t/rss.xml",
    ]);
    expect(routes["/"]?.gzip).toBeDefined();
    expect(routes["/feed.xml"]?.gzip).toEqual(routes["/atom.xml"]?.gzip);
  });

  it("gives the finished manifest its own id, the same for the same input", async () => {
    const first = (await finishSite(rendered, SITE)).rendered;
    const again = (
      await finishSite(handMadeSite({ ...feedRoutes("/", DATE), ...feedRoutes("/tag/t/", DATE) }), SITE)
    ).rendered;
    expect(first.manifest.buildId).toMatch(/^[0-9a-f]{16}$/);
    expect(first.manifest.buildId).not.toBe(rendered.manifest.buildId);
    expect(again.manifest).toEqual(first.manifest);
    expect([...again.documents]).toEqual([...first.documents]);
    const retitled = (await finishSite(rendered, { ...SITE, title: "Another title" })).rendered;
    expect(retitled.manifest.buildId).not.toBe(first.manifest.buildId);
  });

  it("leaves a site without routes as it is", async () => {
    const empty = handMadeSite({});
    expect(await finishSite(empty, SITE)).toEqual({ rendered: empty, problems: [] });
  });

  it("with a build's compressor into a folder, gives the same site, and the folder holds all it names", async () => {
    const expected = await finishSite(rendered, SITE);
    const dir = await mkdtemp(join(tmpdir(), "feeds-finish-"));
    try {
      // As a build does: each feed document stored through the compressor, whose thread is still
      // compressing while the discovery documents are rendered.
      for (const maxQueuedKib of [undefined, 0]) {
        const folder = FolderDocuments.open(dir);
        const compressor = new Compressor(folder, undefined, maxQueuedKib);
        mapEntries(rendered.manifest, (entry) => {
          compressor.store(entry, new Uint8Array(rendered.documents.get(entry.key) ?? []));
          return entry;
        });
        const { rendered: out } = await finishSite({ ...rendered, documents: folder }, SITE, compressor);
        expect(out.manifest).toEqual(expected.rendered.manifest);
        const named: ManifestEntry[] = Object.values(out.manifest.routes);
        const keys = named.flatMap((entry) => [entry.key, ...(entry.gzip ? [entry.gzip.key] : [])]);
        expect(keys.filter((key) => !out.documents.has(key))).toEqual([]);
        // The discovery page's variant was made on the compressing thread, into its own pack, unless
        // the thread lagged (then this thread compresses).
        const pageVariant = out.manifest.routes["/"]?.gzip?.key ?? "";
        const pack = (out.documents as FolderDocuments).locationOf(pageVariant)?.pack;
        expect(pack?.includes("-gzip")).toBe(maxQueuedKib === undefined);
        (out.documents as FolderDocuments).commit();
        const committed = FolderDocuments.committed(dir);
        expect(new Map(committed)).toEqual(new Map(expected.rendered.documents));
        await rm(join(dir, "doc"), { recursive: true, force: true });
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
