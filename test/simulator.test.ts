import { startAutotaskSimulator, type AutotaskSimulator, type PicklistEntry, type SimulatedCompany } from '../simulator/server';

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

  it('answers a POST cursor only with the body it was issued for', async () => {
    sim.setCompanies(companies(5));
    const body = { filter: [{ op: 'exist', field: 'id' }], MaxRecords: 2 };
    const first = (await (await call('V1.0/Companies/query', { method: 'POST', body })).json()) as { pageDetails: { nextPageUrl: string } };
    const other = await call(first.pageDetails.nextPageUrl, { method: 'POST', body: { ...body, MaxRecords: 3 } });
    expect(other.status).toBe(500);
    expect(await other.json()).toEqual({ errors: [expect.stringContaining('paging cursor')] });
    const same = await call(first.pageDetails.nextPageUrl, { method: 'POST', body });
    expect(((await same.json()) as { items: { id: number }[] }).items.map((c) => c.id)).toEqual([3, 4]);
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

describe('entityInformation/fields picklists', () => {
  interface PicklistJson extends PicklistEntry { isSystem: boolean; sortOrder: number }
  interface FieldJson { name: string; isPickList: boolean; picklistValues: PicklistJson[] | null; picklistParentValueField: string }

  // A fresh simulator per test: every test starts from the default picklists.
  let tenant: AutotaskSimulator;
  beforeEach(async () => {
    tenant = await startAutotaskSimulator();
    tenant.addAccount({ username: USER, secret: SECRET, integrationCode: CODE });
  });
  afterEach(async () => {
    await tenant.close();
  });

  async function fields(entity: 'Tickets' | 'TicketNotes'): Promise<Map<string, FieldJson>> {
    const res = await call(`${tenant.baseUrl}/ws5/ATServicesRest/V1.0/${entity}/entityInformation/fields`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { fields: FieldJson[] };
    return new Map(body.fields.map((f) => [f.name, f]));
  }
  const values = (field: FieldJson | undefined) => field?.picklistValues?.map((v) => `${v.value} ${v.label}${v.isActive ? '' : ' (inactive)'}`);

  it('describes TicketNotes with noteType and publish as picklists of string values, in the TicketNotes thread bucket', async () => {
    const notes = await fields('TicketNotes');
    expect(notes.get('description')).toMatchObject({ dataType: 'string', length: 32000, isRequired: true, isPickList: false, picklistValues: null });
    expect(notes.get('ticketID')).toMatchObject({ isRequired: true, isReference: true, referenceEntityType: 'Ticket' });
    expect(notes.get('createDateTime')).toMatchObject({ dataType: 'datetime', isReadOnly: true });
    expect(notes.get('noteType')).toMatchObject({ dataType: 'integer', isRequired: true, isPickList: true, picklistParentValueField: '' });
    expect(values(notes.get('noteType'))).toEqual([
      '1 Task Summary', '2 Task Detail', '3 Task Notes', '13 Workflow Rule Note - Task', '18 Escalation Note', '19 Phone Log (old) (inactive)',
    ]);
    expect(values(notes.get('publish'))).toEqual([
      '1 All Autotask Users', '2 Internal Project Team', '4 Internal & Co-Managed', '5 Account Managers Only (inactive)',
    ]);
    expect(notes.get('publish')!.picklistValues![0]).toEqual({
      value: '1', label: 'All Autotask Users', isDefaultValue: true, sortOrder: 1, parentValue: '', isActive: true, isSystem: true,
    });
    expect(tenant.peakConcurrency()).toEqual({ [`${CODE}:TicketNotes`]: 1 });
  });

  it('shows a deactivated status and an added queue on the next GET, and only on this simulator', async () => {
    expect(values((await fields('Tickets')).get('status'))).toContain('8 In Progress');
    tenant.setPicklistValue('Tickets', 'STATUS', 8, { isActive: false });
    tenant.setPicklistValue('Tickets', 'queueID', 29682999, { label: 'Escalations', isDefaultValue: true });

    const tickets = await fields('Tickets');
    expect(values(tickets.get('status'))).toContain('8 In Progress (inactive)');
    expect(tickets.get('queueID')!.picklistValues!.at(-1)).toEqual({
      value: '29682999', label: 'Escalations', isDefaultValue: true, sortOrder: 7, parentValue: '', isActive: true, isSystem: false,
    });
    expect(sim.picklist('Tickets', 'status')).toContainEqual({ value: '8', label: 'In Progress', isActive: true, isDefaultValue: false, parentValue: '' });
  });

  it('drops a removed value from the next GET', async () => {
    tenant.removePicklistValue('TicketNotes', 'noteType', 19);
    expect(values((await fields('TicketNotes')).get('noteType'))).not.toContain('19 Phone Log (old) (inactive)');
    expect(tenant.picklist('TicketNotes', 'noteType').map((v) => v.value)).toEqual(['1', '2', '3', '13', '18']);
  });

  it('keeps subIssueType parent values through relabels and sets them on added values', async () => {
    tenant.setPicklistValue('Tickets', 'subIssueType', 12, { label: 'Printer / Scanner' });
    tenant.setPicklistValue('Tickets', 'subIssueType', 19, { label: 'Firewall', parentValue: 6 });
    const subIssueType = (await fields('Tickets')).get('subIssueType')!;
    expect(subIssueType.picklistParentValueField).toBe('IssueType');
    const byValue = new Map(subIssueType.picklistValues!.map((v) => [v.value, v]));
    expect(byValue.get('12')).toMatchObject({ label: 'Printer / Scanner', parentValue: '4' });
    expect(byValue.get('19')).toMatchObject({ label: 'Firewall', parentValue: '6' });
  });

  it('refuses unknown fields, non-picklist fields and new values without a label', () => {
    expect(() => tenant.setPicklistValue('Tickets', 'colour', 1, { label: 'Red' })).toThrow('Tickets has no field colour');
    expect(() => tenant.setPicklistValue('TicketNotes', 'title', 1, { label: 'x' })).toThrow('TicketNotes.title is not a picklist');
    expect(() => tenant.setPicklistValue('Tickets', 'priority', 99, { isActive: true })).toThrow('a label is required');
    expect(() => tenant.removePicklistValue('Tickets', 'priority', 99)).toThrow('Tickets.priority has no value 99');
  });
});
