import { startAutotaskSimulator, type AutotaskSimulator, type SimulatedCompany } from '../simulator/server';

const USER = 'api@acme.example';
const SECRET = 'correct-horse';
const CODE = 'ACMEINTEGRATIONCODE00000000';

let sim: AutotaskSimulator;
let api: string;

beforeAll(async () => {
  sim = await startAutotaskSimulator({ threadLimit: 3 });
  sim.addAccount({ username: USER, secret: SECRET, integrationCode: CODE, zone: 'ws5', database: 4242 });
  api = `${sim.baseUrl}/ws5/ATServicesRest/`;
});

afterAll(async () => {
  await sim.close();
});

beforeEach(() => {
  sim.clearFaults();
  sim.resetCalls();
});

function call(path: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}) {
  return fetch(path.startsWith('http') ? path : `${api}${path}`, {
    method: init.method ?? 'GET',
    headers: { ApiIntegrationCode: CODE, UserName: USER, Secret: SECRET, 'Content-Type': 'application/json', ...init.headers },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
}

const companies = (count: number): SimulatedCompany[] =>
  Array.from({ length: count }, (_, i) => ({ id: i + 1, companyName: `Company ${i + 1}` }));

describe('zone discovery', () => {
  it('answers a known user without credentials', async () => {
    const res = await fetch(`${sim.zoneLookupUrl}?user=${encodeURIComponent(USER)}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      zoneName: 'America West',
      url: `${sim.baseUrl}/ws5/ATServicesRest/`,
      webUrl: `${sim.baseUrl}/ww5/`,
      ci: 4242,
    });
  });

  it('answers 500 for an unknown user', async () => {
    const res = await fetch(`${sim.zoneLookupUrl}?user=nobody@example.com`);
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ errors: ['Zone information could not be determined'] });
  });
});

describe('authentication', () => {
  it('answers an empty 401 for a wrong secret', async () => {
    const res = await call('V1.0/Version', { headers: { Secret: 'wrong' } });
    expect(res.status).toBe(401);
    expect(await res.text()).toBe('');
  });

  it('answers 500 for a wrong integration code', async () => {
    const res = await call('V1.0/Version', { headers: { ApiIntegrationCode: 'NOPE' } });
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ errors: ['IntegrationCode is invalid.'] });
  });

  it('answers 403 for an inactive account', async () => {
    sim.addAccount({ username: 'sleepy@acme.example', secret: 's', integrationCode: CODE, active: false });
    const res = await call('V1.0/Version', { headers: { UserName: 'sleepy@acme.example', Secret: 's' } });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ errors: ['The API user account is inactive. Please see your Autotask Administrator.'] });
  });

  it('serves Version to a valid account', async () => {
    const res = await call('v1.0/version');
    expect(await res.json()).toEqual({ majorVersion: '2026', minorVersion: '1', build: '1234' });
  });
});

describe('entityInformation', () => {
  it('reports denied permissions as "None" and refuses the query', async () => {
    const headers = { UserName: 'readonly@acme.example', Secret: 'r' };
    sim.addAccount({ username: headers.UserName, secret: headers.Secret, integrationCode: CODE, permissions: { companies: { query: false } } });
    const res = await call('V1.0/companies/entityInformation', { headers });
    expect(await res.json()).toEqual({
      info: {
        name: 'Company', canCreate: true, canDelete: false, canQuery: true, canUpdate: true,
        userAccessForCreate: 'All', userAccessForDelete: 'All', userAccessForQuery: 'None', userAccessForUpdate: 'All',
        hasUserDefinedFields: true, supportsWebhookCallouts: true,
      },
    });
    const query = await call('V1.0/Companies/query', { method: 'POST', headers, body: { filter: [{ op: 'exist', field: 'id' }] } });
    expect(query.status).toBe(403);
  });
});

describe('Companies query', () => {
  it('pages 1,201 companies in exactly 3 POST calls', async () => {
    sim.setCompanies(companies(1201));
    const body = { filter: [{ op: 'gte', field: 'id', value: 0 }], IncludeFields: ['id', 'companyName'] };
    const ids = new Set<number>();
    let url: string | null = `${api}V1.0/Companies/query`;
    while (url) {
      const res = await call(url, { method: 'POST', body });
      expect(res.status).toBe(200);
      const page = (await res.json()) as { items: { id: number }[]; pageDetails: { nextPageUrl: string | null; count: number } };
      expect(page.pageDetails.count).toBe(page.items.length);
      page.items.forEach((item) => ids.add(item.id));
      url = page.pageDetails.nextPageUrl;
    }
    expect(ids.size).toBe(1201);
    const pageCalls = sim.callsTo('/companies/query');
    expect(pageCalls.map((c) => `${c.method} ${c.status}`)).toEqual(['POST 200', 'POST 200', 'POST 200']);
  });

  it('refuses GET on a cursor from a POST query, but follows GET cursors from GET queries', async () => {
    sim.setCompanies(companies(5));
    const body = { filter: [{ op: 'exist', field: 'id' }], MaxRecords: 2 };
    const first = (await (await call('V1.0/Companies/query', { method: 'POST', body })).json()) as { pageDetails: { nextPageUrl: string } };
    const viaGet = await call(first.pageDetails.nextPageUrl);
    expect(viaGet.status).toBe(405);
    expect(await viaGet.json()).toEqual({ Message: "The requested resource does not support http method 'GET'." });

    const getFirst = await call(`V1.0/Companies/query?search=${encodeURIComponent(JSON.stringify(body))}`);
    const getPage = (await getFirst.json()) as { pageDetails: { nextPageUrl: string } };
    const second = (await (await call(getPage.pageDetails.nextPageUrl)).json()) as { items: { id: number }[] };
    expect(second.items.map((c) => c.id)).toEqual([3, 4]);
  });

  it('filters with gt on datetimes and or-groups, and counts', async () => {
    sim.setCompanies([
      { id: 1, companyName: 'Acme Old', lastTrackedModifiedDateTime: '2023-06-01T00:00:00Z' },
      { id: 2, companyName: 'Acme New', lastTrackedModifiedDateTime: '2024-06-01T10:00:00.5Z' },
      { id: 3, companyName: 'Widget Works', lastTrackedModifiedDateTime: '2024-07-01T00:00:00Z' },
      { id: 4, companyName: 'Other Inc', lastTrackedModifiedDateTime: '2024-08-01T00:00:00Z' },
    ]);
    const body = {
      Filter: [
        { op: 'gt', field: 'LastTrackedModifiedDateTime', value: '2024-01-01T00:00:00' },
        { op: 'or', items: [{ op: 'beginsWith', field: 'companyname', value: 'ACME' }, { op: 'contains', field: 'CompanyName', value: 'widget' }] },
      ],
    };
    const res = (await (await call('V1.0/Companies/query', { method: 'POST', body })).json()) as { items: { id: number }[] };
    expect(res.items.map((c) => c.id)).toEqual([2, 3]);

    const count = await call('V1.0/Companies/query/count', { method: 'POST', body });
    expect(await count.json()).toEqual({ queryCount: 2 });

    const unknown = await call('V1.0/Companies/query', { method: 'POST', body: { filter: [{ op: 'eq', field: 'colour', value: 1 }] } });
    expect(unknown.status).toBe(500);
    expect(await unknown.json()).toEqual({ errors: ['Unable to find colour in the Company Entity.'] });

    const empty = await call('V1.0/Companies/query', { method: 'POST' });
    expect(await empty.json()).toEqual({ errors: ['Value cannot be null.\r\nParameter name: queryModel'] });
  });
});

describe('limits and faults', () => {
  it('answers 429 when a 4th concurrent request hits an endpoint limited to 3 threads', async () => {
    sim.inject({ path: '/V1.0/Version', latencyMs: 250 });
    const responses = await Promise.all([1, 2, 3, 4].map(() => call('V1.0/Version')));
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 200, 200, 429]);
    const limited = responses.find((r) => r.status === 429)!;
    expect(await limited.json()).toEqual({ errors: ['API thread threshold of 3 threads has been exceeded. (Itgenatr005)'] });
    expect(sim.peakConcurrency()[`${CODE}:Version`]).toBe(3);
  });

  it('drops the connection for a drop fault, once', async () => {
    sim.inject({ path: 'thresholdinformation', drop: true, times: 1 });
    await expect(call('V1.0/ThresholdInformation')).rejects.toThrow();
    const res = await call('V1.0/ThresholdInformation');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ externalRequestThreshold: 10000, requestThresholdTimeframe: 60 });
    expect(sim.callsTo('ThresholdInformation').map((c) => c.status)).toEqual([0, 200]);
  });
});
