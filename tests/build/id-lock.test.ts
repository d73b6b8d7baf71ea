/** Published ids never change: the lock refuses builds that would change or reuse one. */
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LOCK_FILE, recordPublishedIds } from "../../src/build/id-lock";
import { buildSite } from "../../src/build/site";

const NOW = new Date("2026-01-01T00:00:00Z");
let dir: string;

async function write(path: string, text: string): Promise<void> {
  await mkdir(dirname(join(dir, path)), { recursive: true });
  await writeFile(join(dir, path), text);
}

/** Builds and, like `npm start`/deploy, records what was published. */
async function publish() {
  const result = await buildSite(dir, { now: NOW });
  if (!result.refused) await recordPublishedIds(dir, result.site);
  return result;
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "feeds-lock-"));
  await write("_config.yml", "title: Lock\nurl: https://old.example\ntimezone: UTC\n");
  await write("_posts/2024-01-01-first.md", "---\ntitle: First\ndate: 2024-01-01\n---\nFirst post.\n");
  await write("_posts/2024-01-02-second.md", "---\ntitle: Second\ndate: 2024-01-02\n---\nSecond post.\n");
  const first = await publish();
  expect(first.refused).toBe(false);
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("the id lock", () => {
  it("records every published id with its file", async () => {
    const lock = JSON.parse(await readFile(join(dir, LOCK_FILE), "utf8"));
    expect(lock.tagAuthority).toBe("old.example");
    expect(Object.keys(lock.ids)).toEqual([
      "tag:old.example,2024-01-01:first",
      "tag:old.example,2024-01-02:second",
    ]);
    expect(lock.ids["tag:old.example,2024-01-01:first"].source).toBe("_posts/2024-01-01-first.md");
  });

  it("keeps ids when the site moves to another host", async () => {
    await write("_config.yml", "title: Lock\nurl: https://new.example\ntimezone: UTC\n");
    const result = await publish();
    expect(result.refused).toBe(false);
    expect(result.site.posts.map((p) => p.id)).toEqual([
      "tag:old.example,2024-01-02:second",
      "tag:old.example,2024-01-01:first",
    ]);
    expect(result.site.posts[0]?.permalink).toBe("https://new.example/2024/01/02/second.html");
  });

  it("refuses a build that would change a published post's id, unless told to", async () => {
    await write(
      "_posts/2024-01-01-first.md",
      "---\ntitle: First\ndate: 2024-01-01\nid: renamed\n---\nFirst post.\n",
    );
    const refused = await buildSite(dir, { now: NOW });
    expect(refused.refused).toBe(true);
    expect(refused.site.idChanges.map((p) => `${p.path}: ${p.message} (${p.action})`)).toEqual([
      "_posts/2024-01-01-first.md: id would change from tag:old.example,2024-01-01:first to " +
        "tag:old.example,2024:renamed, and readers would see the post again as new " +
        "(build refused; --allow-id-changes accepts it)",
    ]);
    const accepted = await buildSite(dir, { now: NOW, allowIdChanges: true });
    expect(accepted.refused).toBe(false);
  });

  it("refuses an id reused for different content", async () => {
    await rm(join(dir, "_posts/2024-01-01-first.md"));
    await write(
      "_posts/2024/2024-01-01-first.md",
      "---\ntitle: Something else\ndate: 2024-01-01\n---\nOther.\n",
    );
    const result = await buildSite(dir, { now: NOW });
    expect(result.refused).toBe(true);
    expect(result.site.idChanges[0]?.message).toBe(
      "reuses the id tag:old.example,2024-01-01:first, published before for _posts/2024-01-01-first.md with other content",
    );
  });

  it("follows a post moved to another folder unchanged", async () => {
    await mkdir(join(dir, "_posts/archive"));
    await rename(join(dir, "_posts/2024-01-01-first.md"), join(dir, "_posts/archive/2024-01-01-first.md"));
    const result = await publish();
    expect(result.refused).toBe(false);
    const lock = JSON.parse(await readFile(join(dir, LOCK_FILE), "utf8"));
    expect(lock.ids["tag:old.example,2024-01-01:first"].source).toBe("_posts/archive/2024-01-01-first.md");
  });

  it("keeps publishing the post that owns an id when a second file claims it", async () => {
    await write(
      "_posts/2024-01-01-a-intruder.md",
      "---\ntitle: Intruder\ndate: 2024-01-01\nid: x\n---\nNew.\n",
    );
    await write("_posts/2024-01-03-owner.md", "---\ntitle: Owner\ndate: 2024-01-03\nid: x\n---\nOwner.\n");
    // Publish only the owner first, then add the intruder, which sorts before it by path.
    await rm(join(dir, "_posts/2024-01-01-a-intruder.md"));
    expect((await publish()).refused).toBe(false);
    await write(
      "_posts/2024-01-01-a-intruder.md",
      "---\ntitle: Intruder\ndate: 2024-01-01\nid: x\n---\nNew.\n",
    );
    const result = await buildSite(dir, { now: NOW });
    expect(result.site.posts.map((p) => p.title)).toContain("Owner");
    expect(result.site.posts.map((p) => p.title)).not.toContain("Intruder");
  });
});
