// Runs after `npm install`/`npm ci`: initialises and migrates a PGlite data directory that Tacto
// copies into a new data directory instead of running initdb on first start. Start-up still
// applies any migration newer than the template. Safe to delete; rebuilt here.
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { openDatabase } from '../src/db/db.ts';
import { migrate } from '../src/db/migrate.ts';
import { PGLITE_TEMPLATE } from '../src/context.ts';

mkdirSync(dirname(PGLITE_TEMPLATE), { recursive: true });
const building = `${PGLITE_TEMPLATE}.${process.pid}`;
rmSync(building, { recursive: true, force: true });
const db = await openDatabase({ dataDir: building });
await migrate(db);
await db.close();
rmSync(PGLITE_TEMPLATE, { recursive: true, force: true });
renameSync(building, PGLITE_TEMPLATE);
if (!existsSync(`${PGLITE_TEMPLATE}/PG_VERSION`)) throw new Error('the PGlite template has no PG_VERSION');
process.stdout.write(`PGlite template ready: ${PGLITE_TEMPLATE}\n`);
