import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CHANNELS, JURISDICTIONS, allowedWindows, createSharedWindows, sharedWindowsKey } from './index.ts';
import type { Channel, PolicyInput } from './index.ts';

/**
 * The run's memo of policy windows gives exactly what allowedWindows gives: debtors that share a
 * key (and differ in their debt, their address, their list objects) get the same windows, and a
 * debtor with anything of their own (history, opt-outs, consents, holds, designations) is never
 * served from the memo.
 */

const DAY = 86_400_000;
const iso = (t: number): string => new Date(t).toISOString();
const ZONES = ['Europe/Madrid', 'Atlantic/Canary', 'America/Mexico_City', 'America/Tijuana', 'America/Bogota', 'America/Lima', 'America/Santiago',
  'America/Sao_Paulo', 'America/Argentina/Buenos_Aires', 'America/New_York', 'Europe/London', 'Pacific/Chatham'];
const COUNTRIES = ['ES', 'MX', 'CO', 'PE', 'CL', 'BR', 'AR', 'US', 'GB'];

const attempt = <T>(f: () => T): { ok: T } | { error: string } => {
  try {
    return { ok: f() };
  } catch (e) {
    return { error: (e as Error).message };
  }
};

const own = fc.constantFrom<'none' | 'history' | 'optOut' | 'consent' | 'hold' | 'place' | 'time'>('none', 'none', 'none', 'history', 'optOut', 'consent', 'hold', 'place', 'time');

const debtorCase = fc.record({
  jurisdiction: fc.constantFrom(...JURISDICTIONS),
  zone: fc.constantFrom(...ZONES),
  country: fc.constantFrom(...COUNTRIES),
  channel: fc.constantFrom(...(CHANNELS as readonly Channel[])),
  address: fc.option(fc.constantFrom('+34600000001', '+34600000002', 'ana@example.com', 'Calle Mayor 1'), { nil: null }),
  debtId: fc.constantFrom('A1', 'A2', 'A3'),
  own,
});

function inputOf(c: { jurisdiction: string; zone: string; country: string; channel: Channel; address: string | null; debtId: string; own: string }, from: number): Omit<PolicyInput, 'proposed'> {
  const at = iso(from - 2 * DAY);
  return {
    jurisdiction: c.jurisdiction,
    debtor: {
      timezones: [c.zone],
      country: c.country,
      optOuts: c.own === 'optOut' ? [{ channel: c.channel, address: c.address ?? '+34600000001', at }] : [],
      consents: c.own === 'consent' ? [{ channel: c.channel, address: c.address, at }] : [],
      holds: c.own === 'hold' ? [{ kind: 'pause' as never, debtIds: [c.debtId] }] : [],
      ...(c.own === 'place' ? { inconvenientPlaces: [{ address: c.address ?? '+34600000001' }] } : {}),
      ...(c.own === 'time' ? { inconvenientTimes: [{ from: '12:00', to: '15:00' }] } : {}),
    },
    history: c.own === 'history' ? [{ at, channel: c.channel, direction: 'outbound', debtIds: [c.debtId], outcome: 'delivered', address: c.address }] : [],
    tenantOverlay: null,
  };
}

describe('shared policy windows', () => {
  it('property: memoised windows equal allowedWindows, across many debtors sharing one memo', () => {
    const memo = createSharedWindows();
    // A handful of run instants, so keys repeat as they do in a run.
    const instants = fc.constantFrom(...[0, 1, 2].map((i) => Date.UTC(2025, 5, 30, 6) + i * 97 * DAY + i * 3_600_000));
    fc.assert(
      fc.property(fc.array(debtorCase, { minLength: 2, maxLength: 12 }), instants, fc.integer({ min: 1, max: 4 }), (cases, from, days) => {
        for (const c of cases) {
          const input = inputOf(c, from);
          const query = { channel: c.channel, debtId: c.debtId, address: c.address, purpose: 'collection' as const, from: iso(from), days };
          const direct = attempt(() => allowedWindows(input, query));
          const shared = attempt(() => [...memo(input, query)]);
          expect(shared).toEqual(direct);
          if (c.own !== 'none') {
            expect(sharedWindowsKey(input, query, 0)).toBeNull();
            continue;
          }
          if (!('ok' in direct)) continue;
          // Another debtor with the same key (another debt, another address, new objects) is served
          // from the memo, and what it is served equals what allowedWindows gives it.
          const other = { ...c, debtId: c.debtId === 'A1' ? 'A2' : 'A1', address: c.address === null ? null : c.address === '+34600000001' ? '+34600000002' : '+34600000001' };
          const otherInput = inputOf(other, from);
          const otherQuery = { ...query, debtId: other.debtId, address: other.address };
          const before = memo.hits;
          expect([...memo(otherInput, otherQuery)]).toEqual(allowedWindows(otherInput, otherQuery));
          expect(memo.hits).toBe(before + 1);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('an overlay is part of the key (by identity)', () => {
    const from = Date.UTC(2025, 5, 30, 6);
    const c = { jurisdiction: 'ES', zone: 'Europe/Madrid', country: 'ES', channel: 'sms' as Channel, address: '+34600000001', debtId: 'A1', own: 'none' };
    const input = inputOf(c, from);
    const query = { channel: c.channel, debtId: 'A1', address: c.address, from: iso(from), days: 4 };
    expect(sharedWindowsKey(input, query, 1)).not.toBe(sharedWindowsKey(input, query, 2));
    expect(sharedWindowsKey(input, { ...query, address: null }, 1)).not.toBe(sharedWindowsKey(input, query, 1));
  });
});
