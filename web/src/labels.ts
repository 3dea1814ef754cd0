import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { isKnownBucket } from './buckets.ts';

/** `personal_loan` -> `Personal loan`: the fallback for product codes the console does not know. */
export const humanize = (code: string): string => {
  const s = code.replace(/[_-]+/g, ' ').trim();
  return s ? s.charAt(0).toUpperCase() + s.slice(1) : code;
};

/**
 * Words for the API's codes (statuses, buckets, products, channels) in the current language.
 * Codes the console does not know yet are shown humanised rather than hidden.
 */
export const useLabels = () => {
  const { t, i18n } = useTranslation();
  return useMemo(
    () => ({
      status: (s: string) => t(`accountStatus.${s}`, { defaultValue: humanize(s) }),
      bucket: (b: string) => (isKnownBucket(b) ? t(`bucket.${b}`) : b),
      product: (p: string) => t(`product.${p}`, { defaultValue: humanize(p) }),
      consent: (c: string) => t(`consent.${c}`, { defaultValue: humanize(c) }),
      consentBadge: (c: string) => t(`consentBadge.${c}`, { defaultValue: humanize(c) }),
      contactKind: (k: string) => t(`contactKind.${k}`, { defaultValue: humanize(k) }),
      txKind: (k: string) => t(`txKind.${k}`, { defaultValue: humanize(k) }),
      component: (c: string) => t(`component.${c}`, { defaultValue: humanize(c) }),
      method: (m: string) => t(`paymentMethod.${m}`, { defaultValue: humanize(m) }),
      language: (l: string) => t(`languageName.${l}`, { defaultValue: l }),
      country: (c: string) => {
        try {
          return new Intl.DisplayNames([i18n.language], { type: 'region' }).of(c) ?? c;
        } catch {
          return c;
        }
      },
    }),
    [t, i18n.language],
  );
};
