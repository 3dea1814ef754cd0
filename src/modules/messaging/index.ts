/**
 * Messaging (issue 5, items 1–2 and the channel half of 5): templates, rendering, the template
 * check, opt-out keywords, and the bridge to channel adapters. The dispatcher and the
 * status/inbound storage build on these. See docs/messaging.md.
 */
export {
  LANGUAGES, TEMPLATE_CHANNELS, PURPOSES, JURISDICTIONS, SEVERITIES, CONTEXT_EXTRAS,
  Language, TemplateChannel, Purpose, Jurisdiction, Money, RenderContext,
} from './messaging.types.ts';
export type { TemplateSource, Finding, FindingCode, Severity, MessagePart, SmsMetadata, ContextExtra } from './messaging.types.ts';

export { createTemplateRenderer } from './messaging.render.ts';
export type {
  TemplateRenderer, RendererOptions, CompiledTemplate, RenderedMessage, RenderResult, RenderFailure, RenderErrorCode,
} from './messaging.render.ts';
export { loadTemplateLibrary, STARTER_LIBRARY_DIR, TemplateManifest } from './messaging.library.ts';
export type { TemplateLibrary } from './messaging.library.ts';

export { checkMessage } from './messaging.check.domain.ts';
export type { CheckInput, CheckFacts, CheckResult } from './messaging.check.domain.ts';
export { checkFactsFor, identificationText, disclosureText, optOutText, resolveLocale } from './messaging.requirements.domain.ts';
export { checkRendered, previewTemplate } from './messaging.preview.ts';
export type { PreviewResult } from './messaging.preview.ts';
export { sampleContext, SAMPLE_JURISDICTIONS } from './messaging.samples.ts';

export { countSmsSegments, isGsm7, nonGsm7Characters, transliterateToGsm7, GSM7_SINGLE, GSM7_PART, UCS2_SINGLE, UCS2_PART } from './messaging.gsm.domain.ts';
export { readability, fernandezHuerta, fernandezHuertaAsCited, fleschReadingEase, fleschMartins, FORMULAS } from './messaging.readability.domain.ts';
export type { Readability, ReadabilityFormula } from './messaging.readability.domain.ts';
export { countSyllables, syllablesEs, syllablesEn, syllablesPt } from './messaging.syllables.domain.ts';

export { detectOptOutKeyword, normaliseReply } from './messaging.optout.domain.ts';
export type { KeywordMatch, KeywordAction } from './messaging.optout.domain.ts';

export { whatsappSubmission, validateWhatsAppSource, metaLanguageCode, META_LANGUAGE } from './messaging.whatsapp.ts';
export type { WhatsAppSubmission } from './messaging.whatsapp.ts';
export { toOutboundMessage } from './messaging.outbound.ts';
export type { OutboundOptions, OutboundBuild } from './messaging.outbound.ts';

export { createMessagingService } from './messaging.service.ts';
export type { MessagingService, MessagingDeps } from './messaging.service.ts';
export type { DispatchOptions, DispatchStats } from './messaging.dispatcher.ts';
export { ChannelConfigInput, ChannelSettings } from './messaging.channels.ts';
export { messagingApiRoutes, messagingPublicRoutes, BounceNotification } from './messaging.routes.ts';
export {
  checkChannelRules, jurisdictionFor, backoffSeconds, takeTokens, contactStatusFor, statusAdvances, recoveryAction, WHATSAPP_WINDOW_MS,
} from './messaging.dispatch.domain.ts';
export type { SuppressionCode, ChannelRuleInput, ChannelRuleOutcome, RecoveryAction, Bucket } from './messaging.dispatch.domain.ts';
