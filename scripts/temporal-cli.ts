import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTES } from '../workflows/shared';

/** v1.5.1 is the last tag `go install` accepts: later ones carry a replace directive. */
const CLI_VERSION = 'v1.5.1';
/** Outside the work tree, so every fresh clone on this machine (CI included) reuses one build. */
const CACHE_DIR = path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'petra-autotask', `temporal-cli-${CLI_VERSION}`);

/**
 * Finds the Temporal CLI: `TEMPORAL_CLI_PATH`, `temporal` on PATH, our cache, Go's bin folder; otherwise builds it
 * once with `go install`. Returns `undefined` when none can be had (the caller falls back to the SDK's download).
 */
export function findOrBuildTemporalCli(log: (line: string) => void = console.log): string | undefined {
  const candidates = [process.env.TEMPORAL_CLI_PATH, onPath('temporal'), path.join(CACHE_DIR, 'temporal'), goBin('temporal')];
  const found = candidates.find((c): c is string => !!c && existsSync(c));
  if (found) return found;
  if (!onPath('go')) return undefined;
  log(`Building the Temporal CLI ${CLI_VERSION} with Go into ${CACHE_DIR} (once per machine, a few minutes)…`);
  mkdirSync(CACHE_DIR, { recursive: true });
  try {
    execFileSync('go', ['install', `github.com/temporalio/cli/cmd/temporal@${CLI_VERSION}`], {
      env: { ...process.env, GOBIN: CACHE_DIR, GOFLAGS: '-mod=mod' },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
  } catch (err) {
    log(`go install failed: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  }
  return path.join(CACHE_DIR, 'temporal');
}

export interface DevServerOptions {
  cliPath: string;
  ip: string;
  port: number;
  /** Omit for a headless server (tests). */
  uiPort?: number;
  /** SQLite file for persistence; omit for in-memory. */
  dbFile?: string;
  namespace: string;
}

export interface DevServer {
  address: string;
  uiUrl?: string;
  stop(): Promise<void>;
}

/**
 * A Temporal dev server for `npm start`, the tests and the benchmarks: the CLI when one is found or can be built,
 * otherwise the one the Temporal SDK downloads (needs internet access).
 */
export async function startTemporal(options: Omit<DevServerOptions, 'cliPath'>, log: (line: string) => void = console.log): Promise<DevServer> {
  const cliPath = findOrBuildTemporalCli(log);
  if (cliPath) return startDevServer({ ...options, cliPath });
  log('No Temporal CLI found and none could be built; downloading the dev server through the Temporal SDK…');
  const { TestWorkflowEnvironment } = await import('@temporalio/testing');
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      ip: options.ip,
      port: options.port,
      namespace: options.namespace,
      ui: options.uiPort !== undefined,
      uiPort: options.uiPort,
      dbFilename: options.dbFile,
      searchAttributes: SEARCH_ATTRIBUTES,
    },
  });
  return {
    address: `${options.ip}:${options.port}`,
    uiUrl: options.uiPort ? `http://${options.ip}:${options.uiPort}` : undefined,
    stop: () => env.teardown(),
  };
}

/** Starts `temporal server start-dev` and waits until it answers. */
async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const args = ['server', 'start-dev', '--ip', options.ip, '--port', String(options.port), '--namespace', options.namespace, '--log-level', 'error'];
  for (const key of SEARCH_ATTRIBUTES) args.push('--search-attribute', `${key.name}=Keyword`);
  if (options.uiPort) args.push('--ui-port', String(options.uiPort));
  else args.push('--headless');
  if (options.dbFile) {
    mkdirSync(path.dirname(options.dbFile), { recursive: true });
    args.push('--db-filename', options.dbFile, '--sqlite-pragma', 'journal_mode=WAL');
  }
  // Its own process group: a Ctrl-C in the terminal reaches only our launcher, which stops the server in order.
  const child = spawn(options.cliPath, args, { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  process.once('exit', () => child.kill()); // never leave it behind, even when the launcher dies
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const address = `${options.ip}:${options.port}`;
  await waitForTemporal(address, child, () => stderr);
  return {
    address,
    uiUrl: options.uiPort ? `http://${options.ip}:${options.uiPort}` : undefined,
    stop: () => stopProcess(child),
  };
}

async function waitForTemporal(address: string, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`The Temporal dev server exited (${child.exitCode}): ${stderr()}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      await connection.close();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(`The Temporal dev server did not answer on ${address} within 60 s: ${stderr()}`);
}

export function stopProcess(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

function onPath(binary: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, binary);
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

function goBin(binary: string): string | undefined {
  try {
    const gopath = execFileSync('go', ['env', 'GOPATH'], { encoding: 'utf8' }).trim();
    return gopath ? path.join(gopath, 'bin', binary) : undefined;
  } catch {
    return undefined;
  }
}
