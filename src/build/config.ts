/** Site settings from `_config.yml`, with the defaults a Jekyll site would get. */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import yaml from "js-yaml";
import type { Author, Site } from "../model";
import { DEFAULT_FEED_BUDGET } from "./budget";
import { isKnownTimeZone } from "./dates";
import type { ProblemLog } from "./problems";

/** Items per subscription document unless `_config.yml` says otherwise (`feed: posts_limit`, as jekyll-feed). */
export const DEFAULT_FEED_LIMIT = 20;

/** Everything the build needs from `_config.yml`. */
export interface SiteConfig {
  site: Site;
  /** Jekyll `permalink` setting (a style name or a template). */
  permalink: string;
  /** Authority of the `tag:` URIs used as post ids (RFC 4151); the site's host unless set. */
  tagAuthority: string;
  /**
   * `tag` (default): ids are `tag:` URIs that survive URL changes; `jekyll-feed`: the ids jekyll-feed
   * gave the same posts (their absolute URL without extension), for sites that move from it.
   */
  idStyle: "tag" | "jekyll-feed";
  /** Largest feed document, in bytes (`feed: max_bytes`). */
  feedBudget: number;
  /** Whether `tag_authority` was set in `_config.yml` (else the id lock's pinned one applies). */
  tagAuthorityIsExplicit: boolean;
}

/**
 * Reads `_config.yml` from the content folder. A missing file gives the defaults; a file that does
 * not parse is reported and the defaults are used, so posts still publish.
 */
export async function readSiteConfig(contentDir: string, log: ProblemLog): Promise<SiteConfig> {
  let raw: unknown = {};
  try {
    const text = await readFile(join(contentDir, "_config.yml"), "utf8");
    raw = yaml.load(text, { schema: yaml.CORE_SCHEMA }) ?? {};
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "ENOENT")
      log.warn(`cannot read: ${(error as Error).message.split("\n")[0]}`, "defaults used");
  }
  const data = isRecord(raw) ? raw : {};
  const text = (key: string): string | undefined => {
    const value = data[key];
    return typeof value === "string" || typeof value === "number" ? String(value).trim() : undefined;
  };

  const url = `${stripTrailingSlash(text("url") || "http://localhost:8787")}${normalizeBaseUrl(text("baseurl"))}`;
  let origin: URL;
  try {
    origin = new URL(url);
  } catch {
    log.warn(`url "${url}" is not an absolute URL`, "http://localhost:8787 used");
    origin = new URL("http://localhost:8787");
  }
  let timezone = text("timezone") || "UTC";
  if (!isKnownTimeZone(timezone)) {
    log.warn(`unknown timezone "${timezone}"`, "UTC used");
    timezone = "UTC";
  }

  const feed = isRecord(data.feed) ? data.feed : {};
  const limit = Number(feed.posts_limit ?? data.feed_limit ?? DEFAULT_FEED_LIMIT);
  const budget = Number(feed.max_bytes ?? DEFAULT_FEED_BUDGET);

  let archives = true;
  if (feed.archives !== undefined) {
    if (typeof feed.archives === "boolean") archives = feed.archives;
    else
      log.warn(`feed: archives "${String(feed.archives)}" is not true or false`, "archive pages published");
  }

  const websub = isRecord(data.websub) ? data.websub : {};
  const hubText = typeof websub.hub === "string" ? websub.hub : text("websub_hub");
  let hub: string | undefined;
  if (hubText) {
    if (/^https?:\/\//i.test(hubText) && URL.canParse(hubText)) hub = new URL(hubText).href;
    else log.warn(`websub hub "${hubText}" is not an http(s) URL`, "no hub advertised");
  }

  const site: Site = {
    title: text("title") || origin.host,
    description: text("description") ?? "",
    url: stripTrailingSlash(origin.href),
    language: text("lang") || text("language") || "en",
    timezone,
    author: readAuthor(data.author),
    feedLimit: Number.isInteger(limit) && limit > 0 ? limit : DEFAULT_FEED_LIMIT,
    ...(archives ? {} : { archives: false }),
    ...(hub ? { hub } : {}),
  };
  return {
    site,
    permalink: text("permalink") || "date",
    tagAuthority: text("tag_authority") || origin.hostname,
    tagAuthorityIsExplicit: Boolean(text("tag_authority")),
    idStyle:
      (typeof feed.ids === "string" ? feed.ids : text("feed_ids")) === "jekyll-feed" ? "jekyll-feed" : "tag",
    feedBudget: Number.isInteger(budget) && budget >= 10_000 ? budget : DEFAULT_FEED_BUDGET,
  };
}

function readAuthor(value: unknown): Author | undefined {
  if (typeof value === "string" && value.trim()) return { name: value.trim() };
  if (isRecord(value) && typeof value.name === "string") {
    const author: Author = { name: value.name.trim() };
    if (typeof value.email === "string") author.email = value.email.trim();
    if (typeof value.uri === "string") author.url = value.uri.trim();
    if (typeof value.url === "string") author.url = value.url.trim();
    return author;
  }
  return undefined;
}

function normalizeBaseUrl(baseurl: string | undefined): string {
  if (!baseurl || baseurl === "/") return "";
  return `/${baseurl.replace(/^\/+|\/+$/g, "")}`;
}

function stripTrailingSlash(url: string): string {
  return url.replace(/\/+$/, "");
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
