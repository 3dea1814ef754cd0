import { describe, expect, it } from 'vitest';
import { fernandezHuerta, fernandezHuertaAsCited, fleschMartins, fleschReadingEase, readability } from './messaging.readability.domain.ts';
import { syllablesEn, syllablesEs, syllablesPt } from './messaging.syllables.domain.ts';
import { sentenceCount, words } from './messaging.text.domain.ts';

describe('Spanish syllables: diphthongs, hiatus, silent u, y', () => {
  const rows: [string, number][] = [
    ['pago', 2], ['cuota', 2], ['ciudad', 2], ['cuidado', 3], ['día', 2], ['país', 2], ['baúl', 2], ['leer', 2], ['caos', 2],
    ['aéreo', 4], ['queso', 2], ['guitarra', 3], ['pingüino', 3], ['hoy', 1], ['muy', 1], ['y', 1], ['ayuda', 3], ['ahumado', 3],
    ['Uruguay', 3], ['murciélago', 4], ['información', 4], ['tranquilo', 3], ['recibir', 3],
  ];
  for (const [word, n] of rows) it(`${word} → ${n}`, () => expect(syllablesEs(word)).toBe(n));
});

describe('Portuguese syllables: nasal diphthongs and unmarked hiatus', () => {
  const rows: [string, number][] = [
    ['mão', 1], ['mães', 1], ['põe', 1], ['não', 1], ['saída', 3], ['sair', 2], ['raiz', 2], ['quero', 2], ['guerra', 2],
    ['pagamento', 4], ['informação', 4], ['você', 2], ['dívida', 3], ['cobrança', 3], ['mais', 1], ['parcela', 3],
  ];
  for (const [word, n] of rows) it(`${word} → ${n}`, () => expect(syllablesPt(word)).toBe(n));
});

describe('English syllables (heuristic)', () => {
  const rows: [string, number][] = [
    ['the', 1], ['pay', 1], ['payment', 2], ['make', 1], ['played', 1], ['wanted', 2], ['little', 2], ['table', 2],
    ['people', 2], ['radio', 3], ['idea', 3], ['today', 2], ['balance', 2], ['available', 4], ['quarter', 2],
  ];
  for (const [word, n] of rows) it(`${word} → ${n}`, () => expect(syllablesEn(word)).toBe(n));
});

describe('formulas give their published values', () => {
  it('Flesch: "The cat sat on the mat." scores 116.1', () => {
    const r = readability('The cat sat on the mat.', 'en');
    expect([r.words, r.sentences, r.syllables]).toEqual([6, 1, 6]);
    expect(r.score).toBe(116.1);
  });
  it('each formula on 100 words, 5 sentences, 160 / 200 syllables', () => {
    expect(fleschReadingEase(100, 5, 160)).toBeCloseTo(206.835 - 1.015 * 20 - 84.6 * 1.6, 10);
    expect(fernandezHuerta(100, 5, 200)).toBeCloseTo(206.84 - 0.6 * 200 - 1.02 * 20, 10);
    expect(fleschMartins(100, 5, 200)).toBeCloseTo(248.835 - 1.015 * 20 - 84.6 * 2, 10);
  });
  it('the corrected Fernández-Huerta rewards shorter sentences; the usual citation punishes them', () => {
    expect(fernandezHuerta(100, 10, 200)).toBeGreaterThan(fernandezHuerta(100, 5, 200));
    expect(fernandezHuertaAsCited(100, 10, 200)).toBeLessThan(fernandezHuertaAsCited(100, 5, 200));
  });
});

const LEGAL_ES = 'En virtud de lo dispuesto en la normativa aplicable, el incumplimiento de cualesquiera de las obligaciones contractuales asumidas por el prestatario facultará a la entidad acreedora para proceder a la resolución anticipada del contrato y a la reclamación de la totalidad de las cantidades adeudadas, incluidos los intereses moratorios devengados y las comisiones correspondientes.';
const LEGAL_EN = 'Notwithstanding the foregoing, any failure by the obligor to remit the outstanding indebtedness in accordance with the aforementioned contractual provisions shall constitute an event of default entitling the creditor to accelerate the maturity of all obligations and to pursue every available remedy.';
const LEGAL_PT = 'Nos termos da legislação aplicável, o inadimplemento de quaisquer das obrigações contratuais assumidas pelo devedor autorizará a instituição credora a proceder à rescisão antecipada do contrato e à cobrança da integralidade dos valores devidos, acrescidos dos encargos moratórios correspondentes.';

describe('simple text scores high, legal prose low', () => {
  it('Spanish (Fernández-Huerta)', () => {
    const simple = readability('Hola, Ana. Tu cuota vence el lunes. Puedes pagar aquí. Si no te va bien, te damos otra fecha. Gracias.', 'es');
    const legal = readability(LEGAL_ES, 'es');
    expect(simple.score).toBeGreaterThan(85);
    expect(legal.score).toBeLessThan(30);
    expect(legal.reliable).toBe(true);
  });
  it('English (Flesch)', () => {
    expect(readability('Hi Ana. Your payment is due on Monday. You can pay here. If that day is hard, we can pick a new one. Thanks.', 'en').score).toBeGreaterThan(85);
    expect(readability(LEGAL_EN, 'en').score).toBeLessThan(10);
  });
  it('Portuguese (Flesch, Martins et al.)', () => {
    expect(readability('Olá, Ana. Sua parcela vence na segunda. Você pode pagar aqui. Se o dia não for bom, mudamos a data. Obrigado.', 'pt').score).toBeGreaterThan(85);
    expect(readability(LEGAL_PT, 'pt').score).toBeLessThan(25);
  });
});

describe('tokens', () => {
  it('skips URLs, addresses and amounts when counting words', () => {
    expect(words('Paga 1.234,56 € en https://pagos.example/p/1 o escribe a ayuda@ejemplo.es, ¿vale?')).toEqual(['Paga', 'en', 'o', 'escribe', 'a', 'vale']);
  });
  it('counts lines and terminators as sentences, not decimal points or URL dots', () => {
    expect(sentenceCount('Hola, Ana:\nTu cuota es de 18,50 €. Paga en https://x.example/p.\nGracias')).toBe(4);
  });
});
