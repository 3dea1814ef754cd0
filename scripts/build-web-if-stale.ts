// Builds the web app (web/dist) when it is missing or older than its sources, so `npm start`
// on a fresh clone serves the console without a separate build step.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';

const newest = (dir: string): number => {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
};

const built = 'web/dist/index.html';
if (!existsSync('web/index.html')) process.exit(0);
const sources = Math.max(newest('web/src'), statSync('web/index.html').mtimeMs, statSync('web/vite.config.ts').mtimeMs);
if (existsSync(built) && statSync(built).mtimeMs >= sources) process.exit(0);
process.stdout.write('Building the web app (web/dist)…\n');
execFileSync('npx', ['vite', 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], { stdio: 'inherit' });
