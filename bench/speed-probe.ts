/**
 * How fast this shared machine runs at a given moment: a fixed piece of native work (gzip at the
 * build's level and SHA-256 over the same generated text: what the build's zlib and document keys
 * do) timed on the bench's own thread, while no measured process runs. The work never changes, so its
 * time moves only with the machine: here it took either about 24 ms or about 35 ms, switching within
 * minutes (twice the work, timed every second with nothing of ours running: 51 to 78 ms within 20
 * seconds). Timed before and after each build, it tells a slow moment of the machine from slow code.
 */
import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import { GZIP_LEVEL } from "../src/build/compress";

/** About 1.2 MB of numbered words, the same every time (compressible about as feeds are). */
const TEXT = Buffer.from(Array.from({ length: 200_000 }, (_, i) => `w${(i * 7919) % 5003} `).join(""));

/** Rounds timed: the fastest counts, as a pause of the scheduler only ever adds time. */
const ROUNDS = 3;

/** Passes over `TEXT` in one round (a round takes about 30-40 ms). */
const PASSES = 4;

/** Milliseconds the fixed work took, the fastest of `ROUNDS` rounds: lower means a faster machine. */
export function speedProbe(): number {
  let fastest = Number.POSITIVE_INFINITY;
  for (let round = 0; round < ROUNDS; round++) {
    const start = performance.now();
    for (let pass = 0; pass < PASSES; pass++) {
      gzipSync(TEXT, { level: GZIP_LEVEL });
      createHash("sha256").update(TEXT).digest();
    }
    fastest = Math.min(fastest, performance.now() - start);
  }
  return fastest;
}
