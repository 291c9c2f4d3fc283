import { loadConfigOrExit } from '../config';
import { runMigrations } from './migrate';

runMigrations(loadConfigOrExit().DATABASE_URL).then(
  () => console.log('migrations applied'),
  (err: unknown) => {
    console.error('migration failed:', err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
