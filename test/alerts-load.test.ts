import postgres from 'postgres';
import { externalIdFor } from '../alerts/content';
import { type AutotaskSimulator, startAutotaskSimulator } from '../simulator/server';
import { ALERT_TIMEOUTS, alertEvent, COMPANIES, linkAndConfigure, newAccount, postAlerts } from './alert-harness';
import { startTestApi, startWorkerProcess, type TestApi, testEnv, waitFor, type WorkerProcess } from './harness';

let sim: AutotaskSimulator;
let api: TestApi;
let workers: WorkerProcess[] = [];
let sql: postgres.Sql;
let env: Record<string, string>;
const run = Date.now();

const workerLogs = () => workers.flatMap((w) => w.logs);

/** Posts `count` alerts in batches of 100, each alert `revisions` times (revision 1 opens it, later ones update it). */
async function burst(orgId: string, prefix: string, count: number, revisions = 1): Promise<string[]> {
  const ids = Array.from({ length: count }, (_, i) => `${prefix}-${String(i).padStart(4, '0')}`);
  for (let revision = 1; revision <= revisions; revision++) {
    for (let i = 0; i < ids.length; i += 100) {
      const res = await postAlerts(api, orgId, ids.slice(i, i + 100).map((id) => alertEvent(id, revision)));
      expect(res.status).toBe(202);
      expect(res.body.accepted).toBe(Math.min(100, ids.length - i));
    }
  }
  return ids;
}

async function waitUntilApplied(orgId: string, count: number, revision: number, timeoutMs: number): Promise<void> {
  const applied = async () =>
    Number((await sql`select count(*) from alert_syncs where org_id = ${orgId} and state = 'synced' and applied_revision = ${revision}`)[0]!.count);
  await waitFor(async () => (await applied()) === count, timeoutMs, async () => ({
    applied: await applied(),
    states: await sql`select state, count(*) from alert_syncs where org_id = ${orgId} group by state`,
    errors: await sql`select alert_id, last_error from alert_syncs where org_id = ${orgId} and last_error is not null limit 5`,
    calls: sim.calls.slice(-10).map((c) => `${c.method} ${c.path} ${c.status}`),
    worker: workerLogs().join('').split('\n').slice(-20),
  }));
}

/** Every alert has exactly one ticket, under its own externalID. */
function expectOneTicketEach(orgId: string, ids: string[]): void {
  const byExternalId = new Map<string, number>();
  for (const t of sim.tickets()) byExternalId.set(t.externalID, (byExternalId.get(t.externalID) ?? 0) + 1);
  const counts = ids.map((id) => byExternalId.get(externalIdFor(orgId, id, 1)) ?? 0);
  expect(counts.filter((c) => c !== 1)).toEqual([]);
}

beforeAll(async () => {
  sim = await startAutotaskSimulator({ companies: COMPANIES });
  env = testEnv(sim.zoneLookupUrl, { ...ALERT_TIMEOUTS, });
  [api, ...workers] = await Promise.all([startTestApi(env), startWorkerProcess(env), startWorkerProcess(env)]);
  sql = postgres(env.DATABASE_URL, { max: 1, onnotice: () => {} });
});

afterAll(async () => {
  await Promise.all([api?.close(), sql?.end(), ...workers.map((w) => w.stop())]);
  await sim?.close();
});

beforeEach(() => {
  sim.clearFaults();
  sim.resetCalls();
});

describe("Autotask's limits across workers", () => {
  it('300 alerts on 2 workers: never more than 3 requests in flight per endpoint, no 429, one ticket each', async () => {
    const orgId = `org-load-${run}`;
    await linkAndConfigure(api, orgId, newAccount(sim, 'load'), { contoso: 1 });
    sim.resetCalls();
    // Slow answers keep requests in flight long enough for the workers to compete for the slots.
    sim.inject({ path: '/Tickets', latencyMs: 15 });

    const started = Date.now();
    const ids = await burst(orgId, 'load', 300);
    await waitUntilApplied(orgId, 300, 1, 120_000);
    console.log(`300 alerts → 300 tickets on 2 workers: ${Date.now() - started} ms; peak concurrency ${JSON.stringify(sim.peakConcurrency())}`);

    expect(Math.max(...Object.values(sim.peakConcurrency()))).toBeLessThanOrEqual(3);
    expect(Object.values(sim.peakConcurrency())).toContain(3); // the limit was reached, so the check above means something
    expect(sim.calls.filter((c) => c.status === 429)).toEqual([]);
    expectOneTicketEach(orgId, ids);
  });

  it("still opens exactly one ticket per alert when Autotask's own thread limit is lower and answers 429", async () => {
    const orgId = `org-throttled-${run}`;
    await linkAndConfigure(api, orgId, newAccount(sim, 'throttled'), { contoso: 1 });
    sim.setThreadLimit(1);
    try {
      sim.resetCalls();
      sim.inject({ path: '/Tickets', latencyMs: 15 });
      const ids = await burst(orgId, 'throttled', 60);
      await waitUntilApplied(orgId, 60, 1, 120_000);
      expect(sim.calls.filter((c) => c.status === 429).length).toBeGreaterThan(0);
      expectOneTicketEach(orgId, ids);
    } finally {
      sim.setThreadLimit(3);
    }
  });
});

describe('a worker crash', () => {
  it('killed in the middle of a 100-alert burst: 100 tickets, no duplicates, no note missing or doubled', async () => {
    const orgId = `org-crash-${run}`;
    await linkAndConfigure(api, orgId, newAccount(sim, 'crash'), { contoso: 1 });
    sim.inject({ path: '/Tickets', latencyMs: 40 });
    const ids = await burst(orgId, 'crash', 100, 2);

    const ours = new Set(ids.map((id) => externalIdFor(orgId, id, 1)));
    const opened = () => sim.tickets().filter((t) => ours.has(t.externalID)).length;
    await waitFor(() => opened() >= 20 && sim.callsInFlight('/Tickets') > 0, 30_000);
    await Promise.all(workers.map((w) => w.kill()));
    const midway = opened();
    workers = [await startWorkerProcess(env), await startWorkerProcess(env)];

    await waitUntilApplied(orgId, 100, 2, 120_000);
    console.log(`crash test: killed both workers when ${midway} of the 100 tickets existed`);
    expect(midway).toBeLessThan(100);
    expectOneTicketEach(orgId, ids);
    for (const id of ids) {
      const ticket = sim.tickets().find((t) => t.externalID === externalIdFor(orgId, id, 1))!;
      const notes = sim.notes(ticket.id);
      // A ticket opened at revision 1 gets exactly one note, for revision 2; one opened at revision 2 (both
      // deliveries folded together) needs none.
      const openedAt = ticket.description.includes('(revision 1)') ? 1 : 2;
      expect({ id, notes: notes.map((n) => n.title) }).toEqual({ id, notes: openedAt === 1 ? [`Petra alert ${id}: revision 2`] : [] });
    }
  });
});
