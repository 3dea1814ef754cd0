import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { JURISDICTIONS as POLICY_JURISDICTIONS } from '../policy/index.ts';
import { fixedClock } from '../../lib/clock.ts';
import { loadTemplateLibrary } from './messaging.library.ts';
import { previewTemplate } from './messaging.preview.ts';
import { createTemplateRenderer } from './messaging.render.ts';
import { SAMPLE_JURISDICTIONS, sampleContext } from './messaging.samples.ts';
import { JURISDICTIONS, LANGUAGES, PURPOSES } from './messaging.types.ts';
import { validateWhatsAppSource, whatsappSubmission } from './messaging.whatsapp.ts';

/**
 * The starter library: every purpose in every channel it declares, in es, en and pt, renders
 * with realistic data for every jurisdiction its language is used in, as creditor and as
 * agency, and passes the template check with no error and no warning.
 */
const library = loadTemplateLibrary();
// The 200 ms render limit is wall-clock: on a loaded machine it can trip a content test. The
// limit has tests of its own (messaging.render.test.ts, messaging.dispatch.test.ts).
const renderer = createTemplateRenderer({ layouts: library.layouts, clock: fixedClock('2026-03-10T10:00:00Z'), limits: { renderMs: 10_000 } });

describe('the starter library', () => {
  it('covers every purpose, and every template exists in es, en and pt', () => {
    expect(library.manifests.map((m) => m.purpose).sort()).toEqual([...PURPOSES].sort());
    for (const m of library.manifests) {
      for (const channel of m.channels) {
        expect(LANGUAGES.map((l) => library.find(m.purpose, channel, l)?.language)).toEqual([...LANGUAGES]);
      }
    }
    expect(library.templates).toHaveLength(99);
    expect(Object.keys(library.layouts).sort()).toEqual(['email', 'email_text', 'letter']);
  });

  it('keeps the jurisdiction list in step with the contact-policy module', () => {
    expect([...JURISDICTIONS]).toEqual([...POLICY_JURISDICTIONS]);
  });
});

describe.each(library.templates.map((t) => [`${t.purpose} ${t.channel}.${t.language}`, t] as const))('%s', (_name, template) => {
  // WhatsApp is enabled per creditor for first-party collection only (COMPLIANCE.md), so its
  // templates are checked as the creditor writing.
  const senders = template.channel === 'whatsapp' ? (['creditor'] as const) : (['creditor', 'agency'] as const);
  for (const jurisdiction of SAMPLE_JURISDICTIONS[template.language]) {
    for (const sender of senders) {
      it(`passes the check in ${jurisdiction} as ${sender}`, async () => {
        const r = await previewTemplate(renderer, template, sampleContext(template.language, jurisdiction, sender));
        if (!r.ok) throw new Error(`${r.code}: ${r.message}`);
        const blocking = r.preview.check.findings.filter((f) => f.severity !== 'info');
        expect(blocking.map((f) => `${f.code}: ${f.message.en}`)).toEqual([]);
        if (template.channel === 'sms') expect(r.preview.rendered.sms?.encoding).toBe('GSM-7');
      });
    }
  }
});

describe('WhatsApp templates match what Meta approves', () => {
  for (const t of library.templates.filter((x) => x.channel === 'whatsapp')) {
    it(`${t.purpose}.${t.language}: only listed parameters, none at an edge, and the preview equals the filled-in body`, async () => {
      expect(validateWhatsAppSource(t)).toEqual([]);
      const submission = whatsappSubmission(t);
      expect(submission?.name).toMatch(/^tacto_/);
      const r = await previewTemplate(renderer, t, sampleContext(t.language, SAMPLE_JURISDICTIONS[t.language][0] ?? 'ES'));
      if (!r.ok) throw new Error(r.message);
      const params = r.preview.rendered.whatsapp?.bodyParameters ?? [];
      expect(params.every((p) => p.trim() !== '' && !p.includes('\n'))).toBe(true);
      const filled = (submission?.body ?? '').replace(/\{\{(\d+)\}\}/g, (_m, n: string) => params[Number(n) - 1] ?? '');
      expect(filled).toBe(r.preview.rendered.parts.text);
    });
  }
});

describe('loading', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const scratch = (manifest: unknown, files: Record<string, string>): string => {
    const dir = mkdtempSync(join(tmpdir(), 'tacto-templates-'));
    dirs.push(dir);
    mkdirSync(join(dir, 'reminder'));
    writeFileSync(join(dir, 'reminder', 'manifest.json'), JSON.stringify(manifest));
    for (const [name, body] of Object.entries(files)) writeFileSync(join(dir, 'reminder', name), body);
    return dir;
  };
  const manifest = { purpose: 'reminder', version: 1, description: { es: 'x', en: 'x' }, channels: ['sms'] };

  it('names the missing file', () => {
    const dir = scratch(manifest, { 'sms.es.liquid': 'a', 'sms.en.liquid': 'b' });
    expect(() => loadTemplateLibrary(dir)).toThrow(/sms\.pt\.liquid/);
  });

  it('names the bad manifest field', () => {
    const dir = scratch({ ...manifest, channels: ['whatsapp'] }, {});
    expect(() => loadTemplateLibrary(dir)).toThrow(/manifest\.json: whatsapp/);
  });
});
