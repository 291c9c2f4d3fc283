// Real parts for the tests: the API in this process, workers as child processes, the Autotask simulator over HTTP.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { type RunningApi, startApi } from '../api/server';
import { loadConfig } from '../config';
import { createLogger } from '../config/logger';
import { stopProcess } from '../scripts/temporal-cli';

export const TOKENS = {
  orgA: 'token-for-org-a-0000000001',
  orgB: 'token-for-org-b-0000000002',
  platform: 'token-for-platform-00000003',
};

const testKey = `test:${randomBytes(32).toString('base64')}`;

/** Environment shared by the API and the workers of one test file; timeouts scaled down from minutes to seconds. */
export function testEnv(zoneLookupUrl: string, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: required('TEST_DATABASE_URL'),
    TEMPORAL_ADDRESS: required('TEST_TEMPORAL_ADDRESS'),
    TEMPORAL_TASK_QUEUE: `test-${randomUUID()}`,
    WORKFLOW_BUNDLE_PATH: required('TEST_WORKFLOW_BUNDLE_PATH'),
    HOST: '127.0.0.1',
    PORT: '0',
    API_TOKENS: `${TOKENS.orgA}:org-a,${TOKENS.orgB}:org-b,${TOKENS.platform}:*`,
    ENCRYPTION_KEY: testKey,
    LOG_LEVEL: 'debug',
    AUTOTASK_ZONE_LOOKUP_URL: zoneLookupUrl,
    AUTOTASK_REQUEST_TIMEOUT_MS: '1500',
    LINK_ATTEMPT_TIMEOUT_MS: '3000',
    LINK_HEARTBEAT_TIMEOUT_MS: '2000',
    LINK_VERIFY_DEADLINE_MS: '20000',
    LINK_RETRY_INITIAL_MS: '200',
    LINK_RETRY_MAX_MS: '1000',
    API_MAX_WAIT_SECONDS: '30',
    // Scheduled refreshes stay out of the way of the tests' own (they trigger the schedule when they want one).
    CATALOG_REFRESH_INTERVAL_MS: String(30 * 24 * 3_600_000),
    CATALOG_REFRESH_JITTER_MS: '0',
    ...overrides,
  };
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests with npm test (test/global-setup.ts sets it)`);
  return value;
}

export interface TestApi extends RunningApi {
  logs: string[];
  /** Every response body this API sent through `call`. */
  responses: string[];
  call(method: string, route: string, options?: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> }): Promise<{ status: number; body: any; headers: Headers }>;
}

export async function startTestApi(env: Record<string, string>): Promise<TestApi> {
  const logs: string[] = [];
  const config = loadConfig(env);
  const api = await startApi(config, createLogger('debug', 'api', (line) => logs.push(line)));
  const responses: string[] = [];
  return {
    ...api,
    logs,
    responses,
    async call(method, route, { token = TOKENS.platform, body, rawBody, headers = {} } = {}) {
      const init: RequestInit = { method, headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...headers } };
      if (body !== undefined || rawBody !== undefined) {
        init.body = rawBody ?? JSON.stringify(body);
        (init.headers as Record<string, string>)['Content-Type'] ??= 'application/json';
      }
      const response = await fetch(`${api.url}${route}`, init);
      const text = await response.text();
      responses.push(text);
      return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
    },
  };
}

export interface WorkerProcess {
  logs: string[];
  process: ChildProcess;
  stop(): Promise<void>;
  kill(): Promise<void>;
}

/** A real worker process (`npm run worker`), ready once it polls its task queue. */
export async function startWorkerProcess(env: Record<string, string>): Promise<WorkerProcess> {
  const root = path.join(__dirname, '..');
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'worker', 'main.ts')], {
    cwd: root,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      logs.push(text);
      if (text.includes('worker polling')) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`worker exited (${code}) before polling:\n${logs.join('')}`)));
  });
  await ready;
  return {
    logs,
    process: child,
    stop: () => stopProcess(child),
    kill: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    },
  };
}

export async function temporalClient(): Promise<Client> {
  const connection = await Connection.connect({ address: required('TEST_TEMPORAL_ADDRESS') });
  return new Client({ connection });
}

/** Polls the connection through the API's own long-poll until `done` holds. */
export async function waitForConnection(api: TestApi, orgId: string, done: (body: any) => boolean, timeoutMs = 60_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  let { body, headers } = await api.call('GET', `/v1/orgs/${orgId}/autotask/connection`);
  while (!done(body)) {
    if (Date.now() > deadline) throw new Error(`connection of ${orgId} never matched; last: ${JSON.stringify(body)}`);
    const next = await api.call('GET', `/v1/orgs/${orgId}/autotask/connection`, {
      headers: { 'If-None-Match': headers.get('etag') ?? '', Prefer: 'wait=10' },
    });
    if (next.status === 200) ({ body, headers } = next);
  }
  return body;
}

export const settled = (body: any) => body.status === 'connected' || body.status === 'failed';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** Polls `check` until it holds; on timeout, the error says what `explain` saw (to diagnose a failure from CI's log). */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 20_000, explain?: () => unknown): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met in ${timeoutMs} ms${explain ? `; state: ${JSON.stringify(await explain(), null, 1)}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
