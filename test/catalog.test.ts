import { type Client, ScheduleNotFoundError } from '@temporalio/client';
import postgres from 'postgres';
import { type AutotaskSimulator, type SimulatedCompany, startAutotaskSimulator } from '../simulator/server';
import { settled, startTestApi, startWorkerProcess, temporalClient, type TestApi, testEnv, waitFor, waitForConnection, type WorkerProcess } from './harness';

const account = { username: 'catalog@msp.example', secret: 'catalog-secret', integrationCode: 'TRACKINGID0000000000000011' };

/** 1,201 companies, last changed long ago: three pages of 500, 500 and 201, with a few the mapping tests need by name. */
const longAgo = { lastTrackedModifiedDateTime: '2026-01-05T10:00:00Z' };
const named: SimulatedCompany[] = [
  { id: 1, companyName: 'Contoso Limited', webAddress: 'https://contoso.example' },
  { id: 2, companyName: 'Fabrikam Industries', webAddress: 'https://www.fabrikam.com/about' },
  { id: 3, companyName: 'Northwind Inc', webAddress: '' },
  { id: 4, companyName: 'Northwind LLC', webAddress: '' },
  { id: 5, companyName: 'Tailspin Toys', webAddress: '' },
  { id: 6, companyName: 'Old Customer', isActive: false },
].map((c) => ({ ...longAgo, ...c }));
const filler = Array.from({ length: 1_201 - named.length }, (_, i): SimulatedCompany => ({ ...longAgo, id: 1_000 + i, companyName: `Client ${String(i).padStart(4, '0')}` }));

let sim: AutotaskSimulator;
let api: TestApi;
let worker: WorkerProcess;
let temporal: Client;
let sql: postgres.Sql;
let env: Record<string, string>;
const orgId = `org-catalog-${Date.now()}`;
const base = `/v1/orgs/${orgId}`;

/** Page calls only: the query and its POST-bound continuations, not the count. */
const pageCalls = () => sim.calls.filter((c) => /\/Companies\/query(\/next)?$/.test(c.path));
const catalogState = async () => (await api.call('GET', `${base}/autotask/catalog`)).body;

/** Asks for a refresh and waits until it has finished. */
async function refresh(body: object = {}) {
  const before = (await catalogState()).lastRefresh?.finishedAt;
  const res = await api.call('POST', `${base}/autotask/catalog/refresh`, { body });
  expect(res.status).toBe(202);
  await waitFor(
    async () => {
      const state = await catalogState();
      return !state.running && state.lastRefresh?.finishedAt !== before;
    },
    60_000,
    diagnosis,
  );
  return (await catalogState()).lastRefresh;
}

/** What a failed wait reports: the catalog state, the simulator's last calls and the worker's last log lines. */
const diagnosis = async () => ({
  catalog: await catalogState(),
  calls: sim.calls.slice(-10).map((c) => `${c.method} ${c.path} ${c.status}`),
  worker: worker.logs.join('').split('\n').slice(-15),
});

const storedCompanies = async () => Number((await sql`select count(*) from autotask_companies where org_id = ${orgId}`)[0]!.count);

beforeAll(async () => {
  sim = await startAutotaskSimulator({ companies: [...named, ...filler] });
  sim.addAccount(account);
  env = testEnv(sim.zoneLookupUrl);
  [api, worker, temporal] = await Promise.all([startTestApi(env), startWorkerProcess(env), temporalClient()]);
  sql = postgres(env.DATABASE_URL, { max: 1, onnotice: () => {} });

  expect((await api.call('PUT', `${base}/autotask/connection`, { body: account })).status).toBe(202);
  expect((await waitForConnection(api, orgId, settled)).status).toBe('connected');
  await waitFor(async () => (await catalogState()).lastRefresh?.outcome === 'succeeded', 60_000);
  for (const tenant of [
    { id: 'contoso', name: 'Contoso Ltd.', domains: ['contoso.com'] },
    { id: 'fabrikam', name: 'Fabrikam', domains: ['fabrikam.com'] },
    { id: 'northwind', name: 'Northwind', domains: [] },
    { id: 'tailspin', name: 'Tailspin Toys', domains: [] },
    { id: 'unknown', name: 'Nobody We Know', domains: ['nobody.example'] },
  ]) {
    expect((await api.call('PUT', `${base}/tenants/${tenant.id}`, { body: { name: tenant.name, domains: tenant.domains } })).status).toBe(201);
  }
});

afterAll(async () => {
  await Promise.all([api?.close(), worker?.stop(), temporal?.connection.close(), sql?.end()]);
  await sim?.close();
});

beforeEach(() => sim.clearFaults());

describe('the catalog refresh', () => {
  it('runs right after the link is confirmed, in ⌈N/500⌉ page calls, and is scheduled', async () => {
    const last = (await catalogState()).lastRefresh;
    expect(last).toMatchObject({ mode: 'full', outcome: 'succeeded', companyRows: 1_201, pageCalls: 3 });
    expect(pageCalls()).toHaveLength(3);
    expect(pageCalls().every((c) => c.method === 'POST')).toBe(true);
    expect(await storedCompanies()).toBe(1_201);

    const schedule = await temporal.schedule.getHandle(`autotask-catalog:${orgId}`).describe();
    expect(schedule.spec.intervals).toMatchObject([{ every: Number(env.CATALOG_REFRESH_INTERVAL_MS) }]);
    expect(schedule.policies.overlap).toBe('SKIP');

    // Linking again (same credentials) keeps the one schedule and refreshes again.
    const refreshes = (await catalogState()).lastRefresh.finishedAt;
    await api.call('PUT', `${base}/autotask/connection`, { body: account });
    expect((await waitForConnection(api, orgId, settled)).status).toBe('connected');
    await waitFor(async () => (await catalogState()).lastRefresh?.finishedAt !== refreshes, 60_000, diagnosis);
    expect((await catalogState()).lastRefresh.mode).toBe('full'); // new credentials may mean another Autotask: read all
    const schedules: string[] = [];
    for await (const s of temporal.schedule.list()) if (s.scheduleId.endsWith(orgId)) schedules.push(s.scheduleId);
    expect(schedules).toEqual([`autotask-catalog:${orgId}`]);
  });

  it('resumes from its checkpoint when a page fails, reading no page twice and losing no row', async () => {
    sim.resetCalls();
    sim.inject({ path: '/Companies/query/next', status: 503, times: 1 }); // the second page, once
    const last = await refresh({ full: true });
    expect(last).toMatchObject({ mode: 'full', outcome: 'succeeded', companyRows: 1_201 });
    const paths = pageCalls().map((c) => `${c.path.endsWith('next') ? 'next' : 'first'} ${c.status}`);
    expect(paths).toEqual(['first 200', 'next 503', 'next 200', 'next 200']);
    expect(await storedCompanies()).toBe(1_201);
  });

  it('reads the pass again from the start when the kept cursor has expired by the retry', async () => {
    sim.resetCalls();
    sim.inject({ path: '/Companies/query/next', status: 503, times: 1 });
    sim.inject({ path: '/Companies/query/next', status: 404, body: { errors: ['The paging cursor has expired.'] }, times: 1 });
    const last = await refresh({ full: true });
    expect(last).toMatchObject({ mode: 'full', outcome: 'succeeded', companyRows: 1_201 });
    const paths = pageCalls().map((c) => `${c.path.endsWith('next') ? 'next' : 'first'} ${c.status}`);
    expect(paths).toEqual(['first 200', 'next 503', 'next 404', 'first 200', 'next 200', 'next 200']);
    expect(await storedCompanies()).toBe(1_201);
  });

  it('reads only what changed on an incremental pass: three Autotask calls when nothing did', async () => {
    sim.resetCalls();
    const last = await refresh();
    expect(last).toMatchObject({ mode: 'incremental', outcome: 'succeeded', companyRows: 0 });
    expect(sim.calls.map((c) => c.path)).toEqual(
      expect.arrayContaining(['/V1.0/Tickets/entityInformation/fields', '/V1.0/TicketNotes/entityInformation/fields', '/V1.0/Companies/query']),
    );
    expect(sim.calls.length).toBeLessThanOrEqual(3);
  });

  it('marks a deactivated company and an inactive status, and the mappings using them report it', async () => {
    const patch = await api.call('PATCH', `${base}/autotask/mappings`, { body: { tenants: { fabrikam: 2 }, creationStatus: 8 } });
    expect(patch.status).toBe(200);
    sim.upsertCompany({ id: 2, companyName: 'Fabrikam Industries', isActive: false });
    sim.setPicklistValue('Tickets', 'status', 8, { isActive: false });

    const last = await refresh();
    expect(last).toMatchObject({ mode: 'incremental', companyRows: 1 });
    const config = (await api.call('GET', `${base}/autotask/mappings`)).body;
    expect(config.tenants.find((t: { tenantId: string }) => t.tenantId === 'fabrikam')).toMatchObject({ companyId: 2, health: 'company_inactive' });
    expect(config.settings.creationStatus).toMatchObject({ value: 8, health: 'value_inactive' });
    expect(config.summary).toMatchObject({ mapped: 1, tenantsNeedingAttention: 1 });

    const picker = (await api.call('GET', `${base}/autotask/catalog/picklists`)).body.picklists['Tickets.status'];
    expect(picker.map((v: { value: number }) => v.value)).not.toContain(8);
    const companies = (await api.call('GET', `${base}/autotask/catalog/companies?q=fabrikam`)).body.items;
    expect(companies).toEqual([]);
    const all = (await api.call('GET', `${base}/autotask/catalog/companies?q=fabrikam&includeInactive=true`)).body.items;
    expect(all).toEqual([expect.objectContaining({ id: 2, isActive: false })]);

    sim.upsertCompany({ id: 2, companyName: 'Fabrikam Industries', isActive: true });
    sim.setPicklistValue('Tickets', 'status', 8, { isActive: true });
  });

  it('reports a value Autotask removed as missing, and runs a full pass when the last one is too old', async () => {
    await api.call('PATCH', `${base}/autotask/mappings`, { body: { source: 4 } });
    sim.removePicklistValue('Tickets', 'source', 4);
    // An API whose full-pass interval has already elapsed: this refresh reads everything without being asked to.
    const eager = await startTestApi({ ...env, CATALOG_FULL_REFRESH_INTERVAL_MS: '1' });
    try {
      const before = (await catalogState()).lastRefresh.finishedAt;
      expect((await eager.call('POST', `${base}/autotask/catalog/refresh`)).status).toBe(202);
      await waitFor(async () => (await catalogState()).lastRefresh.finishedAt !== before && !(await catalogState()).running, 60_000, diagnosis);
    } finally {
      await eager.close();
    }
    expect((await catalogState()).lastRefresh).toMatchObject({ mode: 'full', companyRows: 1_201 });
    const config = (await api.call('GET', `${base}/autotask/mappings`)).body;
    expect(config.settings.source).toMatchObject({ value: 4, health: 'value_missing' });
    expect(config.summary.settingsNeedingAttention).toBeGreaterThanOrEqual(1);
    sim.setPicklistValue('Tickets', 'source', 4, { label: 'Email' });
    await api.call('PATCH', `${base}/autotask/mappings`, { body: { source: null } });
  });

  it('marks a company Autotask no longer lists as missing on the next full pass, and keeps its mapping', async () => {
    await api.call('PATCH', `${base}/autotask/mappings`, { body: { tenants: { tailspin: 5 } } });
    sim.setCompanies([...named.filter((c) => c.id !== 5), ...filler]);
    await refresh({ full: true });
    const tailspin = (await api.call('GET', `${base}/autotask/mappings`)).body.tenants.find((t: { tenantId: string }) => t.tenantId === 'tailspin');
    expect(tailspin).toMatchObject({ companyId: 5, health: 'company_missing' });
    expect((await sql`select present from autotask_companies where org_id = ${orgId} and company_id = 5`)[0]).toEqual({ present: false });
    sim.setCompanies([...named, ...filler]);
    await refresh({ full: true });
  });

  it('runs one refresh for concurrent requests', async () => {
    sim.inject({ path: '/Tickets/entityInformation/fields', latencyMs: 1_000, times: 1 });
    sim.resetCalls();
    const before = (await catalogState()).lastRefresh.finishedAt;
    const answers = await Promise.all(Array.from({ length: 5 }, () => api.call('POST', `${base}/autotask/catalog/refresh`)));
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202, 202, 202]);
    expect(new Set(answers.map((a) => `${a.body.runId}#${a.body.pass}`)).size).toBe(1);
    await waitFor(async () => (await catalogState()).lastRefresh.finishedAt !== before, 60_000, diagnosis);
    expect(sim.callsTo('/Tickets/entityInformation/fields')).toHaveLength(1);
  });

  it('serves a request the running pass cannot (a full one during an incremental pass) with one more pass', async () => {
    sim.inject({ path: '/Companies/query', latencyMs: 1_000, times: 1 });
    sim.resetCalls();
    const before = (await catalogState()).lastRefresh.finishedAt;
    const first = await api.call('POST', `${base}/autotask/catalog/refresh`);
    await waitFor(() => sim.callsInFlight('/Companies/query') === 1, 20_000, diagnosis);
    const [full, joining] = await Promise.all([
      api.call('POST', `${base}/autotask/catalog/refresh`, { body: { full: true } }),
      api.call('POST', `${base}/autotask/catalog/refresh`, { body: { full: true } }),
    ]);
    expect([first.body.pass, full.body.pass, joining.body.pass]).toEqual([1, 2, 2]);
    expect(new Set([first.body.runId, full.body.runId, joining.body.runId]).size).toBe(1);
    await waitFor(async () => {
      const state = await catalogState();
      return !state.running && state.lastRefresh.finishedAt !== before && state.lastRefresh.mode === 'full';
    }, 60_000, diagnosis);
    expect(sim.callsTo('/Tickets/entityInformation/fields')).toHaveLength(2); // two passes, not three
  });

  it('reports progress while a full pass runs', async () => {
    sim.inject({ path: '/Companies/query/next', latencyMs: 1_500, times: 1 });
    await api.call('POST', `${base}/autotask/catalog/refresh`, { body: { full: true } });
    await waitFor(async () => (await catalogState()).running?.pagesDone === 1, 20_000, diagnosis);
    expect((await catalogState()).running).toMatchObject({ mode: 'full', pagesDone: 1, pagesExpected: 3 });
    await waitFor(async () => !(await catalogState()).running, 30_000, diagnosis);
  });

  it('runs from its schedule too', async () => {
    const before = (await catalogState()).lastRefresh.finishedAt;
    await temporal.schedule.getHandle(`autotask-catalog:${orgId}`).trigger();
    await waitFor(async () => (await catalogState()).lastRefresh.finishedAt !== before, 60_000, diagnosis);
    expect((await catalogState()).lastRefresh.outcome).toBe('succeeded');
  });
});

describe('the company picker', () => {
  it('pages through every active company by name with a cursor', async () => {
    const seen: Array<{ id: number; name: string }> = [];
    let cursor: string | null = null;
    do {
      const query: string = `limit=200${cursor ? `&cursor=${cursor}` : ''}`;
      const page: { items: Array<{ id: number; name: string }>; nextCursor: string | null } = (await api.call('GET', `${base}/autotask/catalog/companies?${query}`)).body;
      seen.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(1_200); // all but the inactive one
    expect(new Set(seen.map((c) => c.id)).size).toBe(1_200);
    const names = seen.map((c) => c.name.toLowerCase());
    expect(names).toEqual([...names].sort());
  });

  it('finds companies by part of their name', async () => {
    const found = (await api.call('GET', `${base}/autotask/catalog/companies?q=NORTHWIND`)).body.items;
    expect(found.map((c: { id: number }) => c.id)).toEqual([3, 4]);
  });
});

describe('the mapping configuration', () => {
  const patch = (body: unknown, headers: Record<string, string> = {}) => api.call('PATCH', `${base}/autotask/mappings`, { body, headers });

  it('saves a valid change at once and shows it with a new version', async () => {
    const before = await api.call('GET', `${base}/autotask/mappings`);
    const res = await patch({ queue: 8, updateStatus: 5, issueType: 4, subIssueType: 11, priorities: { critical: 1, low: 3 }, tenants: { contoso: 1 } });
    expect(res.status).toBe(200);
    expect(res.body.version).toBe(before.body.version + 1);
    expect(res.headers.get('etag')).toBe(`"${res.body.version}"`);
    const after = (await api.call('GET', `${base}/autotask/mappings`)).body;
    expect(after.settings).toMatchObject({
      queue: { value: 8, label: 'Monitoring Alert', health: 'ok' },
      updateStatus: { value: 5, label: 'Complete', health: 'ok' },
      subIssueType: { value: 11, label: 'Laptop', health: 'ok' },
      priorities: { critical: { value: 1, label: 'Critical' }, low: { value: 3, label: 'Low' }, high: { value: null, health: 'unset' } },
    });
    expect(after.tenants.find((t: { tenantId: string }) => t.tenantId === 'contoso')).toMatchObject({ companyId: 1, companyName: 'Contoso Limited', health: 'ok' });

    expect((await patch({ tenants: { contoso: null } })).body.tenants.find((t: { tenantId: string }) => t.tenantId === 'contoso').companyId).toBeNull();
  });

  it.each([
    [{ queue: 999_999 }, 'queue', /999999 is not a queue for new tickets/],
    [{ queue: 29_682_971 }, 'queue', /inactive/],
    [{ priorities: { high: 6 } }, 'priorities.high', /inactive/],
    [{ issueType: 5, subIssueType: 11 }, 'subIssueType', /does not belong to issue type 5/],
    [{ tenants: { contoso: 6 } }, 'tenants.contoso', /inactive/],
    [{ tenants: { contoso: 424_242 } }, 'tenants.contoso', /not an Autotask company/],
    [{ tenants: { 'no-such-tenant': 1 } }, 'tenants.no-such-tenant', /no tenant/],
  ])('refuses %j with 422 naming %s and what is allowed', async (body, field, message) => {
    const before = (await api.call('GET', `${base}/autotask/mappings`)).body.version;
    const res = await patch(body);
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('invalid_mapping');
    expect(res.body.error.details).toEqual([expect.objectContaining({ field, message: expect.stringMatching(message) })]);
    if (!field.startsWith('tenants')) expect(res.body.error.details[0].allowed.length).toBeGreaterThan(0);
    expect((await api.call('GET', `${base}/autotask/mappings`)).body.version).toBe(before);
  });

  it('lists only the sub-issue types of the chosen issue type as allowed', async () => {
    const res = await patch({ issueType: 5, subIssueType: 11 });
    expect(res.body.error.details[0].allowed.map((v: { value: number }) => v.value)).toEqual([14, 15]);
  });

  it('refuses a change made against a stale version with 412, and takes the current one', async () => {
    const { version } = (await api.call('GET', `${base}/autotask/mappings`)).body;
    expect((await patch({ source: 2 }, { 'If-Match': `"${version}"` })).status).toBe(200);
    const stale = await patch({ source: 4 }, { 'If-Match': `"${version}"` });
    expect(stale.status).toBe(412);
    expect(stale.body.error).toMatchObject({ code: 'version_mismatch', details: { currentVersion: version + 1 } });
    expect((await api.call('GET', `${base}/autotask/mappings`)).body.settings.source.value).toBe(2);
  });

  it.each([
    [{}, 'at least one'],
    [{ queue: 'eight' }, 'queue'],
    [{ queue: 8.5 }, 'queue'],
    [{ priorities: { urgent: 1 } }, 'priorities.urgent'],
    [{ color: 'red' }, 'color'],
    [{ tenants: { contoso: 'acme' } }, 'tenants.contoso'],
  ])('answers malformed change %j with 400 naming %s', async (body, field) => {
    const res = await patch(body);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain(field);
  });
});

describe('suggestions', () => {
  it('proposes one company per unmapped tenant by normalized name or domain, lists ambiguity, leaves mappings alone', async () => {
    await api.call('PATCH', `${base}/autotask/mappings`, { body: { tenants: { contoso: null, fabrikam: null, tailspin: 5 } } });
    const { suggestions, ambiguous } = (await api.call('GET', `${base}/autotask/mappings/suggestions`)).body;
    expect(suggestions).toEqual([
      { tenantId: 'contoso', companyId: 1, companyName: 'Contoso Limited', reason: 'name' },
      { tenantId: 'fabrikam', companyId: 2, companyName: 'Fabrikam Industries', reason: 'domain' },
    ]);
    expect(ambiguous).toEqual([
      {
        tenantId: 'northwind',
        candidates: [
          { companyId: 3, companyName: 'Northwind Inc', reason: 'name' },
          { companyId: 4, companyName: 'Northwind LLC', reason: 'name' },
        ],
      },
    ]);
    // Nothing was applied: suggestions are proposals until PATCHed.
    const config = (await api.call('GET', `${base}/autotask/mappings`)).body;
    expect(config.tenants.filter((t: { companyId: number | null }) => t.companyId !== null).map((t: { tenantId: string }) => t.tenantId)).toEqual(['tailspin']);
  });
});

describe('tenants', () => {
  it('registers, updates and lists tenants; bad input is refused', async () => {
    expect((await api.call('PUT', `${base}/tenants/contoso`, { body: { name: 'Contoso Ltd.', domains: ['contoso.com', 'Contoso.NET'] } })).status).toBe(200);
    const { items } = (await api.call('GET', `${base}/tenants`)).body;
    expect(items.find((t: { tenantId: string }) => t.tenantId === 'contoso')).toEqual({ tenantId: 'contoso', name: 'Contoso Ltd.', domains: ['contoso.com', 'contoso.net'], companyId: null });
    expect((await api.call('PUT', `${base}/tenants/x`, { body: { domains: [] } })).body.error.details).toEqual([{ field: 'name', message: expect.stringContaining('required') }]);
    expect((await api.call('PUT', `${base}/tenants/x`, { body: { name: 'X', domains: ['not a domain'] } })).body.error.details).toEqual([
      { field: 'domains.0', message: expect.stringContaining('domain name') },
    ]);
    expect((await api.call('PUT', `${base}/tenants/${encodeURIComponent('bad id!')}`, { body: { name: 'X' } })).status).toBe(400);
  });
});

describe('unlinking', () => {
  it('deletes the schedule, idempotently', async () => {
    expect((await api.call('DELETE', `${base}/autotask/connection`)).status).toBe(204);
    await expect(temporal.schedule.getHandle(`autotask-catalog:${orgId}`).describe()).rejects.toBeInstanceOf(ScheduleNotFoundError);
    expect((await api.call('DELETE', `${base}/autotask/connection`)).status).toBe(204);
    const refused = await api.call('POST', `${base}/autotask/catalog/refresh`);
    expect([refused.status, refused.body.error.code]).toEqual([409, 'not_connected']);
  });
});
