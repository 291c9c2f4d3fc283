import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import type { AutotaskCredentials, Zone } from '../autotask/client';
import type { SecretBox } from '../security/secret-box';
import type { LinkAttempt, LinkOutcome } from '../workflows/shared';
import type { Database } from './client';
import { autotaskCatalogState, autotaskConnections, type ConnectionRow } from './schema';

/** Stores new credentials as a new attempt in `verifying`; whatever an older attempt was doing no longer counts. */
export async function beginLinkAttempt(db: Database, box: SecretBox, orgId: string, credentials: AutotaskCredentials): Promise<ConnectionRow> {
  const now = new Date();
  const fresh = {
    attemptId: randomUUID(),
    status: 'verifying' as const,
    username: credentials.username,
    credentialsSealed: box.seal(JSON.stringify({ secret: credentials.secret, integrationCode: credentials.integrationCode }), orgId),
    zoneName: null,
    zoneApiUrl: null,
    zoneWebUrl: null,
    failureCode: null,
    failureMessage: null,
    failureDetail: null,
    requestThreshold: null,
    requestedAt: now,
    verifiedAt: null,
    updatedAt: now,
  };
  const [row] = await db
    .insert(autotaskConnections)
    .values({ orgId, ...fresh })
    .onConflictDoUpdate({ target: autotaskConnections.orgId, set: fresh })
    .returning();
  // New credentials may open another Autotask instance: the next catalog refresh reads everything again.
  await db.update(autotaskCatalogState).set({ companiesWatermark: null, lastFullAt: null }).where(eq(autotaskCatalogState.orgId, orgId));
  return row!;
}

export async function findConnection(db: Database, orgId: string): Promise<ConnectionRow | undefined> {
  const [row] = await db.select().from(autotaskConnections).where(eq(autotaskConnections.orgId, orgId));
  return row;
}

/** The credentials of one attempt, or `undefined` once newer credentials replaced them (or the link was removed). */
export async function readAttemptCredentials(db: Database, box: SecretBox, attempt: LinkAttempt): Promise<AutotaskCredentials | undefined> {
  const [row] = await db.select().from(autotaskConnections).where(currentAttempt(attempt));
  return row && unseal(box, row);
}

function unseal(box: SecretBox, row: ConnectionRow): AutotaskCredentials {
  const sealed = JSON.parse(box.open(row.credentialsSealed, row.orgId)) as { secret: string; integrationCode: string };
  return { username: row.username, ...sealed };
}

/** The credentials and zone of a confirmed link, or `undefined` when the org has none (not linked, failed, verifying). */
export async function readConnectedCredentials(
  db: Database,
  box: SecretBox,
  orgId: string,
): Promise<{ credentials: AutotaskCredentials; zone: Zone; requestThreshold: number | null } | undefined> {
  const [row] = await db
    .select()
    .from(autotaskConnections)
    .where(and(eq(autotaskConnections.orgId, orgId), eq(autotaskConnections.status, 'connected')));
  if (!row?.zoneName || !row.zoneApiUrl || !row.zoneWebUrl) return undefined;
  return {
    credentials: unseal(box, row),
    zone: { name: row.zoneName, apiUrl: row.zoneApiUrl, webUrl: row.zoneWebUrl },
    requestThreshold: row.requestThreshold,
  };
}

/**
 * Writes a verification's outcome if its attempt is still the current one and still verifying. Returns whether the
 * row holds this attempt's outcome: true again for a retried write that had already landed.
 */
export async function recordOutcome(db: Database, attempt: LinkAttempt, outcome: LinkOutcome): Promise<boolean> {
  const now = new Date();
  const zone = outcome.zone;
  const failure = outcome.status === 'failed' ? outcome.failure : undefined;
  const updated = await db
    .update(autotaskConnections)
    .set({
      status: outcome.status,
      zoneName: zone?.name ?? null,
      zoneApiUrl: zone?.apiUrl ?? null,
      zoneWebUrl: zone?.webUrl ?? null,
      failureCode: failure?.code ?? null,
      failureMessage: failure?.message ?? null,
      failureDetail: failure?.detail ?? null,
      verifiedAt: outcome.status === 'connected' ? now : null,
      requestThreshold: outcome.status === 'connected' ? outcome.requestThreshold : null,
      updatedAt: now,
    })
    .where(and(currentAttempt(attempt), eq(autotaskConnections.status, 'verifying')))
    .returning({ orgId: autotaskConnections.orgId });
  if (updated.length > 0) return true;
  const [current] = await db.select({ status: autotaskConnections.status }).from(autotaskConnections).where(currentAttempt(attempt));
  return current?.status === outcome.status;
}

/** Removes the link and with it the stored credentials. */
export async function deleteConnection(db: Database, orgId: string): Promise<boolean> {
  const deleted = await db.delete(autotaskConnections).where(eq(autotaskConnections.orgId, orgId)).returning({ orgId: autotaskConnections.orgId });
  return deleted.length > 0;
}

const currentAttempt = ({ orgId, attemptId }: LinkAttempt) =>
  and(eq(autotaskConnections.orgId, orgId), eq(autotaskConnections.attemptId, attemptId));
