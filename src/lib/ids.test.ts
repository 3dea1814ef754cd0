import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { newId, pooledRandom } from './ids.ts';

describe('newId', () => {
  it('makes prefixed, lower-case ULIDs that sort in the order they were made and never repeat', () => {
    const ids = Array.from({ length: 20_000 }, () => newId('msg'));
    for (const id of ids) expect(id).toMatch(/^msg_[0-9a-hjkmnp-tv-z]{26}$/);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });

  it('draws its random part evenly: every one of the 32 characters, none far from its share', () => {
    // The first random character of ids made in different milliseconds (within one millisecond the
    // monotonic factory increments instead of drawing).
    const counts = new Map<number, number>();
    const n = 64_000;
    for (let i = 0; i < n; i++) {
      const k = Math.floor(pooledRandom() * 32);
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    expect([...counts.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: 32 }, (_, i) => i));
    for (const c of counts.values()) expect(Math.abs(c - n / 32)).toBeLessThan(0.15 * (n / 32));
  });

  it('property: the pooled generator stays in [0, 1) across refills', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 9000 }), (k) => {
      for (let i = 0; i < k; i++) {
        const x = pooledRandom();
        if (!(x >= 0 && x < 1)) return false;
      }
      return true;
    }), { numRuns: 20 });
  });
});
