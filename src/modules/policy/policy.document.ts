import { compilePolicy } from './policy.compile.ts';
import { evaluateContact } from './policy.evaluate.ts';
import { BUILT_IN_PACKS } from './policy.packs.ts';
import type { PolicyPacks } from './policy.packs.ts';
import { TenantOverlay } from './policy.pack.types.ts';
import { toReason } from './policy.reasons.ts';
import { PolicyEvaluateRequest } from './policy.types.ts';
import type { PolicyDecision, PolicyReason } from './policy.types.ts';

/**
 * Parses an untrusted evaluation document (CLI input, HTTP body) and evaluates it. Throws the
 * ZodError of the first invalid document, whose issues name each offending field by path.
 */
export function evaluatePolicyDocument(doc: unknown): PolicyDecision {
  return evaluateContact(PolicyEvaluateRequest.parse(doc));
}

/**
 * What a tenant overlay would do to a jurisdiction's pack: the settings that were clamped
 * because they would loosen a verified rule, and those that were ignored. A settings screen can
 * reject an overlay when this list is not empty; the engine itself applies the clamped values.
 */
export function reviewTenantOverlay(jurisdiction: string, overlay: unknown, packs: PolicyPacks = BUILT_IN_PACKS): PolicyReason[] {
  const pack = packs[jurisdiction];
  if (!pack) throw new Error(`no policy pack for jurisdiction ${jurisdiction}`);
  return compilePolicy(pack, TenantOverlay.parse(overlay)).adjustments.map(toReason);
}
