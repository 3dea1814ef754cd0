/**
 * Contact-policy engine: the guard in front of every outbound contact (COMPLIANCE.md, issue 3).
 * Pure functions over data; docs/policy.md documents the input document, every reason code and
 * every pack rule.
 */
export { evaluateContact, allowedWindows } from './policy.evaluate.ts';
export { createSharedWindows, sharedWindowsKey } from './policy.shared.ts';
export { holidayRegionOf, holidayRegions } from './policy.holidays.ts';
export type { SharedWindows } from './policy.shared.ts';
export type { EvaluateOptions, WindowQuery } from './policy.evaluate.ts';
export { evaluatePolicyDocument, reviewTenantOverlay } from './policy.document.ts';
export { BUILT_IN_PACKS, parsePolicyPack } from './policy.packs.ts';
export type { PolicyPacks } from './policy.packs.ts';
export { PolicyPack, TenantOverlay } from './policy.pack.types.ts';
export { PolicyEvaluateRequest, PolicyDecision, PolicyReason, AllowedWindow, JURISDICTIONS } from './policy.types.ts';
export type { PolicyInput } from './policy.types.ts';
export { REASON_CODES } from './policy.reasons.ts';
export type { ReasonCode } from './policy.reasons.ts';
export { CHANNELS, OUTCOMES, HOLD_KINDS, PURPOSES } from './policy.vocabulary.ts';
export type { Channel, Outcome, HoldKind, Purpose } from './policy.vocabulary.ts';
export { createPolicyService, type PolicyService, type PolicyDeps, type DecisionSubject } from './policy.service.ts';
export { policyRoutes } from './policy.routes.ts';
