import type { Client } from '@temporalio/client';
import postgres from 'postgres';
import { type AutotaskSimulator, startAutotaskSimulator } from '../simulator/server';
import { settled, startTestApi, waitFor, startWorkerProcess, temporalClient, type TestApi, testEnv, waitForConnection, type WorkerProcess } from './harness';

const SECRET = 'Sup3r-Secret-Value-42!';
const WRONG_SECRET = 'Wr0ng-Secret-Value-99?';
const account = { username: 'secret-keeper@msp.example', secret: SECRET, integrationCode: 'TRACKINGID0000000000000042', zone: 'ws14' };

/** The secret as it would look if it leaked verbatim or merely encoded. */
const disguises = (secret: string) => [
  secret,
  Buffer.from(secret).toString('base64'),
  Buffer.from(secret).toString('base64').replace(/=+$/, ''),
  Buffer.from(secret).toString('base64url'),
  Buffer.from(secret).toString('hex'),
  encodeURIComponent(secret),
  JSON.stringify(secret).slice(1, -1),
];

let sim: AutotaskSimulator;
let api: TestApi;
let worker: WorkerProcess;
let temporal: Client;
let sql: postgres.Sql;

beforeAll(async () => {
  sim = await startAutotaskSimulator({ companies: [{ id: 1, companyName: 'Contoso Limited' }] });
  sim.addAccount(account);
  const env = testEnv(sim.zoneLookupUrl);
  [api, worker, temporal] = await Promise.all([startTestApi(env), startWorkerProcess(env), temporalClient()]);
  sql = postgres(env.DATABASE_URL, { max: 1, onnotice: () => {} });
});

afterAll(async () => {
  await Promise.all([api?.close(), worker?.stop(), temporal?.connection.close(), sql?.end()]);
  await sim?.close();
});

it('keeps the secret out of Temporal history, logs, database rows and API responses', async () => {
  const orgId = `org-secrets-${Date.now()}`;
  const route = `/v1/orgs/${orgId}/autotask/connection`;
  const { username, integrationCode } = account;

  // A failed attempt with a wrong secret, then a successful one, with a retry in between.
  await api.call('PUT', route, { body: { username, integrationCode, secret: WRONG_SECRET } });
  expect((await waitForConnection(api, orgId, settled)).failure.code).toBe('auth_failed');
  sim.inject({ path: '/V1.0/Version', status: 503, times: 1 });
  await api.call('PUT', route, { body: { username, integrationCode, secret: SECRET } });
  expect((await waitForConnection(api, orgId, settled)).status).toBe('connected');
  await api.call('GET', route);
  // The confirmed link refreshes the catalog with the same credentials: its history is checked too.
  await waitFor(async () => (await api.call('GET', `/v1/orgs/${orgId}/autotask/catalog`)).body.lastRefresh?.outcome === 'succeeded');
  // An alert opens and resolves its ticket with the same credentials: its history is checked too.
  await api.call('PUT', `/v1/orgs/${orgId}/tenants/contoso`, { body: { name: 'Contoso' } });
  const mapping = { tenants: { contoso: 1 }, queue: 8, creationStatus: 1, updateStatus: 8, resolutionStatus: 5 };
  expect((await api.call('PATCH', `/v1/orgs/${orgId}/autotask/mappings`, { body: mapping })).status).toBe(200);
  const alert = { tenantId: 'contoso', alertId: 'a-1', severity: 'high', title: 'Risky sign-in', description: 'From a new country', occurredAt: '2026-12-03T10:00:00Z' };
  await api.call('POST', `/v1/orgs/${orgId}/alerts`, { body: [{ ...alert, revision: 1, status: 'open' }, { ...alert, revision: 2, status: 'resolved' }] });
  await waitFor(async () => (await api.call('GET', `/v1/orgs/${orgId}/alerts/a-1`)).body.lastAppliedRevision === 2);

  const histories: string[] = [];
  const types: string[] = [];
  await waitFor(async () => {
    histories.length = types.length = 0;
    for await (const execution of temporal.workflow.list({ query: `PetraOrgId = "${orgId}" AND ExecutionStatus != "Running"` })) {
      const history = await temporal.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory();
      histories.push(asJson(history), decodedPayloads(history));
      types.push(execution.type);
    }
    return types.includes('refreshAutotaskCatalog') && types.includes('syncAlert'); // visibility lags a little behind
  });
  expect(types.sort()).toEqual(['refreshAutotaskCatalog', 'syncAlert', 'verifyAutotaskLink', 'verifyAutotaskLink']);
  // The search really read these histories, and their payloads were decoded (the input's keys are readable).
  expect(histories.join('\n')).toContain(orgId);
  expect(histories.join('\n')).toContain('"attemptId"');
  expect(histories.join('\n')).toContain('"connected"');

  const rows = await sql`select row_to_json(c)::text as row from autotask_connections c where org_id = ${orgId}
    union all select row_to_json(a)::text from alert_syncs a where org_id = ${orgId}`;
  expect(rows).toHaveLength(2);

  const places = {
    'Temporal history': histories.join('\n'),
    'worker logs': worker.logs.join(''),
    'API logs': api.logs.join('\n'),
    'database rows': rows.map((r) => r.row).join('\n'),
    'API responses': api.responses.join('\n'),
  };
  for (const [place, text] of Object.entries(places)) {
    for (const secret of [SECRET, WRONG_SECRET]) {
      for (const disguise of disguises(secret)) {
        if (text.includes(disguise)) throw new Error(`${place} contains the secret (as "${disguise}")`);
      }
    }
  }
  expect(worker.logs.join('')).toContain('verifyAutotaskLink'); // the worker did log, at debug level
});

/** The history as the Temporal UI receives it: JSON with payload bytes in base64. */
const asJson = (history: unknown) => JSON.stringify(history, (_key, value) => (value instanceof Uint8Array ? Buffer.from(value).toString('base64') : value));

/** Every payload's bytes as text: what the Temporal UI shows when it decodes them. */
function decodedPayloads(value: unknown): string {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  if (Array.isArray(value)) return value.map(decodedPayloads).join('\n');
  if (value && typeof value === 'object') return Object.values(value).map(decodedPayloads).join('\n');
  return typeof value === 'string' ? value : '';
}
