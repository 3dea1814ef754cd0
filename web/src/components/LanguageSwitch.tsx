import { useTranslation } from 'react-i18next';
import { LANGUAGES } from '../i18n/index.ts';

/** ES | EN as a two-option radio group: one tab stop, arrows move, state announced. */
export const LanguageSwitch = () => {
  const { t, i18n } = useTranslation();
  const current = i18n.language.startsWith('en') ? 'en' : 'es';
  return (
    <fieldset className="segmented" aria-label={t('nav.language')}>
      <legend className="visually-hidden">{t('nav.language')}</legend>
      {LANGUAGES.map((l) => (
        <label key={l} className={l === current ? 'segmented-item is-active' : 'segmented-item'} lang={l}>
          <input type="radio" name="console-language" value={l} checked={l === current} onChange={() => void i18n.changeLanguage(l)} />
          <span aria-hidden="true">{l.toUpperCase()}</span>
          <span className="visually-hidden">{t(`languageName.${l}`)}</span>
        </label>
      ))}
    </fieldset>
  );
};
