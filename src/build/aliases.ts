/**
 * jekyll-feed compatibility: a site moving from jekyll-feed keeps its subscribers, because the URLs
 * jekyll-feed published (`/feed.xml`, `/feed/<category>.xml`, `/feed/by_tag/<tag>.xml`, all Atom)
 * answer with our Atom documents. An alias is a copy of its target's manifest entry (same bytes,
 * same validators) that names the target in `canonical`, whose URL stays the self link.
 */
import type { FeedScope, Manifest, ManifestEntry } from "../model";
import { encodeName } from "../paths";
import type { RenderedSite } from "./documents";
import { parseFeedPath, sortedByPath } from "./manifest-routes";
import type { Problem } from "./problems";

/**
 * Where jekyll-feed published a feed's Atom document. The name and `.xml` are encoded as one segment:
 * this equals `encodeName(name) + ".xml"` for every name but the dot-only ones, whose `~` escape would
 * otherwise make a segment (`~..xml`) that `canonicalPath` spells differently, so no request found it.
 */
export function jekyllFeedPath(scope: FeedScope): string {
  if (scope.kind === "site") return "/feed.xml";
  const file = encodeName(`${scope.name}.xml`);
  return scope.kind === "category" ? `/feed/${file}` : `/feed/by_tag/${file}`;
}

/** The aliased site and what could not be aliased. */
export interface AliasedSite {
  rendered: RenderedSite;
  /** One warning per jekyll-feed URL left out because another document is already served there. */
  problems: Problem[];
}

/**
 * Adds a jekyll-feed alias for every Atom subscription document, in `routes` and in each scheduled
 * change that sets or removes its target. An alias whose path is already a route (now or in any
 * scheduled change) is left out and reported. The input is not modified.
 */
export function addJekyllAliases(rendered: RenderedSite): AliasedSite {
  const { manifest } = rendered;
  const changes = manifest.schedule ?? [];
  const allRoutes = [manifest.routes, ...changes.map((change) => change.routes)];

  const targets = new Map<string, string>();
  for (const routes of allRoutes) {
    for (const path of Object.keys(routes)) {
      const route = parseFeedPath(path);
      if (route?.format === "atom") targets.set(jekyllFeedPath(route.scope), path);
    }
  }
  const problems: Problem[] = [];
  for (const [alias, target] of targets) {
    if (!allRoutes.some((routes) => alias in routes)) continue;
    problems.push({
      path: alias,
      severity: "warning",
      message: "this jekyll-feed URL is already served by another document",
      action: `not made an alias of ${target}`,
    });
    targets.delete(alias);
  }

  function withAliases<E extends ManifestEntry | null>(routes: Record<string, E>): Record<string, E> {
    const added: Record<string, ManifestEntry | null> = {};
    for (const [alias, target] of targets) {
      if (!(target in routes)) continue;
      const entry = routes[target] ?? null;
      added[alias] = entry === null ? null : { ...entry, canonical: target };
    }
    return sortedByPath({ ...routes, ...added } as Record<string, E>);
  }

  const aliased: Manifest = {
    ...manifest,
    routes: withAliases(manifest.routes),
    ...(manifest.schedule
      ? { schedule: manifest.schedule.map((change) => ({ ...change, routes: withAliases(change.routes) })) }
      : {}),
  };
  return { rendered: { ...rendered, manifest: aliased }, problems };
}
