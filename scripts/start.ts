// `npm start`: the whole engine on embedded defaults — Temporal dev server with UI, PostgreSQL, migrations, worker, API.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Runtime } from '@temporalio/worker';
import { z } from 'zod';
import { startApi } from '../api/server';
import { envSchema, loadConfigOrExit } from '../config';
import { createLogger } from '../config/logger';
import { runMigrations } from '../db/migrate';
import { temporalLogger } from '../worker/logger';
import { createWorker } from '../worker/worker';
import { startEmbeddedPostgres } from './embedded-postgres';
import { startTemporal } from './temporal-cli';

/** Where the embedded services keep their data, and the ports they listen on; only read by this launcher. */
const launcherEnv = z
  .object({
    DATA_DIR: z.string().default(path.resolve(__dirname, '..', '.data')),
    TEMPORAL_PORT: z.coerce.number().int().positive().default(7233),
    TEMPORAL_UI_PORT: z.coerce.number().int().positive().default(8233),
    EMBEDDED_POSTGRES_PORT: z.coerce.number().int().positive().default(5433),
  })
  .parse(process.env);
const DATA_DIR = path.resolve(launcherEnv.DATA_DIR);

async function main() {
  mkdirSync(DATA_DIR, { recursive: true });
  // This launcher decides when to stop, and in which order.
  Runtime.install({ shutdownSignals: [], logger: temporalLogger(createLogger(logLevel(), 'worker')) });
  const stops: Array<() => Promise<unknown>> = [];
  const say = (line: string) => console.log(`[start] ${line}`);

  process.env.ENCRYPTION_KEY ??= localSecret('encryption-key', () => `local:${randomBytes(32).toString('base64')}`, say);
  let token: string | undefined;
  if (!process.env.API_TOKENS) {
    token = localSecret('api-token', () => randomBytes(24).toString('base64url'), say);
    process.env.API_TOKENS = `${token}:*`;
  }

  if (!process.env.DATABASE_URL) {
    say(`Starting the embedded PostgreSQL (${path.join(DATA_DIR, 'postgres')})…`);
    const pg = await startEmbeddedPostgres(path.join(DATA_DIR, 'postgres'), launcherEnv.EMBEDDED_POSTGRES_PORT);
    process.env.DATABASE_URL = pg.url;
    stops.unshift(pg.stop);
  }

  let temporalUi: string | undefined;
  if (!process.env.TEMPORAL_ADDRESS) {
    say('Starting the Temporal dev server…');
    const server = await startTemporal(
      { ip: '127.0.0.1', port: launcherEnv.TEMPORAL_PORT, uiPort: launcherEnv.TEMPORAL_UI_PORT, dbFile: path.join(DATA_DIR, 'temporal.sqlite'), namespace: 'default' },
      say,
    );
    process.env.TEMPORAL_ADDRESS = server.address;
    temporalUi = server.uiUrl;
    stops.unshift(server.stop);
  }

  const config = loadConfigOrExit();
  await runMigrations(config.DATABASE_URL);
  const worker = await createWorker(config);
  const workerDone = worker.run();
  stops.unshift(async () => {
    worker.worker.shutdown();
    await workerDone;
  });
  const api = await startApi(config, createLogger(config.LOG_LEVEL, 'api'));
  stops.unshift(api.close);

  console.log(`
  Petra ↔ Autotask sync engine is running.
    API          ${api.url}   (OpenAPI: ${api.url}/v1/openapi.json)
    Temporal UI  ${temporalUi ?? `(external server at ${config.TEMPORAL_ADDRESS})`}
    Auth         ${token ? `Authorization: Bearer ${token}   (local token, scope "*", kept in ${path.join(DATA_DIR, 'api-token')})` : 'a token from API_TOKENS'}
  Try: curl -H "Authorization: Bearer ${token ?? '<token>'}" ${api.url}/v1/orgs/demo-org/autotask/connection
  Press Ctrl-C to stop.
`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    say('Stopping…');
    for (const step of stops) await step().catch((err: unknown) => say(`a stop step failed: ${err instanceof Error ? err.message : err}`));
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

/** The SDK logs before the configuration is complete; take just the level early. */
const logLevel = () => envSchema.shape.LOG_LEVEL.catch('info').parse(process.env.LOG_LEVEL);

/** A generated value kept in `.data/` (readable by the owner only), so restarts keep the same key and token. */
function localSecret(name: string, generate: () => string, say: (line: string) => void): string {
  const file = path.join(DATA_DIR, name);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const value = generate();
  writeFileSync(file, `${value}\n`, { mode: 0o600 });
  say(`Generated a local ${name.replace('-', ' ')} in ${file}; set ${name === 'api-token' ? 'API_TOKENS' : 'ENCRYPTION_KEY'} in production.`);
  return value;
}

main().catch((err: unknown) => {
  console.error('[start] failed:', err instanceof Error ? err.message : err);
  process.exit(1);
});
