import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';

/**
 * An in-process SMTP server (smtp-server) that parses what it receives with mailparser, so
 * e-mail tests check a real SMTP exchange end to end: headers, both bodies, the envelope.
 * Recipients can be set to fail the way real relays fail (550 5.1.1 unknown user, 451 4.7.1
 * greylisting) to exercise error mapping.
 */
export interface ReceivedMail {
  envelope: { from: string; to: string[] };
  raw: string;
  parsed: ParsedMail;
}

export interface FakeSmtp {
  host: string;
  port: number;
  mails: ReceivedMail[];
  /** Reply for RCPT TO of a given address. */
  rejectRecipient(address: string, code: number, message: string): void;
  close(): Promise<void>;
}

export const startFakeSmtp = async (options: { user?: string; pass?: string } = {}): Promise<FakeSmtp> => {
  const mails: ReceivedMail[] = [];
  const rejections = new Map<string, { code: number; message: string }>();
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    authOptional: options.user === undefined,
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === options.user && auth.password === options.pass) return callback(null, { user: auth.username });
      return callback(Object.assign(new Error('5.7.8 Authentication credentials invalid'), { responseCode: 535 }));
    },
    onRcptTo(address: SMTPServerAddress, _session, callback) {
      const rejection = rejections.get(address.address.toLowerCase());
      if (rejection) return callback(Object.assign(new Error(rejection.message), { responseCode: rejection.code }));
      return callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        simpleParser(raw)
          .then((parsed) => {
            const from = session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address;
            mails.push({ envelope: { from, to: session.envelope.rcptTo.map((r) => r.address) }, raw, parsed });
            callback();
          })
          .catch((e: unknown) => callback(e instanceof Error ? e : new Error(String(e))));
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    host: '127.0.0.1',
    port,
    mails,
    rejectRecipient: (address, code, message) => {
      rejections.set(address.toLowerCase(), { code, message });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};
