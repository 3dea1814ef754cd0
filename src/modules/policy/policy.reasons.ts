import type { PolicyReason } from './policy.types.ts';
import { CHANNELS, WEEKDAYS } from './policy.vocabulary.ts';
import type { Channel, HoldKind } from './policy.vocabulary.ts';

/**
 * Reason codes are a stable public contract (clients branch on them; docs/policy.md lists them).
 * Each finding carries the rule that produced it and structured details; the es/en sentences
 * are rendered from the details only when a decision is returned.
 */
export const REASON_CODES = [
  'HOURS.OUTSIDE_WINDOW', 'DAYS.WEEKDAY_BLOCKED', 'DAYS.PUBLIC_HOLIDAY', 'TIMEZONE.UNKNOWN',
  'INCONVENIENT.TIME', 'INCONVENIENT.PLACE', 'INCONVENIENT.REPLY_ALLOWED',
  'CEASE.RECEIVED', 'CEASE.NOTICE_ALLOWED',
  'OPT_OUT.ADDRESS', 'OPT_OUT.CHANNEL', 'OPT_OUT.ADDRESS_UNKNOWN', 'OPT_OUT.CONFIRMATION_ALLOWED',
  'HOLD.DISPUTE', 'HOLD.BANKRUPTCY', 'HOLD.DECEASED', 'HOLD.BREATHING_SPACE', 'HOLD.PAUSE', 'HOLD.CEASE', 'HOLD.LITIGATION',
  'HOLD.PURPOSE_ALLOWED',
  'CHANNEL.PROHIBITED', 'CHANNEL.SENDER_NOT_PERMITTED', 'CHANNEL.NOT_ENABLED', 'CHANNEL.NOT_ALLOWED_BY_TENANT',
  'CONSENT.CHANNEL_NOT_AUTHORISED', 'WHATSAPP.OUTSIDE_SERVICE_WINDOW',
  'FREQUENCY.CALLS_7_IN_7_DAYS', 'FREQUENCY.CALL_AFTER_CONVERSATION', 'FREQUENCY.CAP_EXCEEDED', 'FREQUENCY.MIN_DAYS_BETWEEN',
  'FREQUENCY.SAME_DAY_AFTER_DIRECT_CONTACT', 'FREQUENCY.OTHER_CHANNEL_SAME_WEEK', 'FREQUENCY.CONSENT_WINDOW',
  'PREFERENCE.CHANNEL', 'PREFERENCE.HOURS', 'PREFERENCE.DAY', 'PREFERENCE.FREQUENCY',
  'VULNERABILITY.CHANNEL', 'VULNERABILITY.PAUSED', 'VULNERABILITY.HOURS', 'VULNERABILITY.DAY', 'VULNERABILITY.FREQUENCY',
  'VULNERABILITY.REVIEW_DUE',
  'OVERLAY.CLAMPED', 'OVERLAY.IGNORED',
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

export const holdCode = (kind: HoldKind): ReasonCode => `HOLD.${kind.toUpperCase()}` as ReasonCode;

/** The rule behind a finding, as reported in a reason. */
export interface RuleRef {
  readonly id: string;
  readonly citation: string;
  readonly verified: boolean;
}

export type Params = Readonly<Record<string, string | number | boolean>>;

export interface Finding {
  readonly code: ReasonCode;
  readonly effect: 'deny' | 'info';
  readonly ref: RuleRef;
  readonly params: Params;
  /** A deny that no amount of waiting lifts (cease, opt-out, a hold without end, …). */
  readonly permanent?: boolean;
}

type Text = { es: string; en: string };

const EN_ONE: Record<Channel, string> = {
  call: 'A call', sms: 'An SMS', whatsapp: 'A WhatsApp message', email: 'An e-mail', letter: 'A letter', visit: 'A visit',
};
const EN_MANY: Record<Channel, string> = {
  call: 'calls', sms: 'SMS', whatsapp: 'WhatsApp messages', email: 'e-mails', letter: 'letters', visit: 'visits',
};
const ES: Record<Channel, string> = {
  call: 'llamada', sms: 'SMS', whatsapp: 'WhatsApp', email: 'correo electrónico', letter: 'carta', visit: 'visita',
};
const EN_DAYS = ['Mondays', 'Tuesdays', 'Wednesdays', 'Thursdays', 'Fridays', 'Saturdays', 'Sundays'];
const ES_DAYS = ['lunes', 'martes', 'miércoles', 'jueves', 'viernes', 'sábados', 'domingos'];
const HOLD_EN: Record<HoldKind, string> = {
  dispute: 'dispute pending verification', bankruptcy: 'bankruptcy or insolvency', deceased: 'debtor deceased',
  breathing_space: 'breathing space', pause: 'paused by the creditor', cease: 'debtor asked to stop', litigation: 'collection lawsuit',
};
const HOLD_ES: Record<HoldKind, string> = {
  dispute: 'disputa pendiente de verificación', bankruptcy: 'quiebra o insolvencia', deceased: 'deudor fallecido',
  breathing_space: 'periodo de respiro (breathing space)', pause: 'pausa del acreedor', cease: 'el deudor pidió cesar',
  litigation: 'demanda de cobro',
};

const str = (p: Params, k: string): string => String(p[k] ?? '');
const channelOf = (p: Params): Channel => (CHANNELS as readonly string[]).includes(str(p, 'channel')) ? (p['channel'] as Channel) : 'call';
const channelNames = new Map<string, { en: string; es: string }>();
function namesOf(list: string): { en: string; es: string } {
  let n = channelNames.get(list);
  if (!n) {
    const cs = list.split(',').filter(Boolean);
    n = { en: cs.map((c) => EN_MANY[c as Channel] ?? c).join(', '), es: cs.map((c) => ES[c as Channel] ?? c).join(', ') };
    channelNames.set(list, n);
  }
  return n;
}
const channelsEn = (p: Params): string => namesOf(str(p, 'channels')).en;
const channelsEs = (p: Params): string => namesOf(str(p, 'channels')).es;
const dayIndex = (p: Params): number => WEEKDAYS.indexOf(str(p, 'weekday') as (typeof WEEKDAYS)[number]);
const holdKind = (p: Params): HoldKind => str(p, 'hold') as HoldKind;
const debtsEn = (p: Params): string => (p['debt'] ? `debt ${str(p, 'debt')}` : 'every debt');
const debtsEs = (p: Params): string => (p['debt'] ? `la deuda ${str(p, 'debt')}` : 'todas las deudas');
const untilEn = (p: Params): string => (p['until'] ? ` until ${str(p, 'until')}` : '');
const untilEs = (p: Params): string => (p['until'] ? ` hasta ${str(p, 'until')}` : '');

const capText = (prefixEn: string, prefixEs: string) => (p: Params): Text => ({
  en: `${prefixEn}at most ${str(p, 'max')} ${channelsEn(p)} in ${str(p, 'period')}${p['debt'] ? ` about debt ${str(p, 'debt')}` : ''}; `
    + `${str(p, 'count')} already between ${str(p, 'firstDate')} and ${str(p, 'lastDate')}.`,
  es: `${prefixEs}como máximo ${str(p, 'max')} contactos por ${channelsEs(p)} en ${str(p, 'periodEs')}`
    + `${p['debt'] ? ` sobre la deuda ${str(p, 'debt')}` : ''}; ya hay ${str(p, 'count')} entre el ${str(p, 'firstDate')} y el ${str(p, 'lastDate')}.`,
});

const MESSAGES: Record<ReasonCode, (p: Params) => Text> = {
  'HOURS.OUTSIDE_WINDOW': (p) => ({
    en: `${EN_ONE[channelOf(p)]} at ${str(p, 'localTime')} on ${str(p, 'localDate')} (${str(p, 'zone')}) is outside the allowed hours (${str(p, 'windows')}).`,
    es: `El contacto por ${ES[channelOf(p)]} a las ${str(p, 'localTime')} del ${str(p, 'localDate')} (${str(p, 'zone')}) queda fuera del horario permitido (${str(p, 'windows')}).`,
  }),
  'DAYS.WEEKDAY_BLOCKED': (p) => ({
    en: `No ${EN_MANY[channelOf(p)]} on ${EN_DAYS[dayIndex(p)] ?? ''} (${str(p, 'localDate')}, ${str(p, 'zone')}).`,
    es: `No se permite contacto por ${ES[channelOf(p)]} los ${ES_DAYS[dayIndex(p)] ?? ''} (${str(p, 'localDate')}, ${str(p, 'zone')}).`,
  }),
  'DAYS.PUBLIC_HOLIDAY': (p) => ({
    en: `${str(p, 'localDate')} is a public holiday in ${str(p, 'calendar')} (${str(p, 'holiday')}): no ${EN_MANY[channelOf(p)]}.`,
    es: `El ${str(p, 'localDate')} es festivo en ${str(p, 'calendar')} (${str(p, 'holiday')}): no se permite contacto por ${ES[channelOf(p)]}.`,
  }),
  'TIMEZONE.UNKNOWN': (p) => ({
    en: `The debtor's time zone is unknown: only times allowed in every zone of ${str(p, 'jurisdiction')} are used (${str(p, 'zones')}).`,
    es: `Se desconoce la zona horaria del deudor: solo se usan horas permitidas en todas las zonas de ${str(p, 'jurisdiction')} (${str(p, 'zones')}).`,
  }),
  'INCONVENIENT.TIME': (p) => ({
    en: `The debtor designated ${str(p, 'designation')} as inconvenient: no contact by any channel then.`,
    es: `El deudor indicó que ${str(p, 'designation')} no le conviene: no se le contacta por ningún canal en ese horario.`,
  }),
  'INCONVENIENT.PLACE': (p) => ({
    en: `The debtor designated ${str(p, 'address')} as an inconvenient place to be contacted.`,
    es: `El deudor indicó que ${str(p, 'address')} no es un lugar conveniente para contactarle.`,
  }),
  'INCONVENIENT.REPLY_ALLOWED': (p) => ({
    en: `The debtor contacted us by ${EN_MANY[channelOf(p)]} at ${str(p, 'inboundAt')} in a time or place they designated as inconvenient: one reply on the same channel is allowed.`,
    es: `El deudor nos contactó por ${ES[channelOf(p)]} el ${str(p, 'inboundAt')} en un horario o lugar que indicó como inconveniente: se permite una respuesta por el mismo canal.`,
  }),
  'CEASE.RECEIVED': (p) => ({
    en: `The debtor asked us to stop communicating (${str(p, 'since')}); only the notices the law allows may be sent.`,
    es: `El deudor pidió que dejemos de comunicarnos (${str(p, 'since')}); solo se pueden enviar las notificaciones que permite la ley.`,
  }),
  'CEASE.NOTICE_ALLOWED': (p) => ({
    en: `Communication has ceased, but a ${str(p, 'purpose')} notice by ${EN_MANY[channelOf(p)]} is allowed.`,
    es: `La comunicación cesó, pero se permite una notificación (${str(p, 'purpose')}) por ${ES[channelOf(p)]}.`,
  }),
  'OPT_OUT.ADDRESS': (p) => ({
    en: `${str(p, 'address')} opted out of ${EN_MANY[channelOf(p)]} (${str(p, 'since')}); the opt-out covers every debt.`,
    es: `${str(p, 'address')} se dio de baja de ${ES[channelOf(p)]} (${str(p, 'since')}); la baja aplica a todas las deudas.`,
  }),
  'OPT_OUT.CHANNEL': (p) => ({
    en: `The debtor opted out of all ${EN_MANY[channelOf(p)]} (${str(p, 'since')}).`,
    es: `El deudor se dio de baja de todo contacto por ${ES[channelOf(p)]} (${str(p, 'since')}).`,
  }),
  'OPT_OUT.ADDRESS_UNKNOWN': (p) => ({
    en: `The debtor opted out of ${EN_MANY[channelOf(p)]} at some addresses and this contact names no address.`,
    es: `El deudor se dio de baja de ${ES[channelOf(p)]} en alguna dirección y este contacto no indica la dirección.`,
  }),
  'OPT_OUT.CONFIRMATION_ALLOWED': (p) => ({
    en: `One confirmation of the opt-out may be sent to ${str(p, 'address')}.`,
    es: `Se puede enviar una confirmación de la baja a ${str(p, 'address')}.`,
  }),
  'HOLD.DISPUTE': (p) => holdText(p),
  'HOLD.BANKRUPTCY': (p) => holdText(p),
  'HOLD.DECEASED': (p) => holdText(p),
  'HOLD.BREATHING_SPACE': (p) => holdText(p),
  'HOLD.PAUSE': (p) => holdText(p),
  'HOLD.CEASE': (p) => holdText(p),
  'HOLD.LITIGATION': (p) => holdText(p),
  'HOLD.PURPOSE_ALLOWED': (p) => ({
    en: `${debtsEn(p)} is on hold (${HOLD_EN[holdKind(p)]}), but a ${str(p, 'purpose')} contact is allowed.`,
    es: `${debtsEs(p)} está en espera (${HOLD_ES[holdKind(p)]}), pero se permite un contacto de tipo ${str(p, 'purpose')}.`,
  }),
  'CHANNEL.PROHIBITED': (p) => ({
    en: `${cap(EN_MANY[channelOf(p)])} are not allowed in this jurisdiction.`,
    es: `En esta jurisdicción no se permite el contacto por ${ES[channelOf(p)]}.`,
  }),
  'CHANNEL.SENDER_NOT_PERMITTED': (p) => ({
    en: `${cap(EN_MANY[channelOf(p)])} may only be sent by the creditor itself, not by a collection agency.`,
    es: `Solo el propio acreedor puede enviar ${ES[channelOf(p)]}, no una agencia de cobranza.`,
  }),
  'CHANNEL.NOT_ENABLED': (p) => ({
    en: `${cap(EN_MANY[channelOf(p)])} are restricted by the provider and not enabled for this tenant.`,
    es: `El proveedor restringe ${ES[channelOf(p)]} y no está habilitado para este cliente.`,
  }),
  'CHANNEL.NOT_ALLOWED_BY_TENANT': (p) => ({
    en: `This tenant does not contact debtors by ${EN_MANY[channelOf(p)]}.`,
    es: `Este cliente no contacta a deudores por ${ES[channelOf(p)]}.`,
  }),
  'CONSENT.CHANNEL_NOT_AUTHORISED': (p) => ({
    en: `The debtor has not authorised ${EN_MANY[channelOf(p)]}${p['address'] ? ` at ${str(p, 'address')}` : ''}.`,
    es: `El deudor no autorizó el contacto por ${ES[channelOf(p)]}${p['address'] ? ` en ${str(p, 'address')}` : ''}.`,
  }),
  'WHATSAPP.OUTSIDE_SERVICE_WINDOW': (p) => ({
    en: `Free-form WhatsApp messages are only allowed within ${str(p, 'hours')} hours of the debtor's last message; use an approved template.`,
    es: `Los mensajes libres de WhatsApp solo se permiten hasta ${str(p, 'hours')} horas después del último mensaje del deudor; use una plantilla aprobada.`,
  }),
  'FREQUENCY.CALLS_7_IN_7_DAYS': (p) => ({
    en: `${str(p, 'count')} calls about ${debtsEn(p)} already fall within 7 consecutive days (${str(p, 'firstDate')} to ${str(p, 'lastDate')}); another one is presumed harassment.`,
    es: `Ya hay ${str(p, 'count')} llamadas sobre ${debtsEs(p)} en 7 días consecutivos (del ${str(p, 'firstDate')} al ${str(p, 'lastDate')}); otra se presume acoso.`,
  }),
  'FREQUENCY.CALL_AFTER_CONVERSATION': (p) => ({
    en: `There was a telephone conversation about ${debtsEn(p)} on ${str(p, 'conversationDate')} (day 1): no call about it through ${str(p, 'lastDate')}.`,
    es: `Hubo una conversación telefónica sobre ${debtsEs(p)} el ${str(p, 'conversationDate')} (día 1): no se puede llamar por ella hasta el ${str(p, 'lastDate')} inclusive.`,
  }),
  'FREQUENCY.CAP_EXCEEDED': capText('', ''),
  'FREQUENCY.MIN_DAYS_BETWEEN': (p) => ({
    en: `${cap(channelsEn(p))} must be at least ${str(p, 'gap')} days apart; there is one on ${str(p, 'otherDate')}.`,
    es: `Los contactos por ${channelsEs(p)} deben separarse al menos ${str(p, 'gap')} días; hay uno el ${str(p, 'otherDate')}.`,
  }),
  'FREQUENCY.SAME_DAY_AFTER_DIRECT_CONTACT': (p) => ({
    en: `The debtor was already contacted on ${str(p, 'localDate')} (by ${EN_MANY[str(p, 'otherChannel') as Channel] ?? ''}): not more than once a day.`,
    es: `Ya se contactó al deudor el ${str(p, 'localDate')} (por ${ES[str(p, 'otherChannel') as Channel] ?? ''}): no más de una vez al día.`,
  }),
  'FREQUENCY.OTHER_CHANNEL_SAME_WEEK': (p) => ({
    en: `The debtor was contacted by ${EN_MANY[str(p, 'otherChannel') as Channel] ?? ''} in the week starting ${str(p, 'weekStartDate')}: not through several channels in the same week.`,
    es: `Se contactó al deudor por ${ES[str(p, 'otherChannel') as Channel] ?? ''} en la semana que empieza el ${str(p, 'weekStartDate')}: no por varios canales en la misma semana.`,
  }),
  'FREQUENCY.CONSENT_WINDOW': (p) => ({
    en: `The debtor consented directly to calls about ${debtsEn(p)} until ${str(p, 'until')}: this call does not count towards the call frequencies.`,
    es: `El deudor consintió directamente llamadas sobre ${debtsEs(p)} hasta ${str(p, 'until')}: esta llamada no cuenta para los límites de frecuencia.`,
  }),
  'PREFERENCE.CHANNEL': (p) => ({
    en: `The debtor prefers other channels (${channelsEn(p)}).`,
    es: `El deudor prefiere otros canales (${channelsEs(p)}).`,
  }),
  'PREFERENCE.HOURS': (p) => ({
    en: `The debtor prefers contact at ${str(p, 'windows')}; ${str(p, 'localTime')} (${str(p, 'zone')}) is outside.`,
    es: `El deudor prefiere ser contactado en el horario ${str(p, 'windows')}; las ${str(p, 'localTime')} (${str(p, 'zone')}) quedan fuera.`,
  }),
  'PREFERENCE.DAY': (p) => ({
    en: `The debtor prefers not to be contacted on ${EN_DAYS[dayIndex(p)] ?? ''}.`,
    es: `El deudor prefiere no ser contactado los ${ES_DAYS[dayIndex(p)] ?? ''}.`,
  }),
  'PREFERENCE.FREQUENCY': capText('The debtor asked for ', 'El deudor pidió '),
  'VULNERABILITY.CHANNEL': (p) => ({
    en: `Vulnerability adaptation: contact only by ${channelsEn(p)}.`,
    es: `Adaptación por vulnerabilidad: contactar solo por ${channelsEs(p)}.`,
  }),
  'VULNERABILITY.PAUSED': (p) => ({
    en: `Vulnerability adaptation: contact is paused until ${str(p, 'until')}.`,
    es: `Adaptación por vulnerabilidad: el contacto está pausado hasta ${str(p, 'until')}.`,
  }),
  'VULNERABILITY.HOURS': (p) => ({
    en: `Vulnerability adaptation: contact only at ${str(p, 'windows')}; ${str(p, 'localTime')} (${str(p, 'zone')}) is outside.`,
    es: `Adaptación por vulnerabilidad: contactar solo en el horario ${str(p, 'windows')}; las ${str(p, 'localTime')} (${str(p, 'zone')}) quedan fuera.`,
  }),
  'VULNERABILITY.DAY': (p) => ({
    en: `Vulnerability adaptation: no contact on ${EN_DAYS[dayIndex(p)] ?? ''}.`,
    es: `Adaptación por vulnerabilidad: sin contacto los ${ES_DAYS[dayIndex(p)] ?? ''}.`,
  }),
  'VULNERABILITY.FREQUENCY': capText('Vulnerability adaptation: ', 'Adaptación por vulnerabilidad: '),
  'VULNERABILITY.REVIEW_DUE': (p) => ({
    en: `The vulnerability record was due for review on ${str(p, 'reviewAt')}.`,
    es: `El registro de vulnerabilidad debía revisarse el ${str(p, 'reviewAt')}.`,
  }),
  'OVERLAY.CLAMPED': (p) => ({
    en: `The tenant overlay asked for ${str(p, 'setting')} = ${str(p, 'requested')} on ${str(p, 'rule')}, looser than the law; ${str(p, 'applied')} applies.`,
    es: `La configuración del cliente pidió ${str(p, 'setting')} = ${str(p, 'requested')} en ${str(p, 'rule')}, menos estricta que la ley; se aplica ${str(p, 'applied')}.`,
  }),
  'OVERLAY.IGNORED': (p) => ({
    en: `The tenant overlay setting ${str(p, 'setting')} for ${str(p, 'rule')} does not apply to this pack and was ignored.`,
    es: `La configuración del cliente ${str(p, 'setting')} para ${str(p, 'rule')} no aplica a este paquete y se ignoró.`,
  }),
};

function holdText(p: Params): Text {
  return {
    en: `${cap(debtsEn(p))} is on hold (${HOLD_EN[holdKind(p)]}) since ${str(p, 'since')}${untilEn(p)}.`,
    es: `${cap(debtsEs(p))} está en espera (${HOLD_ES[holdKind(p)]}) desde ${str(p, 'since')}${untilEs(p)}.`,
  };
}

const spanishFirst = (m: Text): Text => ({ es: m.es, en: m.en });

function cap(s: string): string {
  return s.length > 0 ? s[0]!.toUpperCase() + s.slice(1) : s;
}

/** The public reason for a finding, with its sentences in Spanish and English. */
export function toReason(f: Finding): PolicyReason {
  return {
    code: f.code,
    effect: f.effect,
    rule: f.ref.id,
    citation: f.ref.citation,
    verified: f.ref.verified,
    message: spanishFirst(MESSAGES[f.code](f.params)),
    // Not copied: findings shared across decisions (channel gates, overlay notes) are frozen.
    details: f.params as Record<string, string | number | boolean>,
  };
}
