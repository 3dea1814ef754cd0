import { describe, expect, it } from 'vitest';
import { blockingFindings, checkMessage, type CheckFacts, type CheckInput } from './messaging.check.domain.ts';
import { checkFactsFor } from './messaging.requirements.domain.ts';
import { sampleContext } from './messaging.samples.ts';
import type { Finding } from './messaging.types.ts';

/** The template check on rendered text: wording, mandatory parts, length, readability. */
const facts = (over: Partial<CheckFacts> = {}): CheckFacts => ({ identification: [{ label: 'sender', value: 'Financiera Sol', citation: 'x' }], ...over });
const check = (over: Partial<CheckInput>) => checkMessage({
  channel: 'sms', language: 'es', jurisdiction: 'ES', limitedContent: false, facts: facts(),
  parts: { text: 'Hola, Ana, te escribe Financiera Sol. Responde BAJA para no recibir más SMS.' }, ...over,
});
const codes = (fs: Finding[]) => fs.map((f) => [f.code, f.severity, f.span?.text ?? null]);

describe('threatening, shaming and misleading wording', () => {
  it('Spanish: prison, immediate seizure, lawsuit as a threat, public lists', () => {
    const text = 'Financiera Sol: si no pagas, iniciaremos una demanda y EMBARGAREMOS TU SUELDO. Podrías ir a la CÁRCEL y saldrás en la lista de morosos. Responde BAJA.';
    const r = check({ channel: 'whatsapp', parts: { text } });
    expect(codes(r.findings)).toEqual([
      ['TEMPLATE.THREATENING', 'warning', 'iniciaremos una demanda'],
      ['TEMPLATE.THREATENING', 'error', 'EMBARGAREMOS TU SUELDO'],
      ['TEMPLATE.THREATENING', 'error', 'CÁRCEL'],
      ['TEMPLATE.SHAMING', 'error', 'lista de morosos'],
    ]);
    expect(r.ok).toBe(false);
    const jail = r.findings.find((f) => f.span?.text === 'CÁRCEL');
    expect(text.slice(jail?.span?.start, jail?.span?.end)).toBe('CÁRCEL');
    expect(jail?.message.es).toContain('cárcel');
    expect(jail?.message.en).toContain('prison');
  });

  it('English: last warning, telling the employer, arrest, shaming labels', () => {
    const text = 'Financiera Sol: this is your last warning. We will tell your employer, and deadbeats get arrested. Reply STOP to opt out.';
    const r = check({ language: 'en', jurisdiction: 'US', parts: { text } });
    expect(codes(r.findings.filter((f) => f.code.startsWith('TEMPLATE.THREAT') || f.code.startsWith('TEMPLATE.SHAM')))).toEqual([
      ['TEMPLATE.THREATENING', 'warning', 'last warning'],
      ['TEMPLATE.THREATENING', 'error', 'We will tell your employer'],
      ['TEMPLATE.SHAMING', 'error', 'deadbeats'],
      ['TEMPLATE.THREATENING', 'error', 'arrested'],
    ]);
  });

  it('Portuguese: nome sujo, criminal proceedings, bureau threats', () => {
    const text = 'Financiera Sol: seu nome sujo vai para o Serasa. Processo criminal em andamento. Responda SAIR.';
    const r = check({ language: 'pt', jurisdiction: 'BR', parts: { text } });
    expect(codes(r.findings.filter((f) => f.code.startsWith('TEMPLATE.THREAT') || f.code.startsWith('TEMPLATE.SHAM') || f.code.startsWith('TEMPLATE.MISL')))).toEqual([
      ['TEMPLATE.SHAMING', 'error', 'nome sujo'],
      ['TEMPLATE.MISLEADING', 'warning', 'Serasa'],
      ['TEMPLATE.THREATENING', 'error', 'Processo criminal'],
    ]);
  });

  it('finds wording in HTML through tags and entities, with spans in the HTML source', () => {
    const html = '<p>Financiera Sol. Te <b>denunciaremos</b> a la polic&iacute;a. <a href="https://x.es/baja">darte de baja</a></p>';
    const r = check({ channel: 'email', parts: { text: 'Financiera Sol. darte de baja', subject: 'Aviso', html }, facts: facts({ optOutUrl: 'https://x.es/baja' }) });
    const police = r.findings.find((f) => f.part === 'html');
    expect(police).toMatchObject({ code: 'TEMPLATE.THREATENING', span: { text: 'polic&iacute;a' } });
    expect(html.slice(police?.span?.start, police?.span?.end)).toBe('polic&iacute;a');
  });

  it('leaves ordinary, kind wording alone', () => {
    const r = check({ channel: 'whatsapp', parts: { text: 'Hola, Ana, te escribe Financiera Sol. Tu cuota de 50 € vence el lunes. Si te cuesta, podemos cambiar la fecha. Responde BAJA para no recibir más mensajes.' } });
    expect(r.findings).toEqual([]);
  });
});

describe('mandatory parts', () => {
  it('SMS needs an opt-out keyword in capitals; the confirmation of an opt-out does not', () => {
    expect(codes(check({ parts: { text: 'Financiera Sol: tu cuota vence el lunes.' } }).findings)).toContainEqual(['TEMPLATE.MISSING_OPT_OUT', 'error', null]);
    expect(check({ parts: { text: 'Financiera Sol: tu cuota vence. Si quieres, responde baja.' } }).findings.map((f) => f.code)).toContain('TEMPLATE.MISSING_OPT_OUT');
    expect(check({ confirmsOptOut: true, parts: { text: 'Financiera Sol: hemos registrado tu baja.' } }).ok).toBe(true);
  });

  it('e-mail needs the unsubscribe link and words', () => {
    const base = { channel: 'email' as const, facts: facts({ optOutUrl: 'https://x.es/baja/1' }) };
    expect(check({ ...base, parts: { subject: 'Hola', text: 'Financiera Sol', html: '<p>Financiera Sol</p>' } }).findings.map((f) => f.code)).toContain('TEMPLATE.MISSING_OPT_OUT');
    expect(check({ ...base, parts: { subject: 'Hola', text: 'Financiera Sol. Puedes darte de baja: https://x.es/baja/1', html: '<p>Financiera Sol</p>' } }).ok).toBe(true);
  });

  it('Brazil needs the creditor’s name and CNPJ (CDC art. 42-A)', () => {
    const context = sampleContext('pt', 'BR');
    const f = checkFactsFor(context, 'sms', false);
    const without = checkMessage({ channel: 'sms', language: 'pt', jurisdiction: 'BR', limitedContent: false, facts: f, parts: { text: 'Financeira Horizonte: sua parcela vence. Responda SAIR.' } });
    expect(without.findings.filter((x) => x.code === 'TEMPLATE.MISSING_IDENTIFICATION').map((x) => x.citation)).toEqual([expect.stringContaining('42-A')]);
    const withIt = checkMessage({ channel: 'sms', language: 'pt', jurisdiction: 'BR', limitedContent: false, facts: f, parts: { text: 'Financeira Horizonte (CNPJ 12.345.678/0001-90): sua parcela vence. Responda SAIR.' } });
    expect(withIt.ok).toBe(true);
  });

  it('Mexico names the agency and the creditor when an agency writes', () => {
    const f = checkFactsFor(sampleContext('es', 'MX', 'agency'), 'sms', false);
    expect(f.identification.map((i) => i.value)).toEqual(['Servicios Alfa', 'Servicios Alfa', 'Crédito Ágil']);
    const r = checkMessage({ channel: 'sms', language: 'es', jurisdiction: 'MX', limitedContent: false, facts: f, parts: { text: 'Servicios Alfa: tu cuota vence. Responde BAJA.' } });
    expect(r.findings.filter((x) => x.code === 'TEMPLATE.MISSING_IDENTIFICATION')).toHaveLength(1);
  });

  it('a US third-party collector says it is one (Reg F 1006.18(e)); a creditor need not', () => {
    const agency = checkFactsFor(sampleContext('en', 'US', 'agency'), 'sms', false);
    const text = 'Brightline Partners, on behalf of Sun Valley Bank: your payment is due. Reply STOP to opt out.';
    expect(checkMessage({ channel: 'sms', language: 'en', jurisdiction: 'US', limitedContent: false, facts: agency, parts: { text } }).findings.map((f) => f.code)).toContain('TEMPLATE.MISSING_DISCLOSURE');
    expect(checkMessage({ channel: 'sms', language: 'en', jurisdiction: 'US', limitedContent: false, facts: agency, parts: { text: `${text} This communication is from a debt collector.` } }).ok).toBe(true);
    expect(checkFactsFor(sampleContext('en', 'US', 'creditor'), 'sms', false).disclosure).toBeUndefined();
  });

  it('a limited-content voicemail may not mention the debt, the creditor or an amount (Reg F 1006.2(j))', () => {
    const context = sampleContext('es', 'ES', 'agency');
    const f = checkFactsFor(context, 'voicemail', true);
    const ok = 'Hola, Lucía. Soy Marta Ruiz, de Gestiones Norte. Por favor, devuélveme la llamada al 910 000 000. Gracias.';
    expect(checkMessage({ channel: 'voicemail', language: 'es', jurisdiction: 'ES', limitedContent: true, facts: f, parts: { text: ok } }).ok).toBe(true);
    const bad = 'Hola, Lucía. Soy Marta Ruiz, de Gestiones Norte, por tu deuda con Financiera Sol de 185,40 €. Llámame al 910 000 000.';
    const r = checkMessage({ channel: 'voicemail', language: 'es', jurisdiction: 'ES', limitedContent: true, facts: f, parts: { text: bad } });
    expect(r.findings.filter((x) => x.code === 'TEMPLATE.LIMITED_CONTENT_VIOLATION').map((x) => x.span?.text)).toEqual(['deuda', 'Financiera Sol', '185,40 €']);
    const noPerson = checkMessage({ channel: 'voicemail', language: 'es', jurisdiction: 'ES', limitedContent: true, facts: f, parts: { text: 'Hola. Llama a Gestiones Norte al 910 000 000.' } });
    expect(noPerson.findings.map((x) => x.code)).toEqual(['TEMPLATE.MISSING_IDENTIFICATION']);
  });
});

describe('length and readability', () => {
  const sms = (chars: number) => `Financiera Sol. Responde BAJA. ${'x'.repeat(chars - 31)}`;
  const rows: [number, string | null][] = [[160, null], [161, 'info'], [306, 'info'], [307, 'warning'], [459, 'warning'], [460, 'error']];
  for (const [n, severity] of rows) {
    it(`a ${n}-character GSM-7 SMS → ${severity ?? 'no finding'}`, () => {
      const r = check({ parts: { text: sms(n) } });
      expect(r.findings.find((f) => f.code === 'TEMPLATE.SMS_SEGMENTS')?.severity ?? null).toBe(severity);
    });
  }

  it('points at the first character that forces UCS-2', () => {
    const r = check({ parts: { text: 'Financiera Sol: más info. Responde BAJA.' } });
    expect(r.findings.find((f) => f.code === 'TEMPLATE.SMS_ENCODING')).toMatchObject({ severity: 'info', span: { text: 'á', start: 17 } });
    expect(r.metrics.sms).toEqual({ encoding: 'UCS-2', units: 40, segments: 1 });
  });

  it('WhatsApp template bodies stop at 1024 characters', () => {
    const text = `Financiera Sol. Responde BAJA. ${'palabra '.repeat(130)}`;
    expect(check({ channel: 'whatsapp', whatsappTemplate: true, parts: { text } }).findings.map((f) => [f.code, f.severity])).toContainEqual(['TEMPLATE.TOO_LONG', 'error']);
    expect(check({ channel: 'whatsapp', whatsappTemplate: false, parts: { text } }).findings.map((f) => f.code)).not.toContain('TEMPLATE.TOO_LONG');
  });

  it('warns when legal prose reaches a debtor', () => {
    const text = 'Financiera Sol. En virtud de lo dispuesto en la normativa aplicable, el incumplimiento de cualesquiera de las obligaciones contractuales asumidas por el prestatario facultará a la entidad acreedora para proceder a la resolución anticipada del contrato. Responde BAJA.';
    const r = check({ channel: 'whatsapp', parts: { text } });
    expect(r.findings.find((f) => f.code === 'TEMPLATE.READABILITY_LOW')).toMatchObject({ severity: 'warning' });
    expect(r.metrics.readability.formula).toBe('fernandez-huerta');
  });

  it('flags empty parts', () => {
    expect(check({ channel: 'email', parts: { text: 'Financiera Sol darte de baja', subject: ' ', html: '<p></p>' } }).findings.filter((f) => f.code === 'TEMPLATE.EMPTY').map((f) => f.part)).toEqual(['subject', 'html']);
  });

  it('every finding explains itself in Spanish and English', () => {
    const r = check({ parts: { text: `Te denunciaremos a la policía, moroso. ${'á'.repeat(400)}` } });
    expect(r.findings.length).toBeGreaterThan(3);
    for (const f of r.findings) expect(f.message.es.length * f.message.en.length).toBeGreaterThan(0);
  });
});

describe('the send-time (errors-only) check', () => {
  const base: CheckInput = {
    channel: 'sms', language: 'es', jurisdiction: 'ES', limitedContent: false, facts: facts(),
    parts: { text: 'Hola, Ana, te escribe Financiera Sol. Responde BAJA para no recibir más SMS.' },
  };
  const inputs: CheckInput[] = [
    base,
    { ...base, parts: { text: 'Financiera Sol: si no pagas, iniciaremos una demanda y EMBARGAREMOS TU SUELDO. Podrías ir a la CÁRCEL. Responde BAJA.' } },
    { ...base, parts: { text: 'Hola, Ana. Paga hoy.' } },
    { ...base, channel: 'whatsapp', whatsappTemplate: true, parts: { text: `Financiera Sol ${'x'.repeat(1100)} Responde BAJA` } },
    { ...base, parts: { text: `Financiera Sol ${'palabra '.repeat(160)} Responde BAJA` } },
    { ...base, language: 'en', jurisdiction: 'US', parts: { text: 'Financiera Sol: last warning, deadbeats get arrested. Reply STOP to opt out.' } },
    { ...base, parts: { text: '   ' } },
  ];
  it('blocks exactly where the full check has an error, with the same findings', () => {
    for (const input of inputs) {
      const full = checkMessage(input).findings.filter((f) => f.severity === 'error');
      expect(blockingFindings(input)).toEqual(full);
    }
  });
});
