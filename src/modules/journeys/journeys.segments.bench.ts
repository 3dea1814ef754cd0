/**
 * Segment evaluation speed (not a test): `node src/modules/journeys/journeys.segments.bench.ts [n]`.
 * Builds n fact records (default 1M) from a seeded generator, compiles the shipped strategies'
 * segments, and times the bulk match — the work the daily run does per batch before advancing.
 */
import { factsOf } from './journeys.facts.testkit.ts';
import type { AccountFacts, ReasonForArrears } from './journeys.facts.types.ts';
import { hash32 } from './journeys.hash.domain.ts';
import { loadStrategies } from './journeys.library.ts';
import { compileStrategies } from './journeys.strategy.domain.ts';

const n = Number(process.argv[2] ?? 1_000_000);
const reasons: ReasonForArrears[] = ['unknown', 'forgetful', 'hardship', 'dispute', 'unwilling'];
const facts: AccountFacts[] = new Array(n);
for (let i = 0; i < n; i++) {
  const h = hash32(String(i));
  const dpd = h % 120;
  facts[i] = factsOf({
    daysPastDue: dpd, overdueMinor: dpd > 0 ? 5000 : 0, reasonForArrears: reasons[(h >>> 8) % 5] as ReasonForArrears,
    vulnerable: (h >>> 12) % 50 === 0, disputed: (h >>> 16) % 100 === 0, brokenPromises: (h >>> 20) % 4,
    holds: (h >>> 24) % 40 === 0 ? ['pause'] : [],
  });
}
const { matcher } = compileStrategies(loadStrategies());
const out = new Int32Array(n);
for (let round = 0; round < 5; round++) {
  const t0 = performance.now();
  matcher.matchAll(facts, out);
  const ms = performance.now() - t0;
  const counts = new Map<string, number>();
  for (const i of out) { const id = matcher.segments[i]?.id ?? '(none)'; counts.set(id, (counts.get(id) ?? 0) + 1); }
  console.log(`round ${round}: ${n} accounts in ${ms.toFixed(1)} ms = ${((n / ms) * 1000 / 1e6).toFixed(1)}M/s`, round === 0 ? Object.fromEntries(counts) : '');
}
