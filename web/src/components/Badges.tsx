import type { ReactNode } from 'react';
import { bucketSeverity } from '../buckets.ts';
import { useLabels } from '../labels.ts';

export const BucketBadge = ({ bucket }: { bucket: string }) => {
  const labels = useLabels();
  const sev = bucketSeverity(bucket);
  return (
    <span className={`badge badge-bucket ${sev === null ? 'sev-none' : `sev-${sev}`}`} data-bucket={bucket}>
      <span className="badge-dot" aria-hidden="true" />
      {labels.bucket(bucket)}
    </span>
  );
};

const STATUS_TONE: Record<string, string> = {
  active: 'tone-info',
  paid: 'tone-success',
  settled: 'tone-success',
  charged_off: 'tone-danger',
  closed: 'tone-neutral',
  recalled: 'tone-warning',
};

export const StatusBadge = ({ status }: { status: string }) => {
  const labels = useLabels();
  return (
    <span className={`badge ${STATUS_TONE[status] ?? 'tone-neutral'}`} data-status={status}>
      {labels.status(status)}
    </span>
  );
};

const CONSENT_TONE: Record<string, string> = { granted: 'tone-success', denied: 'tone-danger', unknown: 'tone-neutral' };

export const ConsentBadge = ({ consent }: { consent: string }) => {
  const labels = useLabels();
  return <span className={`badge ${CONSENT_TONE[consent] ?? 'tone-neutral'}`}>{labels.consentBadge(consent)}</span>;
};

export const Badge = ({ tone = 'neutral', children }: { tone?: 'neutral' | 'info' | 'success' | 'warning' | 'danger'; children: ReactNode }) => (
  <span className={`badge tone-${tone}`}>{children}</span>
);
