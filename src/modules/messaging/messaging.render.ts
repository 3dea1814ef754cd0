import { Liquid, type Template } from 'liquidjs';
import { systemClock, type Clock } from '../../lib/clock.ts';
import { registerFilters } from './messaging.filters.ts';
import { countSmsSegments, transliterateToGsm7 } from './messaging.gsm.domain.ts';
import { buildScope, type Scope } from './messaging.scope.ts';
import { RenderContext, type Language, type SmsMetadata, type TemplateChannel, type TemplateSource } from './messaging.types.ts';
import { metaLanguageCode } from './messaging.whatsapp.ts';

/**
 * Liquid rendering, sandboxed: templates are data written by tenants, so the engine reads no
 * files (an in-memory map holds the library's layouts and nothing else), sees only own
 * properties of the scope, fails on undefined variables and unknown filters instead of printing
 * blanks, and is bounded in template size, render time and allocated memory.
 */
export type RenderErrorCode =
  | 'TEMPLATE.SYNTAX'
  | 'TEMPLATE.CONTEXT_INVALID'
  | 'TEMPLATE.CONTEXT_MISSING'
  | 'TEMPLATE.UNDEFINED_VARIABLE'
  | 'TEMPLATE.RENDER_FAILED'
  | 'TEMPLATE.RENDER_LIMIT'
  | 'TEMPLATE.OUTPUT_TOO_LARGE';

export interface RenderFailure {
  ok: false;
  code: RenderErrorCode;
  message: string;
  part?: 'text' | 'subject' | 'html' | 'whatsapp_parameter';
}

export interface RenderedMessage {
  purpose: string;
  channel: TemplateChannel;
  language: Language;
  version: number;
  parts: { text: string; subject?: string; html?: string };
  /** WhatsApp: the approved template and its body parameters, in order. */
  whatsapp?: { name: string; language: string; bodyParameters: string[] };
  /** SMS: encoding and billable segments of `parts.text` as it will be sent. */
  sms?: SmsMetadata;
}

export type RenderResult = { ok: true; message: RenderedMessage } | RenderFailure;

export interface CompiledTemplate {
  source: TemplateSource;
  text: Template[];
  subject?: Template[];
  html?: Template[];
  parameters: Template[][];
}

export interface RendererOptions {
  /** Named layouts (`email`, `email_text`, `letter`) reachable from `{% layout %}`. */
  layouts?: Readonly<Record<string, string>>;
  clock?: Clock;
  /** Keep SMS characters outside GSM-7 instead of transliterating (default false). */
  preserveSmsUnicode?: boolean;
  /** Limits; defaults suit messages, not web pages. */
  limits?: { templateChars?: number; renderMs?: number; memory?: number; outputChars?: number };
}

export interface TemplateRenderer {
  compile(source: TemplateSource): { ok: true; template: CompiledTemplate } | RenderFailure;
  render(template: CompiledTemplate, context: unknown): Promise<RenderResult>;
}

const tidy = (text: string, singleLine: boolean): string => {
  const t = text.replace(/\r\n?/g, '\n').replace(/[ \t]+\n/g, '\n').replace(/\n{3,}/g, '\n\n').replace(/ {2,}/g, ' ').trim();
  // Only ASCII whitespace: the no-break spaces Intl puts inside amounts ("185,40 €") must stay,
  // or a WhatsApp parameter would differ from the preview of the same amount.
  return singleLine ? t.replace(/[ \t\r\n]+/g, ' ') : t;
};

const describe = (e: unknown): { code: RenderErrorCode; message: string } => {
  const message = e instanceof Error ? e.message : String(e);
  if (/undefined variable/i.test(message)) return { code: 'TEMPLATE.UNDEFINED_VARIABLE', message };
  if (/limit exceeded/i.test(message)) return { code: 'TEMPLATE.RENDER_LIMIT', message };
  return { code: 'TEMPLATE.RENDER_FAILED', message };
};

export const createTemplateRenderer = (options: RendererOptions = {}): TemplateRenderer => {
  const clock = options.clock ?? systemClock;
  const limits = { templateChars: 64_000, renderMs: 200, memory: 4_000_000, outputChars: 100_000, ...options.limits };
  const engine = (escape: boolean): Liquid => {
    const liquid = new Liquid({
      templates: { ...(options.layouts ?? {}) },
      strictVariables: true,
      strictFilters: true,
      lenientIf: true,
      ownPropertyOnly: true,
      parseLimit: limits.templateChars,
      renderLimit: limits.renderMs,
      memoryLimit: limits.memory,
      ...(escape ? { outputEscape: 'escape' as const } : {}),
    });
    registerFilters(liquid);
    return liquid;
  };
  const textEngine = engine(false);
  const htmlEngine = engine(true);

  const compile = (source: TemplateSource): { ok: true; template: CompiledTemplate } | RenderFailure => {
    let part: RenderFailure['part'] = 'text';
    try {
      const text = textEngine.parse(source.parts.text);
      part = 'subject';
      const subject = source.parts.subject === undefined ? undefined : textEngine.parse(source.parts.subject);
      part = 'html';
      const html = source.parts.html === undefined ? undefined : htmlEngine.parse(source.parts.html);
      part = 'whatsapp_parameter';
      const parameters = (source.whatsapp?.parameters ?? []).map((p) => textEngine.parse(p));
      return { ok: true, template: { source, text, parameters, ...(subject ? { subject } : {}), ...(html ? { html } : {}) } };
    } catch (e) {
      return { ok: false, code: 'TEMPLATE.SYNTAX', part, message: e instanceof Error ? e.message : String(e) };
    }
  };

  const render = async (template: CompiledTemplate, input: unknown): Promise<RenderResult> => {
    const parsed = RenderContext.safeParse(input);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      return { ok: false, code: 'TEMPLATE.CONTEXT_INVALID', message: `${first?.path.join('.') ?? ''}: ${first?.message ?? 'invalid'}` };
    }
    const context = parsed.data;
    const { source } = template;
    for (const extra of source.requires) {
      if (context[extra] === undefined) return { ok: false, code: 'TEMPLATE.CONTEXT_MISSING', message: `${source.purpose} needs ${extra}` };
    }
    if (source.limitedContent && !context.contact.personName) {
      return { ok: false, code: 'TEMPLATE.CONTEXT_MISSING', message: 'a limited-content message names a person to contact: contact.personName (Reg F 1006.2(j)(1)(iii))' };
    }
    if (source.channel === 'email' && !source.confirmsOptOut && !context.optOut?.url) {
      return { ok: false, code: 'TEMPLATE.CONTEXT_MISSING', message: 'e-mail needs optOut.url (Reg F 1006.6(e), RFC 8058)' };
    }
    const scope: Scope = buildScope(context, source.channel, source.language, clock.now(), { confirmsOptOut: source.confirmsOptOut });
    // Synchronous rendering: the filters and the in-memory layouts never wait, and the promise
    // machinery of async rendering cost most of the time of a render.

    let part: RenderFailure['part'] = 'text';
    try {
      let text = tidy(textEngine.renderSync(template.text, scope), false);
      part = 'subject';
      const subject = template.subject ? tidy(textEngine.renderSync(template.subject, scope), true) : undefined;
      part = 'html';
      const html = template.html ? htmlEngine.renderSync(template.html, scope).trim() : undefined;
      part = 'whatsapp_parameter';
      const parameters: string[] = [];
      for (const p of template.parameters) parameters.push(tidy(textEngine.renderSync(p, scope), true));
      const size = text.length + (subject?.length ?? 0) + (html?.length ?? 0);
      if (size > limits.outputChars) return { ok: false, code: 'TEMPLATE.OUTPUT_TOO_LARGE', message: `${size} characters rendered (limit ${limits.outputChars})` };
      const message: RenderedMessage = {
        purpose: source.purpose, channel: source.channel, language: source.language, version: source.version,
        parts: { text, ...(subject !== undefined ? { subject } : {}), ...(html !== undefined ? { html } : {}) },
      };
      if (source.channel === 'sms') {
        const converted = options.preserveSmsUnicode ? { text, changed: false } : transliterateToGsm7(text);
        text = converted.text;
        message.parts.text = text;
        message.sms = { ...countSmsSegments(text), transliterated: converted.changed };
      }
      if (source.channel === 'whatsapp' && source.whatsapp) {
        message.whatsapp = { name: source.whatsapp.name, language: metaLanguageCode(source.language), bodyParameters: parameters };
      }
      return { ok: true, message };
    } catch (e) {
      return { ok: false, part, ...describe(e) };
    }
  };

  return { compile, render };
};
