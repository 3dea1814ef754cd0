import { blockingFindings, checkMessage, type CheckResult } from './messaging.check.domain.ts';
import type { TemplateRenderer, RenderFailure, RenderedMessage } from './messaging.render.ts';
import { checkFactsFor } from './messaging.requirements.domain.ts';
import type { Finding, RenderContext, TemplateSource } from './messaging.types.ts';
import { validateWhatsAppSource } from './messaging.whatsapp.ts';

/**
 * Render-then-check: what the template editor shows, what publishing requires, and what the
 * dispatcher runs before a send (so a tenant's data — a creditor name long enough to push an SMS
 * into a fourth segment — is caught too).
 */
export interface PreviewResult {
  rendered: RenderedMessage;
  check: CheckResult;
}

/** What the check reads of one rendered message and the context it was rendered from. */
const checkInputFor = (source: Pick<TemplateSource, 'limitedContent' | 'confirmsOptOut'>, message: RenderedMessage, context: RenderContext) => ({
  channel: message.channel,
  language: message.language,
  jurisdiction: context.jurisdiction,
  parts: message.parts,
  limitedContent: source.limitedContent,
  confirmsOptOut: source.confirmsOptOut,
  whatsappTemplate: message.whatsapp !== undefined,
  facts: checkFactsFor(context, message.channel, source.limitedContent, message.language),
});

/** Checks one rendered message against the facts of the context it was rendered from. */
export const checkRendered = (source: Pick<TemplateSource, 'limitedContent' | 'confirmsOptOut'>, message: RenderedMessage, context: RenderContext): CheckResult =>
  checkMessage(checkInputFor(source, message, context));

/**
 * The send-time form of `checkRendered`: only the findings that block a send (severity
 * `error`), every one of them computed on this message's rendered text and facts.
 */
export const blockingForSend = (source: Pick<TemplateSource, 'limitedContent' | 'confirmsOptOut'>, message: RenderedMessage, context: RenderContext): Finding[] =>
  blockingFindings({
    ...checkInputFor(source, message, context),
    ...(message.sms ? { sms: { encoding: message.sms.encoding, units: message.sms.units, segments: message.sms.segments } } : {}),
  });

const structural = (problem: string): Finding => ({
  code: 'TEMPLATE.WHATSAPP_FORMAT',
  severity: 'error',
  message: { es: `Plantilla de WhatsApp no válida: ${problem}`, en: `Invalid WhatsApp template: ${problem}` },
  citation: 'WhatsApp Business Platform: message templates',
});

/** Compiles, renders with `context` and checks; WhatsApp sources are also checked for Meta's template rules. */
export const previewTemplate = async (
  renderer: TemplateRenderer, source: TemplateSource, context: RenderContext,
): Promise<{ ok: true; preview: PreviewResult } | RenderFailure> => {
  const compiled = renderer.compile(source);
  if (!compiled.ok) return compiled;
  const rendered = await renderer.render(compiled.template, context);
  if (!rendered.ok) return rendered;
  const check = checkRendered(source, rendered.message, context);
  if (source.channel === 'whatsapp') {
    const problems = validateWhatsAppSource(source).map(structural);
    if (problems.length > 0) {
      check.findings.push(...problems);
      check.ok = false;
    }
  }
  return { ok: true, preview: { rendered: rendered.message, check } };
};
