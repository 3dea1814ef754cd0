import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import type { ApiError, RunStatus, RunSummary } from '../api.ts';
import { useApi } from '../session.tsx';
import { asApiError, useAsync, useFormat, usePagedList, useTitle } from '../hooks.ts';
import { humanize } from '../labels.ts';
import { groupRunCounts, runDurationMs, type CountLine } from '../runs.ts';
import { Badge } from '../components/Badges.tsx';
import { CHANNEL_ICON } from '../components/StrategyPanel.tsx';
import { ErrorBanner } from '../components/ErrorBanner.tsx';
import { Card, DescriptionList, Empty, PageHeader, Spinner } from '../components/Ui.tsx';
import { Icon } from '../components/Icon.tsx';
import { PagedListBody } from '../components/PagedList.tsx';

const PAGE_SIZE = 20;
/** How often a running run is read again. */
const POLL_MS = 1500;
const NO_QUERY = { limit: PAGE_SIZE };

const RUN_TONE: Record<RunStatus, 'info' | 'success' | 'danger'> = { running: 'info', completed: 'success', failed: 'danger' };

const RunStatusBadge = ({ status }: { status: RunStatus }) => {
  const { t } = useTranslation();
  return (
    <span className="run-status" data-testid="run-status" data-status={status}>
      <Badge tone={RUN_TONE[status] ?? 'neutral'}>
        {status === 'running' && <Spinner />}
        {t(`runStatus.${status}`, { defaultValue: humanize(status) })}
      </Badge>
    </span>
  );
};

/** One group of counters: a label, a bar relative to the group's largest value, and the number. */
const CountGroup = ({ title, lines, label, icon, total, testId, emptyText }: {
  title: string;
  lines: CountLine[];
  label: (l: CountLine) => string;
  icon?: (l: CountLine) => ReactNode;
  total?: boolean;
  testId: string;
  emptyText?: string;
}) => {
  const { t } = useTranslation();
  const f = useFormat();
  const max = Math.max(1, ...lines.map((l) => l.value));
  const sum = lines.reduce((s, l) => s + l.value, 0);
  return (
    <section className="count-group" data-testid={testId}>
      <h3 className="subheading">{title}</h3>
      {lines.length === 0 ? (
        <p className="muted small">{emptyText ?? t('runs.none')}</p>
      ) : (
        <ul className="count-list">
          {lines.map((l) => (
            <li key={l.key} className={l.value === 0 ? 'count-line is-zero' : 'count-line'} data-count={l.key}>
              <span className="count-label">
                {icon?.(l)}
                {label(l)}
              </span>
              <span className="count-bar" aria-hidden="true">
                <span style={{ width: `${(l.value / max) * 100}%` }} />
              </span>
              <span className="count-value num" data-testid="count-value">{f.number(l.value)}</span>
            </li>
          ))}
          {total && lines.length > 1 && (
            <li className="count-line count-total">
              <span className="count-label">{t('runs.total')}</span>
              <span />
              <span className="count-value num">{f.number(sum)}</span>
            </li>
          )}
        </ul>
      )}
    </section>
  );
};

/** Everything about one run: its figures, its counters in plain words, its error, its times. */
const RunDetail = ({ run }: { run: RunSummary }) => {
  const { t } = useTranslation();
  const f = useFormat();
  const groups = useMemo(() => groupRunCounts(run.counts), [run.counts]);
  const duration = runDurationMs(run);
  const channel = (c: string) => t(`channel.${c}`, { defaultValue: humanize(c) });
  return (
    <Card
      className="run-detail"
      title={t('runs.detailTitle', { date: f.date(run.businessDate) })}
      actions={
        <>
          <RunStatusBadge status={run.status} />
          <Link className="btn btn-secondary btn-sm" to={`/app/contacts?runDate=${run.businessDate}`}>
            <Icon name="schedule" size={16} />
            {t('runs.viewContacts')}
          </Link>
        </>
      }
    >
      <div data-testid="run-detail" data-run={run.id} data-status={run.status}>
        {run.status === 'running' && <p className="card-sub run-live">{t('runs.liveNote')}</p>}
        {run.status === 'failed' && (
          <div className="banner banner-error" role="alert" data-testid="run-error">
            <Icon name="alert" className="banner-icon" />
            <div className="banner-body">
              <p className="banner-title">{t('runs.failedTitle')}</p>
              <p className="banner-text mono">{run.error ?? t('runs.noErrorText')}</p>
            </div>
          </div>
        )}
        <div className="kpis kpis-tight">
          {(
            [
              ['seen', run.accountsSeen],
              ['advanced', run.accountsAdvanced],
              ['assigned', run.accountsAssigned],
              ['contacts', run.contactsScheduled],
            ] as const
          ).map(([k, v]) => (
            <div className="kpi" key={k}>
              <div className="kpi-label">{t(`runs.${k}`)}</div>
              <div className="kpi-value" data-testid={`run-kpi-${k}`}>{f.number(v)}</div>
              <div className="kpi-foot">
                {run.passes > 1 ? t('runs.summedOverPasses', { count: run.passes, formatted: f.number(run.passes) }) : t(`runs.${k}Hint`)}
              </div>
            </div>
          ))}
        </div>
        <div className="count-groups">
          <CountGroup
            testId="run-channels"
            title={t('runs.groupChannels')}
            lines={groups.channels}
            label={(l) => channel(l.label)}
            icon={(l) => <Icon name={CHANNEL_ICON[l.label] ?? 'email'} size={16} />}
            total
            emptyText={t('runs.noContacts')}
          />
          <CountGroup
            testId="run-tasks"
            title={t('runs.groupTasks')}
            lines={groups.tasks}
            label={(l) => t(`runs.task.${l.label}`, { defaultValue: humanize(l.label) })}
            icon={() => <Icon name="debtors" size={16} />}
            total
            emptyText={t('runs.noTasks')}
          />
          <CountGroup
            testId="run-journeys"
            title={t('runs.groupJourneys')}
            lines={groups.journeys}
            label={(l) => t(`runs.journey.${l.label}`, { defaultValue: humanize(l.label) })}
          />
          <CountGroup
            testId="run-skipped"
            title={t('runs.groupSkipped')}
            lines={[...groups.skipped, ...groups.other]}
            label={(l) => t(`runs.skipped.${l.label}`, { defaultValue: humanize(l.label) })}
          />
        </div>
        <h3 className="subheading">{t('runs.details')}</h3>
        <DescriptionList
          items={[
            { key: 'date', label: t('runs.businessDate'), value: f.date(run.businessDate) },
            { key: 'decided', label: t('runs.decidedAt'), value: f.dateTime(run.decidedAt) },
            { key: 'started', label: t('runs.startedAt'), value: f.dateTime(run.startedAt) },
            { key: 'finished', label: t('runs.finishedAt'), value: run.finishedAt ? f.dateTime(run.finishedAt) : t('runs.notYet') },
            { key: 'duration', label: t('runs.duration'), value: duration === null ? t('runs.notYet') : f.duration(duration) },
            {
              key: 'slices',
              label: t('runs.slicesLabel'),
              value: run.slices > 1 ? t('runs.slicesDone', { done: f.number(run.slicesDone), total: f.number(run.slices) }) : t('runs.singleSlice'),
            },
            { key: 'passes', label: t('runs.passesLabel'), value: f.number(run.passes) },
            { key: 'id', label: t('runs.runId'), value: <span className="mono">{run.id}</span> },
          ]}
        />
      </div>
    </Card>
  );
};

/**
 * The daily runs of the decision engine, newest first, with one run's detail, and a button that
 * starts today's run and follows it until it is done.
 */
export const RunsPage = () => {
  const { t } = useTranslation();
  const f = useFormat();
  const api = useApi();
  const [params, setParams] = useSearchParams();
  useTitle(t('runs.title'));

  const list = usePagedList(api.listRuns, NO_QUERY, [api]);
  /** Runs read after the list loaded (started here, or polled while running), by id. */
  const [fresh, setFresh] = useState<Record<string, RunSummary>>({});
  const [starting, setStarting] = useState(false);
  const [startError, setStartError] = useState<ApiError | null>(null);
  const [pollError, setPollError] = useState<ApiError | null>(null);
  const [pollTick, setPollTick] = useState(0);
  const detailRef = useRef<HTMLDivElement>(null);

  const rows = useMemo(() => {
    const listed = new Set(list.rows.map((r) => r.id));
    const added = Object.values(fresh)
      .filter((r) => !listed.has(r.id))
      .sort((a, b) => b.businessDate.localeCompare(a.businessDate) || b.startedAt.localeCompare(a.startedAt));
    return [...added, ...list.rows.map((r) => fresh[r.id] ?? r)];
  }, [list.rows, fresh]);

  // Follow every run still going: read it again every POLL_MS until it completes or fails.
  const runningIds = rows.filter((r) => r.status === 'running').map((r) => r.id).join(' ');
  useEffect(() => {
    if (!runningIds) return undefined;
    const ctrl = new AbortController();
    const timer = window.setTimeout(() => {
      Promise.all(runningIds.split(' ').map((id) => api.getRun(id, ctrl.signal))).then(
        (runs) => {
          setFresh((prev) => ({ ...prev, ...Object.fromEntries(runs.map((r) => [r.id, r])) }));
          setPollError(null);
          setPollTick((n) => n + 1);
        },
        (e: unknown) => {
          if (ctrl.signal.aborted) return;
          setPollError(asApiError(e));
          setPollTick((n) => n + 1);
        },
      );
    }, POLL_MS);
    return () => {
      window.clearTimeout(timer);
      ctrl.abort();
    };
  }, [runningIds, api, pollTick]);

  const requested = params.get('run');
  const selectedId = requested ?? rows[0]?.id ?? null;
  const listedRun = rows.find((r) => r.id === selectedId);
  // A run named in the address but not on the loaded pages is read on its own.
  const missingId = selectedId && !listedRun && !list.loading ? selectedId : null;
  const lone = useAsync((signal) => (missingId ? api.getRun(missingId, signal) : Promise.resolve(undefined)), [missingId, api]);
  const selected = listedRun ?? (missingId ? lone.data : undefined);

  const select = (id: string, scroll: boolean) => {
    const p = new URLSearchParams(params);
    p.set('run', id);
    setParams(p, { replace: true });
    if (scroll) requestAnimationFrame(() => detailRef.current?.scrollIntoView({ block: 'nearest', behavior: 'smooth' }));
  };

  const busy = starting || runningIds !== '';
  const runToday = async () => {
    setStarting(true);
    setStartError(null);
    try {
      const run = await api.startRun({ wait: false });
      setFresh((prev) => ({ ...prev, [run.id]: run }));
      select(run.id, false);
    } catch (e) {
      setStartError(asApiError(e));
    } finally {
      setStarting(false);
    }
  };

  return (
    <>
      <PageHeader
        title={t('runs.title')}
        subtitle={t('runs.subtitle')}
        actions={
          <button type="button" className="btn btn-primary" onClick={() => void runToday()} disabled={busy} title={busy ? t('runs.busyHint') : undefined} data-testid="run-today">
            {busy ? <Spinner /> : <Icon name="play" size={16} />}
            {busy ? t('runs.running') : t('runs.runToday')}
          </button>
        }
      />

      {startError && <ErrorBanner error={startError} title={t('runs.startFailed')} />}
      {list.error && <ErrorBanner error={list.error} onRetry={list.reload} />}
      {pollError && <ErrorBanner error={pollError} title={t('runs.pollFailed')} />}

      <Card title={t('runs.history')}>
        <PagedListBody
          list={{ ...list, rows }}
          i18nKey="runs"
          countTestId="runs-count"
          empty={
            <Empty icon="runs" title={t('runs.emptyTitle')}>
              <p>{t('runs.emptyText')}</p>
            </Empty>
          }
        >
          <div className="table-wrap">
            <table className="table table-hover runs-table" data-testid="runs-table">
              <thead>
                <tr>
                  <th scope="col">{t('runs.businessDate')}</th>
                  <th scope="col">{t('runs.status')}</th>
                  <th scope="col">{t('runs.startedAt')}</th>
                  <th scope="col" className="num">{t('runs.seen')}</th>
                  <th scope="col" className="num">{t('runs.advanced')}</th>
                  <th scope="col" className="num">{t('runs.assigned')}</th>
                  <th scope="col" className="num">{t('runs.contacts')}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => {
                  const ms = runDurationMs(r);
                  const progress = [
                    r.slices > 1 ? t('runs.slicesDone', { done: f.number(r.slicesDone), total: f.number(r.slices) }) : null,
                    r.passes > 1 ? t('runs.passes', { count: r.passes, formatted: f.number(r.passes) }) : null,
                  ].filter(Boolean);
                  return (
                    <tr
                      key={r.id}
                      data-run={r.id}
                      data-status={r.status}
                      className={r.id === selectedId ? 'is-selected' : undefined}
                      aria-selected={r.id === selectedId}
                      onClick={(e) => {
                        if (!(e.target as HTMLElement).closest('a')) select(r.id, true);
                      }}
                    >
                      <td>
                        <Link
                          className="strong"
                          to={`?run=${encodeURIComponent(r.id)}`}
                          replace
                          onClick={() => requestAnimationFrame(() => detailRef.current?.scrollIntoView({ block: 'nearest', behavior: 'smooth' }))}
                        >
                          {f.date(r.businessDate)}
                        </Link>
                      </td>
                      <td>
                        <span className="cell-stack">
                          <RunStatusBadge status={r.status} />
                          {progress.length > 0 && <span className="muted small" data-testid="run-progress">{progress.join(' · ')}</span>}
                        </span>
                      </td>
                      <td>
                        <span className="cell-stack">
                          <span>{f.dateTime(r.startedAt)}</span>
                          <span className="muted small">{ms === null ? t('runs.inProgress') : t('runs.tookShort', { duration: f.duration(ms) })}</span>
                        </span>
                      </td>
                      <td className="num" data-testid="run-seen">{f.number(r.accountsSeen)}</td>
                      <td className="num">{f.number(r.accountsAdvanced)}</td>
                      <td className="num">{f.number(r.accountsAssigned)}</td>
                      <td className="num strong" data-testid="run-contacts">{f.number(r.contactsScheduled)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </PagedListBody>
      </Card>

      <div ref={detailRef}>
        {missingId && lone.error && <ErrorBanner error={lone.error} onRetry={lone.reload} />}
        {selected && <RunDetail run={selected} />}
      </div>
    </>
  );
};
