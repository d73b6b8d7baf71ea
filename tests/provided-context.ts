/** What the Worker tests' global setup (Node) hands to the tests (workerd) through `inject`. */

export interface ProvidedBuild {
  buildId: string;
  /**
   * KV entries: documents then the manifest, values as UTF-8 text, or as base64 when marked so (the
   * gzip variants, which are not text).
   */
  entries: [key: string, value: string, encoding?: "base64"][];
}

declare module "vitest" {
  export interface ProvidedContext {
    contentBuild: ProvidedBuild;
    finewsBuild: ProvidedBuild;
    namesBuild: ProvidedBuild;
  }
}
