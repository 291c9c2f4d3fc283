// Starts what the suite needs, once per `npm test`: a Temporal dev server, a fresh PostgreSQL database and a
// prebuilt workflow bundle. Test files read the addresses from the environment (see test/harness.ts).
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { runMigrations } from '../db/migrate';
import { findOrBuildTemporalCli, startDevServer } from '../scripts/temporal-cli';
import { freePort } from './harness';

declare global {
  var __petraTeardown: (() => Promise<void>) | undefined;
}

export default async function globalSetup(): Promise<void> {
  const cliPath = findOrBuildTemporalCli((line) => console.log(line));
  if (!cliPath) throw new Error('No Temporal CLI: set TEMPORAL_CLI_PATH, or install Go so the test setup can build it');
  const [temporal, database] = await Promise.all([
    process.env.TEST_TEMPORAL_ADDRESS ? undefined : startDevServer({ cliPath, ip: '127.0.0.1', port: await freePort(), namespace: 'default' }),
    freshDatabase(process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'),
  ]);
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'petra-test-'));
  const bundlePath = path.join(workDir, 'workflow-bundle.js');
  execFileSync(process.execPath, ['--import', 'tsx', path.join(__dirname, '..', 'scripts', 'build-workflow-bundle.ts'), bundlePath], { stdio: 'inherit' });

  process.env.TEST_TEMPORAL_ADDRESS ??= temporal!.address;
  process.env.TEST_DATABASE_URL = database.url;
  process.env.TEST_WORKFLOW_BUNDLE_PATH = bundlePath;
  globalThis.__petraTeardown = async () => {
    await temporal?.stop();
    await database.drop();
  };
}

/** A database of its own for this run, migrated, dropped at the end. */
async function freshDatabase(adminUrl: string) {
  const name = `petra_test_${Date.now()}_${process.pid}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  await runMigrations(url.toString());
  return {
    url: url.toString(),
    drop: async () => {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}
