import type { Client } from '@temporalio/client';
import { type AutotaskSimulator, startAutotaskSimulator } from '../simulator/server';
import { settled, startTestApi, startWorkerProcess, temporalClient, type TestApi, testEnv, TOKENS, waitFor, waitForConnection, type WorkerProcess } from './harness';

const account = { username: 'petra-api@msp.example', secret: 'S3cret-never-shown', integrationCode: 'TRACKINGID0000000000000001', zone: 'ws5' };
type Credentials = Pick<typeof account, 'username' | 'secret' | 'integrationCode'>;
const credentials = ({ username, secret, integrationCode }: Credentials) => ({ username, secret, integrationCode });
const link = (orgId: string, creds: Credentials = account) => api.call('PUT', `/v1/orgs/${orgId}/autotask/connection`, { body: credentials(creds) });

let sim: AutotaskSimulator;
let api: TestApi;
let worker: WorkerProcess;
let temporal: Client;
let env: Record<string, string>;
let orgSeq = 0;
const newOrg = () => `org-link-${Date.now()}-${++orgSeq}`;

beforeAll(async () => {
  sim = await startAutotaskSimulator();
  sim.addAccount(account);
  env = testEnv(sim.zoneLookupUrl);
  [api, worker, temporal] = await Promise.all([startTestApi(env), startWorkerProcess(env), temporalClient()]);
});

afterAll(async () => {
  await Promise.all([api?.close(), worker?.stop(), temporal?.connection.close()]);
  await sim?.close();
});

beforeEach(() => {
  sim.clearFaults();
  sim.resetCalls();
});

describe('linking Autotask', () => {
  it('answers 202 verifying at once, then becomes connected with the zone filled in', async () => {
    const orgId = newOrg();
    const started = Date.now();
    const put = await link(orgId);
    expect(put.status).toBe(202);
    expect(put.body).toMatchObject({ orgId, status: 'verifying', username: account.username });
    expect(put.headers.get('location')).toBe(`/v1/orgs/${orgId}/autotask/connection`);

    const body = await waitForConnection(api, orgId, settled);
    console.log(`PUT → connected in ${Date.now() - started} ms`);
    expect(body).toMatchObject({
      status: 'connected',
      username: account.username,
      zone: { name: 'America West', apiUrl: `${sim.baseUrl}/ws5/ATServicesRest/`, webUrl: `${sim.baseUrl}/ww5/` },
    });
    expect(body.failure).toBeUndefined();
    expect(Date.parse(body.verifiedAt)).toBeGreaterThanOrEqual(started);
    expect(sim.callsTo('/V1.0/Version')).toHaveLength(1);
    expect(entityInformationCalls().map((c) => c.path.split('/')[2]).sort()).toEqual(['Companies', 'TicketNotes', 'Tickets']);
  });

  it('reports auth_failed after exactly one verification call when the secret is wrong', async () => {
    const orgId = newOrg();
    await link(orgId, { ...account, secret: 'wrong-secret' });
    const body = await waitForConnection(api, orgId, settled);
    expect(body.status).toBe('failed');
    expect(body.failure.code).toBe('auth_failed');
    expect(body.failure.message).toMatch(/Re-enter the Username, Password and Tracking Identifier/);
    expect(body.failure.message).toMatch(/API User \(system\)/);
    expect(sim.callsTo('/V1.0/Version')).toHaveLength(1);
    expect(entityInformationCalls()).toHaveLength(0);
  });

  it('reports auth_failed with Autotask\'s text when the tracking identifier is wrong', async () => {
    const orgId = newOrg();
    await link(orgId, { ...account, integrationCode: 'NOT-THE-RIGHT-CODE' });
    const body = await waitForConnection(api, orgId, settled);
    expect(body.failure).toMatchObject({ code: 'auth_failed', detail: 'IntegrationCode is invalid.' });
    expect(sim.callsTo('/V1.0/Version')).toHaveLength(1);
  });

  it('reports auth_failed, zone not found, for an unknown username', async () => {
    const orgId = newOrg();
    await link(orgId, { ...account, username: 'nobody@nowhere.example' });
    const body = await waitForConnection(api, orgId, settled);
    expect(body.failure.code).toBe('auth_failed');
    expect(body.failure.detail).toBe('Zone information could not be determined');
    expect(body.zone).toBeUndefined();
    expect(sim.callsTo('zoneInformation')).toHaveLength(1);
    expect(sim.callsTo('/V1.0/Version')).toHaveLength(0);
  });

  it('reports permission_denied for an inactive API user', async () => {
    const inactive = { ...account, username: 'inactive@msp.example', active: false };
    sim.addAccount(inactive);
    const orgId = newOrg();
    await link(orgId, inactive);
    const body = await waitForConnection(api, orgId, settled);
    expect(body.failure.code).toBe('permission_denied');
    expect(body.failure.message).toMatch(/active/);
    expect(body.failure.detail).toMatch(/inactive/i);
    expect(sim.callsTo('/V1.0/Version')).toHaveLength(1);
  });

  it('reports permission_denied naming each missing right', async () => {
    const limited = { ...account, username: 'limited@msp.example', permissions: { Tickets: { create: false }, TicketNotes: { create: false } } };
    sim.addAccount(limited);
    const orgId = newOrg();
    await link(orgId, limited);
    const body = await waitForConnection(api, orgId, settled);
    expect(body.failure.code).toBe('permission_denied');
    expect(body.failure.message).toMatch(/Tickets: create, TicketNotes: create/);
    expect(body.failure.detail).toBe('Missing access: Tickets: create, TicketNotes: create');
    expect(body.zone).toMatchObject({ name: 'America West' });
  });

  it('retries an Autotask slower than one attempt, and connects once it answers', async () => {
    sim.inject({ path: '/V1.0/Version', latencyMs: 4_000, times: 2 });
    const orgId = newOrg();
    await link(orgId);
    const body = await waitForConnection(api, orgId, settled);
    expect(body.status).toBe('connected');
    // Abandoned calls are recorded when the simulator finally answers them.
    await waitFor(() => sim.callsTo('/V1.0/Version').length === 3);
    await new Promise((r) => setTimeout(r, 500));
    expect(sim.callsTo('/V1.0/Version')).toHaveLength(3);
  });

  it('retries dropped connections and 5xx, and connects once Autotask recovers', async () => {
    sim.inject({ path: 'zoneInformation', drop: true, times: 1 });
    sim.inject({ path: '/V1.0/Version', status: 503, times: 2 });
    const orgId = newOrg();
    await link(orgId);
    const body = await waitForConnection(api, orgId, settled);
    expect(body.status).toBe('connected');
    expect(sim.callsTo('/V1.0/Version').length).toBe(3);
  });

  it('reports timeout when Autotask stays down past the verification deadline', async () => {
    const shortDeadline = await startTestApi({ ...env, LINK_VERIFY_DEADLINE_MS: '4000' });
    try {
      sim.inject({ path: '/V1.0/Version', status: 503 });
      const orgId = newOrg();
      const started = Date.now();
      await shortDeadline.call('PUT', `/v1/orgs/${orgId}/autotask/connection`, { body: credentials(account) });
      const body = await waitForConnection(shortDeadline, orgId, settled);
      expect(body.status).toBe('failed');
      expect(body.failure.code).toBe('timeout');
      expect(body.failure.message).toMatch(/Wait 1–2 minutes and try again/);
      expect(body.failure.detail).toMatch(/503/);
      // Temporal gives up as soon as the next retry could not start before the deadline.
      expect(Date.now() - started).toBeGreaterThan(3_000);
      expect(sim.callsTo('/V1.0/Version').length).toBeGreaterThan(2);
    } finally {
      await shortDeadline.close();
    }
  });

  it('lets the newest credentials win when re-linked during a verification', async () => {
    const orgId = newOrg();
    sim.inject({ path: '/V1.0/Version', latencyMs: 1_000, times: 1 });
    await link(orgId); // slow, and would connect
    await waitFor(() => sim.callsInFlight('/V1.0/Version') === 1);
    await link(orgId, { ...account, secret: 'a-wrong-secret' });
    const body = await waitForConnection(api, orgId, settled);
    expect(body.failure?.code).toBe('auth_failed');
    // The first verification's answer arrives after the second's outcome and must not overwrite it.
    await new Promise((r) => setTimeout(r, 1_500));
    expect((await api.call('GET', `/v1/orgs/${orgId}/autotask/connection`)).body.failure?.code).toBe('auth_failed');
  });

  it('lets concurrent saves settle on the newest one, never leaving the link verifying', async () => {
    const orgId = newOrg();
    const unknown = { ...account, username: 'nobody-at-all@nowhere.example' };
    sim.inject({ path: '/V1.0/Version', latencyMs: 300 });
    await Promise.all([link(orgId), link(orgId, unknown), link(orgId), link(orgId, unknown)]);
    const body = await waitForConnection(api, orgId, settled);
    // Whichever save came last is what the link shows, verified.
    if (body.username === account.username) expect(body.status).toBe('connected');
    else expect(body).toMatchObject({ username: unknown.username, status: 'failed', failure: { code: 'auth_failed' } });
  });

  it('unlinks: removes the credentials, stops the verification, answers not_linked', async () => {
    const orgId = newOrg();
    sim.inject({ path: '/V1.0/Version', latencyMs: 5_000, times: 1 });
    await link(orgId);
    await waitFor(() => sim.callsInFlight('/V1.0/Version') === 1);
    expect((await api.call('DELETE', `/v1/orgs/${orgId}/autotask/connection`)).status).toBe(204);
    expect((await api.call('DELETE', `/v1/orgs/${orgId}/autotask/connection`)).status).toBe(204);
    expect((await api.call('GET', `/v1/orgs/${orgId}/autotask/connection`)).body).toEqual({ orgId, status: 'not_linked' });
    const description = await temporal.workflow.getHandle(`autotask-link:${orgId}`).describe();
    expect(description.status.name).toBe('TERMINATED');
  });

  it('makes every verification of an org findable by the PetraOrgId search attribute', async () => {
    const orgId = newOrg();
    await link(orgId);
    await waitForConnection(api, orgId, settled);
    const found: string[] = [];
    await waitFor(async () => {
      found.length = 0;
      for await (const wf of temporal.workflow.list({ query: `PetraOrgId = "${orgId}" AND WorkflowType = "verifyAutotaskLink"` })) found.push(wf.workflowId);
      return found.length > 0;
    });
    expect(found).toEqual([`autotask-link:${orgId}`]);
  });

  it('wakes a waiting reader as soon as the outcome is known (long-poll)', async () => {
    const orgId = 'org-a';
    sim.inject({ path: '/V1.0/Version', latencyMs: 1_000, times: 1 });
    const put = await link(orgId);
    const etag = (await api.call('GET', `/v1/orgs/${orgId}/autotask/connection`, { token: TOKENS.orgA })).headers.get('etag')!;
    expect(put.body.status).toBe('verifying');
    const started = Date.now();
    const waited = await api.call('GET', `/v1/orgs/${orgId}/autotask/connection`, { token: TOKENS.orgA, headers: { 'If-None-Match': etag, Prefer: 'wait=20' } });
    expect(waited.status).toBe(200);
    expect(waited.body.status).toBe('connected');
    expect(Date.now() - started).toBeLessThan(10_000);

    const unchanged = await api.call('GET', `/v1/orgs/${orgId}/autotask/connection`, {
      token: TOKENS.orgA,
      headers: { 'If-None-Match': waited.headers.get('etag')!, Prefer: 'wait=1' },
    });
    expect(unchanged.status).toBe(304);
  });
});

/** The permission checks (not the catalog's `entityInformation/fields` reads). */
const entityInformationCalls = () => sim.calls.filter((c) => c.path.endsWith('/entityInformation'));
