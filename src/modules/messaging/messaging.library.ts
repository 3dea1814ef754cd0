import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import {
  CONTEXT_EXTRAS, LANGUAGES, Purpose, TEMPLATE_CHANNELS, type Language, type TemplateChannel, type TemplateSource,
} from './messaging.types.ts';

/**
 * The starter library: `templates/<purpose>/manifest.json` plus one Liquid file per channel and
 * language (`sms.es.liquid`; e-mail as `email.es.subject.liquid`, `email.es.text.liquid`,
 * `email.es.html.liquid`), and shared layouts in `templates/_layouts/`. Loaded once at start-up
 * and validated: a missing file or a bad manifest stops the process naming the file.
 */
export const STARTER_LIBRARY_DIR = fileURLToPath(new URL('./templates/', import.meta.url));

export const TemplateManifest = z.object({
  purpose: Purpose,
  version: z.int().min(1),
  description: z.object({ es: z.string().min(1), en: z.string().min(1) }),
  requires: z.array(z.enum(CONTEXT_EXTRAS)).default([]),
  limitedContent: z.boolean().default(false),
  confirmsOptOut: z.boolean().default(false),
  channels: z.array(z.enum(TEMPLATE_CHANNELS)).min(1),
  whatsapp: z.object({
    name: z.string().regex(/^[a-z0-9_]{1,512}$/, 'Meta template names are lower case, digits and _'),
    category: z.enum(['utility', 'marketing']),
    parameters: z.array(z.string().regex(/^\{\{ [^{}]+ \}\}$/, 'one Liquid output, written "{{ expr }}"')),
  }).optional(),
}).refine((m) => !m.channels.includes('whatsapp') || m.whatsapp !== undefined, {
  message: 'a WhatsApp template needs whatsapp.name, category and parameters', path: ['whatsapp'],
});
export type TemplateManifest = z.infer<typeof TemplateManifest>;

export interface TemplateLibrary {
  layouts: Readonly<Record<string, string>>;
  manifests: readonly TemplateManifest[];
  templates: readonly TemplateSource[];
  find(purpose: string, channel: TemplateChannel, language: Language): TemplateSource | undefined;
}

const read = (path: string): string => {
  if (!existsSync(path)) throw new Error(`template library: missing ${path}`);
  return readFileSync(path, 'utf8');
};

export const loadTemplateLibrary = (dir: string = STARTER_LIBRARY_DIR): TemplateLibrary => {
  const layouts: Record<string, string> = {};
  const layoutDir = join(dir, '_layouts');
  if (existsSync(layoutDir)) {
    for (const file of readdirSync(layoutDir).sort()) {
      if (file.endsWith('.liquid')) layouts[file.slice(0, -'.liquid'.length)] = read(join(layoutDir, file));
    }
  }
  const manifests: TemplateManifest[] = [];
  const templates: TemplateSource[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (!entry.isDirectory() || entry.name.startsWith('_')) continue;
    const manifestPath = join(dir, entry.name, 'manifest.json');
    const parsed = TemplateManifest.safeParse(JSON.parse(read(manifestPath)));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(`template library: ${manifestPath}: ${issue?.path.join('.')}: ${issue?.message}`);
    }
    const manifest = parsed.data;
    if (manifest.purpose !== entry.name) throw new Error(`template library: ${manifestPath}: purpose must equal the folder name`);
    manifests.push(manifest);
    for (const channel of manifest.channels) {
      for (const language of LANGUAGES) {
        const file = (suffix: string): string => read(join(dir, entry.name, `${channel}.${language}${suffix}.liquid`));
        const parts = channel === 'email'
          ? { subject: file('.subject'), text: file('.text'), html: file('.html') }
          : { text: file('') };
        templates.push({
          purpose: manifest.purpose, channel, language, version: manifest.version, parts,
          requires: manifest.requires, limitedContent: manifest.limitedContent, confirmsOptOut: manifest.confirmsOptOut,
          ...(channel === 'whatsapp' && manifest.whatsapp ? { whatsapp: manifest.whatsapp } : {}),
        });
      }
    }
  }
  const index = new Map(templates.map((t) => [`${t.purpose}/${t.channel}/${t.language}`, t]));
  return {
    layouts, manifests, templates,
    find: (purpose, channel, language) => index.get(`${purpose}/${channel}/${language}`),
  };
};
