/** Reads a Jekyll content folder: every file under `_posts/` becomes a post or a reported problem. */
import { readdir, stat } from "node:fs/promises";
import { join, posix, sep } from "node:path";
import type { Post } from "../model";
import { PostCache } from "./cache";
import { readSiteConfig, type SiteConfig } from "./config";
import { newestFirst } from "./feeds";
import { checkIds, type IdLock, LOCK_FILE, readIdLock } from "./id-lock";
import type { PostItems } from "./items";
import { parsePostFiles } from "./pool";
import { HTML_EXTENSIONS, MARKDOWN_EXTENSIONS } from "./post-files";
import { type Problem, ProblemLog } from "./problems";

export interface LoadedSite {
  config: SiteConfig;
  /** The id lock as it was before this build (see id-lock.ts). */
  lock: IdLock | undefined;
  /** Published ids that this build would change or reuse: each refuses the build unless accepted. */
  idChanges: Problem[];
  /** Published posts, newest first (ties broken by id, so the order never depends on the disk). */
  posts: Post[];
  /** Posts dated after the build: they appear in their feeds at their date (`manifest.schedule`). */
  scheduled: Post[];
  problems: Problem[];
  /** Files looked at under `_posts/`. */
  files: number;
}

/** Raised when the folder cannot be a site at all (no `_posts/`). */
export class ContentError extends Error {}

export interface LoadOptions {
  /** Posts dated after this are scheduled rather than published. */
  now: Date;
  /** Worker threads parsing posts (default 0: parse on this thread; the CLI uses every core). */
  threads?: number;
  /** Fewest files to parse for which threads are started (see `INLINE_LIMIT`). */
  inlineLimit?: number;
  /** Folder of the parsed-post cache (keyed by content hash); none: parse every file. */
  cacheDir?: string;
  /** Called as post files are parsed. */
  onProgress?: (done: number, total: number) => void;
  /** Called with each post's items when a parser thread rendered them (see `parsePostFiles`). */
  onItems?: (post: Post, items: PostItems) => void;
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
  let lock: IdLock | undefined;
  try {
    lock = await readIdLock(contentDir);
  } catch (error) {
    throw new ContentError(`${join(contentDir, LOCK_FILE)}: ${(error as Error).message}`);
  }
  // Ids keep the authority they were first published with, even after the site's host changes.
  if (lock && !config.tagAuthorityIsExplicit) config.tagAuthority = lock.tagAuthority;

  const problems: Problem[] = [...configLog.problems];
  const paths = (await listPostFiles(postsDir)).sort();
  const logs = paths.map((path) => new ProblemLog(path));
  const postLogs = logs.filter((log) => isPostFile(log.path, log));
  const cache = options.cacheDir ? await PostCache.open(options.cacheDir, { config }) : undefined;
  const results = await parsePostFiles(
    contentDir,
    postLogs.map((log) => log.path),
    { config },
    {
      cache,
      threads: options.threads ?? 0,
      inlineLimit: options.inlineLimit,
      onProgress: options.onProgress,
      onItems: options.onItems,
    },
  );
  const parsed: { post: Post; log: ProblemLog }[] = [];
  results.forEach((result, i) => {
    const log = postLogs[i] as ProblemLog;
    log.problems.push(...result.problems);
    if (result.post) parsed.push({ post: result.post, log });
  });
  const all = publishOnePerId(parsed, lock).sort(newestFirst);
  const now = options.now.getTime();
  const posts = all.filter((post) => Date.parse(post.published) <= now);
  const scheduled = all.filter((post) => Date.parse(post.published) > now);
  for (const post of scheduled) {
    const log = logs.find((l) => l.path === post.source);
    log?.note(
      `dated in the future (${post.published})`,
      "scheduled: appears in its feeds then, without another deploy",
    );
  }
  for (const log of logs) problems.push(...log.problems);
  const idChanges = checkIds(posts, lock);
  problems.push(...idChanges);
  return { config, lock, idChanges, posts, scheduled, problems, files: paths.length };
}

/**
 * Two files with one id: the one the lock already published under it wins, else the first by path;
 * the others are reported and skipped.
 */
function publishOnePerId(parsed: { post: Post; log: ProblemLog }[], lock: IdLock | undefined): Post[] {
  const groups = new Map<string, { post: Post; log: ProblemLog }[]>();
  for (const entry of parsed) {
    const group = groups.get(entry.post.id);
    if (group) group.push(entry);
    else groups.set(entry.post.id, [entry]);
  }
  const published: Post[] = [];
  for (const [id, group] of groups) {
    const winner = group.find((e) => e.post.source === lock?.ids[id]?.source) ?? group[0];
    if (!winner) continue;
    published.push(winner.post);
    for (const other of group) {
      if (other !== winner)
        other.log.error(`has the same id as ${winner.post.source} (${id})`, "post skipped");
    }
  }
  return published;
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

/**
 * Every file under `postsDir` (the content folder's `_posts`), as a path from the content folder with
 * `/` separators (`_posts/2024-03-05-x.md`). Each entry's folder is `postsDir` itself or one under it,
 * so the path is built from the part after `postsDir` (`path.relative` took ~60 ms per 10,000 files).
 */
async function listPostFiles(postsDir: string): Promise<string[]> {
  const entries = await readdir(postsDir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => {
      const folder = (e.parentPath ?? (e as { path: string }).path).slice(postsDir.length);
      return toPosix(`_posts${folder}${sep}${e.name}`);
    });
}

function toPosix(path: string): string {
  return path.split(sep).join("/");
}
