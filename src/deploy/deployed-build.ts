/**
 * The build id baked into the Worker bundle. This file is the default, with no build: bundles made by
 * wrangler get `.wrangler/feeds-worker/deployed-build.js` instead (wrangler.toml `[alias]`), written
 * by wrangler's `[build] command` just before bundling (see `bake.ts`). The Worker imports it
 * from `src/worker/env.ts` under the exact specifier that the alias names.
 */

/** The build a Worker version serves when it is given no `BUILD_ID` var. */
export const DEPLOYED_BUILD_ID: string | undefined = undefined;
