import { loadConfigOrExit } from '../config';
import { createLogger } from '../config/logger';
import { runMigrations } from '../db/migrate';
import { startApi } from './server';

async function main() {
  const config = loadConfigOrExit();
  const log = createLogger(config.LOG_LEVEL, 'api');
  if (config.API_TOKENS.size === 0) {
    console.error('Invalid configuration:\n  API_TOKENS: at least one token:scope pair is required');
    process.exit(1);
  }
  await runMigrations(config.DATABASE_URL);
  const api = await startApi(config, log);
  const stop = () => void api.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error('API failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
