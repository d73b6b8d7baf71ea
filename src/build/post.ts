/**
 * One file of `_posts/` to one `Post`, or to a reported reason why not. Front matter is read as
 * Jekyll reads it (title, date, category/categories, tags, published); everything odd is reported.
 */
import { posix } from "node:path";
import type { Author, Post } from "../model";
import { rfc3339 } from "../render/dates";
import { stripInvalidXmlChars } from "../render/xml";
import { isRecord, type SiteConfig } from "./config";
import { fileNameDate, localDate, parsePostDate } from "./dates";
import { readFrontMatter } from "./front-matter";
import { absoluteUrl, renderMarkdown, sanitizePostHtml } from "./html";
import { extractOriginalLink } from "./original-link";
import { encodeSegment, permalinkPath } from "./permalink";
import { MARKDOWN_EXTENSIONS } from "./post-files";
import type { ProblemLog } from "./problems";
import { cutSummary, firstParagraphText, htmlToText } from "./summary";

/** What parsing depends on besides the file (future posts are scheduled by the loader, not here). */
export interface PostContext {
  config: SiteConfig;
}

/**
 * Parses one post file. `path` is relative to the content folder (e.g. `_posts/2022-01-01-a.md`).
 * Returns `undefined` when the post is not published; the log says why.
 */
export function parsePostFile(
  path: string,
  bytes: Uint8Array,
  context: PostContext,
  log: ProblemLog,
): Post | undefined {
  const { site } = context.config;
  const file = readFrontMatter(bytes, log);
  if (!file) return undefined;
  const { data } = file;

  if (isFalse(data.published)) {
    log.note("published: false", "not published");
    return undefined;
  }
  if (isTrue(data.draft)) {
    log.note("draft: true", "not published");
    return undefined;
  }

  const fileName = posix.basename(path);
  const extension = posix.extname(fileName).toLowerCase();
  const stem = fileName.slice(0, fileName.length - extension.length);
  const slug = stem.replace(/^\d{4}-\d{2}-\d{2}-/, "").replace(/^-+/, "") || stem;

  const date = readDate(data.date, file.raw, fileName, site.timezone, log);
  if (!date) return undefined;
  const published = rfc3339(date);
  const updatedDate = readOptionalDate(data.last_modified_at ?? data.updated, site.timezone);
  const updated = updatedDate && updatedDate > date ? rfc3339(updatedDate) : published;

  const categories = readNames(data, "category", "categories", log);
  const tags = readNames(data, "tag", "tags", log);

  const pattern =
    typeof data.permalink === "string" && data.permalink.trim() ? data.permalink.trim() : undefined;
  const sitePath = permalinkPath({
    pattern: pattern ?? context.config.permalink,
    date,
    timeZone: site.timezone,
    categories,
    slug,
  });
  const permalink = `${site.url}${sitePath}`;

  const isMarkdown = MARKDOWN_EXTENSIONS.has(extension);
  const original = extractOriginalLink(stripLiquid(file.body, log));
  if (original.empty) log.warn("empty original-article autolink <>", "linked to the post's own page");
  const rendered = isMarkdown ? renderMarkdown(original.body) : original.body;
  const contentHtml = sanitizePostHtml(rendered, permalink);

  const link =
    readUrl(data.canonical_url ?? data.source_url, "canonical_url", log) ??
    (original.link ? absoluteUrl(original.link, permalink) : undefined) ??
    permalink;

  const description = typeof data.description === "string" ? htmlToText(data.description) : "";
  const summary = cutSummary(description || firstParagraphText(contentHtml));

  let title = readText(data.title, "title", log);
  if (!title) {
    title = cutSummary(summary, 60) || slug;
    log.warn("empty title", "title taken from the text");
  }
  if (!contentHtml && !summary) log.warn("empty body", "published with its title only");

  return {
    id:
      context.config.idStyle === "jekyll-feed"
        ? jekyllFeedId(site.url, sitePath, slug)
        : readId(data, slug, date, fileName, context, log),
    title,
    published,
    updated,
    link,
    permalink,
    summary,
    contentHtml,
    categories,
    tags,
    authors: readAuthors(data.author ?? data.authors),
    source: path,
  };
}

function readDate(
  value: unknown,
  rawFrontMatter: string,
  fileName: string,
  timeZone: string,
  log: ProblemLog,
): Date | undefined {
  if (value !== undefined && value !== null && value !== "") {
    const parsed = typeof value === "string" ? parsePostDate(value, timeZone) : undefined;
    if (parsed && isRepresentable(parsed)) return parsed;
    // Only now: most posts have a date, and reading the file name's costs as much as reading theirs.
    const fromName = fileNameDate(fileName, timeZone);
    const written = /^date:[ \t]*(.*)$/m.exec(rawFrontMatter)?.[1]?.trim();
    if (fromName) {
      log.warn(`date "${written ?? String(value)}" is not a date`, "date taken from the file name");
      return fromName;
    }
    log.error(`date "${written ?? String(value)}" is not a date, and the file name has none`, "post skipped");
    return undefined;
  }
  const fromName = fileNameDate(fileName, timeZone);
  if (fromName) {
    log.warn("no date in the front matter", "date taken from the file name");
    return fromName;
  }
  log.error("no date in the front matter or the file name", "post skipped");
  return undefined;
}

function readOptionalDate(value: unknown, timeZone: string): Date | undefined {
  return typeof value === "string" ? parsePostDate(value, timeZone) : undefined;
}

/**
 * Jekyll's `pluralized_array_from_hash`: the singular key wins and is one name even with spaces;
 * the plural key is a YAML list or a whitespace-separated string of names.
 */
function readNames(
  data: Record<string, unknown>,
  singular: string,
  plural: string,
  log: ProblemLog,
): string[] {
  const names: string[] = [];
  const add = (value: unknown, key: string) => {
    if (value === null || value === undefined) {
      log.warn(`${key} has an empty (null) entry`, "entry ignored");
    } else if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") {
      // NFC, so that one name typed with precomposed or combining accents is one feed (UAX #15).
      const name = stripInvalidXmlChars(String(value)).normalize("NFC").trim();
      if (name) names.push(name);
      else log.warn(`${key} has an empty name`, "entry ignored");
    } else if (Array.isArray(value)) {
      for (const item of value) add(item, key);
    } else {
      log.warn(`${key} has an entry that is not a name (${JSON.stringify(value)})`, "entry ignored");
    }
  };
  const single = data[singular];
  if (single !== undefined && single !== null && single !== "") {
    add(single, singular);
  } else {
    const value = data[plural];
    if (typeof value === "string") {
      for (const name of value.split(/\s+/).filter(Boolean)) add(name, plural);
    } else if (value !== undefined && value !== null) {
      add(value, plural);
    }
  }
  return [...new Set(names)];
}

/**
 * A stable id: the post's own `id`/`guid` if it is an absolute IRI; else a `tag:` URI (RFC 4151):
 * `tag:<authority>,<file date>:<slug>` by default, `tag:<authority>,<year>:<own id>` for a plain own id
 * (only the year, so two files given one id collide as they should).
 */
function readId(
  data: Record<string, unknown>,
  slug: string,
  date: Date,
  fileName: string,
  context: PostContext,
  log: ProblemLog,
): string {
  const { tagAuthority, site } = context.config;
  const day = /^(\d{4}-\d{2}-\d{2})-/.exec(fileName)?.[1] ?? localDate(date, site.timezone);
  const own = readText(data.id ?? data.guid, "id", log);
  if (own && /^[a-z][a-z0-9+.-]*:\S+$/i.test(own)) return own;
  if (own) return `tag:${tagAuthority},${day.slice(0, 4)}:${encodeSegment(own)}`;
  return `tag:${tagAuthority},${day}:${encodeSegment(slug)}`;
}

/**
 * The id jekyll-feed wrote for a post: `{{ post.id | absolute_url }}`, where Jekyll's post id is the
 * permalink's folder joined with the slug (Jekyll::Document#id).
 */
function jekyllFeedId(siteUrl: string, permalinkPath: string, slug: string): string {
  const folder = posix.dirname(permalinkPath);
  return `${siteUrl}${folder === "/" ? "" : folder}/${slug}`;
}

function readText(value: unknown, key: string, log: ProblemLog): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") {
    return stripInvalidXmlChars(String(value)).replace(/\s+/g, " ").trim();
  }
  log.warn(`${key} is not text (${Array.isArray(value) ? "a list" : "a mapping"})`, `${key} ignored`);
  return "";
}

function readUrl(value: unknown, key: string, log: ProblemLog): string | undefined {
  if (typeof value !== "string" || !value.trim()) return undefined;
  const url = /^(https?:)?\/\//i.test(value.trim())
    ? absoluteUrl(value, "https://invalid.invalid/")
    : undefined;
  if (!url) log.warn(`${key} "${value}" is not an absolute http(s) URL`, `${key} ignored`);
  return url;
}

function readAuthors(value: unknown): Author[] {
  const list = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  const authors: Author[] = [];
  for (const item of list) {
    if (typeof item === "string" && item.trim()) authors.push({ name: stripInvalidXmlChars(item).trim() });
    else if (isRecord(item) && typeof item.name === "string" && item.name.trim()) {
      const author: Author = { name: stripInvalidXmlChars(item.name).trim() };
      if (typeof item.email === "string") author.email = item.email.trim();
      if (typeof item.url === "string") author.url = absoluteUrl(item.url, "https://invalid.invalid/");
      authors.push(author);
    }
  }
  return authors;
}

/**
 * Liquid is not evaluated here: `{% raw %}` markers are dropped (their text kept), and other tags
 * and outputs are removed and reported, so readers never see template code.
 */
function stripLiquid(body: string, log: ProblemLog): string {
  // Without `{%` or `{{` there is nothing below to match: most bodies are given back as they are.
  if (!body.includes("{%") && !body.includes("{{")) return body;
  let removed = 0;
  const strip = (text: string) =>
    text.replace(/\{%[\s\S]*?%\}|\{\{[\s\S]*?\}\}/g, () => {
      removed++;
      return "";
    });
  // Odd parts are the insides of {% raw %}…{% endraw %}, kept as written.
  const parts = body.split(/\{%-?\s*raw\s*-?%\}([\s\S]*?)\{%-?\s*endraw\s*-?%\}/);
  const result = parts.map((part, i) => (i % 2 === 1 ? part : strip(part))).join("");
  if (removed > 0) log.warn(`${removed} Liquid tag(s) that cannot be evaluated`, "removed from the content");
  return result;
}

/** Jekyll reads YAML 1.1, where `no` and `off` are false and `yes` and `on` are true too. */
function isFalse(value: unknown): boolean {
  return value === false || (typeof value === "string" && /^(false|no|off)$/i.test(value.trim()));
}

function isTrue(value: unknown): boolean {
  return value === true || (typeof value === "string" && /^(true|yes|on)$/i.test(value.trim()));
}

/** RSS needs a four-digit year (RFC 822 as amended by RFC 1123), so dates stay within 1000-9999. */
function isRepresentable(date: Date): boolean {
  const year = date.getUTCFullYear();
  return !Number.isNaN(date.getTime()) && year >= 1000 && year <= 9999;
}
