/** What the deploy tests' global setup hands to the tests through `inject`. */

/** A `wrangler deploy --dry-run --outdir` of a copy of the project. */
export interface DryRunBundle {
  /** The project copy it ran in (its `.wrangler/state` holds what the build command published). */
  projectDir: string;
  /** `--outdir`: `index.js` and `index.js.map`. */
  outDir: string;
  /** wrangler's output, build command included. */
  output: string;
  exitCode: number | null;
}

declare module "vitest" {
  export interface ProvidedContext {
    /** `FEEDS_TARGET=local wrangler deploy --dry-run`: publishes content/ into local KV and bakes its id. */
    localDryRun: DryRunBundle;
    /** Plain `wrangler deploy --dry-run` (remote by default): must upload nothing. */
    remoteDryRun: DryRunBundle;
  }
}
