import br from './packs/br.json' with { type: 'json' };
import cl from './packs/cl.json' with { type: 'json' };
import co from './packs/co.json' with { type: 'json' };
import es from './packs/es.json' with { type: 'json' };
import mx from './packs/mx.json' with { type: 'json' };
import pe from './packs/pe.json' with { type: 'json' };
import uk from './packs/uk.json' with { type: 'json' };
import us from './packs/us.json' with { type: 'json' };
import { PolicyPack } from './policy.pack.types.ts';

/** Packs keyed by jurisdiction code. */
export type PolicyPacks = Readonly<Record<string, PolicyPack>>;

/** Validates a pack document (throws a ZodError naming the offending field). */
export const parsePolicyPack = (doc: unknown): PolicyPack => PolicyPack.parse(doc);

/**
 * The packs shipped in `packs/*.json`, validated once at module load: a malformed pack stops
 * the process at start-up instead of producing wrong decisions later.
 */
export const BUILT_IN_PACKS: PolicyPacks = Object.freeze(
  Object.fromEntries([us, co, mx, pe, cl, br, es, uk].map((doc) => {
    const pack = parsePolicyPack(doc);
    return [pack.jurisdiction, pack];
  })),
);
