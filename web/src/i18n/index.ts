import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import es from './es.json' with { type: 'json' };
import en from './en.json' with { type: 'json' };
import type { Lang } from '../format.ts';

export const LANGUAGES: readonly Lang[] = ['es', 'en'];
const STORAGE_KEY = 'tacto.lang';

const stored = (): Lang => {
  try {
    const v = localStorage.getItem(STORAGE_KEY);
    return v === 'en' || v === 'es' ? v : 'es';
  } catch {
    return 'es';
  }
};

/** Spanish first: the console starts in Spanish unless the person chose English before. */
void i18n.use(initReactI18next).init({
  resources: { es: { translation: es }, en: { translation: en } },
  lng: stored(),
  fallbackLng: 'es',
  supportedLngs: LANGUAGES,
  interpolation: { escapeValue: false },
  returnNull: false,
});

const applyLang = (lng: string) => {
  document.documentElement.lang = lng;
};
applyLang(i18n.language);
i18n.on('languageChanged', (lng) => {
  applyLang(lng);
  try {
    localStorage.setItem(STORAGE_KEY, lng);
  } catch {
    /* private mode: the choice lasts for this page only */
  }
});

export { i18n };
