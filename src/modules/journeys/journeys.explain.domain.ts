/**
 * Explanations of journey decisions for `tacto explain`, the API and the agent's timeline. Each
 * line has a stable code and its parameters (for storage, filtering and translation) plus the
 * sentence in the two staff-console languages, so a record stays readable without this code.
 */

export type ExplainParams = Readonly<Record<string, string | number>>;

export interface ExplanationLine {
  readonly code: ExplainCode;
  readonly params: ExplainParams;
  readonly text: { readonly es: string; readonly en: string };
}

type Sentence = (p: ExplainParams) => { es: string; en: string };

const s = (p: ExplainParams, k: string): string => String(p[k] ?? '?');

const SENTENCES = {
  'JOURNEY.STARTED': (p) => ({
    en: `Started journey ${s(p, 'journey')} v${s(p, 'version')} at step ${s(p, 'step')}.`,
    es: `Inicia el recorrido ${s(p, 'journey')} v${s(p, 'version')} en el paso ${s(p, 'step')}.`,
  }),
  'JOURNEY.VERSION_CHANGED': (p) => ({
    en: `Journey moved from v${s(p, 'from')} to v${s(p, 'to')}; step ${s(p, 'step')} exists in both, so it continues there.`,
    es: `El recorrido pasa de v${s(p, 'from')} a v${s(p, 'to')}; el paso ${s(p, 'step')} existe en ambas y continúa ahí.`,
  }),
  'JOURNEY.VERSION_RESTARTED': (p) => ({
    en: `Journey moved from v${s(p, 'from')} to v${s(p, 'to')}, which has no step ${s(p, 'step')}: restarted at the first step.`,
    es: `El recorrido pasa de v${s(p, 'from')} a v${s(p, 'to')}, que no tiene el paso ${s(p, 'step')}: reinicia en el primer paso.`,
  }),
  'JOURNEY.FINISHED': (p) => ({
    en: `The journey is already ${s(p, 'status')}; nothing to do.`,
    es: `El recorrido ya está ${s(p, 'status') === 'exited' ? 'cerrado' : 'completado'}; nada que hacer.`,
  }),
  'JOURNEY.COMPLETED': (p) => ({
    en: `Reached end step ${s(p, 'step')}: journey completed.`,
    es: `Llega al paso final ${s(p, 'step')}: recorrido completado.`,
  }),
  'EXIT.EXITED': (p) => ({
    en: `Exit condition "${s(p, 'on')}" holds: the journey ends here.`,
    es: `Se cumple la condición de salida «${s(p, 'on')}»: el recorrido termina aquí.`,
  }),
  'EXIT.PAUSED': (p) => ({
    en: `Pause condition "${s(p, 'on')}" holds: nothing is sent while it lasts.`,
    es: `Se cumple la condición de pausa «${s(p, 'on')}»: no se envía nada mientras dure.`,
  }),
  'EXIT.RESUMED': (p) => ({
    en: `No pause condition holds any more: resumed at step ${s(p, 'step')}, its clock restarted.`,
    es: `Ya no se cumple ninguna condición de pausa: se reanuda en el paso ${s(p, 'step')}, con su reloj reiniciado.`,
  }),
  'WAIT.PENDING': (p) => ({
    en: `Step ${s(p, 'step')} waits until ${s(p, 'until')}.`,
    es: `El paso ${s(p, 'step')} espera hasta ${s(p, 'until')}.`,
  }),
  'WAIT.DPD_PENDING': (p) => ({
    en: `Step ${s(p, 'step')} waits for ${s(p, 'target')} days past due (now ${s(p, 'dpd')}).`,
    es: `El paso ${s(p, 'step')} espera a ${s(p, 'target')} días de atraso (ahora ${s(p, 'dpd')}).`,
  }),
  'WAIT.DONE': (p) => ({ en: `Wait ${s(p, 'step')} is over.`, es: `La espera ${s(p, 'step')} terminó.` }),
  'PRE_DUE.PENDING': (p) => ({
    en: `Pre-due reminder ${s(p, 'step')} goes ${s(p, 'daysBeforeDue')} days before due; due in ${s(p, 'daysToDue')} days.`,
    es: `El recordatorio previo ${s(p, 'step')} sale ${s(p, 'daysBeforeDue')} días antes del vencimiento; vence en ${s(p, 'daysToDue')} días.`,
  }),
  'PRE_DUE.SKIPPED': (p) => ({
    en: `Pre-due reminder ${s(p, 'step')} skipped: ${s(p, 'why')}.`,
    es: `Se omite el recordatorio previo ${s(p, 'step')}: ${s(p, 'why') === 'overdue' ? 'ya está vencida' : 'no hay cuota próxima'}.`,
  }),
  'BRANCH.TAKEN': (p) => ({
    en: `Branch ${s(p, 'step')}: case ${s(p, 'case')} (${s(p, 'test')}) holds, going to ${s(p, 'next')}.`,
    es: `Bifurcación ${s(p, 'step')}: se cumple el caso ${s(p, 'case')} (${s(p, 'test')}), sigue en ${s(p, 'next')}.`,
  }),
  'BRANCH.OTHERWISE': (p) => ({
    en: `Branch ${s(p, 'step')}: no case holds, going to ${s(p, 'next')}.`,
    es: `Bifurcación ${s(p, 'step')}: ningún caso se cumple, sigue en ${s(p, 'next')}.`,
  }),
  'CHANNEL.SKIPPED': (p) => ({
    en: `Channel ${s(p, 'channel')} not used: ${s(p, 'reason')}${p['detail'] ? ` (${s(p, 'detail')})` : ''}.`,
    es: `No se usa el canal ${s(p, 'channel')}: ${REASON_ES[s(p, 'reason')] ?? s(p, 'reason')}${p['detail'] ? ` (${s(p, 'detail')})` : ''}.`,
  }),
  'SEND.CHOSEN': (p) => ({
    en: `Step ${s(p, 'step')} sends ${s(p, 'kind')} "${s(p, 'purpose')}" by ${s(p, 'channel')} (attempt ${s(p, 'attempt')}).`,
    es: `El paso ${s(p, 'step')} envía ${s(p, 'kind')} «${s(p, 'purpose')}» por ${s(p, 'channel')} (intento ${s(p, 'attempt')}).`,
  }),
  'SEND.NO_CHANNEL': (p) => ({
    en: `Step ${s(p, 'step')} has no usable channel left: moving on to ${s(p, 'next')}.`,
    es: `El paso ${s(p, 'step')} no tiene canal utilizable: sigue en ${s(p, 'next')}.`,
  }),
  'SEND.AWAITING_RECEIPT': (p) => ({
    en: `Waiting for the ${s(p, 'channel')} delivery receipt until ${s(p, 'until')}.`,
    es: `Se espera el acuse de entrega por ${s(p, 'channel')} hasta ${s(p, 'until')}.`,
  }),
  'SEND.DELIVERED': (p) => ({
    en: `The ${s(p, 'channel')} message of step ${s(p, 'step')} was ${s(p, 'outcome')}: moving on to ${s(p, 'next')}.`,
    es: `El mensaje por ${s(p, 'channel')} del paso ${s(p, 'step')} consta como ${s(p, 'outcome')}: sigue en ${s(p, 'next')}.`,
  }),
  'SEND.FALLBACK': (p) => ({
    en: `The ${s(p, 'channel')} message ${s(p, 'why') === 'failed' ? 'failed' : `was not delivered within ${s(p, 'hours')} h`}: falling back.`,
    es: `El mensaje por ${s(p, 'channel')} ${s(p, 'why') === 'failed' ? 'falló' : `no se entregó en ${s(p, 'hours')} h`}: se pasa al canal siguiente.`,
  }),
  'SEND.SENT': (p) => ({
    en: `Step ${s(p, 'step')} was sent by ${s(p, 'channel')} (no receipt awaited): moving on to ${s(p, 'next')}.`,
    es: `El paso ${s(p, 'step')} se envió por ${s(p, 'channel')} (sin esperar acuse): sigue en ${s(p, 'next')}.`,
  }),
  'AGENT.TASK': (p) => ({
    en: `Step ${s(p, 'step')} creates a ${s(p, 'task')} task in queue ${s(p, 'queue')} (priority ${s(p, 'priority')}).`,
    es: `El paso ${s(p, 'step')} crea una tarea de ${s(p, 'task') === 'call' ? 'llamada' : 'revisión'} en la cola ${s(p, 'queue')} (prioridad ${s(p, 'priority')}).`,
  }),
  'SEND_TIME.PREFERRED': (p) => ({
    en: `Send at ${s(p, 'local')} (${s(p, 'zone')}): the first allowed moment inside the debtor's preferred hours.`,
    es: `Envío a las ${s(p, 'local')} (${s(p, 'zone')}): el primer momento permitido dentro del horario preferido del deudor.`,
  }),
  'SEND_TIME.FIRST_ALLOWED': (p) => ({
    en: `Send at ${s(p, 'local')} (${s(p, 'zone')}): ${s(p, 'why') === 'no_preference' ? 'the first allowed moment' : 'no allowed moment falls in the preferred hours, so the first allowed one'}.`,
    es: `Envío a las ${s(p, 'local')} (${s(p, 'zone')}): ${s(p, 'why') === 'no_preference' ? 'el primer momento permitido' : 'ningún momento permitido cae en el horario preferido; se toma el primero permitido'}.`,
  }),
  'SEND_TIME.NO_WINDOW': () => ({
    en: 'Policy allows no moment in the horizon: nothing is scheduled.',
    es: 'La política no permite ningún momento en el horizonte: no se programa nada.',
  }),
  'ASSIGN.SEGMENT': (p) => ({
    en: `Segment ${s(p, 'segment')} of strategy ${s(p, 'strategy')} v${s(p, 'version')} matched; arm ${s(p, 'arm')} leads to journey ${s(p, 'journey')}.`,
    es: `Encaja en el segmento ${s(p, 'segment')} de la estrategia ${s(p, 'strategy')} v${s(p, 'version')}; el brazo ${s(p, 'arm')} lleva al recorrido ${s(p, 'journey')}.`,
  }),
  'ASSIGN.SUPPRESSED': (p) => ({
    en: `Segment ${s(p, 'segment')} of strategy ${s(p, 'strategy')} matched; it starts no journey (suppression segment).`,
    es: `Encaja en el segmento ${s(p, 'segment')} de la estrategia ${s(p, 'strategy')}, que no inicia ningún recorrido (segmento de supresión).`,
  }),
  'ASSIGN.NONE': () => ({
    en: 'No segment of the strategies in force matches this account: no journey.',
    es: 'Ningún segmento de las estrategias vigentes encaja con esta cuenta: sin recorrido.',
  }),
  'ASSIGN.EPISODE_DONE': (p) => ({
    en: `Journey ${s(p, 'journey')} already ${s(p, 'status')} for this episode of arrears (${s(p, 'episode')}); it starts again only for a new one.`,
    es: `El recorrido ${s(p, 'journey')} ya está ${s(p, 'status') === 'exited' ? 'cerrado' : 'completado'} para este episodio de mora (${s(p, 'episode')}); solo vuelve a empezar con uno nuevo.`,
  }),
  'ASSIGN.JOURNEY_RETIRED': (p) => ({
    en: `Journey ${s(p, 'journey')} is no longer in any strategy in force: the account is segmented again.`,
    es: `El recorrido ${s(p, 'journey')} ya no está en ninguna estrategia vigente: la cuenta se vuelve a segmentar.`,
  }),
  'POLICY.WINDOWS': (p) => ({
    en: `Contact policy (${s(p, 'jurisdiction')}) allows ${s(p, 'channel')} in ${s(p, 'count')} window(s) over the next ${s(p, 'days')} days; the first from ${s(p, 'first')}.`,
    es: `La política de contacto (${s(p, 'jurisdiction')}) permite ${s(p, 'channel')} en ${s(p, 'count')} franja(s) en los próximos ${s(p, 'days')} días; la primera desde ${s(p, 'first')}.`,
  }),
  'POLICY.BLOCKED': (p) => ({
    en: `Contact policy (${s(p, 'jurisdiction')}) allows no ${s(p, 'channel')} contact in the next ${s(p, 'days')} days: ${s(p, 'reasons')}.`,
    es: `La política de contacto (${s(p, 'jurisdiction')}) no permite contactar por ${s(p, 'channel')} en los próximos ${s(p, 'days')} días: ${s(p, 'reasons')}.`,
  }),
  'POLICY.REGION_UNKNOWN': (p) => ({
    en: `The region "${s(p, 'region')}" is not a subdivision of ${s(p, 'country')} in the public-holiday calendar: national holidays apply.`,
    es: `La región «${s(p, 'region')}» no es una subdivisión de ${s(p, 'country')} en el calendario de festivos: se aplican los festivos nacionales.`,
  }),
  'POLICY.JURISDICTION_FALLBACK': (p) => ({
    en: `No policy pack for country ${s(p, 'country')}: the tenant's jurisdiction ${s(p, 'jurisdiction')} applies.`,
    es: `No hay paquete de política para el país ${s(p, 'country')}: se aplica la jurisdicción del inquilino, ${s(p, 'jurisdiction')}.`,
  }),
} satisfies Record<string, Sentence>;

const REASON_ES: Record<string, string> = {
  unavailable: 'sin dirección de contacto',
  opted_out: 'el deudor se dio de baja',
  policy: 'la política de contacto no lo permite',
  tried: 'ya se intentó',
};

export type ExplainCode = keyof typeof SENTENCES;

/**
 * The sentences are rendered when first read (an enumerable getter, so JSON keeps them): the
 * daily run stores codes and parameters only and never pays for the text.
 */
export const line = (code: ExplainCode, params: ExplainParams = {}): ExplanationLine => {
  let text: { es: string; en: string } | null = null;
  return {
    code,
    params,
    get text() {
      return (text ??= SENTENCES[code](params));
    },
  };
};

export const EXPLAIN_CODES = Object.keys(SENTENCES) as ExplainCode[];
