/**
 * Garbage collection: deleting the manifests of builds that are not kept, then every document that
 * no kept build uses. Documents are shared between builds (content-addressed), so a document goes
 * only when no kept manifest names it.
 */
import { keyBatches } from "./batches";
import { readManifest } from "./builds";
import { type KeepPolicy, keptBuilds, readHistory } from "./history";
import { type Plan, planCollect } from "./plan";
import { existingKeys } from "./publish";
import { DEFAULT_RETRY, type RetryPolicy, withRetry } from "./retry";
import type { KvStore } from "./store";
import type { WorkerSwitch } from "./switch";

/** How `collectGarbage` decides and whether it acts. */
export interface CollectOptions {
  policy: KeepPolicy;
  /** Print the plan and delete nothing. */
  dryRun?: boolean;
  retry?: RetryPolicy;
  /** Warnings (a kept build whose manifest is gone). */
  warn?: (line: string) => void;
}

/** What gc decided: the builds it keeps and the plan (deletes only). */
export interface Collection {
  kept: string[];
  plan: Plan;
}

/**
 * Plans and (unless `dryRun`) runs a collection of `store`. Refuses when nothing says which build is
 * live: with no deployment record, every build would look unused.
 */
export async function collectGarbage(
  store: KvStore,
  workerSwitch: WorkerSwitch,
  options: CollectOptions,
): Promise<Collection> {
  const { warn = () => {} } = options;
  const history = await readHistory(store);
  const live = await workerSwitch.live();
  if (history.length === 0 && live === undefined) {
    throw new Error(
      `no deployment is recorded in ${store.description}, so gc cannot tell which build is live; ` +
        "deploy once (npm run deploy) and run gc again",
    );
  }
  const kept = keptBuilds(history, options.policy);
  if (live !== undefined && !kept.includes(live)) kept.push(live);
  const manifests = [];
  for (const buildId of kept) {
    const manifest = await readManifest(store, buildId);
    if (manifest) manifests.push(manifest);
    else warn(`warning: build ${buildId} is kept but its manifest is not in ${store.description}`);
  }
  const plan = planCollect([...(await existingKeys(store))], manifests);
  if (!options.dryRun) {
    for (const batch of keyBatches(plan.deletes))
      await withRetry(() => store.delete(batch), options.retry ?? DEFAULT_RETRY);
  }
  return { kept, plan };
}
