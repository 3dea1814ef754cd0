/**
 * Interval sets as flat sorted arrays `[a0, b0, a1, b1, …]` of half-open intervals `[a, b)`,
 * disjoint and non-touching. Used both for times of day (0…DAY) and for UTC instants.
 * Flat number arrays keep allocation low in the evaluation hot path.
 */
export type IntervalSet = readonly number[];

export const EMPTY: IntervalSet = Object.freeze([]);

/** Whether `x` lies in the set. */
export function contains(set: IntervalSet, x: number): boolean {
  for (let i = 0; i < set.length; i += 2) {
    if (x < (set[i] as number)) return false;
    if (x < (set[i + 1] as number)) return true;
  }
  return false;
}

/** Intersection of two sets. */
export function intersect(a: IntervalSet, b: IntervalSet): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const lo = Math.max(a[i] as number, b[j] as number);
    const hi = Math.min(a[i + 1] as number, b[j + 1] as number);
    if (lo < hi) out.push(lo, hi);
    if ((a[i + 1] as number) < (b[j + 1] as number)) i += 2;
    else j += 2;
  }
  return out;
}

/** `[lo, hi)` minus the set. */
export function complement(set: IntervalSet, lo: number, hi: number): number[] {
  const out: number[] = [];
  let cur = lo;
  for (let i = 0; i < set.length && cur < hi; i += 2) {
    const a = set[i] as number;
    const b = set[i + 1] as number;
    if (b <= cur) continue;
    if (a > cur) out.push(cur, Math.min(a, hi));
    cur = Math.max(cur, b);
  }
  if (cur < hi) out.push(cur, hi);
  return out;
}

/** `a` minus `b`. */
export function subtract(a: IntervalSet, b: IntervalSet): number[] {
  if (b.length === 0) return a.slice();
  const out: number[] = [];
  for (let i = 0; i < a.length; i += 2) {
    const pieces = complement(b, a[i] as number, a[i + 1] as number);
    for (let k = 0; k < pieces.length; k++) out.push(pieces[k] as number);
  }
  return out;
}

/**
 * Collects intervals in any order and normalises them into one set. The search for the next
 * allowed instant adds every rule's blocked intervals here and reads the gaps.
 */
export class IntervalUnion {
  private readonly flat: number[] = [];

  add(a: number, b: number): void {
    if (a < b) this.flat.push(a, b);
  }

  addSet(set: IntervalSet): void {
    for (let i = 0; i < set.length; i += 2) this.add(set[i] as number, set[i + 1] as number);
  }

  toSet(): number[] {
    const { flat } = this;
    const n = flat.length / 2;
    // Insertion sort of the pairs by start, in place: the lists are short and mostly sorted.
    for (let i = 1; i < n; i++) {
      const a = flat[2 * i] as number;
      const b = flat[2 * i + 1] as number;
      let j = i - 1;
      while (j >= 0 && (flat[2 * j] as number) > a) {
        flat[2 * j + 2] = flat[2 * j] as number;
        flat[2 * j + 3] = flat[2 * j + 1] as number;
        j--;
      }
      flat[2 * j + 2] = a;
      flat[2 * j + 3] = b;
    }
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      const a = flat[2 * i] as number;
      const b = flat[2 * i + 1] as number;
      const m = out.length;
      if (m > 0 && a <= (out[m - 1] as number)) {
        if (b > (out[m - 1] as number)) out[m - 1] = b;
      } else out.push(a, b);
    }
    return out;
  }
}
