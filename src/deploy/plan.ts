/**
 * What a publish or a garbage collection will do to KV, computed from the build and the keys already
 * there, without I/O. Documents are content-addressed (`doc/<sha256>`) and manifests build-scoped
 * (`manifest/<build id>`), so a key that exists already holds exactly the bytes it would be given:
 * a publish writes only the keys that are missing.
 */
import { type Documents, documentSize } from "../build/document-store";
import type { RenderedSite } from "../build/documents";
import { type Manifest, manifestKey } from "../model";
import { FREE_PLAN_WRITES_PER_DAY } from "./batches";
import type { KvEntry } from "./store";

/** The KV operations of one command. */
export interface Plan {
  /** Entries to write: documents first, then the manifest (always last). */
  writes: KvEntry[];
  /** Keys the build needs (or gc keeps) that are already in KV. */
  unchanged: string[];
  /** Keys to delete: manifests first, then documents. */
  deletes: string[];
  /** Bytes of the values to write. */
  bytes: number;
}

/** Key prefix of documents; with `MANIFEST_PREFIX`, the keys gc owns (nothing else is deleted). */
export const DOCUMENT_PREFIX = "doc/";
/** Key prefix of build manifests. */
export const MANIFEST_PREFIX = "manifest/";

const encoder = new TextEncoder();

/** A manifest as stored in KV (the Worker reads it with `get(key, "json")`). */
export function manifestEntry(manifest: Manifest): KvEntry {
  return { key: manifestKey(manifest.buildId), value: encoder.encode(JSON.stringify(manifest)) };
}

const DOCUMENT_KEY = /^doc\/[0-9a-f]{64}$/;

/**
 * Every document key a manifest names, wherever it names it: routes, their gzip variants, scheduled
 * routes, and whatever later fields point at documents. Found by walking the manifest for strings of
 * the form `doc/<sha256>`, so gc and rollback never miss a document the Worker may read.
 */
export function documentKeysOf(manifest: Manifest): Set<string> {
  const keys = new Set<string>();
  const walk = (value: unknown): void => {
    if (typeof value === "string") {
      if (DOCUMENT_KEY.test(value)) keys.add(value);
    } else if (Array.isArray(value)) {
      for (const item of value) walk(item);
    } else if (value !== null && typeof value === "object") {
      for (const item of Object.values(value)) walk(item);
    }
  };
  walk(manifest);
  return keys;
}

/** The build id of a `manifest/<build id>` key. */
export function buildIdOfKey(key: string): string {
  return key.slice(MANIFEST_PREFIX.length);
}

/**
 * Publishing `build` into a namespace holding `existing` keys: every document that is missing, then
 * the manifest, unless it is there already (same id, same bytes). Nothing is deleted: the live build
 * and earlier ones stay readable until `gc`.
 */
export function planPublish(
  build: Pick<RenderedSite, "manifest" | "documents">,
  existing: ReadonlySet<string>,
): Plan {
  const writes: KvEntry[] = [];
  const unchanged: string[] = [];
  let bytes = 0;
  for (const key of [...build.documents.keys()].sort()) {
    if (existing.has(key)) unchanged.push(key);
    else if (build.documents.has(key)) {
      writes.push(documentEntry(build.documents, key));
      bytes += documentSize(build.documents, key) ?? 0;
    }
  }
  const manifest = manifestEntry(build.manifest);
  if (existing.has(manifest.key)) unchanged.push(manifest.key);
  else {
    writes.push(manifest);
    bytes += manifest.value.byteLength;
  }
  return { writes, unchanged, deletes: [], bytes };
}

/**
 * The entry of one document, whose bytes are read from the build each time they are needed: a
 * build made into dist/ keeps them on disk, and a plan must not hold every document it writes
 * (a first deploy writes them all). Batches then read only their own.
 */
function documentEntry(documents: Documents, key: string): KvEntry {
  return {
    key,
    get value(): Uint8Array {
      const bytes = documents.get(key);
      if (!bytes) throw new Error(`the build has no document ${key}`);
      return bytes;
    },
  };
}

/**
 * Garbage collection of a namespace holding `existing` keys when only the `kept` builds must stay:
 * every manifest of another build, then every document no kept build uses. Manifests go first so
 * that a manifest in KV always has all of its documents, even if the run is interrupted.
 */
export function planCollect(existing: readonly string[], kept: readonly Manifest[]): Plan {
  const needed = new Set<string>();
  for (const manifest of kept) {
    needed.add(manifestKey(manifest.buildId));
    for (const key of documentKeysOf(manifest)) needed.add(key);
  }
  const owned = existing.filter((key) => key.startsWith(DOCUMENT_PREFIX) || key.startsWith(MANIFEST_PREFIX));
  const deletes = owned
    .filter((key) => !needed.has(key))
    .sort(
      (a, b) => Number(b.startsWith(MANIFEST_PREFIX)) - Number(a.startsWith(MANIFEST_PREFIX)) || cmp(a, b),
    );
  const unchanged = owned.filter((key) => needed.has(key)).sort(cmp);
  return { writes: [], unchanged, deletes, bytes: 0 };
}

/** The plan's last line, exactly: `plan: W writes, U unchanged, D deletes, B bytes`. */
export function planLine(plan: Plan): string {
  return `plan: ${plan.writes.length} writes, ${plan.unchanged.length} unchanged, ${plan.deletes.length} deletes, ${plan.bytes} bytes`;
}

/**
 * The plan for a person to read: one line per key written (with the feeds it serves in `manifest`)
 * or deleted, a count of unchanged keys, a warning when the writes exceed the Free plan's daily
 * quota, and `planLine` last.
 */
export function describePlan(plan: Plan, manifest?: Manifest): string[] {
  const routesOf = new Map<string, string[]>();
  const note = (key: string, path: string) => routesOf.set(key, [...(routesOf.get(key) ?? []), path]);
  for (const [path, entry] of Object.entries(manifest?.routes ?? {})) {
    note(entry.key, path);
    if (entry.gzip) note(entry.gzip.key, `${path} (gzip)`);
  }
  const lines = plan.writes.map((entry) => {
    const routes = routesOf.get(entry.key);
    return `write   ${entry.key}  ${entry.value.byteLength} bytes${routes ? `  ${routes.join(" ")}` : ""}`;
  });
  for (const key of plan.deletes) lines.push(`delete  ${key}`);
  lines.push(`unchanged: ${plan.unchanged.length} keys already in KV`);
  if (plan.writes.length > FREE_PLAN_WRITES_PER_DAY) {
    lines.push(
      `warning: ${plan.writes.length} writes is more than the Free plan's ${FREE_PLAN_WRITES_PER_DAY} writes a day; ` +
        "the upload will stop when the quota runs out (rerun it the next day: it resumes)",
    );
  }
  lines.push(planLine(plan));
  return lines;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
