import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import es from '../../web/src/i18n/es.json' with { type: 'json' };
import en from '../../web/src/i18n/en.json' with { type: 'json' };

/**
 * The console must be whole in both languages: the same keys in es and en, no empty strings,
 * and every literal key the code asks for (t('…')) present. Plural keys count as their base.
 */
const SRC = resolve(import.meta.dirname, '..', '..', 'web', 'src');

const flatten = (o: Record<string, unknown>, prefix = ''): Map<string, string> => {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(o)) {
    if (v && typeof v === 'object') for (const [kk, vv] of flatten(v as Record<string, unknown>, `${prefix}${k}.`)) out.set(kk, vv);
    else out.set(`${prefix}${k}`, String(v));
  }
  return out;
};

const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : /\.tsx?$/.test(n) ? [p] : [];
  });

const esKeys = flatten(es);
const enKeys = flatten(en);
const base = (k: string) => k.replace(/_(zero|one|two|few|many|other)$/, '');

describe('console translations', () => {
  it('have the same keys in Spanish and English, none empty', () => {
    expect([...esKeys.keys()].filter((k) => !enKeys.has(k))).toEqual([]);
    expect([...enKeys.keys()].filter((k) => !esKeys.has(k))).toEqual([]);
    expect([...esKeys, ...enKeys].filter(([, v]) => v.trim() === '').map(([k]) => k)).toEqual([]);
  });

  it('cover every literal key used in web/src', () => {
    const known = new Set([...esKeys.keys()].map(base));
    const used = new Set<string>();
    for (const f of files(SRC)) {
      const src = readFileSync(f, 'utf8');
      for (const m of src.matchAll(/\bt\(\s*'([^'$]+)'/g)) used.add(m[1]!);
      for (const m of src.matchAll(/\bkey: '([a-z]+\.[A-Za-z.]+)'/g)) used.add(m[1]!);
      for (const m of src.matchAll(/'((?:accounts)\.err[A-Za-z]+)'/g)) used.add(m[1]!);
    }
    expect([...used].filter((k) => !known.has(k)).sort()).toEqual([]);
  });

  it('name every bucket, status and payment method the console offers', () => {
    for (const b of ['current', '1-30', '31-60', '61-90', '91-120', '121-180', '180+']) expect(esKeys.has(`bucket.${b}`) && enKeys.has(`bucket.${b}`)).toBe(true);
    for (const s of ['active', 'paid', 'settled', 'charged_off', 'closed', 'recalled']) expect(esKeys.has(`accountStatus.${s}`)).toBe(true);
    for (const m of ['bank_transfer', 'card', 'direct_debit', 'bizum', 'cash', 'other']) expect(esKeys.has(`paymentMethod.${m}`)).toBe(true);
  });
});
