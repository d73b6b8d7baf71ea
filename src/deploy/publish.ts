/**
 * Deploying and rolling back: write what the build lacks, then switch the Worker, then record the
 * switch. The order is the whole guarantee: the Worker is never told about a build before every one
 * of its entries is in KV, and a failed upload stops before the switch, so the live build stays.
 */
import type { RenderedSite } from "../build/documents";
import type { Manifest } from "../model";
import { completeBuild } from "./builds";
import { readHistory, recordDeployment } from "./history";
import { DOCUMENT_PREFIX, describePlan, MANIFEST_PREFIX, type Plan, planPublish } from "./plan";
import type { KvStore } from "./store";
import type { WorkerSwitch } from "./switch";
import { type UploadOptions, upload } from "./upload";
import { changedFeedUrls, notifyHub, storedManifest } from "./websub";

/** The `doc/` and `manifest/` keys in `store`: what a publish can skip. */
export async function existingKeys(store: KvStore): Promise<Set<string>> {
  return new Set([...(await store.list(DOCUMENT_PREFIX)), ...(await store.list(MANIFEST_PREFIX))]);
}

/** What `deployBuild` publishes, where, and how. */
export interface DeployOptions {
  store: KvStore;
  /** Omitted: upload only (wrangler's build command, where wrangler itself deploys the Worker next). */
  workerSwitch?: WorkerSwitch;
  build: Pick<RenderedSite, "manifest" | "documents">;
  /** Print the plan and write nothing. */
  dryRun?: boolean;
  /** What the deployments record calls this switch. */
  action?: "deploy" | "wrangler";
  /** Record the deployment (default); not for a `wrangler deploy --dry-run` into local KV. */
  record?: boolean;
  now?: () => Date;
  upload?: UploadOptions;
  /** Receives the plan's lines (the last one is `planLine`), then progress. */
  log?: (line: string) => void;
  /** Sends the WebSub pings (tests point it at a local hub); the global `fetch` by default. */
  fetchImpl?: typeof fetch;
}

/**
 * Plans the build against `store`, prints the plan, and unless `dryRun` uploads what is missing
 * (manifest last), switches the Worker and records the deployment. Returns the plan.
 */
export async function deployBuild(options: DeployOptions): Promise<Plan> {
  const { store, workerSwitch, build, log = () => {}, now = () => new Date() } = options;
  const plan = planPublish(build, await existingKeys(store));
  for (const line of describePlan(plan, build.manifest)) log(line);
  if (options.dryRun) return plan;
  await upload(store, plan.writes, { log, ...options.upload });
  const { buildId } = build.manifest;
  const previous = workerSwitch && build.manifest.hub ? await previousManifest(store) : undefined;
  if (workerSwitch) await workerSwitch.deploy(buildId);
  // Only once the Worker serves the new build: a subscriber told by the hub fetches at once.
  if (workerSwitch && build.manifest.hub) await pingHub(build.manifest, previous, log, options.fetchImpl);
  if (options.record === false) return plan;
  await recordDeployment(store, {
    buildId,
    at: now().toISOString(),
    action: options.action ?? "deploy",
    ...(workerSwitch ? {} : { pending: true as const }),
  });
  return plan;
}

/** The manifest of the build deployed last, to tell what this deploy changes. */
async function previousManifest(store: KvStore): Promise<Manifest | undefined> {
  const history = await readHistory(store);
  return storedManifest(store, history.at(-1)?.buildId);
}

async function pingHub(
  manifest: Manifest,
  previous: Manifest | undefined,
  log: (line: string) => void,
  fetchImpl?: typeof fetch,
): Promise<void> {
  const hub = manifest.hub as string;
  const urls = changedFeedUrls(previous, manifest);
  if (urls.length === 0) return;
  const results = await notifyHub(hub, urls, fetchImpl);
  const failed = results.filter((r) => typeof r.outcome !== "number" || r.outcome >= 300);
  log(`websub: ${urls.length - failed.length} of ${urls.length} changed feed(s) announced to ${hub}`);
  for (const { url, outcome } of failed)
    log(`websub: ${url}: hub answered ${outcome} (subscribers will poll)`);
}

/**
 * Serves `buildId` again: refuses (throws, naming what is missing) unless its manifest and every
 * document it names are still in `store`, then switches the Worker and records the rollback.
 */
export async function rollBack(
  store: KvStore,
  workerSwitch: WorkerSwitch,
  buildId: string,
  now: () => Date = () => new Date(),
): Promise<Manifest> {
  const manifest = await completeBuild(store, buildId);
  await workerSwitch.deploy(buildId);
  await recordDeployment(store, { buildId, at: now().toISOString(), action: "rollback" });
  return manifest;
}
