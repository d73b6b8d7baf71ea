/** Reads a Jekyll content folder: every file under `_posts/` becomes a post or a reported problem. */
import { readdir, readFile, stat } from "node:fs/promises";
import { join, posix, relative, sep } from "node:path";
import type { Post } from "../model";
import { readSiteConfig, type SiteConfig } from "./config";
import { HTML_EXTENSIONS, MARKDOWN_EXTENSIONS, parsePostFile } from "./post";
import { type Problem, ProblemLog } from "./problems";

export interface LoadedSite {
  config: SiteConfig;
  /** Published posts, newest first (ties broken by id, so the order never depends on the disk). */
  posts: Post[];
  problems: Problem[];
  /** Files looked at under `_posts/`. */
  files: number;
}

/** Raised when the folder cannot be a site at all (no `_posts/`). */
export class ContentError extends Error {}

export interface LoadOptions {
  now: Date;
}

/** Loads every post of `contentDir`. Never throws for a bad post; throws `ContentError` for a bad folder. */
export async function loadSite(contentDir: string, options: LoadOptions): Promise<LoadedSite> {
  const postsDir = join(contentDir, "_posts");
  const isDir = await stat(postsDir).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isDir) throw new ContentError(`${contentDir}: no _posts/ folder, so there is nothing to publish`);

  const configLog = new ProblemLog("_config.yml");
  const config = await readSiteConfig(contentDir, configLog);
  const problems: Problem[] = [...configLog.problems];
  const paths = (await listFiles(postsDir)).map((file) => toPosix(relative(contentDir, file))).sort();

  const byId = new Map<string, Post>();
  for (const path of paths) {
    const log = new ProblemLog(path);
    if (!isPostFile(path, log)) {
      problems.push(...log.problems);
      continue;
    }
    const bytes = await readFile(join(contentDir, path));
    const post = parsePostFile(path, bytes, { config, now: options.now }, log);
    if (post) {
      const first = byId.get(post.id);
      if (first) log.error(`has the same id as ${first.source} (${post.id})`, "post skipped");
      else byId.set(post.id, post);
    }
    problems.push(...log.problems);
  }
  const posts = [...byId.values()].sort(newestFirst);
  return { config, posts, problems, files: paths.length };
}

/** Newest first by publication date, then by id so equal dates have one order. */
export function newestFirst(a: Post, b: Post): number {
  if (a.published !== b.published) return a.published < b.published ? 1 : -1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function isPostFile(path: string, log: ProblemLog): boolean {
  const name = posix.basename(path);
  // Jekyll skips these names (EntryFilter: dot-, underscore- and hash-prefixed files, backups).
  if (/^[._#]/.test(name) || name.endsWith("~")) {
    log.note("hidden or backup file", "ignored");
    return false;
  }
  const extension = posix.extname(name).toLowerCase();
  if (!MARKDOWN_EXTENSIONS.has(extension) && !HTML_EXTENSIONS.has(extension)) {
    log.note(`not a Markdown or HTML file (${extension || "no extension"})`, "ignored");
    return false;
  }
  return true;
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath ?? (e as { path: string }).path, e.name));
}

function toPosix(path: string): string {
  return path.split(sep).join("/");
}
