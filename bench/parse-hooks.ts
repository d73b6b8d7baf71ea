/**
 * A module resolution hook (node:module `register`) for pooled bench builds: src/build/load.ts's
 * import of `./post` resolves to bench/preparsed-post.ts, so the real build uses posts parsed ahead
 * by `parsePostFiles`. Nothing else is redirected.
 */
type Resolve = (
  specifier: string,
  context: { parentURL?: string },
) => Promise<{ url: string; shortCircuit?: boolean }>;

const STAND_IN = new URL("./preparsed-post.ts", import.meta.url).href;

/** Redirects `./post` imported from src/build/load.ts; everything else resolves as usual. */
export async function resolve(
  specifier: string,
  context: { parentURL?: string },
  nextResolve: Resolve,
): ReturnType<Resolve> {
  if (/^\.\/post(\.ts)?$/.test(specifier) && context.parentURL?.endsWith("/src/build/load.ts")) {
    // Through the rest of the chain, so that tsx still compiles the stand-in.
    return nextResolve(STAND_IN, context);
  }
  return nextResolve(specifier, context);
}
