import { allowedWindows } from './policy.evaluate.ts';
import type { WindowQuery } from './policy.evaluate.ts';
import { BUILT_IN_PACKS } from './policy.packs.ts';
import type { PolicyPacks } from './policy.packs.ts';
import type { AllowedWindow, PolicyInput } from './policy.types.ts';

/**
 * `allowedWindows` memoised for debtors with nothing of their own: no history, opt-outs,
 * consents, holds, designations, preferences, vulnerability or cease. Their windows depend only
 * on the jurisdiction, the zones, country and region (holidays), the tenant overlay, the channel,
 * the purpose and message type, the listing's start and length, and whether the contact names an
 * address (a designated place blocks an address-less contact; none exists here). Most debtors of
 * a daily run share them. Anything else is computed directly, so the answer is always the one
 * `allowedWindows` gives (a property test compares both).
 *
 * One memo per run: the cache grows with the distinct keys (a few hundred), never with debtors.
 */

const EMPTY_OK = new Set(['timezones', 'country', 'region']);

const isEmpty = (v: unknown): boolean => v === null || v === undefined || (Array.isArray(v) && v.length === 0);

/** The memo key, or null when the debtor has something of their own. */
export function sharedWindowsKey(input: Omit<PolicyInput, 'proposed'>, query: WindowQuery, overlayId: number): string | null {
  if (!isEmpty(input.history)) return null;
  const d = input.debtor as Record<string, unknown>;
  for (const k in d) if (!EMPTY_OK.has(k) && !isEmpty(d[k])) return null;
  const zones = input.debtor.timezones;
  return `${input.jurisdiction}|${zones ? zones.join(',') : ''}|${input.debtor.country ?? ''}|${input.debtor.region ?? ''}|${overlayId}|${query.channel}|${query.purpose ?? ''}|${query.messageType ?? ''}|${query.from}|${query.days}|${query.address ? 1 : 0}`;
}

export interface SharedWindows {
  (input: Omit<PolicyInput, 'proposed'>, query: WindowQuery): readonly AllowedWindow[];
  readonly hits: number;
  readonly size: number;
}

export function createSharedWindows(packs: PolicyPacks = BUILT_IN_PACKS): SharedWindows {
  const cache = new Map<string, readonly AllowedWindow[]>();
  const overlays = new WeakMap<object, number>();
  let hits = 0;
  let nextOverlay = 1;
  /** Overlays by identity (a run has one). */
  const overlayId = (o: unknown): number => {
    if (o === null || o === undefined) return 0;
    let id = overlays.get(o as object);
    if (id === undefined) overlays.set(o as object, (id = nextOverlay++));
    return id;
  };
  const fn = (input: Omit<PolicyInput, 'proposed'>, query: WindowQuery): readonly AllowedWindow[] => {
    const key = sharedWindowsKey(input, query, overlayId(input.tenantOverlay));
    if (key === null) return allowedWindows(input, query, packs);
    let w = cache.get(key);
    if (w === undefined) {
      // Shared between debtors: frozen, so no caller can change another's windows.
      w = Object.freeze(allowedWindows(input, query, packs).map((x) => Object.freeze(x)));
      cache.set(key, w);
    } else hits++;
    return w;
  };
  Object.defineProperty(fn, 'hits', { get: () => hits });
  Object.defineProperty(fn, 'size', { get: () => cache.size });
  return fn as SharedWindows;
}
