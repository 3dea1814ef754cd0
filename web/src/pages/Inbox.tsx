import { useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import type { ApiError, SandboxConversation } from '../api.ts';
import { useApi } from '../session.tsx';
import { asApiError, useAsync, useFormat, useTitle } from '../hooks.ts';
import { ErrorBanner } from '../components/ErrorBanner.tsx';
import { Card, Empty, Loading, Notice, PageHeader, Spinner } from '../components/Ui.tsx';
import { Icon } from '../components/Icon.tsx';

/**
 * The sandbox inbox: what the sandbox channel "sent", one conversation per debtor address, and
 * a reply box where a tester writes as the debtor. Replies go through the same inbound path as a
 * provider webhook, so BAJA/STOP opt the address out and cancel what is pending.
 */
export const InboxPage = () => {
  const { t } = useTranslation();
  const f = useFormat();
  const api = useApi();
  useTitle(t('inbox.title'));
  const [params, setParams] = useSearchParams();
  const selected = params.get('address');
  const conversations = useAsync((signal) => api.sandboxConversations(signal), [api]);
  const messages = useAsync((signal) => (selected ? api.sandboxMessages(selected, signal) : Promise.resolve({ data: [] })), [api, selected]);
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const current: SandboxConversation | undefined = conversations.data?.data.find((c) => c.address === selected);

  const reply = async (e: FormEvent) => {
    e.preventDefault();
    if (!selected || !text.trim()) return;
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      const r = await api.sandboxReply({ channel: current?.channel ?? 'sms', from: selected, text });
      setText('');
      setNotice(r.keywordAction === 'opt_out' ? t('inbox.optedOut', { count: r.optedOut, cancelled: r.cancelled }) : r.keywordAction === 'opt_in' ? t('inbox.optedIn') : t('inbox.received'));
      messages.reload();
      conversations.reload();
    } catch (x) {
      setError(asApiError(x));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <PageHeader title={t('inbox.title')} subtitle={t('inbox.subtitle')} actions={
        <button type="button" className="btn" onClick={() => { conversations.reload(); messages.reload(); }}>
          <Icon name="refresh" /> {t('action.refresh')}
        </button>
      } />
      {conversations.error && <ErrorBanner error={conversations.error} onRetry={conversations.reload} />}
      <div className="inbox">
        <Card title={t('inbox.conversations')} className="inbox-list">
          {conversations.loading && !conversations.data ? <Loading /> : conversations.data?.data.length === 0 ? (
            <Empty icon="inbox" title={t('inbox.empty')}>{t('inbox.emptyHint')}</Empty>
          ) : (
            <ul className="conversation-list" data-testid="conversations">
              {conversations.data?.data.map((c) => (
                <li key={c.address}>
                  <button type="button" className={c.address === selected ? 'conversation is-active' : 'conversation'} aria-current={c.address === selected ? 'true' : undefined}
                    onClick={() => { setNotice(null); setError(null); setParams({ address: c.address }); }}>
                    <span className="conversation-head">
                      <Icon name={c.channel === 'email' ? 'email' : c.channel === 'whatsapp' ? 'whatsapp' : 'phone'} size={16} />
                      <strong>{c.debtorName ?? t('inbox.unknownDebtor')}</strong>
                      <span className="muted">{f.dateTime(c.lastAt)}</span>
                    </span>
                    <span className="muted">{c.address} · {t('inbox.messages', { count: c.messages })}</span>
                    <span className="conversation-last">{c.lastText}</span>
                  </button>
                </li>
              ))}
            </ul>
          )}
        </Card>
        <Card title={current ? (current.debtorName ?? current.address) : t('inbox.pick')} className="inbox-thread"
          actions={current?.debtorId ? <Link to={`/app/debtors/${current.debtorId}`}>{current.address}</Link> : null}>
          {!selected ? <Empty icon="inbox" title={t('inbox.pick')} /> : messages.loading && !messages.data ? <Loading /> : (
            <>
              {messages.error && <ErrorBanner error={messages.error} onRetry={messages.reload} />}
              <ol className="thread" data-testid="thread">
                {messages.data?.data.map((m) => (
                  <li key={m.id} className={m.direction === 'outbound' ? 'bubble bubble-out' : 'bubble bubble-in'} data-direction={m.direction}>
                    <span className="bubble-meta">
                      {m.direction === 'outbound' ? t('inbox.outbound') : t('inbox.inbound')} · {f.dateTime(m.createdAt)}
                      {m.template ? ` · ${t('inbox.template', { name: m.template })}` : ''}
                      {m.direction === 'outbound' ? ` · ${t(`inbox.status.${m.status}`, { defaultValue: m.status })}` : ''}
                    </span>
                    {m.subject && <strong className="bubble-subject">{m.subject}</strong>}
                    <span className="bubble-text">{m.text}</span>
                  </li>
                ))}
              </ol>
              {notice && <Notice onClose={() => setNotice(null)}>{notice}</Notice>}
              {error && <ErrorBanner error={error} />}
              <form className="reply-form" onSubmit={reply}>
                <label htmlFor="reply">{t('inbox.replyLabel')}</label>
                <textarea id="reply" rows={2} value={text} placeholder={t('inbox.replyPlaceholder')} onChange={(e) => setText(e.target.value)} maxLength={4096} />
                <button type="submit" className="btn btn-primary" disabled={busy || !text.trim()}>
                  {busy ? <Spinner /> : <Icon name="check" />} {t('inbox.send')}
                </button>
              </form>
            </>
          )}
        </Card>
      </div>
    </>
  );
};
