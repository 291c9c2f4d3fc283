import { startTestApi, type TestApi, testEnv, TOKENS } from './harness';

// No worker runs here: these tests are about what the API accepts and refuses.
let api: TestApi;
const valid = { username: 'api@msp.example', secret: 'a-secret', integrationCode: 'TRACKINGID0000000000000003' };

beforeAll(async () => {
  api = await startTestApi(testEnv('http://127.0.0.1:9/ATServicesRest/V1.0/zoneInformation'));
});
afterAll(() => api?.close());

/** Every org-scoped route (bodies are irrelevant: authorization comes first). */
const routes = (orgId: string) =>
  [
    ['GET', `/v1/orgs/${orgId}/autotask/connection`],
    ['PUT', `/v1/orgs/${orgId}/autotask/connection`],
    ['DELETE', `/v1/orgs/${orgId}/autotask/connection`],
    ['GET', `/v1/orgs/${orgId}/tenants`],
    ['PUT', `/v1/orgs/${orgId}/tenants/t1`],
    ['GET', `/v1/orgs/${orgId}/autotask/mappings`],
    ['PATCH', `/v1/orgs/${orgId}/autotask/mappings`],
    ['GET', `/v1/orgs/${orgId}/autotask/mappings/suggestions`],
    ['GET', `/v1/orgs/${orgId}/autotask/catalog`],
    ['GET', `/v1/orgs/${orgId}/autotask/catalog/companies`],
    ['GET', `/v1/orgs/${orgId}/autotask/catalog/picklists`],
    ['POST', `/v1/orgs/${orgId}/autotask/catalog/refresh`],
  ] as const;

describe('authentication and org isolation', () => {
  it.each(routes('org-a'))('%s %s needs a token', async (method, route) => {
    const res = await api.call(method, route, { token: '', body: method === 'GET' ? undefined : valid });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
    expect(res.body.error).toMatchObject({ code: 'unauthorized', message: expect.stringContaining('Authorization: Bearer') });
  });

  it.each(routes('org-a'))('%s %s refuses an unknown token', async (method, route) => {
    expect((await api.call(method, route, { token: 'not-a-real-token-at-all', body: method === 'GET' ? undefined : valid })).status).toBe(401);
  });

  it.each(routes('org-b'))("%s %s refuses org A's token on org B and changes nothing", async (method, route) => {
    const res = await api.call(method, route, { token: TOKENS.orgA, body: method === 'GET' ? undefined : valid });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('forbidden');
    expect((await api.call('GET', '/v1/orgs/org-b/autotask/connection', { token: TOKENS.orgB })).body.status).toBe('not_linked');
    expect((await api.call('GET', '/v1/orgs/org-b/tenants', { token: TOKENS.orgB })).body.items).toEqual([]);
    expect((await api.call('GET', '/v1/orgs/org-b/autotask/mappings', { token: TOKENS.orgB })).body.version).toBe(0);
  });

  it("lets an org's token and the platform token use that org", async () => {
    expect((await api.call('GET', '/v1/orgs/org-a/autotask/connection', { token: TOKENS.orgA })).status).toBe(200);
    expect((await api.call('GET', '/v1/orgs/org-b/autotask/connection', { token: TOKENS.platform })).status).toBe(200);
  });
});

describe('bad input gets a 4xx that says what to fix', () => {
  const put = (options: Parameters<TestApi['call']>[2]) => api.call('PUT', '/v1/orgs/org-a/autotask/connection', options);

  it('names each missing field', async () => {
    const res = await put({ body: { username: 'x' } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_request');
    expect(res.body.error.details).toEqual([
      { field: 'secret', message: expect.stringContaining('required') },
      { field: 'integrationCode', message: expect.stringContaining('required') },
    ]);
  });

  it('names a field of the wrong type', async () => {
    const res = await put({ body: { ...valid, secret: 12345 } });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([{ field: 'secret', message: expect.stringContaining('string') }]);
  });

  it('refuses empty values and unknown fields (a typo such as "password" is not silently ignored)', async () => {
    const res = await put({ body: { username: ' ', secret: '', integrationCode: 'X', password: 'p' } });
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(['password', 'secret', 'username']);
  });

  it.each([
    ['secret', 'line\nbreak'],
    ['secret', 'nul\u0000byte'],
    ['secret', 'emoji🔑'],
    ['username', 'api@msp.example\r\nX-Injected: 1'],
    ['integrationCode', 'TAB\tCODE\u0007'],
  ])('refuses a %s that cannot travel in an HTTP header, without echoing it', async (field, value) => {
    const res = await put({ body: { ...valid, [field]: value } });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([{ field, message: expect.stringContaining('printable characters') }]);
    expect(JSON.stringify(res.body)).not.toContain(JSON.stringify(value).slice(1, -1));
  });

  it('keeps a secret exactly as typed but trims the username and tracking identifier', async () => {
    const res = await put({ token: TOKENS.orgA, body: { username: '  api@msp.example ', secret: ' spaced secret ', integrationCode: ' CODE ' } });
    expect(res.status).toBe(202);
    expect(res.body.username).toBe('api@msp.example');
  });

  it('refuses a body that is not an object', async () => {
    expect((await put({ rawBody: '[1,2]' })).status).toBe(400);
    expect((await put({ rawBody: '"text"' })).status).toBe(400);
  });

  it('answers malformed JSON with 400', async () => {
    const res = await put({ rawBody: '{"username": "x",' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('malformed_json');
  });

  it('answers a body that is not JSON with 415', async () => {
    const res = await put({ rawBody: 'username=x', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    expect(res.status).toBe(415);
    expect(res.body.error.message).toMatch(/application\/json/);
  });

  it('answers an oversized body with 413', async () => {
    const res = await put({ body: { ...valid, secret: 'x'.repeat(100_000) } });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('payload_too_large');
  });

  it('answers a malformed %-escape in the path with 400', async () => {
    const res = await api.call('GET', '/v1/orgs/%E0%A4%A/autotask/connection');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_request');
  });

  it('answers a malformed org id with 400', async () => {
    const res = await api.call('GET', `/v1/orgs/${encodeURIComponent('bad org!')}/autotask/connection`);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/org id/);
  });

  it('answers a malformed Prefer: wait with 400', async () => {
    const res = await api.call('GET', '/v1/orgs/org-a/autotask/connection', { headers: { Prefer: 'wait=soon', 'If-None-Match': '"x"' } });
    expect(res.status).toBe(400);
  });

  it.each([
    ['GET', '/v1/orgs/org-a/autotask/catalog/companies?limit=0', 'limit'],
    ['GET', '/v1/orgs/org-a/autotask/catalog/companies?limit=abc', 'limit'],
    ['GET', '/v1/orgs/org-a/autotask/catalog/companies?cursor=not-a-cursor', 'cursor'],
    ['GET', '/v1/orgs/org-a/autotask/catalog/companies?includeInactive=maybe', 'includeInactive'],
    ['PUT', '/v1/orgs/org-a/tenants/t1', 'name'],
    ['PATCH', '/v1/orgs/org-a/autotask/mappings', 'at least one'],
    ['GET', '/v1/orgs/org-a/autotask/catalog/companies?q=%00', 'q'],
    ['GET', `/v1/orgs/org-a/autotask/catalog/companies?cursor=${Buffer.from(JSON.stringify(['a', 2 ** 40])).toString('base64url')}`, 'cursor'],
  ] as const)('answers %s %s with 400 naming %s', async (method, route, field) => {
    const res = await api.call(method, route, { body: method === 'GET' ? undefined : {} });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain(field);
  });

  it('refuses names with control characters and ids beyond 32 bits with 400, not a database error', async () => {
    const tenant = await api.call('PUT', '/v1/orgs/org-a/tenants/t-nul', { body: { name: 'Nul\u0000Name' } });
    expect([tenant.status, tenant.body.error.details[0].field]).toEqual([400, 'name']);
    const mapping = await api.call('PATCH', '/v1/orgs/org-a/autotask/mappings', { body: { tenants: { t1: 2 ** 31 }, queue: -(2 ** 33) } });
    expect(mapping.status).toBe(400);
    expect(mapping.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(['queue', 'tenants.t1']);
  });

  it('refuses a refresh body that is not understood, and a refresh without a confirmed link', async () => {
    const bad = await api.call('POST', '/v1/orgs/org-a/autotask/catalog/refresh', { body: { full: 'yes' } });
    expect([bad.status, bad.body.error.details[0].field]).toEqual([400, 'full']);
    const unlinked = await api.call('POST', '/v1/orgs/org-never-linked/autotask/catalog/refresh');
    expect([unlinked.status, unlinked.body.error.code]).toEqual([409, 'not_connected']);
  });

  it('answers unknown routes and methods with a JSON 404', async () => {
    for (const [method, route] of [['GET', '/nope'], ['GET', '/v1/orgs/org-a/nothing'], ['POST', '/v1/orgs/org-a/autotask/connection']] as const) {
      const res = await api.call(method, route);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    }
  });
});

describe('service endpoints', () => {
  it('serves health, readiness and the OpenAPI document without a token', async () => {
    expect((await api.call('GET', '/healthz', { token: '' })).body).toEqual({ status: 'ok' });
    expect((await api.call('GET', '/readyz', { token: '' })).body).toEqual({ status: 'ready', database: 'ok', temporal: 'ok' });
    const openapi = (await api.call('GET', '/v1/openapi.json', { token: '' })).body;
    expect(openapi.paths['/v1/orgs/{orgId}/autotask/connection']).toHaveProperty('put');
    expect(openapi.components.schemas.LinkRequest.required).toEqual(['username', 'secret', 'integrationCode']);
    expect(openapi.components.schemas.Connection.properties.status.enum).toEqual(['not_linked', 'verifying', 'connected', 'failed']);
    expect(openapi.paths['/v1/orgs/{orgId}/autotask/mappings'].patch.responses).toHaveProperty('422');
    expect(openapi.components.schemas.MappingPatch.properties).toHaveProperty('priorities');
    expect(Object.keys(openapi.paths)).toEqual(
      expect.arrayContaining(['/v1/orgs/{orgId}/tenants/{tenantId}', '/v1/orgs/{orgId}/autotask/catalog/companies', '/v1/orgs/{orgId}/alerts/{alertId}/retry']),
    );
    expect(openapi.components.schemas.AlertEvent.required).toEqual(['tenantId', 'alertId', 'revision', 'status', 'severity', 'title', 'description', 'occurredAt']);
    expect(openapi.components.schemas.Alert.properties.state.enum).toEqual(['waiting_for_connection', 'waiting_for_mapping', 'creating', 'synced', 'failed']);
  });

  it('never returns the secret: the PUT answer holds the username only', async () => {
    const res = await api.call('PUT', '/v1/orgs/org-a/autotask/connection', { token: TOKENS.orgA, body: valid });
    expect(res.status).toBe(202);
    expect(JSON.stringify(res.body)).not.toContain(valid.secret);
    expect(JSON.stringify(res.body)).not.toContain(valid.integrationCode);
    expect(res.body).toMatchObject({ status: 'verifying', username: valid.username });
  });
});
