import type { OutboundMessage } from '../../channels/index.ts';
import type { RenderedMessage } from './messaging.render.ts';

/**
 * From a rendered message to what a channel adapter sends. The dispatcher supplies what only it
 * knows: the address, the unsubscribe endpoints, whether the debtor's 24-hour WhatsApp window is
 * open, when a text must expire (the end of the allowed contact window).
 */
export interface OutboundOptions {
  /** E.164 phone or e-mail address of the contact point. */
  to: string;
  /** E-mail: RFC 8058 one-click URL (the context's optOut.url) and the opt-out mailbox. */
  unsubscribe?: { url: string; mailto: string };
  /** SMS: latest moment the provider may still send it. */
  expiresAt?: Date;
  /** WhatsApp: send the rendered text as free-form, only while the debtor's window is open. */
  serviceWindowClosesAt?: Date;
  /** WhatsApp through Twilio: the Content SID the template was registered under. */
  twilioContentSid?: string;
}

export type OutboundBuild = { ok: true; message: OutboundMessage } | { ok: false; code: 'MESSAGING.NOT_SENDABLE'; message: string };

export const toOutboundMessage = (rendered: RenderedMessage, options: OutboundOptions): OutboundBuild => {
  const { parts } = rendered;
  switch (rendered.channel) {
    case 'sms':
      return { ok: true, message: { channel: 'sms', to: options.to, body: parts.text, ...(options.expiresAt ? { expiresAt: options.expiresAt } : {}) } };
    case 'whatsapp': {
      if (options.serviceWindowClosesAt) {
        return { ok: true, message: { channel: 'whatsapp', to: options.to, content: { kind: 'text', body: parts.text, serviceWindowClosesAt: options.serviceWindowClosesAt } } };
      }
      if (!rendered.whatsapp) return { ok: false, code: 'MESSAGING.NOT_SENDABLE', message: 'no approved WhatsApp template for this message and no open service window' };
      return {
        ok: true,
        message: {
          channel: 'whatsapp', to: options.to,
          content: {
            kind: 'template', name: rendered.whatsapp.name, language: rendered.whatsapp.language,
            bodyParameters: rendered.whatsapp.bodyParameters, previewText: parts.text,
            ...(options.twilioContentSid ? { contentSid: options.twilioContentSid } : {}),
          },
        },
      };
    }
    case 'email': {
      if (!options.unsubscribe || parts.subject === undefined || parts.html === undefined) {
        return { ok: false, code: 'MESSAGING.NOT_SENDABLE', message: 'e-mail needs subject, html and unsubscribe endpoints' };
      }
      return { ok: true, message: { channel: 'email', to: options.to, subject: parts.subject, text: parts.text, html: parts.html, unsubscribe: options.unsubscribe } };
    }
    default:
      return { ok: false, code: 'MESSAGING.NOT_SENDABLE', message: `${rendered.channel} has no channel adapter (agent task or print)` };
  }
};
