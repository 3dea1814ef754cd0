import { z } from 'zod';

/** Everything Tacto reads from the environment, parsed once and passed down explicitly. */
const Env = z.object({
  DATABASE_URL: z.string().url().optional(),
  TACTO_DATA_DIR: z.string().default('./data'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TACTO_WORKERS: z.enum(['on', 'off']).default('on'),
  TACTO_DEMO_ACCOUNTS: z.coerce.number().int().min(0).max(1_000_000).default(3000),
  TACTO_DB_POOL: z.coerce.number().int().min(1).max(100).default(10),
  /** Slices of each tenant's nightly daily run, shared by the worker processes (docs/journeys.md). */
  TACTO_RUN_SLICES: z.coerce.number().int().min(1).max(64).default(1),
  // Outbound requests to tenant-given URLs (webhooks) reach only public addresses unless on.
  TACTO_OUTBOUND_ALLOW_PRIVATE: z.enum(['on', 'off']).default('off'),
  /** 32-byte key (64 hex or base64) for provider secrets at rest; default a key file in the data dir. */
  TACTO_SECRET_KEY: z.string().optional(),
  /** Public base URL providers call back and debtors' links point to (default http://HOST:PORT). */
  TACTO_PUBLIC_URL: z.string().url().optional(),
});

export interface Config {
  databaseUrl: string | undefined;
  dataDir: string;
  port: number;
  host: string;
  logLevel: string;
  workers: boolean;
  demoAccounts: number;
  poolSize: number;
  runSlices: number;
  outboundAllowPrivate: boolean;
  secretKey: string | undefined;
  publicUrl: string;
}

export const loadConfig = (env: NodeJS.ProcessEnv = process.env): Config => {
  // An empty variable counts as unset (a shell's `DATABASE_URL= npm start`).
  const parsed = Env.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new Error(`invalid environment:\n${lines}`);
  }
  const e = parsed.data;
  return {
    databaseUrl: e.DATABASE_URL,
    dataDir: e.TACTO_DATA_DIR,
    port: e.PORT,
    host: e.HOST,
    logLevel: e.LOG_LEVEL,
    workers: e.TACTO_WORKERS === 'on',
    demoAccounts: e.TACTO_DEMO_ACCOUNTS,
    poolSize: e.TACTO_DB_POOL,
    runSlices: e.TACTO_RUN_SLICES,
    outboundAllowPrivate: e.TACTO_OUTBOUND_ALLOW_PRIVATE === 'on',
    secretKey: e.TACTO_SECRET_KEY,
    publicUrl: (e.TACTO_PUBLIC_URL ?? `http://${e.HOST === '0.0.0.0' ? '127.0.0.1' : e.HOST}:${e.PORT}`).replace(/\/+$/, ''),
  };
};
