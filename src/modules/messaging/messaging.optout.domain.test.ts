import { describe, expect, it } from 'vitest';
import { detectOptOutKeyword, type KeywordMatch } from './messaging.optout.domain.ts';
import type { Language } from './messaging.types.ts';

/** Carrier and own opt-out words in es/en/pt: case, accents, punctuation and emoji ignored. */
type Row = [text: string, language: Language, expected: Pick<KeywordMatch, 'action' | 'match' | 'source'> | null];

const out = (match: KeywordMatch['match'], source: KeywordMatch['source']) => ({ action: 'opt_out' as const, match, source });
const whole = (action: KeywordMatch['action'], source: KeywordMatch['source']) => ({ action, match: 'whole_message' as const, source });

const rows: Row[] = [
  // Carrier words (CTIA / US carriers), honoured in every language.
  ['STOP', 'en', out('whole_message', 'carrier')],
  ['stop', 'es', out('whole_message', 'carrier')],
  ['Stop.', 'pt', out('whole_message', 'carrier')],
  ['🛑 STOP 🛑', 'en', out('whole_message', 'carrier')],
  ['STOPALL', 'en', out('whole_message', 'carrier')],
  ['stop all', 'en', out('whole_message', 'carrier')],
  ['UNSUBSCRIBE', 'en', out('whole_message', 'carrier')],
  ['Unsubscribe me please', 'en', out('first_word', 'carrier')],
  ['cancel', 'es', out('whole_message', 'carrier')],
  ['END', 'pt', out('whole_message', 'carrier')],
  ['quit', 'en', out('whole_message', 'carrier')],
  ['Revoke', 'en', out('whole_message', 'carrier')],
  ['OPTOUT', 'en', out('whole_message', 'carrier')],
  ['opt-out', 'en', out('whole_message', 'carrier')],
  ['Stop texting me', 'en', out('first_word', 'carrier')],
  // Spanish.
  ['BAJA', 'es', out('whole_message', 'es')],
  ['baja', 'es', out('whole_message', 'es')],
  ['Bájà!!', 'es', out('whole_message', 'es')],
  ['Baja por favor', 'es', out('first_word', 'es')],
  ['PARAR', 'es', out('whole_message', 'es')],
  ['Cancelar', 'es', out('whole_message', 'es')],
  ['No más', 'es', out('whole_message', 'es')],
  ['dar de baja', 'es', out('whole_message', 'es')],
  ['Basta', 'es', out('whole_message', 'es')],
  // Portuguese.
  ['SAIR', 'pt', out('whole_message', 'pt')],
  ['sair', 'pt', out('whole_message', 'pt')],
  ['Saír!', 'pt', out('whole_message', 'pt')],
  ['PARAR', 'pt', out('whole_message', 'pt')],
  ['Pare', 'pt', out('whole_message', 'pt')],
  ['Descadastrar', 'pt', out('whole_message', 'pt')],
  ['Não quero mais', 'pt', out('whole_message', 'pt')],
  ['Cancelar por favor', 'pt', out('first_word', 'pt')],
  // Another language's opt-out word still counts: a missed opt-out is a violation.
  ['BAJA', 'en', out('whole_message', 'es')],
  ['SAIR', 'es', out('whole_message', 'pt')],
  // Re-subscribe: whole message, carrier words or the debtor's language only.
  ['START', 'en', whole('opt_in', 'carrier')],
  ['start', 'es', whole('opt_in', 'carrier')],
  ['UNSTOP', 'pt', whole('opt_in', 'carrier')],
  ['ALTA', 'es', whole('opt_in', 'es')],
  ['Voltar', 'pt', whole('opt_in', 'pt')],
  ['ALTA', 'en', null],
  ['Alta la cuota?', 'es', null],
  ['Start paying next week', 'en', null],
  // Help.
  ['HELP', 'en', whole('help', 'carrier')],
  ['Ayuda', 'es', whole('help', 'es')],
  ['AJUDA', 'pt', whole('help', 'pt')],
  // Not keywords.
  ['Quiero pagar el lunes', 'es', null],
  ['Parei de pagar porque perdi o emprego', 'pt', null],
  ['I will pay on Friday, stop worrying', 'en', null],
  ['S T O P', 'en', null],
  ['', 'es', null],
  ['   ', 'en', null],
];

describe('detectOptOutKeyword', () => {
  for (const [text, language, expected] of rows) {
    it(`${JSON.stringify(text)} (${language}) → ${expected ? `${expected.action} by ${expected.match}` : 'nothing'}`, () => {
      const r = detectOptOutKeyword(text, language);
      if (expected === null) expect(r).toBeNull();
      else expect(r).toMatchObject(expected);
    });
  }

  it('reports the keyword as normalised', () => {
    expect(detectOptOutKeyword('  ¡Bájà, gracias!', 'es')).toEqual({ action: 'opt_out', keyword: 'BAJA', match: 'first_word', source: 'es' });
  });
});
