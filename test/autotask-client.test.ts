import { AutotaskClient, AutotaskError } from '../autotask/client';
import { type AutotaskSimulator, startAutotaskSimulator } from '../simulator/server';

const account = { username: 'client@msp.example', secret: 'client-secret', integrationCode: 'TRACKINGID0000000000000009', zone: 'ws14' };

let sim: AutotaskSimulator;
let client: AutotaskClient;

beforeAll(async () => {
  sim = await startAutotaskSimulator();
  sim.addAccount(account);
  sim.addAccount({ ...account, username: 'inactive@msp.example', active: false });
});
afterAll(() => sim.close());
beforeEach(() => {
  sim.clearFaults();
  sim.resetCalls();
  client = new AutotaskClient({ zoneLookupUrl: sim.zoneLookupUrl, requestTimeoutMs: 1_000 });
});

/** The AutotaskError a call fails with. */
async function failure(call: Promise<unknown>): Promise<AutotaskError> {
  const error = await call.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(error instanceof AutotaskError)) throw new Error(`expected an AutotaskError, got ${String(error)}`);
  return error;
}

describe('zone discovery', () => {
  it('finds the zone by username, without credentials, and caches it', async () => {
    const zone = await client.zoneFor(account.username);
    expect(zone).toEqual({ name: 'EMEA', apiUrl: `${sim.baseUrl}/ws14/ATServicesRest/`, webUrl: `${sim.baseUrl}/ww14/`, databaseId: 1 });
    await client.as(account).version();
    await client.as(account).version();
    expect(sim.callsTo('zoneInformation')).toHaveLength(1);
    expect(sim.callsTo('/V1.0/Version').map((c) => c.zone)).toEqual(['ws14', 'ws14']);
  });

  it('says zone_not_found with Autotask\'s text for an unknown username', async () => {
    const error = await failure(client.zoneFor('nobody@nowhere.example'));
    expect(error.kind).toBe('zone_not_found');
    expect(error.errors).toEqual(['Zone information could not be determined']);
  });

  it('looks the zone up again after a connection failure', async () => {
    await client.as(account).version();
    sim.inject({ path: '/V1.0/Version', drop: true, times: 1 });
    expect((await failure(client.as(account).version())).kind).toBe('transient');
    await client.as(account).version();
    expect(sim.callsTo('zoneInformation')).toHaveLength(2);
  });
});

describe('typed errors that keep Autotask\'s words', () => {
  it('auth_failed on an empty 401 (wrong secret)', async () => {
    const error = await failure(client.as({ ...account, secret: 'wrong' }).version());
    expect([error.kind, error.status, error.errors]).toEqual(['auth_failed', 401, []]);
  });

  it('auth_failed on 500 "IntegrationCode is invalid."', async () => {
    const error = await failure(client.as({ ...account, integrationCode: 'WRONG' }).version());
    expect([error.kind, error.status, error.detail]).toEqual(['auth_failed', 500, 'IntegrationCode is invalid.']);
  });

  it('permission_denied on 403', async () => {
    const error = await failure(client.as({ ...account, username: 'inactive@msp.example' }).version());
    expect(error.kind).toBe('permission_denied');
    expect(error.detail).toMatch(/inactive/);
  });

  it('sends a request refused with 429 again after a pause, and reports thread_limit when the refusals go on', async () => {
    sim.inject({ path: '/V1.0/Version', status: 429, times: 2 });
    sim.resetCalls();
    await client.as(account).version();
    expect(sim.callsTo('/Version').map((c) => c.status)).toEqual([429, 429, 200]);

    sim.inject({ path: '/V1.0/Version', status: 429, times: 6 });
    sim.resetCalls();
    const error = await failure(client.as(account).version());
    expect(error.kind).toBe('thread_limit');
    expect(error.detail).toMatch(/thread threshold of 3 threads/);
    expect(sim.callsTo('/Version')).toHaveLength(6);
  }, 30_000);

  it('validation on 500 with errors[]', async () => {
    sim.inject({ path: '/V1.0/Version', status: 500, body: { errors: ['Value does not reference an existing entity for queueID.'] }, times: 1 });
    const error = await failure(client.as(account).version());
    expect([error.kind, error.detail]).toEqual(['validation', 'Value does not reference an existing entity for queueID.']);
  });

  it('transient on other 5xx, on timeouts and on truncated bodies', async () => {
    sim.inject({ path: '/V1.0/Version', status: 503, body: 'Service Unavailable', times: 1 });
    expect((await failure(client.as(account).version())).kind).toBe('transient');

    sim.inject({ path: '/V1.0/Version', latencyMs: 3_000, times: 1 });
    const timedOut = await failure(client.as(account).version());
    expect([timedOut.kind, timedOut.message]).toEqual(['transient', expect.stringMatching(/did not answer .* within 1 s/)]);

    sim.inject({ path: '/V1.0/ThresholdInformation', status: 200, body: '{"externalRequestThreshold":', times: 1 });
    expect((await failure(client.as(account).thresholdInformation())).kind).toBe('transient');
  });

  it('never quotes the credentials in an error, even when they cannot be sent', async () => {
    const secret = 'multi\nline-secret';
    const error = await failure(client.as({ ...account, secret }).version());
    expect(error.kind).toBe('transient');
    expect(`${error.message} ${error.detail}`).not.toContain('line-secret');
  });

  it('sends the credentials nowhere but the user\'s zone, whatever a next-page URL says', async () => {
    sim.inject({ path: '/Companies/query', method: 'POST', status: 200, body: { items: [], pageDetails: { nextPageUrl: 'http://127.0.0.2:9/ATServicesRest/V1.0/Companies/query/next' } }, times: 1 });
    const session = client.as(account);
    const first = await session.queryPage('Companies', { filter: [{ op: 'gte', field: 'id', value: 0 }] });
    const error = await failure(session.queryPage('Companies', { filter: [{ op: 'gte', field: 'id', value: 0 }] }, first.nextPageUrl));
    expect([error.kind, error.message]).toEqual(['validation', expect.stringContaining('Refusing to send credentials to http://127.0.0.2:9')]);
  });

  it('stops at once when the caller aborts', async () => {
    sim.inject({ path: '/V1.0/Version', latencyMs: 3_000, times: 1 });
    const controller = new AbortController();
    const started = Date.now();
    const call = client.as(account).version({ signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    await expect(call).rejects.toThrow(/abort/i);
    expect(Date.now() - started).toBeLessThan(900);
  });
});

describe('calls', () => {
  it('reads the version, usage and entity access on the pinned V1.0 paths', async () => {
    const session = client.as(account);
    expect(await session.version()).toEqual({ majorVersion: '2026', minorVersion: '1', build: '1234' });
    expect(await session.thresholdInformation()).toEqual({ externalRequestThreshold: 10_000, requestThresholdTimeframe: 60, currentTimeframeRequestCount: expect.any(Number) });
    expect(await session.entityInformation('Tickets')).toMatchObject({ name: 'Ticket', canCreate: true, userAccessForCreate: true });
    expect(sim.calls.map((c) => c.path)).toEqual([
      '/V1.0/zoneInformation',
      '/V1.0/Version',
      '/V1.0/ThresholdInformation',
      '/V1.0/Tickets/entityInformation',
    ]);
  });

  it('reads a denied right as no access', async () => {
    sim.addAccount({ ...account, username: 'limited@msp.example', permissions: { Tickets: { update: false } } });
    const info = await client.as({ ...account, username: 'limited@msp.example' }).entityInformation('Tickets');
    expect([info.canUpdate, info.userAccessForUpdate, info.userAccessForCreate]).toEqual([true, false, true]);
  });
});
