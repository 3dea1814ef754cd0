import { useRef, useState, type DragEvent, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { importContentType, type ApiError, type ImportKind, type ImportResult, type ImportRowError } from '../api.ts';
import { downloadText, toCsv } from '../csv.ts';
import { useApi } from '../session.tsx';
import { asApiError, useFormat, useTitle } from '../hooks.ts';
import { Badge } from '../components/Badges.tsx';
import { ErrorBanner } from '../components/ErrorBanner.tsx';
import { Card, Empty, Notice, PageHeader, Spinner, Toggle } from '../components/Ui.tsx';
import { Icon } from '../components/Icon.tsx';

const ACCEPT = '.csv,.txt,.ndjson,.jsonl,.xlsx';
const KINDS: readonly ImportKind[] = ['accounts', 'transactions'];
const ERROR_HEADER = ['row', 'column', 'value', 'code', 'reason'] as const;

const errorsCsv = (errors: readonly ImportRowError[]) => toCsv(ERROR_HEADER, errors.map((e) => [e.row, e.column ?? '', e.value ?? '', e.code, e.reason]));

const baseName = (filename: string) => filename.replace(/\.[^.]+$/, '');

const formatBytes = (n: number, locale: string) => {
  const units = ['byte', 'kilobyte', 'megabyte', 'gigabyte'] as const;
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return new Intl.NumberFormat(locale, { style: 'unit', unit: units[i], unitDisplay: 'narrow', maximumFractionDigits: i === 0 ? 0 : 1 }).format(v);
};

interface Run {
  result: ImportResult;
  file: File;
  dryRun: boolean;
  allOrNothing: boolean;
  kind: ImportKind;
}

/**
 * Upload a portfolio file (CSV with `,` or `;`, NDJSON or XLSX). A dry run validates every row
 * and reports what would change; the row-level error report can be downloaded as CSV.
 */
export const ImportsPage = () => {
  const { t } = useTranslation();
  const f = useFormat();
  const api = useApi();
  useTitle(t('imports.title'));
  const input = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<File | null>(null);
  const [kind, setKind] = useState<ImportKind>('accounts');
  const [dryRun, setDryRun] = useState(true);
  const [allOrNothing, setAllOrNothing] = useState(false);
  const [busy, setBusy] = useState(false);
  const [dragging, setDragging] = useState(false);
  const [fileError, setFileError] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [run, setRun] = useState<Run | null>(null);
  const [reportBusy, setReportBusy] = useState(false);
  const [reportError, setReportError] = useState<ApiError | null>(null);

  const pick = (picked: File | null | undefined) => {
    setError(null);
    if (!picked) return;
    if (!importContentType(picked.name)) {
      setFileError(t('imports.unsupported', { name: picked.name }));
      setFile(null);
      return;
    }
    setFileError(null);
    setFile(picked);
  };

  const send = async (opts: { file: File; dryRun: boolean; allOrNothing: boolean; kind: ImportKind }) => {
    setBusy(true);
    setError(null);
    setReportError(null);
    try {
      const result = await api.importFile(opts.file, { kind: opts.kind, dryRun: opts.dryRun, allOrNothing: opts.allOrNothing });
      setRun({ result, ...opts });
    } catch (e) {
      setError(asApiError(e));
      setRun(null);
    } finally {
      setBusy(false);
    }
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!file) {
      setFileError(t('imports.chooseFirst'));
      return;
    }
    void send({ file, dryRun, allOrNothing, kind });
  };

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    pick(e.dataTransfer.files[0]);
  };

  const downloadShown = () => {
    if (!run) return;
    downloadText(`${baseName(run.file.name)}-errores.csv`, errorsCsv(run.result.errors));
  };

  /** The full report from the server, when the response carried only the first errors. */
  const downloadFull = async () => {
    if (!run) return;
    setReportBusy(true);
    setReportError(null);
    try {
      const body = await api.importErrors(run.result.importId);
      const text = typeof body === 'string' ? body : errorsCsv(Array.isArray(body) ? body : (body.data ?? body.errors ?? []));
      downloadText(`${baseName(run.file.name)}-errores-completo.csv`, text.replace(/^\ufeff/, ''));
    } catch (e) {
      setReportError(asApiError(e));
    } finally {
      setReportBusy(false);
    }
  };

  const r = run?.result;
  /** Record kinds the import created or updated, in a stable order. */
  const entities = (res: ImportResult) =>
    [...new Set([...Object.keys(res.created ?? {}), ...Object.keys(res.updated ?? {})])].filter((k) => (res.created?.[k] ?? 0) + (res.updated?.[k] ?? 0) > 0);

  return (
    <>
      <PageHeader title={t('imports.title')} subtitle={t('imports.subtitle')} />
      <div className="grid-2-1 align-start">
        <Card title={t('imports.upload')}>
          <form className="form" onSubmit={submit} noValidate data-testid="import-form">
            <fieldset className="segmented segmented-lg">
              <legend className="field-label">{t('imports.kind')}</legend>
              {KINDS.map((k) => (
                <label key={k} className={k === kind ? 'segmented-item is-active' : 'segmented-item'}>
                  <input type="radio" name="kind" value={k} checked={k === kind} onChange={() => setKind(k)} />
                  <span>{t(`imports.kind_${k}`)}</span>
                </label>
              ))}
            </fieldset>

            <div
              className={`dropzone${dragging ? ' is-dragging' : ''}${fileError ? ' is-invalid' : ''}`}
              onDragOver={(e) => {
                e.preventDefault();
                setDragging(true);
              }}
              onDragLeave={() => setDragging(false)}
              onDrop={onDrop}
            >
              <Icon name={file ? 'file' : 'upload'} size={26} />
              {file ? (
                <div className="dropzone-file">
                  <p className="strong">{file.name}</p>
                  <p className="muted small">
                    {formatBytes(file.size, f.locale)} · {importContentType(file.name)}
                  </p>
                </div>
              ) : (
                <p className="muted">{t('imports.dropHere')}</p>
              )}
              <label className="btn btn-secondary btn-sm" htmlFor="import-file">
                {file ? t('imports.changeFile') : t('imports.chooseFile')}
              </label>
              <input
                ref={input}
                id="import-file"
                name="file"
                type="file"
                accept={ACCEPT}
                className="visually-hidden"
                aria-describedby="import-file-hint"
                aria-invalid={fileError ? true : undefined}
                onChange={(e) => pick(e.target.files?.[0])}
              />
              <p className="field-hint" id="import-file-hint">{t('imports.formats')}</p>
              {fileError && <p className="field-error" role="alert">{fileError}</p>}
            </div>

            <Toggle name="dryRun" checked={dryRun} onChange={setDryRun} label={t('imports.dryRun')} hint={t('imports.dryRunHint')} />
            <Toggle name="allOrNothing" checked={allOrNothing} onChange={setAllOrNothing} label={t('imports.allOrNothing')} hint={t('imports.allOrNothingHint')} />

            <button type="submit" className="btn btn-primary" disabled={busy}>
              {busy ? <Spinner /> : <Icon name={dryRun ? 'check' : 'upload'} size={16} />}
              {busy ? t('imports.processing') : dryRun ? t('imports.validate') : t('imports.import')}
            </button>
          </form>
        </Card>
        <Card title={t('imports.howTitle')}>
          <ul className="help-list">
            <li>{t('imports.how1')}</li>
            <li>{t('imports.how2')}</li>
            <li>{t('imports.how3')}</li>
            <li>{t('imports.how4')}</li>
          </ul>
          <p className="small">
            <a href="/api/docs/" target="_blank" rel="noopener">{t('imports.apiLink')}</a>
          </p>
        </Card>
      </div>

      {error && <ErrorBanner error={error} onRetry={file ? () => void send({ file, dryRun, allOrNothing, kind }) : undefined} />}

      {run && r && (
        <Card
          title={run.dryRun ? t('imports.resultDry') : t('imports.result')}
          actions={<span className="muted small">{run.file.name} · {t(`imports.kind_${run.kind}`)} · {t('imports.duration', { ms: f.number(r.durationMs) })}</span>}
          id="import-result"
        >
          <div data-testid="import-result">
            {run.dryRun && <Notice tone="info">{t('imports.dryNotice')}</Notice>}
            <div className="result-head">
              <Badge tone={r.rowsFailed === 0 ? 'success' : r.rowsImported === 0 ? 'danger' : 'warning'}>{t(`imports.status.${r.status}`, { defaultValue: r.status })}</Badge>
              <span className="mono small muted">{r.importId}</span>
            </div>
            <div className="kpis kpis-tight">
              <div className="kpi">
                <p className="kpi-label">{t('imports.rowsTotal')}</p>
                <p className="kpi-value">{f.number(r.rowsTotal)}</p>
              </div>
              <div className="kpi">
                <p className="kpi-label">{run.dryRun ? t('imports.rowsValid') : t('imports.rowsImported')}</p>
                <p className="kpi-value">{f.number(r.rowsImported)}</p>
              </div>
              <div className={r.rowsFailed ? 'kpi kpi-danger' : 'kpi'}>
                <p className="kpi-label">{t('imports.rowsFailed')}</p>
                <p className="kpi-value">{f.number(r.rowsFailed)}</p>
              </div>
              <div className="kpi">
                <p className="kpi-label">{run.dryRun ? t('imports.wouldChange') : t('imports.changes')}</p>
                <div className="kpi-list">
                  {entities(r).map((k) => (
                    <span key={k}>
                      <span className="strong">{t(`imports.entity.${k}`, { defaultValue: k })}:</span>{' '}
                      {t('imports.createdN', { count: r.created[k] ?? 0, formatted: f.number(r.created[k] ?? 0) })} · {t('imports.updatedN', { count: r.updated[k] ?? 0, formatted: f.number(r.updated[k] ?? 0) })}
                    </span>
                  ))}
                  {entities(r).length === 0 && <span className="muted">{t('imports.noChanges')}</span>}
                </div>
              </div>
            </div>
            {run.dryRun && r.rowsImported > 0 && (r.rowsFailed === 0 || !run.allOrNothing) && (
              <div className="result-cta">
                <p>{r.rowsFailed === 0 ? t('imports.readyAll') : t('imports.readySome', { count: r.rowsImported, formatted: f.number(r.rowsImported) })}</p>
                <button type="button" className="btn btn-primary" disabled={busy} onClick={() => void send({ file: run.file, kind: run.kind, allOrNothing: run.allOrNothing, dryRun: false })}>
                  {busy ? <Spinner /> : <Icon name="upload" size={16} />}
                  {t('imports.importNow')}
                </button>
              </div>
            )}

            <div className="section-head">
              <h3 className="subheading">{t('imports.errors')}</h3>
              {r.errors.length > 0 && (
                <div className="row-actions">
                  <button type="button" className="btn btn-secondary btn-sm" onClick={downloadShown}>
                    <Icon name="download" size={16} />
                    {t('imports.downloadCsv')}
                  </button>
                  {r.errorsTruncated && (
                    <button type="button" className="btn btn-secondary btn-sm" onClick={() => void downloadFull()} disabled={reportBusy}>
                      {reportBusy ? <Spinner /> : <Icon name="download" size={16} />}
                      {t('imports.downloadFull')}
                    </button>
                  )}
                </div>
              )}
            </div>
            {reportError && <ErrorBanner error={reportError} />}
            {r.errorsTruncated && <p className="small muted">{t('imports.truncated', { shown: f.number(r.errors.length), total: f.number(r.rowsFailed) })}</p>}
            {r.errors.length === 0 ? (
              <Empty icon="check" title={t('imports.noErrors')} />
            ) : (
              <div className="table-wrap table-scroll">
                <table className="table table-compact" data-testid="import-errors">
                  <thead>
                    <tr>
                      <th scope="col" className="num">{t('imports.col.row')}</th>
                      <th scope="col">{t('imports.col.column')}</th>
                      <th scope="col">{t('imports.col.value')}</th>
                      <th scope="col">{t('imports.col.reason')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {r.errors.map((e, i) => (
                      <tr key={`${e.row}-${e.column ?? ''}-${i}`}>
                        <td className="num">{e.row}</td>
                        <td className="mono small">{e.column ?? <span className="muted">—</span>}</td>
                        <td className="mono small truncate" title={e.value === undefined || e.value === null ? undefined : String(e.value)}>
                          {e.value === undefined || e.value === null || e.value === '' ? <span className="muted">—</span> : String(e.value)}
                        </td>
                        <td>
                          {e.reason}
                          <span className="muted small mono block">{e.code}</span>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </div>
        </Card>
      )}
      {!run && !error && !busy && (
        <Card>
          <Empty icon="imports" title={t('imports.emptyTitle')}>
            <p>{t('imports.emptyText')}</p>
          </Empty>
        </Card>
      )}
    </>
  );
};
