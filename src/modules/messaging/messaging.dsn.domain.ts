/**
 * Delivery status notifications (RFC 3464): a bounce e-mail is a `multipart/report;
 * report-type=delivery-status` whose `message/delivery-status` part holds one block of
 * per-message fields (Reporting-MTA, Arrival-Date, Original-Envelope-Id) and one block per
 * recipient (Final-Recipient, Action, Status, Diagnostic-Code, Last-Attempt-Date), usually
 * followed by the returned message (`message/rfc822`) or its headers (`text/rfc822-headers`).
 *
 * `interpretDsn` reads the parts a MIME parser gave (messaging.dsn.ts decodes them) and finds
 * the original Message-ID and each recipient's outcome. `failed` with a 5.x.x status is a hard
 * bounce; `delayed`, or `failed` with 4.x.x (the relay gave up on a temporary condition), is
 * soft; `delivered`, `relayed` and `expanded` are not bounces.
 */

export interface DsnPart {
  contentType: string;
  content: string;
}

export interface DsnInput {
  /** The top-level Content-Type, lower-cased, and its parameters. */
  contentType: { value: string; params: Readonly<Record<string, string>> };
  /** Top-level headers that may name the original message (`x-original-message-id`), lower-case names. */
  headers: Readonly<Record<string, string | undefined>>;
  /** The report's Date header. */
  date?: Date;
  parts: readonly DsnPart[];
}

export type BounceType = 'hard' | 'soft' | 'none';

export interface DsnRecipient {
  recipient: string | null;
  action: string | null;
  /** RFC 3463 enhanced status code (`5.1.1`). */
  status: string | null;
  diagnostic: string | null;
  type: BounceType;
  lastAttemptAt?: Date;
}

export type MessageIdSource = 'message/rfc822' | 'text/rfc822-headers' | 'original-envelope-id' | 'x-original-message-id';

export type DsnResult =
  | {
      ok: true;
      messageId: string;
      messageIdSource: MessageIdSource;
      reportingMta: string | null;
      /** Last-Attempt-Date of a recipient, else Arrival-Date, else the report's Date. */
      recipients: DsnRecipient[];
      occurredAt?: Date;
    }
  | { ok: false; field: string; message: string };

/** Header fields of an RFC 822-style block, unfolded; names lower-cased; first occurrence wins. */
export const parseFieldBlock = (block: string): Map<string, string> => {
  const fields = new Map<string, string>();
  let name: string | null = null;
  let value = '';
  const flush = () => {
    if (name !== null && !fields.has(name)) fields.set(name, value.trim());
  };
  for (const line of block.split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && name !== null) {
      value += ` ${line.trim()}`;
      continue;
    }
    flush();
    const m = /^([!-9;-~]+):[ \t]*(.*)$/.exec(line);
    name = m ? m[1]!.toLowerCase() : null;
    value = m ? m[2]! : '';
  }
  flush();
  return fields;
};

/** Blocks separated by blank lines (the per-message block first, then one per recipient). */
const fieldBlocks = (text: string): Map<string, string>[] =>
  text.replace(/\r\n/g, '\n').split(/\n[ \t]*\n/).map((b) => b.trim()).filter((b) => b.length > 0).map(parseFieldBlock);

/** `rfc822; ana@example.com` → `ana@example.com`; `smtp; 550 …` → `550 …`. */
const typedValue = (v: string | undefined): string | null => {
  if (v === undefined) return null;
  const i = v.indexOf(';');
  const out = (i >= 0 ? v.slice(i + 1) : v).trim();
  return out.length > 0 ? out : null;
};

const STATUS = /^([245])\.(\d{1,3})\.(\d{1,3})\b/;

const date = (v: string | undefined): Date | undefined => {
  if (!v) return undefined;
  const d = new Date(v.replace(/\s*\([^)]*\)\s*$/, ''));
  return Number.isNaN(d.getTime()) ? undefined : d;
};

/** Hard, soft or no bounce from a recipient's Action and Status. */
export const classifyRecipient = (action: string | null, status: string | null): BounceType => {
  const cls = status ? STATUS.exec(status)?.[1] : undefined;
  const a = action?.toLowerCase() ?? null;
  if (a === 'delivered' || a === 'relayed' || a === 'expanded' || cls === '2') return 'none';
  if (a === 'delayed') return 'soft';
  if (cls === '5') return 'hard';
  return 'soft';
};

/** A Message-ID as we store it: `<local@domain>`. */
const messageIdOf = (v: string | undefined): string | null => {
  const m = v ? /<?([^<>\s]+@[^<>\s]+?)>?(?:\s|$)/.exec(v.trim()) : null;
  return m ? `<${m[1]}>` : null;
};

/** The headers at the top of a returned message or header part. */
const headersOf = (content: string): Map<string, string> => parseFieldBlock(content.replace(/\r\n/g, '\n').split(/\n[ \t]*\n/)[0] ?? '');

export const interpretDsn = (input: DsnInput): DsnResult => {
  const type = input.contentType.value.toLowerCase();
  const reportType = input.contentType.params['report-type']?.toLowerCase();
  if (type !== 'multipart/report' || reportType !== 'delivery-status') {
    return { ok: false, field: 'Content-Type', message: `Content-Type: expected multipart/report; report-type=delivery-status (RFC 3464), got ${type}${reportType ? `; report-type=${reportType}` : ''}` };
  }
  const status = input.parts.find((p) => p.contentType.toLowerCase() === 'message/delivery-status');
  if (!status) return { ok: false, field: 'message/delivery-status', message: 'no message/delivery-status part: not a delivery status notification' };
  const blocks = fieldBlocks(status.content);
  // The first block holds the per-message fields; a report that starts with a recipient has none.
  const perMessage = blocks[0] && !blocks[0].has('final-recipient') && !blocks[0].has('action') ? blocks[0] : undefined;
  const recipients: DsnRecipient[] = (perMessage ? blocks.slice(1) : blocks)
    .filter((f) => f.has('final-recipient') || f.has('action') || f.has('status'))
    .map((f) => {
      const action = f.get('action')?.toLowerCase() ?? null;
      const code = f.get('status') ? (STATUS.exec(f.get('status')!.trim())?.[0] ?? null) : null;
      const last = date(f.get('last-attempt-date'));
      return {
        recipient: typedValue(f.get('final-recipient') ?? f.get('original-recipient')), action, status: code,
        diagnostic: typedValue(f.get('diagnostic-code')), type: classifyRecipient(action, code), ...(last ? { lastAttemptAt: last } : {}),
      };
    });
  if (recipients.length === 0) {
    return { ok: false, field: 'Final-Recipient', message: 'message/delivery-status has no per-recipient fields (Final-Recipient, Action, Status)' };
  }

  const returned = input.parts.find((p) => p.contentType.toLowerCase() === 'message/rfc822');
  const headersPart = input.parts.find((p) => p.contentType.toLowerCase() === 'text/rfc822-headers');
  const candidates: [MessageIdSource, string | null][] = [
    ['message/rfc822', returned ? messageIdOf(headersOf(returned.content).get('message-id')) : null],
    ['text/rfc822-headers', headersPart ? messageIdOf(headersOf(headersPart.content).get('message-id')) : null],
    ['original-envelope-id', messageIdOf(perMessage?.get('original-envelope-id'))],
    ['x-original-message-id', messageIdOf(perMessage?.get('x-original-message-id') ?? input.headers['x-original-message-id'])],
  ];
  const found = candidates.find(([, id]) => id !== null);
  if (!found) {
    return {
      ok: false, field: 'Message-ID',
      message: 'the original Message-ID was not found: no Message-ID in a message/rfc822 or text/rfc822-headers part, and no Original-Envelope-Id or X-Original-Message-ID',
    };
  }
  const occurredAt = recipients.find((r) => r.lastAttemptAt)?.lastAttemptAt ?? date(perMessage?.get('arrival-date')) ?? input.date;
  return {
    ok: true, messageId: found[1]!, messageIdSource: found[0], reportingMta: typedValue(perMessage?.get('reporting-mta')), recipients,
    ...(occurredAt ? { occurredAt } : {}),
  };
};
