import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './harness';

/** `npm start` on a machine with nothing configured: embedded PostgreSQL, Temporal dev server with UI, worker, API. */
it('brings the whole stack up on embedded defaults and stops it cleanly on Ctrl-C', async () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'petra-start-'));
  chmodSync(dataDir, 0o755); // the embedded PostgreSQL runs as the postgres user when we are root
  const [apiPort, temporalPort, uiPort, pgPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DATA_DIR: dataDir,
    PORT: String(apiPort),
    TEMPORAL_PORT: String(temporalPort),
    TEMPORAL_UI_PORT: String(uiPort),
    EMBEDDED_POSTGRES_PORT: String(pgPort),
    LOG_LEVEL: 'warn',
  };
  const root = path.join(__dirname, '..');
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'scripts', 'start.ts')], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  try {
    await new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Press Ctrl-C to stop.')) resolve();
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      void exited.then((code) => reject(new Error(`npm start exited (${code}):\n${output}`)));
    });

    const apiUrl = `http://127.0.0.1:${apiPort}`;
    expect(output).toContain(`API          ${apiUrl}`);
    expect(output).toContain(`Temporal UI  http://127.0.0.1:${uiPort}`);
    const token = readFileSync(path.join(dataDir, 'api-token'), 'utf8').trim();
    expect(output).toContain(`Authorization: Bearer ${token}`);

    expect(await (await fetch(`${apiUrl}/readyz`)).json()).toEqual({ status: 'ready', database: 'ok', temporal: 'ok' });
    const connection = await fetch(`${apiUrl}/v1/orgs/demo-org/autotask/connection`, { headers: { Authorization: `Bearer ${token}` } });
    expect(await connection.json()).toEqual({ orgId: 'demo-org', status: 'not_linked' });
    const ui = await fetch(`http://127.0.0.1:${uiPort}/`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toMatch(/<html/i);

    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(output).toContain('Stopping…');
    expect(output).not.toMatch(/stop step failed/);
    for (const port of [apiPort, temporalPort, uiPort, pgPort]) expect(await listening(port)).toBe(false);
  } finally {
    child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
});

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
