/**
 * Delinquency buckets in the order a collections manager reads them, from current to the
 * oldest debt. The server may be configured with other bucket names; unknown ones sort last,
 * in name order, and get the neutral badge.
 */
export const BUCKETS = ['current', '1-30', '31-60', '61-90', '91-120', '121-180', '180+'] as const;
export type KnownBucket = (typeof BUCKETS)[number];

export const isKnownBucket = (b: string): b is KnownBucket => (BUCKETS as readonly string[]).includes(b);

export const bucketRank = (b: string): number => {
  const i = (BUCKETS as readonly string[]).indexOf(b);
  return i === -1 ? BUCKETS.length : i;
};

export const compareBuckets = (a: string, b: string): number => bucketRank(a) - bucketRank(b) || a.localeCompare(b);

/** Severity 0 (current) to 6 (180+), used for the badge and chart colour scale. */
export const bucketSeverity = (b: string): number | null => (isKnownBucket(b) ? bucketRank(b) : null);

/** Chart colours per severity, matching the --sev-* CSS variables. */
export const SEVERITY_COLOURS = ['#16a34a', '#65a30d', '#ca8a04', '#ea580c', '#dc2626', '#b91c1c', '#7f1d1d'] as const;
