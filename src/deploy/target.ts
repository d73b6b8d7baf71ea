/** Opening a publish target: the local KV and preview, or the namespace and Worker on the account. */
import type { KvStore, Target } from "./store";
import { localSwitch, remoteSwitch, type WorkerSwitch } from "./switch";

/** The namespace and the Worker of a target. */
export interface TargetHandles {
  store: KvStore;
  workerSwitch: WorkerSwitch;
}

/** Opens `target` for the project in `projectDir`: local KV and preview, or the account's. */
export async function openTarget(projectDir: string, target: Target): Promise<TargetHandles> {
  const workerSwitch = target === "local" ? localSwitch(projectDir) : remoteSwitch(projectDir);
  return { store: await openStore(projectDir, target), workerSwitch };
}

/** Opens the FEEDS namespace of `target`; Miniflare (slow to load) only when it is needed. */
export async function openStore(projectDir: string, target: Target): Promise<KvStore> {
  if (target === "local") return (await import("./local-store")).openLocalStore(projectDir);
  return (await import("./wrangler-store")).openWranglerStore(projectDir, { remote: true });
}
