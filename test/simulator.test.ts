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

describe('Tickets', () => {
  const ACME = 29683000;
  const LEVEL_ONE = 29682969;
  const minimal = { companyID: ACME, title: 'Printer offline', status: 1, priority: 2, queueID: LEVEL_ONE };
  const NO_ROUTING =
    'queueID, assignedResourceID and assignedResourceRoleID cannot all be empty: set a queueID, or both an assignedResourceID and an assignedResourceRoleID.';

  // A fresh simulator per test: tickets, notes and picklist edits never leak between tests.
  let desk: AutotaskSimulator;
  beforeEach(async () => {
    desk = await startAutotaskSimulator({
      companies: [{ id: 0, companyName: 'Our MSP' }, { id: ACME, companyName: 'Acme' }, { id: 29683007, companyName: 'Gone Inc', isActive: false }],
    });
    desk.addAccount({ username: USER, secret: SECRET, integrationCode: CODE });
  });
  afterEach(async () => {
    await desk.close();
  });

  const at = (path: string) => `${desk.baseUrl}/ws5/ATServicesRest/V1.0/${path}`;
  const post = (path: string, body: unknown) => call(at(path), { method: 'POST', body });
  const patch = (body: unknown) => call(at('Tickets'), { method: 'PATCH', body });
  async function create(body: object = minimal): Promise<number> {
    const res = await post('Tickets', body);
    expect(res.status).toBe(200);
    return ((await res.json()) as { itemId: number }).itemId;
  }
  async function item(path: string): Promise<Record<string, unknown>> {
    const res = await call(at(path));
    expect(res.status).toBe(200);
    return ((await res.json()) as { item: Record<string, unknown> }).item;
  }
  async function errors(res: Response, status = 500): Promise<string[]> {
    expect(res.status).toBe(status);
    return ((await res.json()) as { errors: string[] }).errors;
  }
  const refused = async (body: unknown) => errors(await post('Tickets', body));
  const ms = (text: unknown) => Date.parse(String(text));

  it('creates a ticket from the minimal body and serves it with a ticket number, unset text "" and unset numbers null', async () => {
    const id = await create();
    const ticket = await item(`Tickets/${id}`);
    const day = String(ticket.createDate).slice(0, 10).replaceAll('-', '');
    expect(ticket).toEqual({
      id, ticketNumber: `T${day}.0001`, title: 'Printer offline', description: '', status: 1, priority: 2, queueID: LEVEL_ONE,
      issueType: null, subIssueType: null, source: null, ticketType: null, ticketCategory: null, companyID: ACME, contactID: null,
      assignedResourceID: null, assignedResourceRoleID: null, dueDateTime: null, createDate: expect.stringMatching(/Z$/),
      lastActivityDate: ticket.createDate, lastTrackedModificationDateTime: ticket.createDate, completedDate: null, externalID: '',
      userDefinedFields: [],
    });

    // Field names are case-insensitive in requests; the answer is camelCase.
    const second = await create({
      CompanyID: 0, TITLE: 'VPN down', Status: '8', priority: 1, QueueId: 5, dueDateTime: '2030-03-21T00:00:00',
      userDefinedFields: [{ name: 'Customer Ref', value: 'A-17' }],
    });
    expect(await item(`Tickets/${second}`)).toMatchObject({
      ticketNumber: `T${day}.0002`, companyID: 0, title: 'VPN down', status: 8, queueID: 5, dueDateTime: '2030-03-21T00:00:00Z',
      userDefinedFields: [{ name: 'Customer Ref', value: 'A-17' }],
    });
    expect(desk.tickets().map((t) => t.id)).toEqual([id, second]);
    expect((await call(at('Tickets/1'))).status).toBe(404);
  });

  it('refuses a body without the required fields, listing every problem', async () => {
    expect(await refused({})).toEqual([
      'The title field is required.', 'The companyID field is required.', 'The status field is required.', 'The priority field is required.',
      NO_ROUTING,
    ]);
    expect(await refused({ ...minimal, title: '' })).toEqual(['The title field is required.']);
    expect(desk.tickets()).toEqual([]);
  });

  it('needs a queue, or both a resource and its role', async () => {
    const { queueID: _, ...unrouted } = minimal;
    expect(await refused(unrouted)).toEqual([NO_ROUTING]);
    expect(await refused({ ...unrouted, assignedResourceID: 29682885 })).toEqual([
      'When assigning a Resource, you must assign both a assignedResourceID and assignedResourceRoleID.',
    ]);
    await create({ ...unrouted, assignedResourceID: 29682885, assignedResourceRoleID: 29682833 });
  });

  it('refuses picklist values that are unknown or inactive, including a queue deactivated by the tenant', async () => {
    expect(await refused({ ...minimal, status: 99 })).toEqual(['Value does not reference an existing entity for status.']);
    expect(await refused({ ...minimal, priority: 6 })).toEqual(['Value does not reference an existing entity for priority.']);
    await create();
    desk.setPicklistValue('Tickets', 'queueID', LEVEL_ONE, { isActive: false });
    expect(await refused(minimal)).toEqual(['Value does not reference an existing entity for queueID.']);
    expect(await refused({ ...minimal, queueID: 'five' })).toEqual(['Value "five" is not a valid integer for field: queueID.']);
  });

  it('refuses a sub-issue type that does not belong to the issue type', async () => {
    expect(await refused({ ...minimal, issueType: 5, subIssueType: 11 })).toEqual(['Value does not reference an existing entity for subIssueType.']);
    expect(await refused({ ...minimal, subIssueType: 11 })).toEqual(['Value does not reference an existing entity for subIssueType.']);
    const id = await create({ ...minimal, issueType: 4, subIssueType: 11 });
    expect(await errors(await patch({ id, issueType: 6 }))).toEqual(['Value does not reference an existing entity for subIssueType.']);
    expect((await patch({ id, issueType: 6, subIssueType: 17 })).status).toBe(200);
  });

  it('refuses an unknown or inactive company', async () => {
    const text = 'Reference value on field: companyID of type: Company does not exist or is invalid.';
    expect(await refused({ ...minimal, companyID: 12345 })).toEqual([text]);
    expect(await refused({ ...minimal, companyID: 29683007 })).toEqual([text]);
  });

  it('refuses explicit nulls, over-long strings and an id', async () => {
    expect(await refused({ ...minimal, description: null })).toEqual(['Null is not accepted for field: description; omit the field instead.']);
    expect(await refused({ ...minimal, title: 'x'.repeat(256) })).toEqual([
      'Value for field: title is longer than its maximum length of 255 characters.',
    ]);
    expect(await refused({ ...minimal, externalID: 'x'.repeat(51) })).toEqual([
      'Value for field: externalID is longer than its maximum length of 50 characters.',
    ]);
    expect(await refused({ ...minimal, id: 7 })).toEqual(['A new Ticket cannot be given an id: the API assigns it.']);
    expect(await errors(await call(at('Tickets'), { method: 'POST' }))).toEqual(['The request body must be a Ticket object.']);
    expect(desk.tickets()).toEqual([]);
    await create({ ...minimal, title: 'x'.repeat(255), description: 'y'.repeat(8000), externalID: 'z'.repeat(50) });
  });

  it('changes only the fields a PATCH supplies, by the id in the body', async () => {
    const udfs = [{ name: 'A', value: '1' }, { name: 'B', value: '2' }];
    const id = await create({ ...minimal, description: 'Paper jam', externalID: 'petra:1', userDefinedFields: udfs });
    const before = await item(`Tickets/${id}`);

    const res = await patch({ ID: id, Status: 8, userDefinedFields: [{ name: 'b', value: 3 }] });
    expect(await res.json()).toEqual({ itemId: id });
    const after = await item(`Tickets/${id}`);
    expect(after).toEqual({
      ...before, status: 8, userDefinedFields: [{ name: 'A', value: '1' }, { name: 'B', value: '3' }],
      lastActivityDate: after.lastTrackedModificationDateTime, lastTrackedModificationDateTime: expect.any(String),
    });
    expect(ms(after.lastTrackedModificationDateTime)).toBeGreaterThan(ms(before.lastTrackedModificationDateTime));

    await patch({ id, status: 5 });
    expect(await item(`Tickets/${id}`)).toMatchObject({ status: 5, completedDate: expect.stringMatching(/Z$/) });

    expect(await errors(await patch({ id, queueID: 29682971, title: null }))).toEqual([
      'Value does not reference an existing entity for queueID.', 'Null is not accepted for field: title; omit the field instead.',
    ]);
    expect(await errors(await patch({ id: 1, status: 8 }), 404)).toEqual(['Ticket with id 1 was not found.']);
    expect(await errors(await patch({ status: 8 }))).toEqual(['An update needs the id of the Ticket to change.']);
    expect(desk.ticket(id)).toMatchObject({ status: 5, queueID: LEVEL_ONE, title: 'Printer offline' });

    const perId = await call(at(`Tickets/${id}`), { method: 'PATCH', body: { status: 1 } });
    expect(perId.status).toBe(405);
    expect(await perId.json()).toEqual({ Message: "The requested resource does not support http method 'PATCH'." });
  });

  it('finds a ticket by externalID with the shared query routes', async () => {
    await create({ ...minimal, externalID: 'petra:1' });
    const id = await create({ ...minimal, externalID: 'petra:2' });
    const search = { filter: [{ op: 'eq', field: 'externalID', value: 'petra:2' }], MaxRecords: 1 };
    const res = (await (await post('Tickets/query', search)).json()) as { items: { id: number; externalID: string }[] };
    expect(res.items.map((t) => [t.id, t.externalID])).toEqual([[id, 'petra:2']]);
    expect(await (await post('Tickets/query/count', search)).json()).toEqual({ queryCount: 1 });

    const viaGet = await call(at(`Tickets/query?search=${encodeURIComponent(JSON.stringify({ ...search, IncludeFields: ['id', 'ticketNumber'] }))}`));
    expect(((await viaGet.json()) as { items: unknown[] }).items).toEqual([
      { id, ticketNumber: expect.stringMatching(/\.0002$/), userDefinedFields: [] },
    ]);
  });

  describe('notes', () => {
    const note = { title: 'Update from Petra', description: 'Plain text body', noteType: 1, publish: 1 };

    it('creates notes under the ticket and serves them from both paths', async () => {
      const ticketId = await create();
      const before = await item(`Tickets/${ticketId}`);
      const res = await post(`Tickets/${ticketId}/Notes`, { ...note, ticketID: ticketId });
      expect(res.status).toBe(200);
      const { itemId } = (await res.json()) as { itemId: number };

      const stored = await item(`Tickets/${ticketId}/Notes/${itemId}`);
      expect(stored).toEqual({
        id: itemId, ticketID: ticketId, ...note, createDateTime: expect.stringMatching(/Z$/), lastActivityDate: stored.createDateTime,
        createdByContactID: null, creatorResourceID: null, impersonatorCreatorResourceID: null, impersonatorUpdaterResourceID: null,
      });
      expect(await (await call(at(`Tickets/${ticketId}/Notes`))).json()).toEqual({
        items: [stored], pageDetails: { count: 1, requestCount: 500, prevPageUrl: null, nextPageUrl: null },
      });
      const byTicket = await post('TicketNotes/query', { filter: [{ op: 'eq', field: 'ticketID', value: ticketId }] });
      expect(((await byTicket.json()) as { items: unknown[] }).items).toEqual([stored]);
      expect(await item(`TicketNotes/${itemId}`)).toEqual(stored);
      expect(desk.notes(ticketId)).toEqual([stored]);

      // A note is activity on the ticket, not a tracked modification of it.
      expect(await item(`Tickets/${ticketId}`)).toEqual({ ...before, lastActivityDate: stored.createDateTime });

      const atRoot = await post('TicketNotes', { ...note, ticketID: ticketId });
      expect(atRoot.status).toBe(404);
      expect((await call(at(`Tickets/${ticketId}/Notes/1`))).status).toBe(404);
    });

    it('refuses notes on unknown tickets and invalid note bodies', async () => {
      expect(await errors(await post('Tickets/1/Notes', note), 404)).toEqual(['Ticket with id 1 was not found.']);
      const ticketId = await create();
      const notes = `Tickets/${ticketId}/Notes`;
      expect(await errors(await post(notes, { title: 'only a title' }))).toEqual([
        'The description field is required.', 'The noteType field is required.', 'The publish field is required.',
      ]);
      expect(await errors(await post(notes, { ...note, ticketID: ticketId + 1 }))).toEqual([
        `ticketID ${ticketId + 1} does not match the ticket id ${ticketId} of the URL.`,
      ]);
      expect(await errors(await post(notes, { ...note, noteType: 19, publish: 3 }))).toEqual([
        'Value does not reference an existing entity for noteType.', 'Value does not reference an existing entity for publish.',
      ]);
      expect(await errors(await post(notes, { ...note, title: null }))).toEqual(['Null is not accepted for field: title; omit the field instead.']);
      expect(await errors(await post(notes, { ...note, description: 'x'.repeat(32001) }))).toEqual([
        'Value for field: description is longer than its maximum length of 32000 characters.',
      ]);
      expect(desk.notes()).toEqual([]);
      const { title: _, ...untitled } = note;
      expect((await post(notes, untitled)).status).toBe(200);
    });
  });

  describe('faults and limits', () => {
    const threshold = async () =>
      ((await (await call(at('ThresholdInformation'))).json()) as { currentTimeframeRequestCount: number }).currentTimeframeRequestCount;

    it('loses the response of a committed create: the client sees a socket error, the ticket exists, the request counts once', async () => {
      desk.inject({ path: '/V1.0/Tickets', method: 'POST', loseResponse: true, times: 1 });
      const counted = await threshold();
      await expect(post('Tickets', { ...minimal, externalID: 'petra:lost' })).rejects.toThrow();
      expect(await threshold()).toBe(counted + 2); // the lost create and this call

      const found = await post('Tickets/query', { filter: [{ op: 'eq', field: 'externalID', value: 'petra:lost' }] });
      expect(((await found.json()) as { items: { id: number }[] }).items.map((t) => t.id)).toEqual(desk.tickets().map((t) => t.id));
      expect(desk.tickets()).toHaveLength(1);
      expect(desk.callsTo('/V1.0/Tickets').map((c) => `${c.method} ${c.status}`)).toEqual(['POST 0', 'POST 200']);
    });

    it('loses the response of a committed note too', async () => {
      const ticketId = await create();
      desk.inject({ path: /\/Notes$/, loseResponse: true, times: 1 });
      await expect(post(`Tickets/${ticketId}/Notes`, { description: 'd', noteType: 1, publish: 1 })).rejects.toThrow();
      expect(desk.notes(ticketId)).toHaveLength(1);
    });

    it('answers 429 to a 4th concurrent request in the Tickets bucket, which also holds the notes path', async () => {
      const ticketId = await create();
      desk.resetCalls();
      desk.inject({ path: '/V1.0/Tickets', latencyMs: 250 });
      const responses = await Promise.all([
        ...[1, 2, 3].map((n) => post('Tickets', { ...minimal, externalID: `petra:${n}` })),
        call(at(`Tickets/${ticketId}/Notes`)),
      ]);
      expect(responses.map((r) => r.status).sort()).toEqual([200, 200, 200, 429]);
      expect(desk.peakConcurrency()).toEqual({ [`${CODE}:Tickets`]: 3 });
      const createdNow = responses.slice(0, 3).filter((r) => r.status === 200).length;
      expect(desk.tickets()).toHaveLength(1 + createdNow);
    });

    it('answers a burst of 5xx on creates, then serves them', async () => {
      desk.inject({ path: '/V1.0/Tickets', method: 'POST', status: 503, times: 2 });
      expect(await errors(await post('Tickets', minimal), 503)).toEqual(['Simulated server error']);
      expect((await post('Tickets', minimal)).status).toBe(503);
      await create();
      expect(desk.tickets()).toHaveLength(1);
    });
  });

  it('lets a technician complete and reopen a ticket', async () => {
    const id = await create({ ...minimal, externalID: 'petra:1' });
    const before = desk.ticket(id)!;
    const completed = desk.updateTicket(id, { status: 5, description: 'Fixed on site' });
    expect(completed).toMatchObject({ status: 5, description: 'Fixed on site', completedDate: completed.lastTrackedModificationDateTime });
    expect(ms(completed.lastTrackedModificationDateTime)).toBeGreaterThan(ms(before.lastTrackedModificationDateTime));
    expect(await item(`Tickets/${id}`)).toEqual(completed);

    const since = { op: 'gt', field: 'lastTrackedModificationDateTime', value: before.lastTrackedModificationDateTime };
    const changed = await post('Tickets/query', { filter: [since] });
    expect(((await changed.json()) as { items: { id: number }[] }).items.map((t) => t.id)).toEqual([id]);

    expect(desk.updateTicket(id, { status: 8 }).completedDate).toBeNull();
    expect(() => desk.updateTicket(1, { status: 5 })).toThrow('unknown ticket 1');
  });
});
