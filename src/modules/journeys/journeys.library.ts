import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseStrategy } from './journeys.strategy.domain.ts';
import type { Strategy } from './journeys.strategy.domain.ts';

/** The strategies shipped as data (`strategies/*.json`), loaded by the demo. */
export const BUILT_IN_STRATEGY_DIR = fileURLToPath(new URL('./strategies/', import.meta.url));

/**
 * Reads and validates every `*.json` in `dir`, in name order. A bad file stops the load with an
 * error naming the file and each offending field, because a half-loaded strategy set would
 * silently route accounts to the wrong journeys.
 */
export function loadStrategies(dir: string = BUILT_IN_STRATEGY_DIR): Strategy[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  return files.map((file) => {
    const path = join(dir, file);
    try {
      return parseStrategy(JSON.parse(readFileSync(path, 'utf8')));
    } catch (e) {
      throw new Error(`${path}: ${(e as Error).message}`, { cause: e });
    }
  });
}
