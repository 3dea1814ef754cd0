// Runs after `npm install`/`npm ci`: initialises and migrates an in-memory PGlite cluster and
// dumps it, so a new data directory starts from it instead of running initdb on first start.
// Start-up still applies any migration newer than the template. Safe to delete; rebuilt here.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { openDatabase, dumpPglite } from '../src/db/db.ts';
import { migrate } from '../src/db/migrate.ts';
import { PGLITE_TEMPLATE } from '../src/context.ts';

const db = await openDatabase({ dataDir: 'memory://' });
await migrate(db);
const blob = await dumpPglite(db);
await db.close();
mkdirSync(dirname(PGLITE_TEMPLATE), { recursive: true });
const tmp = `${PGLITE_TEMPLATE}.${process.pid}`;
writeFileSync(tmp, Buffer.from(await blob.arrayBuffer()));
renameSync(tmp, PGLITE_TEMPLATE);
process.stdout.write(`PGlite template ready: ${PGLITE_TEMPLATE}\n`);
