import { createDatabase } from '../db/client';
import { BudgetExhausted, RequestGates } from '../db/request-gate';

// Two RequestGates on two pools stand for two worker processes sharing one PostgreSQL.
const processes = [createDatabase(process.env.TEST_DATABASE_URL!), createDatabase(process.env.TEST_DATABASE_URL!)];
const run = Date.now();

afterAll(async () => {
  await Promise.all(processes.map((p) => p.close()));
});

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('RequestGates', () => {
  it('lets at most 3 requests per org and endpoint run at once across processes, and other endpoints and orgs alongside', async () => {
    const gates = processes.map((p) => new RequestGates(p.sql, 3));
    const orgId = `gate-org-${run}`;
    const running = new Map<string, number>();
    const peaks = new Map<string, number>();
    const request = (gate: RequestGates, org: string, endpoint: string) =>
      gate.forOrg(org, 10_000).run(endpoint, async () => {
        const key = `${org}:${endpoint}`;
        running.set(key, (running.get(key) ?? 0) + 1);
        peaks.set(key, Math.max(peaks.get(key) ?? 0, running.get(key)!));
        await pause(20);
        running.set(key, running.get(key)! - 1);
      });

    await Promise.all(
      Array.from({ length: 40 }, (_, i) => {
        const gate = gates[i % 2]!;
        return Promise.all([request(gate, orgId, 'Tickets'), request(gate, orgId, 'Companies'), request(gate, `${orgId}-other`, 'Tickets')]);
      }),
    );
    expect(Object.fromEntries(peaks)).toEqual({ [`${orgId}:Tickets`]: 3, [`${orgId}:Companies`]: 3, [`${orgId}-other:Tickets`]: 3 });
  });

  it('refuses requests beyond the hourly budget, across processes, saying when they may go again', async () => {
    const orgId = `budget-org-${run}`;
    const gates = processes.map((p) => new RequestGates(p.sql, 3).forOrg(orgId, 5));
    let sent = 0;
    const outcomes = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => gates[i % 2]!.run('Tickets', async () => void sent++)));

    expect(sent).toBe(5);
    const refused = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason] : []));
    expect(refused).toHaveLength(3);
    for (const reason of refused) {
      expect(reason).toBeInstanceOf(BudgetExhausted);
      const wait = (reason as BudgetExhausted).retryAt.getTime() - Date.now();
      // The oldest counted minute leaves the rolling hour in 60 to 61 minutes.
      expect(wait).toBeGreaterThan(59 * 60_000);
      expect(wait).toBeLessThanOrEqual(61 * 60_000);
    }
    // Another org has its own budget.
    await new RequestGates(processes[0]!.sql, 3).forOrg(`${orgId}-other`, 5).run('Tickets', async () => undefined);
  });

  it('frees the slot when the request fails, and when its caller gives up waiting', async () => {
    const gate = new RequestGates(processes[0]!.sql, 1).forOrg(`abort-org-${run}`, 10_000);
    await expect(gate.run('Tickets', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    let release!: () => void;
    const holder = gate.run('Tickets', () => new Promise<void>((resolve) => (release = resolve)));
    await pause(50);
    const controller = new AbortController();
    const waiter = gate.run('Tickets', async () => 'never', controller.signal);
    controller.abort(new Error('gave up'));
    await expect(waiter).rejects.toThrow('gave up');
    release();
    await holder;
    await expect(gate.run('Tickets', async () => 'next')).resolves.toBe('next');
  });
});
