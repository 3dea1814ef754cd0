import type { Language, TemplateSource } from './messaging.types.ts';

/**
 * WhatsApp template messages. Outside the 24-hour window Meta delivers only templates it has
 * approved, with `{{1}}`, `{{2}}`… filled from body parameters. Our library keeps each such
 * template as Liquid whose only dynamic parts are the listed parameter expressions, so the same
 * source gives the text Meta must approve (`whatsappSubmission`), the parameters to send, and
 * the preview the sandbox and the timeline show.
 */

/** Language codes the starter templates are registered under at Meta. */
export const META_LANGUAGE: Readonly<Record<Language, string>> = { es: 'es', en: 'en', pt: 'pt_BR' };

export const metaLanguageCode = (language: Language): string => META_LANGUAGE[language];

export interface WhatsAppSubmission {
  name: string;
  language: string;
  category: 'UTILITY' | 'MARKETING';
  /** Body as Meta's template editor wants it, with `{{n}}` placeholders. */
  body: string;
}

const escapeRegex = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Replaces each listed parameter expression by its `{{n}}`. */
export const whatsappSubmission = (source: TemplateSource): WhatsAppSubmission | undefined => {
  if (!source.whatsapp) return undefined;
  let body = source.parts.text.trim();
  source.whatsapp.parameters.forEach((expr, i) => {
    body = body.replace(new RegExp(escapeRegex(expr), 'g'), `{{${i + 1}}}`);
  });
  return {
    name: source.whatsapp.name,
    language: metaLanguageCode(source.language),
    category: source.whatsapp.category === 'utility' ? 'UTILITY' : 'MARKETING',
    body,
  };
};

/**
 * Problems that would make Meta reject the template or make our preview differ from what the
 * debtor receives: Liquid tags (Meta has no conditionals), output expressions not listed as
 * parameters, a parameter at the very start or end of the body or two in a row (Meta rejects
 * both), a body over 1024 characters, or no template name.
 */
export const validateWhatsAppSource = (source: TemplateSource): string[] => {
  const problems: string[] = [];
  if (!source.whatsapp) return ['no WhatsApp template name and parameters in the manifest'];
  const text = source.parts.text.trim();
  if (/\{%/.test(text)) problems.push('Liquid tags are not allowed: Meta templates have no conditionals');
  const submission = whatsappSubmission(source);
  const body = submission?.body ?? '';
  const leftover = /\{\{(?!\d+\}\})[^}]*\}\}/.exec(body);
  if (leftover) problems.push(`"${leftover[0]}" is not one of the listed parameters`);
  if (/^\{\{\d+\}\}/.test(body) || /\{\{\d+\}\}[.!?]?$/.test(body)) problems.push('a parameter may not start or end the body');
  if (/\{\{\d+\}\}\s*\{\{\d+\}\}/.test(body)) problems.push('two parameters may not be adjacent');
  if (body.length > 1024) problems.push(`body is ${body.length} characters; Meta allows 1024`);
  source.whatsapp.parameters.forEach((expr, i) => {
    if (!text.includes(expr)) problems.push(`parameter ${i + 1} (${expr}) does not appear in the body`);
  });
  return problems;
};
