import { type Client } from '@temporalio/client';
import postgres from 'postgres';
import { externalIdFor } from '../alerts/content';
import { type AutotaskSimulator, startAutotaskSimulator } from '../simulator/server';
import { alertWorkflowId } from '../workflows/shared';
import {
  ALERT_TIMEOUTS,
  alertEvent,
  COMPANIES,
  getAlert,
  linkAndConfigure,
  newAccount,
  postAlerts,
  QUEUE,
  STATUS,
  waitForAlert,
} from './alert-harness';
import { settled, startTestApi, startWorkerProcess, temporalClient, type TestApi, testEnv, TOKENS, waitFor, waitForConnection, type WorkerProcess } from './harness';

let sim: AutotaskSimulator;
let api: TestApi;
let worker: WorkerProcess;
let temporal: Client;
let sql: postgres.Sql;
const run = Date.now();
const orgId = `org-alerts-${run}`;
const base = `/v1/orgs/${orgId}`;

const context = () => ({ sim, logs: () => worker.logs });
const synced = (revision: number) => (alert: any) => alert.state === 'synced' && alert.lastAppliedRevision === revision;
const ticketsOf = (orgOfAlert: string, alertId: string, generation = 1) =>
  sim.tickets().filter((t) => t.externalID === externalIdFor(orgOfAlert, alertId, generation));
const creates = () => sim.calls.filter((c) => c.method === 'POST' && /\/Tickets$/.test(c.path));

beforeAll(async () => {
  sim = await startAutotaskSimulator({ companies: COMPANIES });
  // Runs end after 3 s without events, so later events in these tests also exercise a new run picking the alert up.
  const env = testEnv(sim.zoneLookupUrl, { ...ALERT_TIMEOUTS, ALERT_IDLE_TIMEOUT_MS: '3000' });
  [api, worker, temporal] = await Promise.all([startTestApi(env), startWorkerProcess(env), temporalClient()]);
  sql = postgres(env.DATABASE_URL, { max: 1, onnotice: () => {} });
  await linkAndConfigure(api, orgId, newAccount(sim, 'alerts'), { contoso: 1, fabrikam: 2 });
});

afterAll(async () => {
  await Promise.all([api?.close(), worker?.stop(), temporal?.connection.close(), sql?.end()]);
  await sim?.close();
});

beforeEach(() => {
  sim.clearFaults();
  sim.resetCalls();
});

describe('one alert, one ticket', () => {
  it('opens exactly one ticket when the same event arrives 10 times at once', async () => {
    const event = alertEvent('dup-1', 1);
    const answers = await Promise.all(Array.from({ length: 10 }, () => postAlerts(api, orgId, event)));
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(202));

    const alert = await waitForAlert(api, orgId, 'dup-1', synced(1), context());
    expect(ticketsOf(orgId, 'dup-1')).toHaveLength(1);
    expect(creates()).toHaveLength(1);
    const [ticket] = ticketsOf(orgId, 'dup-1');
    // No priority is configured for "high": the picklist's default (Medium) applies; optional fields stay unset.
    expect(ticket).toMatchObject({ companyID: 1, queueID: QUEUE.monitoring, status: STATUS.new, priority: 2, issueType: null, source: null, title: event.title });
    expect(alert.ticket).toEqual({ id: ticket!.id, number: ticket!.ticketNumber, url: expect.stringContaining(`TicketID=${ticket!.id}`) });
    expect(alert.ticket.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/ww5\/Autotask\/AutotaskExtend\/ExecuteCommand\.aspx\?Code=OpenTicketDetail&TicketID=\d+$/);
    // A new ticket costs the create and one read of its number.
    expect(sim.calls.filter((c) => c.path.includes('/Tickets')).map((c) => c.method)).toEqual(['POST', 'GET']);
  });

  it('finds the ticket by externalID when the create was committed but its answer was lost', async () => {
    sim.inject({ path: /\/Tickets$/, method: 'POST', times: 1, loseResponse: true });
    expect((await postAlerts(api, orgId, alertEvent('lost-1', 1))).status).toBe(202);

    await waitForAlert(api, orgId, 'lost-1', synced(1), context());
    expect(ticketsOf(orgId, 'lost-1')).toHaveLength(1);
    expect(creates()).toHaveLength(1);
    expect(sim.calls.some((c) => c.method === 'POST' && c.path.endsWith('/Tickets/query'))).toBe(true);
  });

  it('adopts a lost create found later under a newer revision, and adds the note that revision owes', async () => {
    // The create lands but its answer is lost; the lookup that follows is refused, so the alert fails for now.
    sim.inject({ path: /\/Tickets$/, method: 'POST', times: 1, loseResponse: true });
    sim.inject({ path: '/Tickets/query', status: 500, body: { errors: ['Simulated refusal of the lookup'] }, times: 1 });
    expect((await postAlerts(api, orgId, alertEvent('adopt-1', 1))).status).toBe(202);
    await waitForAlert(api, orgId, 'adopt-1', (a) => a.state === 'failed', context());

    expect((await postAlerts(api, orgId, alertEvent('adopt-1', 2))).status).toBe(202);
    await waitForAlert(api, orgId, 'adopt-1', synced(2), context());
    const tickets = ticketsOf(orgId, 'adopt-1');
    expect(tickets).toHaveLength(1);
    expect(creates()).toHaveLength(1);
    expect(sim.notes(tickets[0]!.id).map((n) => n.title)).toEqual(['Petra alert adopt-1: revision 2']);
    expect(sim.ticket(tickets[0]!.id)!.status).toBe(STATUS.inProgress);
  });

  it('gives a create the client gave up on time to land before sending it again', async () => {
    // Autotask answers after the client's 1.5 s timeout, and commits the ticket only then.
    sim.inject({ path: /\/Tickets$/, method: 'POST', times: 1, latencyMs: 2_800 });
    expect((await postAlerts(api, orgId, alertEvent('slow-1', 1))).status).toBe(202);
    await waitForAlert(api, orgId, 'slow-1', synced(1), context());
    await waitFor(() => sim.callsInFlight('/Tickets') === 0, 10_000); // the slow create has landed too
    expect(ticketsOf(orgId, 'slow-1')).toHaveLength(1);
  });

  it('adopts a lost create of a resolved alert that reopened meanwhile, and reopens the ticket', async () => {
    sim.inject({ path: /\/Tickets$/, method: 'POST', times: 1, loseResponse: true });
    sim.inject({ path: '/Tickets/query', status: 500, body: { errors: ['Simulated refusal of the lookup'] }, times: 1 });
    expect((await postAlerts(api, orgId, alertEvent('adopt-2', 1, { status: 'resolved' }))).status).toBe(202);
    await waitForAlert(api, orgId, 'adopt-2', (a) => a.state === 'failed', context());

    expect((await postAlerts(api, orgId, alertEvent('adopt-2', 2, { status: 'open' }))).status).toBe(202);
    await waitForAlert(api, orgId, 'adopt-2', synced(2), context());
    const [ticket] = ticketsOf(orgId, 'adopt-2');
    expect(ticketsOf(orgId, 'adopt-2')).toHaveLength(1);
    expect(sim.ticket(ticket!.id)!.status).toBe(STATUS.inProgress);
    expect(sim.notes(ticket!.id)).toEqual([expect.objectContaining({ title: 'Petra alert adopt-2: revision 2', description: expect.stringContaining('reopened') })]);
  });

  it('keeps externalID within 50 characters and stable for long ids', () => {
    const long = 'a'.repeat(128);
    expect(externalIdFor(`org-${long}`.slice(0, 64), long, 1).length).toBeLessThanOrEqual(50);
    expect(externalIdFor('org', long, 12).length).toBeLessThanOrEqual(50);
    expect(externalIdFor('org', 'x', 1)).toBe(externalIdFor('org', 'x', 1));
    expect(externalIdFor('org', 'x', 1)).not.toBe(externalIdFor('org2', 'x', 1));
  });

  it('truncates long titles and descriptions instead of failing', async () => {
    const event = alertEvent('long-1', 1, { title: 'T'.repeat(600), description: 'D'.repeat(20_000) });
    expect((await postAlerts(api, orgId, event)).status).toBe(202);
    await waitForAlert(api, orgId, 'long-1', synced(1), context());
    const [ticket] = ticketsOf(orgId, 'long-1');
    expect(ticket!.title).toHaveLength(255);
    expect(ticket!.description.length).toBeLessThanOrEqual(8_000);
  });
});

describe('revisions', () => {
  it('applies 1, 3, 2, 3 as one ticket and one note (for 3), then resolves and reopens by policy', async () => {
    const id = 'rev-1';
    expect((await postAlerts(api, orgId, alertEvent(id, 1))).status).toBe(202);
    await waitForAlert(api, orgId, id, synced(1), context());
    for (const revision of [3, 2, 3]) {
      expect((await postAlerts(api, orgId, alertEvent(id, revision, { severity: 'critical' }))).status).toBe(202);
    }
    await waitForAlert(api, orgId, id, synced(3), context());
    const [ticket] = ticketsOf(orgId, id);
    let notes = sim.notes(ticket!.id);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({ title: `Petra alert ${id}: revision 3` });
    expect(notes[0]!.description).toContain('Severity: high → critical');
    // Internal by default: the tenant's first "Internal…" publish level, and the default note type.
    expect(notes[0]).toMatchObject({ publish: 2, noteType: 1 });
    expect(sim.ticket(ticket!.id)!.status).toBe(STATUS.inProgress);
    // A late revision 2 changes nothing, even on a new delivery after the fact.
    expect((await postAlerts(api, orgId, alertEvent(id, 2))).status).toBe(202);

    // Resolved: a note and the resolution status.
    expect((await postAlerts(api, orgId, alertEvent(id, 4, { status: 'resolved' }))).status).toBe(202);
    await waitForAlert(api, orgId, id, synced(4), context());
    expect(sim.ticket(ticket!.id)!.status).toBe(STATUS.complete);
    notes = sim.notes(ticket!.id);
    expect(notes.map((n) => n.title)).toEqual([`Petra alert ${id}: revision 3`, `Petra alert ${id}: revision 4`]);
    expect(notes[1]!.description).toContain('resolved');
    // Resolved, the alert's run ends; the next event starts a new one, which finds the ticket in the database.
    const handle = temporal.workflow.getHandle(alertWorkflowId(orgId, id));
    await waitFor(async () => (await handle.describe()).status.name === 'COMPLETED', 10_000);
    const resolvedRun = (await handle.describe()).runId;

    // Reopens under the default policy: the same ticket goes back to the update status.
    expect((await postAlerts(api, orgId, alertEvent(id, 5))).status).toBe(202);
    await waitForAlert(api, orgId, id, synced(5), context());
    expect((await handle.describe()).runId).not.toBe(resolvedRun);
    expect(sim.ticket(ticket!.id)!.status).toBe(STATUS.inProgress);
    expect(sim.notes(ticket!.id)).toHaveLength(3);
    expect(ticketsOf(orgId, id)).toHaveLength(1);
  });

  it('opens a new ticket naming the old one when the policy is "new"', async () => {
    const id = 'reopen-new-1';
    expect((await api.call('PATCH', `${base}/autotask/mappings`, { body: { reopenPolicy: 'new' } })).status).toBe(200);
    try {
      expect((await postAlerts(api, orgId, alertEvent(id, 1))).status).toBe(202);
      expect((await postAlerts(api, orgId, alertEvent(id, 2, { status: 'resolved' }))).status).toBe(202);
      const resolved = await waitForAlert(api, orgId, id, synced(2), context());
      expect((await postAlerts(api, orgId, alertEvent(id, 3, { status: 'open' }))).status).toBe(202);
      const reopened = await waitForAlert(api, orgId, id, synced(3), context());

      const [first] = ticketsOf(orgId, id, 1);
      const [second] = ticketsOf(orgId, id, 2);
      expect(first!.status).toBe(STATUS.complete);
      expect(second!.status).toBe(STATUS.new);
      expect(second!.description).toContain(first!.ticketNumber);
      expect(reopened.ticket.id).toBe(second!.id);
      expect(reopened.previousTicketNumber).toBe(resolved.ticket.number);
    } finally {
      await api.call('PATCH', `${base}/autotask/mappings`, { body: { reopenPolicy: 'reopen' } });
    }
  });

  it('ends an idle run; the next event starts a new run that finds the ticket and adds the note once', async () => {
    const id = 'idle-1';
    expect((await postAlerts(api, orgId, alertEvent(id, 1))).status).toBe(202);
    await waitForAlert(api, orgId, id, synced(1), context());
    const handle = temporal.workflow.getHandle(alertWorkflowId(orgId, id));
    await waitFor(async () => (await handle.describe()).status.name === 'COMPLETED', 15_000);
    const idleRun = (await handle.describe()).runId;

    const update = alertEvent(id, 2, { severity: 'low' });
    await Promise.all([postAlerts(api, orgId, update), postAlerts(api, orgId, update), postAlerts(api, orgId, alertEvent(id, 1))]);
    await waitForAlert(api, orgId, id, synced(2), context());
    expect((await handle.describe()).runId).not.toBe(idleRun);
    const [ticket] = ticketsOf(orgId, id);
    expect(ticketsOf(orgId, id)).toHaveLength(1);
    expect(sim.notes(ticket!.id).map((n) => n.title)).toEqual([`Petra alert ${id}: revision 2`]);
  });

  it('is searchable in Temporal by org, tenant and alert', async () => {
    await waitFor(async () => {
      const query = `PetraOrgId = "${orgId}" AND PetraTenantId = "contoso" AND PetraAlertId = "rev-1"`;
      const ids: string[] = [];
      for await (const execution of temporal.workflow.list({ query })) ids.push(execution.workflowId);
      return ids.includes(alertWorkflowId(orgId, 'rev-1'));
    }, 20_000);
  });
});

describe('nothing is dropped', () => {
  it('waits for a tenant mapping, then opens the ticket in the mapped company once it is saved', async () => {
    expect((await postAlerts(api, orgId, alertEvent('unmapped-1', 1, { tenantId: 'northwind' }))).status).toBe(202);
    const waiting = await waitForAlert(api, orgId, 'unmapped-1', (a) => a.state === 'waiting_for_mapping', context());
    expect(waiting.lastError.message).toContain('map tenant northwind');
    // The unknown tenant is now on the mapping page, ready to be mapped.
    const tenants = (await api.call('GET', `${base}/tenants`)).body.items.map((t: any) => t.tenantId);
    expect(tenants).toContain('northwind');

    const saved = Date.now();
    expect((await api.call('PATCH', `${base}/autotask/mappings`, { body: { tenants: { northwind: 2 } } })).status).toBe(200);
    await waitForAlert(api, orgId, 'unmapped-1', synced(1), context(), 10_000);
    console.log(`mapping saved → ticket: ${Date.now() - saved} ms`);
    expect(ticketsOf(orgId, 'unmapped-1')[0]).toMatchObject({ companyID: 2 });
  });

  it('waits for a failed link, then goes on once it is linked again', async () => {
    const other = `org-relink-${run}`;
    const account = newAccount(sim, 'relink');
    await linkAndConfigure(api, other, account, { contoso: 1 });
    expect((await api.call('PUT', `/v1/orgs/${other}/autotask/connection`, { body: { ...account, secret: 'wrong-secret' } })).status).toBe(202);
    expect((await waitForConnection(api, other, settled)).status).toBe('failed');

    expect((await postAlerts(api, other, alertEvent('relink-1', 1))).status).toBe(202);
    await waitForAlert(api, other, 'relink-1', (a) => a.state === 'waiting_for_connection', context());

    const relinked = Date.now();
    expect((await api.call('PUT', `/v1/orgs/${other}/autotask/connection`, { body: account })).status).toBe(202);
    await waitForAlert(api, other, 'relink-1', synced(1), context(), 15_000);
    console.log(`re-link saved → ticket: ${Date.now() - relinked} ms`);
    expect(ticketsOf(other, 'relink-1')).toHaveLength(1);
  });

  it('reports Autotask refusing a deactivated queue, and opens the ticket once the queue is changed', async () => {
    sim.setPicklistValue('Tickets', 'queueID', QUEUE.monitoring, { isActive: false });
    try {
      expect((await postAlerts(api, orgId, alertEvent('queue-1', 1))).status).toBe(202);
      const failed = await waitForAlert(api, orgId, 'queue-1', (a) => a.state === 'failed', context());
      expect(failed.lastError.message).toBe('Value does not reference an existing entity for queueID.');
      expect(ticketsOf(orgId, 'queue-1')).toHaveLength(0);

      expect((await api.call('PATCH', `${base}/autotask/mappings`, { body: { queue: QUEUE.levelOne } })).status).toBe(200);
      await waitForAlert(api, orgId, 'queue-1', synced(1), context(), 10_000);
      expect(ticketsOf(orgId, 'queue-1')[0]).toMatchObject({ queueID: QUEUE.levelOne });
    } finally {
      sim.setPicklistValue('Tickets', 'queueID', QUEUE.monitoring, { isActive: true });
      await api.call('PATCH', `${base}/autotask/mappings`, { body: { queue: QUEUE.monitoring } });
    }
  });

  it('tries again at once when the configuration changes while Autotask is refusing the ticket', async () => {
    // Autotask takes its time to refuse; the fix is saved meanwhile, before the alert is marked failed.
    sim.inject({ path: /\/Tickets$/, method: 'POST', times: 1, latencyMs: 1_000, status: 500, body: { errors: ['Value does not reference an existing entity for queueID.'] } });
    expect((await postAlerts(api, orgId, alertEvent('race-1', 1))).status).toBe(202);
    await waitFor(() => sim.callsInFlight('/Tickets') > 0, 10_000);
    expect((await api.call('PATCH', `${base}/autotask/mappings`, { body: { queue: QUEUE.levelOne } })).status).toBe(200);
    try {
      await waitForAlert(api, orgId, 'race-1', synced(1), context(), 10_000);
      expect(ticketsOf(orgId, 'race-1')[0]).toMatchObject({ queueID: QUEUE.levelOne });
    } finally {
      await api.call('PATCH', `${base}/autotask/mappings`, { body: { queue: QUEUE.monitoring } });
    }
  });

  it('retries a failed alert on request, and the others refused alike follow', async () => {
    sim.setPicklistValue('Tickets', 'queueID', QUEUE.monitoring, { isActive: false });
    try {
      for (const id of ['retry-1', 'retry-2']) expect((await postAlerts(api, orgId, alertEvent(id, 1))).status).toBe(202);
      for (const id of ['retry-1', 'retry-2']) await waitForAlert(api, orgId, id, (a) => a.state === 'failed', context());
    } finally {
      sim.setPicklistValue('Tickets', 'queueID', QUEUE.monitoring, { isActive: true });
    }
    expect((await api.call('POST', `${base}/alerts/retry-1/retry`)).status).toBe(202);
    for (const id of ['retry-1', 'retry-2']) await waitForAlert(api, orgId, id, synced(1), context(), 10_000);
    expect((await api.call('POST', `${base}/alerts/retry-2/retry`)).body.error.code).toBe('nothing_to_retry');
  });

  it('probes failed alerts after each catalog refresh: one request per refusal while it lasts, then all go through', async () => {
    const refresh = async () => {
      const before = (await api.call('GET', `${base}/autotask/catalog`)).body.lastRefresh?.finishedAt;
      expect((await api.call('POST', `${base}/autotask/catalog/refresh`, { body: {} })).status).toBe(202);
      await waitFor(async () => (await api.call('GET', `${base}/autotask/catalog`)).body.lastRefresh?.finishedAt !== before, 20_000);
    };
    const ids = ['probe-1', 'probe-2', 'probe-3'];
    sim.setPicklistValue('Tickets', 'queueID', QUEUE.monitoring, { isActive: false });
    try {
      for (const id of ids) expect((await postAlerts(api, orgId, alertEvent(id, 1))).status).toBe(202);
      for (const id of ids) await waitForAlert(api, orgId, id, (a) => a.state === 'failed', context());
      sim.resetCalls();
      await refresh();
      await waitFor(() => creates().length === 1, 10_000);
      await new Promise((r) => setTimeout(r, 1_000));
      expect(creates()).toHaveLength(1);
      for (const id of ids) expect((await getAlert(api, orgId, id)).state).toBe('failed');
    } finally {
      sim.setPicklistValue('Tickets', 'queueID', QUEUE.monitoring, { isActive: true });
    }
    await refresh();
    for (const id of ids) await waitForAlert(api, orgId, id, synced(1), context(), 15_000);
    expect(creates()).toHaveLength(1 + ids.length);
  });

  it('uses the catch-all company for unmapped tenants, and the configured priority, types, source and note settings', async () => {
    const settings = { catchAllCompany: 3, priorities: { critical: 1 }, issueType: 4, subIssueType: 12, source: 4, ticketType: 5, noteType: 3, notePublish: 4 };
    expect((await api.call('PATCH', `${base}/autotask/mappings`, { body: settings })).status).toBe(200);
    try {
      const event = alertEvent('catchall-1', 1, { tenantId: 'tailspin', severity: 'critical' });
      expect((await postAlerts(api, orgId, event)).status).toBe(202);
      await waitForAlert(api, orgId, 'catchall-1', synced(1), context());
      const [ticket] = ticketsOf(orgId, 'catchall-1');
      expect(ticket).toMatchObject({ companyID: 3, priority: 1, issueType: 4, subIssueType: 12, source: 4, ticketType: 5 });
      expect((await postAlerts(api, orgId, { ...event, revision: 2, status: 'updated' })).status).toBe(202);
      await waitForAlert(api, orgId, 'catchall-1', synced(2), context());
      expect(sim.notes(ticket!.id)).toEqual([expect.objectContaining({ noteType: 3, publish: 4 })]);
    } finally {
      const reset = { catchAllCompany: null, priorities: { critical: null }, issueType: null, subIssueType: null, source: null, ticketType: null, noteType: null, notePublish: null };
      expect((await api.call('PATCH', `${base}/autotask/mappings`, { body: reset })).status).toBe(200);
    }
  });
});

describe("Autotask's hourly budget", () => {
  it("is a share of the threshold Autotask reports; once spent, alerts wait and say until when", async () => {
    const other = `org-budget-${run}`;
    await linkAndConfigure(api, other, newAccount(sim, 'budget'), { contoso: 1 });
    const [link] = await sql`select request_threshold from autotask_connections where org_id = ${other}`;
    expect(link!.request_threshold).toBe(10_000); // the simulator's ThresholdInformation

    // A database that allows 10 requests an hour: 30 % of it is 3, already spent by the link's catalog refresh.
    await sql`update autotask_connections set request_threshold = 10 where org_id = ${other}`;
    sim.resetCalls();
    expect((await postAlerts(api, other, alertEvent('budget-1', 1))).status).toBe(202);
    const waiting = await waitForAlert(api, other, 'budget-1', (a) => a.lastError !== null, context());
    expect(waiting.state).toBe('creating');
    expect(waiting.lastError.message).toMatch(/hourly Autotask request budget is spent; requests resume at \d{4}-/);
    expect(sim.calls).toEqual([]);
  });
});

describe('the alerts API', () => {
  it('accepts a batch, answering each event on its own', async () => {
    const res = await postAlerts(api, orgId, [alertEvent('batch-1', 1), { ...alertEvent('batch-2', 1), severity: 'urgent' }, alertEvent('batch-3', 1, { revision: -1 })]);
    expect(res.status).toBe(202);
    expect(res.body.accepted).toBe(1);
    expect(res.body.results.map((r: any) => r.status)).toEqual([202, 400, 400]);
    expect(res.body.results[1].error.message).toContain('severity must be one of low, medium, high, critical');
    expect(res.body.results[2].error.message).toContain('revision must be 0 or more');
    await waitForAlert(api, orgId, 'batch-1', synced(1), context());
    expect((await api.call('GET', `${base}/alerts/batch-2`)).status).toBe(404);
  });

  it('lists alerts by state and tenant, page by page', async () => {
    const first = await api.call('GET', `${base}/alerts?limit=2`);
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(2);
    const second = await api.call('GET', `${base}/alerts?limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.items[0].alertId > first.body.items[1].alertId).toBe(true);
    const fabrikam = await api.call('GET', `${base}/alerts?tenantId=northwind&state=synced`);
    expect(fabrikam.body.items.map((a: any) => a.alertId)).toEqual(['unmapped-1']);
  });

  it('refuses bad input with a message that says what to fix', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{}, /tenantId/],
      [{ ...alertEvent('bad-1', 1), occurredAt: 'yesterday' }, /occurredAt must be an ISO-8601 date-time/],
      [{ ...alertEvent('bad-1', 1), status: 'closed' }, /status must be one of open, updated, resolved/],
      [{ ...alertEvent('bad-1', 1), extra: true }, /extra: unknown field/],
      [{ ...alertEvent('bad 1', 1) }, /an alert id is/],
      [[], /A batch holds 1 to 100 events/],
      [Array(101).fill(alertEvent('bad-2', 1)), /A batch holds 1 to 100 events; this one has 101/],
    ];
    for (const [body, message] of cases) {
      const res = await postAlerts(api, orgId, body);
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(message);
    }
    expect((await api.call('POST', `${base}/alerts`, { rawBody: 'x', headers: { 'Content-Type': 'text/plain' } })).status).toBe(415);
    expect((await api.call('GET', `${base}/alerts?state=lost`)).body.error.message).toContain('state must be one of');
    expect((await api.call('GET', `${base}/alerts/nope`)).status).toBe(404);
    expect((await api.call('POST', `${base}/alerts/nope/retry`)).status).toBe(404);
    // An alert stays with its tenant.
    const moved = await postAlerts(api, orgId, alertEvent('dup-1', 2, { tenantId: 'fabrikam' }));
    expect(moved.status).toBe(409);
    expect(moved.body.error.message).toBe('Alert dup-1 belongs to tenant contoso, not fabrikam');
  });

  it("keeps each org's alerts to itself", async () => {
    for (const [method, route] of [
      ['POST', '/v1/orgs/org-b/alerts'],
      ['GET', '/v1/orgs/org-b/alerts'],
      ['GET', '/v1/orgs/org-b/alerts/dup-1'],
      ['POST', '/v1/orgs/org-b/alerts/dup-1/retry'],
    ] as const) {
      const res = await api.call(method, route, { token: TOKENS.orgA, body: method === 'POST' ? alertEvent('x-1', 1) : undefined });
      expect(res.status).toBe(403);
      expect((await api.call(method, route, { token: '' })).status).toBe(401);
    }
    // The same alert id in another org is another alert.
    expect((await api.call('GET', `/v1/orgs/org-a/alerts/dup-1`, { token: TOKENS.orgA })).status).toBe(404);
  });
});
