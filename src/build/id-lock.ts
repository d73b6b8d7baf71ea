/**
 * The record of published ids (`_feeds.lock.json`, committed with the content): once a post has been
 * published under an id, feed readers know it by that id, so a later build may neither give the post
 * another id (readers would show it again as new) nor give the id to different content (readers would
 * silently skip the new post). The `tag:` authority is pinned here too, so moving the site to another
 * host does not change every id. Jekyll ignores files starting with `_`, so the lock is never published.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Post } from "../model";
import { isRecord } from "./config";
import { lockDigest } from "./post-content";
import type { Problem } from "./problems";

export const LOCK_FILE = "_feeds.lock.json";

export interface LockedPost {
  /** Source file, relative to the content folder. */
  source: string;
  /** Digest of the title and content when the id was first published. */
  digest: string;
}

export interface IdLock {
  version: 1;
  /** Authority of the derived `tag:` ids (RFC 4151), as first published. */
  tagAuthority: string;
  /** Every id ever published, with the post it belongs to. */
  ids: Record<string, LockedPost>;
}

/** Reads the lock of `contentDir`; `undefined` when there is none yet. Throws when it is unreadable. */
export async function readIdLock(contentDir: string): Promise<IdLock | undefined> {
  let text: string;
  try {
    text = await readFile(join(contentDir, LOCK_FILE), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  const data: unknown = JSON.parse(text);
  if (!isRecord(data) || data.version !== 1 || typeof data.tagAuthority !== "string" || !isRecord(data.ids)) {
    throw new Error(`${LOCK_FILE} is not a version 1 id lock`);
  }
  return data as unknown as IdLock;
}

/**
 * What a post's content is, for telling a moved file from an id reused for something else: a digest
 * of its title and HTML (post-content.ts, which keeps it when the HTML itself is released).
 */
export function contentDigest(post: Post): string {
  return lockDigest(post);
}

/**
 * Compares a build's posts with the lock. Each returned problem refuses the build, unless the
 * publisher accepts the change (`--allow-id-changes`).
 */
export function checkIds(posts: readonly Post[], lock: IdLock | undefined): Problem[] {
  if (!lock) return [];
  const idBySource = new Map<string, string>();
  for (const [id, locked] of Object.entries(lock.ids)) idBySource.set(locked.source, id);
  const refused = "build refused; --allow-id-changes accepts it";
  const problems: Problem[] = [];
  for (const post of posts) {
    const before = idBySource.get(post.source);
    if (before !== undefined && before !== post.id) {
      problems.push({
        path: post.source,
        severity: "error",
        message: `id would change from ${before} to ${post.id}, and readers would see the post again as new`,
        action: refused,
      });
      continue;
    }
    const owner = lock.ids[post.id];
    if (owner && owner.source !== post.source && owner.digest !== contentDigest(post)) {
      problems.push({
        path: post.source,
        severity: "error",
        message: `reuses the id ${post.id}, published before for ${owner.source} with other content`,
        action: refused,
      });
    }
  }
  return problems;
}

/** The lock after publishing `posts`: new ids added, moved files followed, nothing ever removed. */
export function nextIdLock(lock: IdLock | undefined, posts: readonly Post[], tagAuthority: string): IdLock {
  const ids: Record<string, LockedPost> = { ...(lock?.ids ?? {}) };
  for (const post of posts) {
    const locked = ids[post.id];
    if (!locked || locked.source !== post.source)
      ids[post.id] = { source: post.source, digest: contentDigest(post) };
  }
  const sorted = Object.fromEntries(Object.entries(ids).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return { version: 1, tagAuthority: lock?.tagAuthority ?? tagAuthority, ids: sorted };
}

/** Writes the lock beside the posts (stable formatting, so diffs stay small). */
export async function writeIdLock(contentDir: string, lock: IdLock): Promise<void> {
  await writeFile(join(contentDir, LOCK_FILE), `${JSON.stringify(lock, null, 2)}\n`);
}

/**
 * Records a published build's ids in the content folder's lock, to be committed with the posts. Only
 * publishing records ids (`build` only checks them). A folder that cannot be written (a read-only
 * checkout) is reported, not fatal: what was published is fine.
 */
export async function recordPublishedIds(
  contentDir: string,
  site: { lock: IdLock | undefined; posts: readonly Post[]; config: { tagAuthority: string } },
): Promise<void> {
  const next = nextIdLock(site.lock, site.posts, site.config.tagAuthority);
  if (JSON.stringify(next) === JSON.stringify(site.lock)) return;
  try {
    await writeIdLock(contentDir, next);
  } catch (error) {
    console.error(`${LOCK_FILE}: cannot be written (${(error as Error).message}); ids are not recorded`);
  }
}
