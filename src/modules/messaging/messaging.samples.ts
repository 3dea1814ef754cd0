import type { Jurisdiction, Language, RenderContext } from './messaging.types.ts';

/**
 * Realistic sample contexts for previews in the template editor and for checking templates
 * before they are published: names and amounts of typical length, so segment counts and
 * readability reflect real sends. One per language and jurisdiction; `sender` picks first-party
 * (the creditor writes) or third-party (an agency writes on its behalf).
 */
interface Locale {
  language: Language;
  country: string;
  locale: string;
  timeZone: string;
  currency: string;
  firstName: string;
  creditor: RenderContext['creditor'];
  agency: string;
  person: string;
  phone: string;
  host: string;
  lesson: string;
}

const LOCALES: Readonly<Record<string, Locale>> = {
  'es-ES': { language: 'es', country: 'ES', locale: 'es-ES', timeZone: 'Europe/Madrid', currency: 'EUR', firstName: 'Lucía', creditor: { name: 'Financiera Sol', taxId: 'A12345678', taxIdLabel: 'NIF' }, agency: 'Gestiones Norte', person: 'Marta Ruiz', phone: '910 000 000', host: 'pagos.financierasol.es', lesson: 'Cómo organizar tus pagos del mes' },
  'es-MX': { language: 'es', country: 'MX', locale: 'es-MX', timeZone: 'America/Mexico_City', currency: 'MXN', firstName: 'José', creditor: { name: 'Crédito Ágil', taxId: 'CAG120304AB1', taxIdLabel: 'RFC' }, agency: 'Servicios Alfa', person: 'Laura Méndez', phone: '55 1234 5678', host: 'pagos.creditoagil.mx', lesson: 'Cómo organizar tus pagos del mes' },
  'es-CO': { language: 'es', country: 'CO', locale: 'es-CO', timeZone: 'America/Bogota', currency: 'COP', firstName: 'Camila', creditor: { name: 'Banco Andino', taxId: '900123456-7', taxIdLabel: 'NIT' }, agency: 'Soluciones Andes', person: 'Andrés Gómez', phone: '601 555 0100', host: 'pagos.bancoandino.co', lesson: 'Cómo organizar tus pagos del mes' },
  'es-PE': { language: 'es', country: 'PE', locale: 'es-PE', timeZone: 'America/Lima', currency: 'PEN', firstName: 'Rosa', creditor: { name: 'Caja Pacífico', taxId: '20123456789', taxIdLabel: 'RUC' }, agency: 'Servicios Lima', person: 'Carlos Quispe', phone: '01 555 0100', host: 'pagos.cajapacifico.pe', lesson: 'Cómo organizar tus pagos del mes' },
  'es-CL': { language: 'es', country: 'CL', locale: 'es-CL', timeZone: 'America/Santiago', currency: 'CLP', firstName: 'Tomás', creditor: { name: 'Crédito Austral', taxId: '76.123.456-7', taxIdLabel: 'RUT' }, agency: 'Servicios Sur', person: 'Paula Soto', phone: '2 2555 0100', host: 'pagos.creditoaustral.cl', lesson: 'Cómo organizar tus pagos del mes' },
  'es-US': { language: 'es', country: 'US', locale: 'es-US', timeZone: 'America/Los_Angeles', currency: 'USD', firstName: 'Carmen', creditor: { name: 'Sun Valley Bank' }, agency: 'Brightline Partners', person: 'Diego Flores', phone: '(800) 555-0100', host: 'pay.sunvalleybank.com', lesson: 'Cómo organizar tus pagos del mes' },
  'en-US': { language: 'en', country: 'US', locale: 'en-US', timeZone: 'America/New_York', currency: 'USD', firstName: 'Maria', creditor: { name: 'Sun Valley Bank' }, agency: 'Brightline Partners', person: 'Jordan Lee', phone: '(800) 555-0100', host: 'pay.sunvalleybank.com', lesson: 'How to plan your payments for the month' },
  'en-GB': { language: 'en', country: 'GB', locale: 'en-GB', timeZone: 'Europe/London', currency: 'GBP', firstName: 'Oliver', creditor: { name: 'Thames Finance' }, agency: 'Northgate Services', person: 'Amy Clarke', phone: '020 7946 0000', host: 'pay.thamesfinance.co.uk', lesson: 'How to plan your payments for the month' },
  'pt-BR': { language: 'pt', country: 'BR', locale: 'pt-BR', timeZone: 'America/Sao_Paulo', currency: 'BRL', firstName: 'Ana', creditor: { name: 'Financeira Horizonte', taxId: '12.345.678/0001-90', taxIdLabel: 'CNPJ' }, agency: 'Parceria Assessoria', person: 'Carla Souza', phone: '(11) 4000-0000', host: 'pagar.horizonte.com.br', lesson: 'Como organizar seus pagamentos do mês' },
};

/** Which locale stands for a jurisdiction in a language (es-US for Spanish speakers in the US…). */
const LOCALE_FOR: Readonly<Record<Language, Partial<Record<Jurisdiction, string>>>> = {
  es: { ES: 'es-ES', MX: 'es-MX', CO: 'es-CO', PE: 'es-PE', CL: 'es-CL', US: 'es-US' },
  en: { US: 'en-US', UK: 'en-GB' },
  pt: { BR: 'pt-BR' },
};

/** Jurisdictions each language is checked against. */
export const SAMPLE_JURISDICTIONS: Readonly<Record<Language, readonly Jurisdiction[]>> = {
  es: ['ES', 'MX', 'CO', 'PE', 'CL', 'US'],
  en: ['US', 'UK'],
  pt: ['BR'],
};

/** Amounts in minor units (COP and CLP have none: ICU gives them exponent 0), with grouping shown in every currency. */
const AMOUNTS: Readonly<Record<string, { balance: number; due: number; instalment: number }>> = {
  EUR: { balance: 1_234_567, due: 18_540, instalment: 6_180 },
  MXN: { balance: 4_598_000, due: 345_000, instalment: 115_000 },
  COP: { balance: 4_250_000, due: 450_000, instalment: 150_000 },
  PEN: { balance: 1_280_050, due: 62_000, instalment: 20_700 },
  CLP: { balance: 1_450_000, due: 98_000, instalment: 32_700 },
  USD: { balance: 1_234_567, due: 18_540, instalment: 6_180 },
  GBP: { balance: 1_234_567, due: 18_540, instalment: 6_180 },
  BRL: { balance: 1_234_567, due: 45_990, instalment: 15_330 },
};

export const sampleContext = (language: Language, jurisdiction: Jurisdiction, sender: 'creditor' | 'agency' = 'creditor'): RenderContext => {
  const key = LOCALE_FOR[language][jurisdiction] ?? Object.values(LOCALE_FOR[language])[0] ?? 'es-ES';
  const l = LOCALES[key];
  if (!l) throw new Error(`no sample locale ${key}`);
  const amounts = AMOUNTS[l.currency] ?? { balance: 1_234_567, due: 18_540, instalment: 6_180 };
  const money = (minor: number): { minor: number; currency: string } => ({ minor, currency: l.currency });
  const business = sender === 'agency' ? l.agency : l.creditor.name;
  return {
    jurisdiction,
    debtor: { firstName: l.firstName, language, locale: l.locale, country: l.country, timeZone: l.timeZone },
    account: { reference: 'PR-2024-0815', balance: money(amounts.balance), amountDue: money(amounts.due), dueDate: '2026-03-15', daysPastDue: 12 },
    creditor: l.creditor,
    ...(sender === 'agency' ? { agency: { name: l.agency, collectorName: l.person } } : {}),
    contact: {
      businessName: business, personName: l.person, phone: l.phone, email: `${language === 'en' ? 'help' : language === 'pt' ? 'ajuda' : 'ayuda'}@${l.host.replace(/^pag(?:os|ar)\.|^pay\./, '')}`,
      hours: language === 'en' ? 'Mon–Fri 9:00–18:00' : language === 'pt' ? 'seg. a sex., 9h às 18h' : 'lun. a vie., 9:00 a 18:00',
    },
    link: `https://${l.host}/p/7Hk2Qm`,
    offer: { instalments: 6, instalmentAmount: money(amounts.instalment), frequency: 'monthly', firstDueDate: '2026-04-01', expiresOn: '2026-03-31' },
    promise: { amount: money(amounts.due), date: '2026-03-20' },
    lesson: { title: l.lesson, url: `https://${l.host}/lessons/plan-your-month`, minutes: 3 },
    optOut: { url: `https://${l.host}/u/7Hk2Qm` },
  };
};
