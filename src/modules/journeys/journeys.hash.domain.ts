/**
 * Deterministic hashing for everything that must look random but be reproducible: experiment
 * arms (the same account lands in the same arm on every run, on every machine) and send-time
 * jitter. FNV-1a over UTF-16 code units, then the MurmurHash3 finaliser: FNV alone mixes the
 * last characters poorly, and account ids differ mostly in their last characters (ULIDs).
 * Not cryptographic; nobody gains by predicting an arm.
 */
export function hash32(...parts: readonly string[]): number {
  let h = 0x811c9dc5;
  for (let p = 0; p < parts.length; p++) {
    // A separator that cannot appear in ids keeps ("ab","c") and ("a","bc") apart.
    if (p > 0) h = Math.imul(h ^ 0x1f, 0x01000193);
    const s = parts[p] as string;
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A reproducible number in [0, 1) from the given parts. */
export const unitHash = (...parts: readonly string[]): number => hash32(...parts) / 0x1_0000_0000;
