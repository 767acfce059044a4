// Seeded randomness for the simulator. Every random draw is derived from (seed, what, when)
// by hashing rather than from one long stream, so a meter's value for an interval is the same
// whether it is produced in backfill or live, and enabling a fault never shifts other values.

/** A uniform [0, 1) generator. */
export type Rng = () => number;

/** mulberry32: tiny, fast, good enough statistically for synthetic load data. */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal sample (Box-Muller; one of the pair is dropped to keep draws per call fixed). */
export function normal(rng: Rng): number {
  const u1 = 1 - rng(); // (0, 1]: log(0) would be -Infinity
  const u2 = rng();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** Integer in [min, max] inclusive. */
export function intBetween(rng: Rng, min: number, max: number): number {
  return min + Math.floor(rng() * (max - min + 1));
}

// MurmurHash3 (x86_32) building blocks, applied to 32-bit words.
function mixWord(h: number, word: number): number {
  let k = Math.imul(word, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function finalize(h: number, length: number): number {
  h ^= length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hash of 32-bit integers (values are taken modulo 2^32, so epoch seconds fit). */
export function hashInts(...words: number[]): number {
  let h = 0x9747b28c;
  for (const w of words) h = mixWord(h, w);
  return finalize(h, words.length);
}

/** Hash of a string (UTF-16 code units) under a seed. */
export function hashString(s: string, seed: number): number {
  let h = seed | 0;
  for (let i = 0; i < s.length; i++) h = mixWord(h, s.charCodeAt(i));
  return finalize(h, s.length);
}

/** A generator for one (seed, key...) tuple. */
export function rngFor(...words: number[]): Rng {
  return mulberry32(hashInts(...words));
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function hex8(n: number): string {
  return HEX[n >>> 24]! + HEX[(n >>> 16) & 255]! + HEX[(n >>> 8) & 255]! + HEX[n & 255]!;
}

function hash4(k: number, a: number, b: number, c: number, d: number): number {
  return finalize(mixWord(mixWord(mixWord(mixWord(mixWord(0x9747b28c, k), a), b), c), d), 5);
}

/**
 * A deterministic event id in UUID form (RFC 9562 version 8, "custom"), so an ingest schema
 * that checks for UUIDs accepts it, and a resend of the same reading carries the same id.
 * Four independent 32-bit hashes: 32 bits alone would collide within ~10^5 readings.
 */
export function eventUuid(a: number, b: number, c: number, d: number): string {
  const w0 = hash4(1, a, b, c, d);
  const w1 = (hash4(2, a, b, c, d) & 0xffff0fff) | 0x00008000; // version nibble = 8
  const w2 = ((hash4(3, a, b, c, d) & 0x3fffffff) | 0x80000000) >>> 0; // variant bits = 10
  const w3 = hash4(4, a, b, c, d);
  const h1 = hex8(w1);
  const h2 = hex8(w2);
  return `${hex8(w0)}-${h1.slice(0, 4)}-${h1.slice(4)}-${h2.slice(0, 4)}-${h2.slice(4)}${hex8(w3)}`;
}
