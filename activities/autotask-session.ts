import { ApplicationFailure } from '@temporalio/activity';
import type { AutotaskClient, AutotaskSession } from '../autotask/client';
import { isAutotaskError } from '../autotask/client';
import type { Database } from '../db/client';
import { readConnectedCredentials } from '../db/connections';
import type { SecretBox } from '../security/secret-box';

/** A session with the org's confirmed link; fails for good when there is none (unlinked, failed or re-verifying). */
export async function connectedSession(db: Database, box: SecretBox, autotask: AutotaskClient, orgId: string): Promise<AutotaskSession> {
  const link = await readConnectedCredentials(db, box, orgId);
  if (!link) throw ApplicationFailure.nonRetryable('Autotask is not linked for this org, or its link is not confirmed', 'not_connected');
  autotask.rememberZone(link.credentials.username, link.zone);
  return autotask.as(link.credentials);
}

/** Autotask errors as Temporal failures: wrong credentials and missing rights are final, the rest retried (429s after a pause). */
export function asActivityFailure(err: unknown): never {
  if (!isAutotaskError(err)) throw err;
  const final = err.kind === 'auth_failed' || err.kind === 'zone_not_found' || err.kind === 'permission_denied';
  throw ApplicationFailure.create({
    type: err.kind,
    message: err.message,
    details: [err.detail],
    nonRetryable: final,
    nextRetryDelay: err.retryAfterSeconds ? `${err.retryAfterSeconds} seconds` : undefined,
  });
}
