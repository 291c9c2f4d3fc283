import { envSchema } from '../config';
import { runMigrations } from './migrate';

// Migrating needs only the database, not the whole configuration.
const env = envSchema.pick({ DATABASE_URL: true }).safeParse(process.env);
if (!env.success) {
  console.error('Invalid configuration:\n  DATABASE_URL: a postgres:// URL is required');
  process.exit(1);
}

runMigrations(env.data.DATABASE_URL).then(
  () => console.log('migrations applied'),
  (err: unknown) => {
    console.error('migration failed:', err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
