// Helpers shared by the alert tests: a linked and configured org, alert events, and waits on an alert's state.
import { randomUUID } from 'node:crypto';
import type { AutotaskSimulator, SimulatedCompany } from '../simulator/server';
import { settled, type TestApi, waitFor, waitForConnection } from './harness';

export const COMPANIES: SimulatedCompany[] = [
  { id: 1, companyName: 'Contoso Limited' },
  { id: 2, companyName: 'Fabrikam Industries' },
  { id: 3, companyName: 'Catch-all Customer' },
];

/** Values of the simulator's default Tickets picklists (simulator/entities.ts). */
export const QUEUE = { monitoring: 8, levelOne: 29682969 };
export const STATUS = { new: 1, complete: 5, inProgress: 8 };

export const ALERT_TIMEOUTS = {
  ALERT_ATTEMPT_TIMEOUT_MS: '15000',
  ALERT_HEARTBEAT_TIMEOUT_MS: '2000',
  // Long, so the tests see alerts move because they were told to, not because they looked again by themselves.
  ALERT_RECHECK_INTERVAL_MS: '600000',
  ALERT_IDLE_TIMEOUT_MS: '600000',
};

export interface Account {
  username: string;
  secret: string;
  integrationCode: string;
}

export function newAccount(sim: AutotaskSimulator, name: string): Account {
  const account = { username: `${name}@msp.example`, secret: `secret-${randomUUID()}`, integrationCode: `TRACKING${randomUUID().replace(/-/g, '').slice(0, 20).toUpperCase()}` };
  sim.addAccount(account);
  return account;
}

/** Links the org, waits for its first catalog refresh, registers the tenants with their mappings, and sets the ticket settings. */
export async function linkAndConfigure(api: TestApi, orgId: string, account: Account, tenants: Record<string, number | null>, settings: object = {}): Promise<void> {
  const base = `/v1/orgs/${orgId}`;
  expect((await api.call('PUT', `${base}/autotask/connection`, { body: account })).status).toBe(202);
  expect((await waitForConnection(api, orgId, settled)).status).toBe('connected');
  await waitFor(async () => (await api.call('GET', `${base}/autotask/catalog`)).body.lastRefresh?.outcome === 'succeeded', 60_000);
  for (const tenantId of Object.keys(tenants)) {
    expect((await api.call('PUT', `${base}/tenants/${tenantId}`, { body: { name: tenantId } })).status).toBeLessThan(300);
  }
  const patch = {
    tenants,
    queue: QUEUE.monitoring,
    creationStatus: STATUS.new,
    updateStatus: STATUS.inProgress,
    resolutionStatus: STATUS.complete,
    ...settings,
  };
  const res = await api.call('PATCH', `${base}/autotask/mappings`, { body: patch });
  expect(res.status).toBe(200);
}

export function alertEvent(alertId: string, revision: number, overrides: object = {}) {
  return {
    tenantId: 'contoso',
    alertId,
    revision,
    status: revision === 1 ? 'open' : 'updated',
    severity: 'high',
    title: `Impossible travel for ${alertId}`,
    description: `Sign-in from two countries within an hour (revision ${revision})`,
    url: `https://app.petra.example/alerts/${alertId}`,
    occurredAt: '2026-12-03T10:00:00Z',
    ...overrides,
  };
}

export async function postAlerts(api: TestApi, orgId: string, body: unknown) {
  return api.call('POST', `/v1/orgs/${orgId}/alerts`, { body });
}

export async function getAlert(api: TestApi, orgId: string, alertId: string) {
  return (await api.call('GET', `/v1/orgs/${orgId}/alerts/${alertId}`)).body;
}

/** Waits until the alert matches; on timeout the error shows the alert, the simulator's last calls and the workers' logs. */
export async function waitForAlert(
  api: TestApi,
  orgId: string,
  alertId: string,
  check: (alert: any) => boolean,
  context: { sim: AutotaskSimulator; logs?: () => string[] },
  timeoutMs = 30_000,
): Promise<any> {
  let last: any;
  await waitFor(
    async () => check((last = await getAlert(api, orgId, alertId))),
    timeoutMs,
    () => ({
      alert: last,
      calls: context.sim.calls.slice(-12).map((c) => `${c.method} ${c.path} ${c.status}`),
      worker: (context.logs?.() ?? []).join('').split('\n').slice(-20),
    }),
  );
  return last;
}
