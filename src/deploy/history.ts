/**
 * Which builds were deployed, in order, and which of them gc must keep. The record lives in the same
 * namespace as the builds (key `deployments`, outside the `doc/` and `manifest/` prefixes gc owns),
 * so every machine that deploys or collects sees it. It is rewritten once per deploy: well under
 * KV's one write per second per key, and retried if two deploys collide. KV is eventually
 * consistent (a read elsewhere may lag ~60 s), so run one deploy or gc at a time.
 */
import { DEFAULT_RETRY, type RetryPolicy, withRetry } from "./retry";
import type { KvStore } from "./store";

/** KV key of the record. */
export const DEPLOYMENTS_KEY = "deployments";

/** Entries kept in the record (the oldest are dropped); far more than any `--keep`. */
export const HISTORY_LENGTH = 200;

/** Builds superseded less than this long ago are kept by gc, whatever `--keep` says. */
export const DEFAULT_GRACE_MS = 10 * 60 * 1000;

/** One switch of the Worker to a build. */
export interface Deployment {
  buildId: string;
  /** When the switch was made (RFC 3339). */
  at: string;
  /** `deploy` (npm run deploy, npm start), `rollback`, or `wrangler` (plain `wrangler deploy`). */
  action: "deploy" | "rollback" | "wrangler";
  /**
   * Set when the switch was not confirmed: `wrangler deploy` runs its build command (which records
   * the build) before it uploads the Worker, and does not report back whether that succeeded.
   */
  pending?: true;
}

/** The deployments recorded in `store`, oldest first (none when the record is missing). */
export async function readHistory(store: KvStore): Promise<Deployment[]> {
  const bytes = await store.get(DEPLOYMENTS_KEY);
  if (bytes === null) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    parsed = undefined;
  }
  const deployments = (parsed as { deployments?: unknown } | undefined)?.deployments;
  if (!Array.isArray(deployments) || !deployments.every(isDeployment)) {
    throw new Error(
      `the "${DEPLOYMENTS_KEY}" record in ${store.description} is not a deployment history; ` +
        "delete that key to start a new one",
    );
  }
  return deployments;
}

/** Appends `deployment` to the record in `store` (read, append, write back). */
export async function recordDeployment(
  store: KvStore,
  deployment: Deployment,
  retry: RetryPolicy = DEFAULT_RETRY,
): Promise<void> {
  const deployments = [...(await readHistory(store)), deployment].slice(-HISTORY_LENGTH);
  const value = new TextEncoder().encode(`${JSON.stringify({ deployments }, null, 1)}\n`);
  await withRetry(() => store.put([{ key: DEPLOYMENTS_KEY, value }]), retry);
}

/** The build the Worker serves according to the record: the newest confirmed switch. */
export function liveBuild(history: readonly Deployment[]): string | undefined {
  return history.findLast((deployment) => !deployment.pending)?.buildId;
}

/** What gc keeps besides the live build. */
export interface KeepPolicy {
  /** How many of the most recently deployed builds to keep (at least 1). */
  keep: number;
  now: Date;
  /** Keep builds superseded less than this long ago (old Worker versions may still be serving). */
  graceMs: number;
}

/**
 * The builds gc must keep, newest first: the `keep` most recently deployed, the live one and every
 * unconfirmed switch after it (any of them may be what the Worker serves), and every build that was
 * superseded less than `graceMs` ago.
 */
export function keptBuilds(history: readonly Deployment[], policy: KeepPolicy): string[] {
  if (!Number.isInteger(policy.keep) || policy.keep < 1)
    throw new RangeError("--keep must be a whole number >= 1");
  const kept = new Set<string>();
  const newestFirst = [...history].reverse();
  for (const deployment of newestFirst) {
    if (kept.size >= policy.keep) break;
    kept.add(deployment.buildId);
  }
  for (const deployment of newestFirst) {
    kept.add(deployment.buildId);
    if (!deployment.pending) break;
  }
  history.forEach((deployment, index) => {
    const supersededAt = Date.parse(history[index + 1]?.at ?? policy.now.toISOString());
    if (policy.now.getTime() - supersededAt < policy.graceMs) kept.add(deployment.buildId);
  });
  return [...kept];
}

function isDeployment(value: unknown): value is Deployment {
  const d = value as Deployment;
  return typeof d?.buildId === "string" && typeof d.at === "string" && typeof d.action === "string";
}
