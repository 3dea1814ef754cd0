import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';
import type { Explain, ExplainLine, ScheduledContact } from '../api.ts';
import { useApi } from '../session.tsx';
import { useAsync, useFormat } from '../hooks.ts';
import { lineTopic, strategyWords, useExplain } from '../explain.ts';
import { humanize } from '../labels.ts';
import { ErrorBanner } from './ErrorBanner.tsx';
import { Badge } from './Badges.tsx';
import { DescriptionList, Empty, Loading } from './Ui.tsx';
import { Icon, type IconName } from './Icon.tsx';

const JOURNEY_TONE: Record<string, 'info' | 'success' | 'warning' | 'neutral' | 'danger'> = {
  active: 'info', paused: 'warning', completed: 'success', exited: 'neutral', unassigned: 'neutral',
};
export const CONTACT_TONE: Record<string, 'info' | 'success' | 'warning' | 'neutral' | 'danger'> = {
  scheduled: 'info', claimed: 'info', sent: 'success', delivered: 'success', read: 'success', failed: 'danger', cancelled: 'neutral', suppressed: 'warning',
};
export const CHANNEL_ICON: Record<string, IconName> = { sms: 'phone', call: 'phone', whatsapp: 'whatsapp', email: 'email', letter: 'address', visit: 'address' };

interface PolicyNote {
  jurisdiction?: string;
  channel?: string;
  allowed?: boolean;
  windows?: { start: string; end: string }[];
  reasons?: { code?: string; message?: string }[];
}

/**
 * The account's place in the daily run: segment, journey and step, the next contacts each with
 * why this action, why this time and what the contact policy said, and what a run now would do.
 */
export const StrategyPanel = ({ accountId, debtorTimezone }: { accountId: string; debtorTimezone: string | null }) => {
  const { t, i18n } = useTranslation();
  const f = useFormat();
  const api = useApi();
  const lang = i18n.language.startsWith('en') ? 'en' : 'es';
  const ex = useAsync((signal) => api.explainAccount(accountId, signal), [api, accountId]);
  const strategyId = ex.data?.assignment?.strategyId ?? null;
  const strategyVersion = ex.data?.assignment?.strategyVersion ?? null;
  const doc = useAsync(
    (signal) => (strategyId ? api.getStrategy(strategyId, strategyVersion, signal) : Promise.resolve(undefined)),
    [api, strategyId, strategyVersion],
  );
  const words = strategyWords(doc.data, lang);
  const { render, channel, purpose } = useExplain(words);

  if (ex.error && !ex.data) return <ErrorBanner error={ex.error} onRetry={ex.reload} />;
  if (!ex.data) return <Loading rows={4} />;
  // The strategy's names (segments, journeys, steps) come with its document: wait for it rather
  // than flash ids; a strategy that cannot be read falls back to them.
  if (strategyId && doc.data === undefined && !doc.error) return <Loading rows={4} />;
  const e: Explain = ex.data;
  const zone = debtorTimezone ?? undefined;
  const j = e.journey;
  const hasJourney = j !== null && j.id !== null && j.status !== 'unassigned';

  const lines = (ls: readonly ExplainLine[], testId?: string) => (
    <ul className="explain-lines" data-testid={testId}>
      {ls.map((l, i) => (
        <li key={i} data-code={l.code}>{render(l)}</li>
      ))}
    </ul>
  );

  const preview = e.preview && (
    <div className="explain-preview" data-testid="strategy-preview">
      <h3 className="explain-heading">{t('strategy.preview')}</h3>
      <p>
        {e.preview.action
          ? e.preview.action['channel']
            ? t('strategy.previewAction', {
              purpose: purpose(e.preview.action['purpose']),
              channel: channel(e.preview.action['channel']),
              when: f.dateTime(String(e.preview.action['send_at'] ?? e.preview.at)),
            })
            : t('strategy.previewActionNoChannel', { purpose: purpose(e.preview.action['purpose']) })
          : t('strategy.previewNothing')}
      </p>
    </div>
  );

  if (!hasJourney) {
    const suppressed = e.assignment?.segmentId && !e.assignment.arm;
    const decided = e.lastDecision?.lines ?? [];
    return (
      <div data-testid="strategy-empty">
        <Empty icon="info" title={suppressed ? t('strategy.suppressedTitle') : e.assignment ? t('strategy.noSegmentTitle') : t('strategy.noJourneyTitle')}>
          {decided.length > 0 ? lines(decided.filter((l) => lineTopic(l.code) === 'action')) : <p>{t('strategy.noJourneyText')}</p>}
        </Empty>
        {e.previewError && <p className="muted small">{t('strategy.previewUnavailable', { error: e.previewError })}</p>}
      </div>
    );
  }

  const arm = e.assignment?.arm;
  const contacts = e.scheduledContacts;
  return (
    <div className="strategy" data-testid="strategy-panel">
      <DescriptionList
        items={[
          { label: t('strategy.segment'), value: e.assignment?.segmentId ? <span data-testid="strategy-segment">{words.segment(e.assignment.segmentId)}</span> : '' },
          {
            label: t('strategy.journey'),
            value: (
              <span className="strategy-journey" data-testid="strategy-journey">
                <span>{words.journey(j.id ?? '')}</span>
                {e.assignment?.strategyId && <span className="muted small">{words.strategy(e.assignment.strategyId)} · {t('strategy.version', { version: j.version })}</span>}
              </span>
            ),
          },
          {
            label: t('strategy.step'),
            value: (
              <span className="header-meta">
                <span data-testid="strategy-step">{humanize(j.stepId ?? '')}</span>
                <span data-testid="strategy-status"><Badge tone={JOURNEY_TONE[j.status] ?? 'neutral'}>{t(`journeyStatus.${j.status}`, { defaultValue: humanize(j.status) })}</Badge></span>
              </span>
            ),
          },
          { label: t('strategy.arm'), value: arm ? (arm === 'champion' ? t('strategy.armChampion') : arm === 'challenger' ? t('strategy.armChallenger') : humanize(arm)) : '' },
          { label: t('strategy.stepSince'), value: f.dateTime(j.enteredStepAt) },
          { label: t('strategy.lastRun'), value: f.date(j.lastRunDate) },
        ]}
      />

      <h3 className="explain-heading explain-heading-top">{t('strategy.nextContacts')}</h3>
      {contacts.length === 0 ? (
        <p className="muted" data-testid="strategy-no-contacts">{t('strategy.noContacts')}</p>
      ) : (
        <ol className="contact-list">
          {contacts.map((c) => (
            <ContactItem key={c.id} contact={c} zone={zone} render={render} channel={channel} purpose={purpose} />
          ))}
        </ol>
      )}
      {contacts.length > 0 && (
        <p className="small">
          <Link to={`/app/contacts?accountId=${encodeURIComponent(e.account.id)}`}>{t('strategy.viewAll')}</Link>
        </p>
      )}
      {preview}
    </div>
  );
};

const ContactItem = ({
  contact: c, zone, render, channel, purpose,
}: {
  contact: ScheduledContact;
  zone: string | undefined;
  render: (l: ExplainLine) => string;
  channel: (c: unknown) => string;
  purpose: (p: unknown) => string;
}) => {
  const { t } = useTranslation();
  const f = useFormat();
  const explanation = c.explanation as { lines?: ExplainLine[]; policy?: PolicyNote | null };
  const all = explanation.lines ?? [];
  const action = all.filter((l) => lineTopic(l.code) === 'action');
  const time = all.filter((l) => lineTopic(l.code) === 'time');
  const policyLines = all.filter((l) => lineTopic(l.code) === 'policy' && (!c.channel || l.params['channel'] === undefined || l.params['channel'] === c.channel));
  const policy = explanation.policy ?? null;
  return (
    <li className="contact-item" data-testid="strategy-contact" data-status={c.status}>
      <div className="contact-head">
        <span className="contact-channel">
          <Icon name={CHANNEL_ICON[c.channel ?? ''] ?? 'debtors'} size={16} />
          <span className="strong">{purpose(c.purpose)}</span>
          <span className="muted">· {c.channel ? channel(c.channel) : t('explain.task.call')}</span>
        </span>
        <Badge tone={CONTACT_TONE[c.status] ?? 'neutral'}>{t(`contactStatus.${c.status}`, { defaultValue: humanize(c.status) })}</Badge>
      </div>
      <dl className="contact-when">
        <div>
          <dt>{t('strategy.debtorTime')}</dt>
          <dd data-testid="contact-debtor-time">{f.dateTime(c.sendAt, zone)} <span className="muted small">{zone}</span></dd>
        </div>
        <div>
          <dt>{t('strategy.yourTime')}</dt>
          <dd data-testid="contact-staff-time">{f.dateTime(c.sendAt)}</dd>
        </div>
      </dl>
      <div className="contact-why">
        <section>
          <h4>{t('strategy.whyAction')}</h4>
          <ul className="explain-lines" data-testid="contact-why-action">
            {action.map((l, i) => <li key={i} data-code={l.code}>{render(l)}</li>)}
          </ul>
        </section>
        <section>
          <h4>{t('strategy.whyTime')}</h4>
          <ul className="explain-lines" data-testid="contact-why-time">
            {time.map((l, i) => <li key={i} data-code={l.code}>{render(l)}</li>)}
          </ul>
        </section>
        <section>
          <h4>{t('strategy.policy')}</h4>
          <div data-testid="contact-policy">
            {policy && policy.channel ? (
              <>
                <p>
                  {policy.allowed
                    ? t('strategy.policyAllowed', { channel: channel(policy.channel), jurisdiction: policy.jurisdiction ?? '' })
                    : t('strategy.policyBlocked', { channel: channel(policy.channel), jurisdiction: policy.jurisdiction ?? '' })}
                </p>
                {policy.allowed && (policy.windows ?? []).length > 0 && (
                  <ul className="explain-lines">
                    {(policy.windows ?? []).map((w, i) => (
                      <li key={i}>{t('strategy.window', { from: f.dateTime(w.start, zone), to: f.dateTime(w.end, zone) })}</li>
                    ))}
                  </ul>
                )}
                {!policy.allowed && (policy.reasons ?? []).length > 0 && (
                  <ul className="explain-lines">
                    {(policy.reasons ?? []).map((r, i) => <li key={i}>{r.message ?? r.code}</li>)}
                  </ul>
                )}
              </>
            ) : policyLines.length > 0 ? (
              <ul className="explain-lines">{policyLines.map((l, i) => <li key={i}>{render(l)}</li>)}</ul>
            ) : (
              <p className="muted">{t('strategy.policyNone')}</p>
            )}
          </div>
        </section>
      </div>
    </li>
  );
};
