import { and, asc, eq, gt, inArray, sql } from 'drizzle-orm';
import type { AlertEvent } from '../workflows/shared';
import type { Database } from './client';
import { type AlertState, type AlertSyncRow, alertSyncs, autotaskConfiguration, tenants } from './schema';

export type AcceptResult = { status: 'accepted'; row: AlertSyncRow } | { status: 'tenant_mismatch'; tenantId: string };

/**
 * Records that an event was received, before it is handed to the alert's workflow, so the alert can be read (and
 * listed) at once. An unknown tenant is registered under its id, so it shows up on the mapping page to be mapped.
 * An alert belongs to one tenant for good: an event naming another one is refused.
 */
export async function acceptAlertEvent(db: Database, orgId: string, event: AlertEvent): Promise<AcceptResult> {
  const now = new Date();
  await db
    .insert(tenants)
    .values({ orgId, tenantId: event.tenantId, name: event.tenantId, domains: [], companyId: null, updatedAt: now })
    .onConflictDoNothing();
  const [row] = await db
    .insert(alertSyncs)
    .values({ orgId, alertId: event.alertId, tenantId: event.tenantId, state: 'creating', receivedRevision: event.revision, createdAt: now, updatedAt: now })
    .onConflictDoUpdate({
      target: [alertSyncs.orgId, alertSyncs.alertId],
      set: { receivedRevision: sql`greatest(${alertSyncs.receivedRevision}, excluded.received_revision)`, updatedAt: now },
      setWhere: eq(alertSyncs.tenantId, event.tenantId),
    })
    .returning();
  if (row) return { status: 'accepted', row };
  const existing = await findAlert(db, orgId, event.alertId);
  return { status: 'tenant_mismatch', tenantId: existing!.tenantId };
}

export async function findAlert(db: Database, orgId: string, alertId: string): Promise<AlertSyncRow | undefined> {
  const [row] = await db
    .select()
    .from(alertSyncs)
    .where(and(eq(alertSyncs.orgId, orgId), eq(alertSyncs.alertId, alertId)));
  return row;
}

export interface AlertFilter {
  state?: AlertState;
  tenantId?: string;
  /** The last alert id of the previous page. */
  after?: string;
  limit: number;
}

/** One page in alert id order; `next` is the cursor of the following page, `null` on the last one. */
export async function listAlerts(db: Database, orgId: string, filter: AlertFilter): Promise<{ items: AlertSyncRow[]; next: string | null }> {
  const rows = await db
    .select()
    .from(alertSyncs)
    .where(
      and(
        eq(alertSyncs.orgId, orgId),
        filter.state ? eq(alertSyncs.state, filter.state) : undefined,
        filter.tenantId ? eq(alertSyncs.tenantId, filter.tenantId) : undefined,
        filter.after ? gt(alertSyncs.alertId, filter.after) : undefined,
      ),
    )
    .orderBy(asc(alertSyncs.alertId))
    .limit(filter.limit + 1);
  const items = rows.slice(0, filter.limit);
  return { items, next: rows.length > filter.limit ? items[items.length - 1]!.alertId : null };
}

/** The alerts of an org in any of these states. */
export async function alertIdsIn(db: Database, orgId: string, states: AlertState[]): Promise<string[]> {
  const rows = await db
    .select({ alertId: alertSyncs.alertId })
    .from(alertSyncs)
    .where(and(eq(alertSyncs.orgId, orgId), inArray(alertSyncs.state, states)));
  return rows.map((r) => r.alertId);
}

/**
 * One failed alert per distinct refusal (the one waiting longest): after a catalog refresh only these try again, and
 * an alert that then succeeds wakes the others refused alike. Many alerts refused for one reason cost one request.
 */
export async function failedAlertProbes(db: Database, orgId: string): Promise<string[]> {
  const rows = await db
    .selectDistinctOn([alertSyncs.lastError], { alertId: alertSyncs.alertId })
    .from(alertSyncs)
    .where(and(eq(alertSyncs.orgId, orgId), eq(alertSyncs.state, 'failed')))
    .orderBy(alertSyncs.lastError, asc(alertSyncs.updatedAt));
  return rows.map((r) => r.alertId);
}

/** The failed alerts of an org that Autotask refused with this text. */
export async function alertIdsFailedWith(db: Database, orgId: string, error: string): Promise<string[]> {
  const rows = await db
    .select({ alertId: alertSyncs.alertId })
    .from(alertSyncs)
    .where(and(eq(alertSyncs.orgId, orgId), eq(alertSyncs.state, 'failed'), eq(alertSyncs.lastError, error)));
  return rows.map((r) => r.alertId);
}

export type AlertChange = Partial<Omit<AlertSyncRow, 'orgId' | 'alertId' | 'tenantId' | 'createdAt' | 'updatedAt' | 'receivedRevision'>>;

export async function updateAlert(db: Database, orgId: string, alertId: string, change: AlertChange): Promise<void> {
  await db
    .update(alertSyncs)
    .set({ ...change, updatedAt: new Date() })
    .where(and(eq(alertSyncs.orgId, orgId), eq(alertSyncs.alertId, alertId)));
}

/**
 * Marks the alert `failed`, unless the org's configuration moved past `configVersion` meanwhile: a change saved while
 * the attempt ran may be the fix, and its nudge went out before this alert was `failed`. Returns whether it was marked.
 */
export async function markAlertFailed(db: Database, orgId: string, alertId: string, error: string, configVersion: number): Promise<boolean> {
  const current = db
    .select({ version: autotaskConfiguration.version })
    .from(autotaskConfiguration)
    .where(eq(autotaskConfiguration.orgId, orgId))
    // Waits for a change being saved right now, and then sees it.
    .for('share');
  const marked = await db
    .update(alertSyncs)
    .set({ state: 'failed', lastError: error, lastErrorAt: new Date(), updatedAt: new Date() })
    .where(and(eq(alertSyncs.orgId, orgId), eq(alertSyncs.alertId, alertId), sql`coalesce((${current}), 0) = ${configVersion}`))
    .returning({ alertId: alertSyncs.alertId });
  return marked.length > 0;
}
