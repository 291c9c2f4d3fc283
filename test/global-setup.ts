// Starts what the suite needs, once per `npm test`: a Temporal dev server, a fresh PostgreSQL database (in the local
// server, or an embedded one when none answers) and a prebuilt workflow bundle. Test files read the addresses from the
// environment (see test/harness.ts).
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres } from '../scripts/embedded-postgres';
import { createScratchDatabase, reachable } from '../scripts/scratch-database';
import { startTemporal } from '../scripts/temporal-cli';
import { freePort } from './harness';

declare global {
  var __petraTeardown: (() => Promise<void>) | undefined;
}

const LOCAL_POSTGRES = 'postgres://postgres@127.0.0.1:5432/postgres';

export default async function globalSetup(): Promise<void> {
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'petra-test-'));
  chmodSync(workDir, 0o755); // an embedded PostgreSQL runs as the postgres user when we are root

  const [temporal, postgresServer] = await Promise.all([
    process.env.TEST_TEMPORAL_ADDRESS ? undefined : startTemporal({ ip: '127.0.0.1', port: await freePort(), namespace: 'default' }),
    postgresForTests(workDir),
  ]);
  const database = await createScratchDatabase(postgresServer.adminUrl, 'petra_test');
  const bundlePath = path.join(workDir, 'workflow-bundle.js');
  execFileSync(process.execPath, ['--import', 'tsx', path.join(__dirname, '..', 'scripts', 'build-workflow-bundle.ts'), bundlePath], { stdio: 'inherit' });

  process.env.TEST_TEMPORAL_ADDRESS ??= temporal!.address;
  process.env.TEST_DATABASE_URL = database.url;
  process.env.TEST_WORKFLOW_BUNDLE_PATH = bundlePath;
  globalThis.__petraTeardown = async () => {
    await temporal?.stop();
    await database.drop();
    await postgresServer.stop();
  };
}

/** `TEST_DATABASE_ADMIN_URL` when set; else the machine's PostgreSQL; else an embedded one for this run. */
async function postgresForTests(workDir: string): Promise<{ adminUrl: string; stop(): Promise<void> }> {
  const configured = process.env.TEST_DATABASE_ADMIN_URL;
  if (configured || (await reachable(LOCAL_POSTGRES))) return { adminUrl: configured ?? LOCAL_POSTGRES, stop: async () => {} };
  console.log('No PostgreSQL on 127.0.0.1:5432: starting an embedded one for this run');
  const embedded = await startEmbeddedPostgres(path.join(workDir, 'postgres'), await freePort());
  return { adminUrl: embedded.url, stop: embedded.stop };
}
