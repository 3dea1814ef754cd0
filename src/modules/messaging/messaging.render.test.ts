import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../lib/clock.ts';
import { createTemplateRenderer, type RenderResult, type TemplateRenderer } from './messaging.render.ts';
import { sampleContext } from './messaging.samples.ts';
import type { RenderContext, TemplateChannel, TemplateSource } from './messaging.types.ts';

/** The sandboxed Liquid renderer: filters per locale and zone, strictness, limits, escaping. */
const source = (text: string, over: Partial<TemplateSource> = {}): TemplateSource => ({
  purpose: 'test', channel: 'whatsapp' as TemplateChannel, language: 'es', version: 1, parts: { text }, requires: [], limitedContent: false, confirmsOptOut: false, ...over,
});

// A generous wall-clock render limit for the content tests (a loaded machine must not trip them);
// the default 200 ms limit is tested on its own renderer below.
const renderer = createTemplateRenderer({ clock: fixedClock('2026-03-15T23:30:00Z'), layouts: { wrap: '[{% block content %}{% endblock %}] {{ identification }}' }, limits: { renderMs: 10_000 } });

const render = async (r: TemplateRenderer, text: string, context: unknown, over: Partial<TemplateSource> = {}): Promise<RenderResult> => {
  const compiled = r.compile(source(text, over));
  if (!compiled.ok) return compiled;
  return r.render(compiled.template, context);
};
const text = async (template: string, context: unknown = sampleContext('es', 'ES'), over: Partial<TemplateSource> = {}): Promise<string> => {
  const r = await render(renderer, template, context, over);
  if (!r.ok) throw new Error(`${r.code}: ${r.message}`);
  return r.message.parts.text;
};
const withAmounts = (c: RenderContext, minor: number): RenderContext => ({ ...c, account: { ...c.account, amountDue: { minor, currency: c.account.amountDue.currency } } });

describe('money for the debtor’s locale', () => {
  const rows: { name: string; context: RenderContext; minor: number; expected: string }[] = [
    { name: 'es-ES euro, grouped from five digits (CLDR, RAE)', context: sampleContext('es', 'ES'), minor: 1_234_567, expected: '12.345,67\u00a0€' },
    { name: 'es-ES euro, four digits ungrouped', context: sampleContext('es', 'ES'), minor: 123_456, expected: '1234,56\u00a0€' },
    { name: 'es-MX peso', context: sampleContext('es', 'MX'), minor: 123_456, expected: '$1,234.56' },
    { name: 'pt-BR real', context: sampleContext('pt', 'BR'), minor: 123_456, expected: 'R$\u00a01.234,56' },
    { name: 'en-US dollar', context: sampleContext('en', 'US'), minor: 123_456, expected: '$1,234.56' },
    { name: 'en-GB pound', context: sampleContext('en', 'UK'), minor: 123_456, expected: '£1,234.56' },
    { name: 'es-CL peso has no minor unit', context: sampleContext('es', 'CL'), minor: 98_000, expected: '$98.000' },
  ];
  for (const row of rows) {
    it(row.name, async () => {
      const c = withAmounts(row.context, row.minor);
      expect(await text('{{ account.amount_due }}', c)).toBe(row.expected);
      expect(await text('{{ account.amount_due | money }}', c)).toBe(row.expected);
    });
  }
});

describe('dates', () => {
  it('formats calendar dates in each language without shifting them through a time zone', async () => {
    expect(await text('{{ account.due_date }}')).toBe('15 de marzo de 2026');
    expect(await text("{{ account.due_date | local_date: 'short' }}")).toBe('15/3/26');
    expect(await text("{{ account.due_date | local_date: 'weekday' }}")).toBe('domingo, 15 de marzo');
    expect(await text('{{ account.due_date }}', sampleContext('en', 'US'))).toBe('March 15, 2026');
    expect(await text("{{ account.due_date | local_date: 'day_month' }}", sampleContext('pt', 'BR'))).toBe('15 de março');
    for (const timeZone of ['Pacific/Kiritimati', 'Pacific/Pago_Pago']) {
      const c = sampleContext('es', 'ES');
      expect(await text('{{ account.due_date }}', { ...c, debtor: { ...c.debtor, timeZone } })).toBe('15 de marzo de 2026');
    }
  });

  it('shows instants in the debtor’s zone', async () => {
    const mx = sampleContext('es', 'MX');
    const es = sampleContext('es', 'ES');
    expect(await text("{{ '2026-03-15T23:30:00Z' | local_date }} {{ '2026-03-15T23:30:00Z' | local_time }}", mx)).toBe('15 de marzo de 2026 5:30 p.m.');
    expect(await text("{{ '2026-03-15T23:30:00Z' | local_date }} {{ '2026-03-15T23:30:00Z' | local_time }}", es)).toBe('16 de marzo de 2026 0:30');
    expect(await text('{{ today }}', es)).toBe('16 de marzo de 2026');
  });

  it('says frequencies and percentages in the debtor’s language', async () => {
    expect(await text('{{ offer.frequency | frequency }} / {{ offer.frequency | frequency: "noun" }} / {{ 0.2 | percent }}')).toBe('mensuales / mes / 20\u00a0%');
    expect(await text('{{ offer.frequency | frequency }}', sampleContext('pt', 'BR'))).toBe('mensais');
  });
});

describe('computed lines', () => {
  it('identification, disclosure and opt-out follow jurisdiction, sender and channel', async () => {
    const template = '{{ identification }}|{{ disclosure }}|{{ opt_out }}';
    expect(await text(template, sampleContext('es', 'ES'), { channel: 'sms' })).toBe('Financiera Sol||Responde BAJA para no recibir mas SMS.');
    expect(await text(template, sampleContext('en', 'US', 'agency'), { channel: 'sms', language: 'en' }))
      .toBe('Brightline Partners, on behalf of Sun Valley Bank|This communication is from a debt collector.|Reply STOP to opt out.');
    expect(await text(template, sampleContext('pt', 'BR'), { channel: 'whatsapp', language: 'pt' }))
      .toBe('Financeira Horizonte (CNPJ 12.345.678/0001-90)||Responda SAIR para não receber mais mensagens no WhatsApp.');
    const custom = { ...sampleContext('es', 'ES'), optOut: { text: 'Envía BAJA al 217000.' } };
    expect(await text('{{ opt_out }}', custom, { channel: 'sms' })).toBe('Envia BAJA al 217000.');
  });
});

describe('sandbox', () => {
  it('reads no files: include, render and unknown layouts fail', async () => {
    for (const t of ["{% include 'etc/passwd' %}", "{% render '../../package.json' %}", "{% layout '/etc/hosts' %}x"]) {
      const r = await render(renderer, t, sampleContext('es', 'ES'));
      expect(r.ok).toBe(false);
    }
    expect(await text("{% layout 'wrap' %}{% block content %}hola{% endblock %}")).toBe('[hola] Financiera Sol');
  });

  it('fails on undefined variables, unknown filters and prototype access instead of printing blanks', async () => {
    expect(await render(renderer, '{{ debtor.last_name }}', sampleContext('es', 'ES'))).toMatchObject({ ok: false, code: 'TEMPLATE.UNDEFINED_VARIABLE' });
    expect(await render(renderer, '{{ debtor.constructor }}', sampleContext('es', 'ES'))).toMatchObject({ ok: false, code: 'TEMPLATE.UNDEFINED_VARIABLE' });
    expect(await render(renderer, '{{ link | shout }}', sampleContext('es', 'ES'))).toMatchObject({ ok: false, code: 'TEMPLATE.SYNTAX' });
    expect(await render(renderer, '{% if offer %}sí{% endif %}{% if agency %}agencia{% endif %}', sampleContext('es', 'ES'))).toMatchObject({ ok: true, message: { parts: { text: 'sí' } } });
  });

  it('bounds template size, render time and output size', async () => {
    expect(await render(renderer, 'x'.repeat(70_000), sampleContext('es', 'ES'))).toMatchObject({ ok: false, code: 'TEMPLATE.SYNTAX' });
    const slow = await render(createTemplateRenderer({}), '{% for i in (1..50000000) %}{% endfor %}', sampleContext('es', 'ES'));
    expect(slow).toMatchObject({ ok: false, code: 'TEMPLATE.RENDER_LIMIT' });
    const big = createTemplateRenderer({ limits: { outputChars: 1000 } });
    expect(await render(big, '{% for i in (1..300) %}abcd{% endfor %}', sampleContext('es', 'ES'))).toMatchObject({ ok: false, code: 'TEMPLATE.OUTPUT_TOO_LARGE' });
  });

  it('escapes HTML parts and only HTML parts', async () => {
    const c = { ...sampleContext('es', 'ES'), creditor: { name: 'A&B <script>x</script>' } };
    const compiled = renderer.compile(source('{{ creditor.name }}', { channel: 'email', parts: { text: '{{ creditor.name }}', subject: '{{ creditor.name }}', html: '<p>{{ creditor.name }}</p>' } }));
    if (!compiled.ok) throw new Error(compiled.message);
    const r = await renderer.render(compiled.template, c);
    expect(r).toMatchObject({ ok: true, message: { parts: { text: 'A&B <script>x</script>', subject: 'A&B <script>x</script>', html: '<p>A&amp;B &lt;script&gt;x&lt;/script&gt;</p>' } } });
  });
});

describe('context', () => {
  it('names the invalid field', async () => {
    const { link: _link, ...withoutLink } = sampleContext('es', 'ES');
    expect(await render(renderer, 'x', withoutLink)).toMatchObject({ ok: false, code: 'TEMPLATE.CONTEXT_INVALID', message: expect.stringContaining('link') });
  });

  it('requires what the template declares, an unsubscribe link for e-mail and a person for limited content', async () => {
    const { offer: _offer, ...noOffer } = sampleContext('es', 'ES');
    expect(await render(renderer, 'x', noOffer, { requires: ['offer'] })).toMatchObject({ ok: false, code: 'TEMPLATE.CONTEXT_MISSING' });
    const { optOut: _optOut, ...noUrl } = sampleContext('es', 'ES');
    expect(await render(renderer, 'x', noUrl, { channel: 'email', parts: { text: 'x', subject: 's', html: 'h' } })).toMatchObject({ ok: false, code: 'TEMPLATE.CONTEXT_MISSING', message: expect.stringContaining('1006.6(e)') });
    const c = sampleContext('es', 'ES');
    const { personName: _p, ...contact } = c.contact;
    expect(await render(renderer, 'x', { ...c, contact }, { channel: 'voicemail', limitedContent: true })).toMatchObject({ ok: false, message: expect.stringContaining('1006.2(j)') });
  });
});

describe('SMS output', () => {
  it('transliterates to GSM-7 by default and reports segments', async () => {
    const r = await render(renderer, 'Hola, {{ debtor.first_name }}: tu cuota de {{ account.amount_due }} vence pronto. Responde BAJA para no recibir más SMS.', sampleContext('es', 'ES'), { channel: 'sms' });
    expect(r).toMatchObject({ ok: true, message: { parts: { text: 'Hola, Lucia: tu cuota de 185,40 € vence pronto. Responde BAJA para no recibir mas SMS.' }, sms: { encoding: 'GSM-7', segments: 1, transliterated: true } } });
  });

  it('keeps Unicode when the tenant prefers it, at 70 characters a segment', async () => {
    const unicode = createTemplateRenderer({ preserveSmsUnicode: true });
    const r = await render(unicode, 'Hola, {{ debtor.first_name }}: más información en {{ link }}', sampleContext('es', 'ES'), { channel: 'sms' });
    expect(r).toMatchObject({ ok: true, message: { sms: { encoding: 'UCS-2', transliterated: false } } });
  });

  it('tidies whitespace left by empty lines', async () => {
    expect(await text('A {{ disclosure }} B\n\n\n\nC  ', sampleContext('es', 'ES'), { channel: 'sms' })).toBe('A B\n\nC');
  });
});

describe('WhatsApp output', () => {
  it('renders the approved template’s parameters and Meta language code', async () => {
    const r = await render(renderer, 'Hola, {{ debtor.first_name }}. Vence el {{ account.due_date }}. Responde BAJA.', sampleContext('pt', 'BR'), {
      language: 'pt', whatsapp: { name: 'tacto_x', category: 'utility', parameters: ['{{ debtor.first_name }}', '{{ account.due_date }}'] },
    });
    expect(r).toMatchObject({ ok: true, message: { whatsapp: { name: 'tacto_x', language: 'pt_BR', bodyParameters: ['Ana', '15 de março de 2026'] } } });
  });
});
