import { type AutotaskSimulator, startAutotaskSimulator } from '../simulator/server';
import { settled, startTestApi, startWorkerProcess, type TestApi, testEnv, waitForConnection, type WorkerProcess } from './harness';

const account = { username: 'restart@msp.example', secret: 'restart-secret', integrationCode: 'TRACKINGID0000000000000007' };

let sim: AutotaskSimulator;
let api: TestApi;
let workers: WorkerProcess[] = [];

beforeAll(async () => {
  sim = await startAutotaskSimulator();
  sim.addAccount(account);
});

afterAll(async () => {
  await Promise.all([api?.close(), ...workers.map((w) => w.stop())]);
  await sim?.close();
});

it('completes a verification when its worker is killed mid-call and another one starts', async () => {
  const env = testEnv(sim.zoneLookupUrl, { AUTOTASK_REQUEST_TIMEOUT_MS: '60000', LINK_ATTEMPT_TIMEOUT_MS: '90000' });
  api = await startTestApi(env);
  workers.push(await startWorkerProcess(env));

  // Autotask takes a minute to answer the first credential check: the worker dies while waiting for it.
  sim.inject({ path: '/V1.0/Version', latencyMs: 60_000, times: 1 });
  const orgId = `org-restart-${Date.now()}`;
  const started = Date.now();
  expect((await api.call('PUT', `/v1/orgs/${orgId}/autotask/connection`, { body: account })).status).toBe(202);
  while (sim.callsInFlight('/V1.0/Version') === 0) await new Promise((r) => setTimeout(r, 50));
  await workers[0]!.kill();

  workers.push(await startWorkerProcess(env));
  const body = await waitForConnection(api, orgId, settled);
  expect(body.status).toBe('connected');
  // Found by the heartbeat timeout (2 s here), not by the minute-long attempt timeout.
  expect(Date.now() - started).toBeLessThan(30_000);
  expect(sim.callsTo('/V1.0/Version').filter((c) => c.status === 200).length).toBeGreaterThanOrEqual(1);
});
