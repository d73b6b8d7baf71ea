/**
 * Scheduled routes: a build renders ahead the documents that scheduled posts change
 * (`manifest.schedule`), and the Worker picks by time, so a post appears at its instant without
 * another deploy. Pure functions of the manifest and the clock.
 */
import type { Manifest, ManifestEntry } from "../model";

/**
 * The entry that answers `path` at `now` (ms since the epoch): the build's route with every scheduled
 * change whose `from` has passed applied in order; a `null` change removes the route.
 */
export function effectiveEntry(manifest: Manifest, path: string, now: number): ManifestEntry | undefined {
  let entry = manifest.routes[path];
  for (const change of manifest.schedule ?? []) {
    if (Date.parse(change.from) > now || !(path in change.routes)) continue;
    entry = change.routes[path] ?? undefined;
  }
  return entry;
}

/** When (ms since the epoch) the answer for `path` next changes after `now`; `undefined` if never. */
export function nextChange(manifest: Manifest, path: string, now: number): number | undefined {
  let next: number | undefined;
  for (const change of manifest.schedule ?? []) {
    const from = Date.parse(change.from);
    if (from > now && path in change.routes && (next === undefined || from < next)) next = from;
  }
  return next;
}
