/**
 * Seeded randomness for the synthetic corpus: the same seed always writes the same bytes, so runs of
 * the bench on different days and machines build the same site.
 */

/** A source of uniform numbers in [0, 1). */
export type Random = () => number;

/** sfc32 (Chris Doty-Humphrey's Small Fast Counting generator), seeded through splitmix32. */
export function seededRandom(...seed: number[]): Random {
  let state = 0x9e3779b9;
  for (const part of seed) state = splitmix32(state ^ (part >>> 0));
  let a = splitmix32(state);
  let b = splitmix32(a);
  let c = splitmix32(b);
  let d = 1;
  const next: Random = () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 12; i++) next();
  return next;
}

function splitmix32(value: number): number {
  let z = (value + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** An integer in [min, max], both included. */
export function integer(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

/** One element of a non-empty list. */
export function pick<T>(random: Random, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new RangeError("pick from an empty list");
  return item;
}

/** True with probability `p`. */
export function chance(random: Random, p: number): boolean {
  return random() < p;
}

/**
 * Zipf's law over ranks 0..size-1: rank k is drawn with weight 1/(k+1)^exponent, so a few names are
 * very common and most are rare (the long tail of a news site's categories).
 */
export function zipfSampler(size: number, exponent: number): (random: Random) => number {
  const cumulative = new Float64Array(size);
  let total = 0;
  for (let k = 0; k < size; k++) {
    total += 1 / (k + 1) ** exponent;
    cumulative[k] = total;
  }
  return (random) => {
    const target = random() * total;
    let low = 0;
    let high = size - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((cumulative[middle] ?? total) < target) low = middle + 1;
      else high = middle;
    }
    return low;
  };
}
