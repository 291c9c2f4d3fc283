import { ApplicationFailure } from '@temporalio/activity';
import type { AutotaskClient, AutotaskSession } from '../autotask/client';
import { isAutotaskError } from '../autotask/client';
import type { Database } from '../db/client';
import { readConnectedCredentials } from '../db/connections';
import type { Config } from '../config';
import { BudgetExhausted, type RequestGates } from '../db/request-gate';
import type { SecretBox } from '../security/secret-box';
import type { Sql } from 'postgres';

export interface SessionDeps {
  db: Database;
  box: SecretBox;
  autotask: AutotaskClient;
  config: Pick<Config, 'AUTOTASK_HOURLY_BUDGET_SHARE'>;
  gates: RequestGates;
}

/** Autotask's own default until the link reports its database's threshold. */
const DEFAULT_HOURLY_THRESHOLD = 10_000;

/**
 * A session with the org's confirmed link, its calls within the link's limits (`RequestGates`); `undefined` when
 * there is none (unlinked, failed or re-verifying). `connection`: one the caller reserved, for the gate's locks.
 */
export async function linkedSession({ db, box, autotask, config, gates }: SessionDeps, orgId: string, connection?: Sql): Promise<AutotaskSession | undefined> {
  const link = await readConnectedCredentials(db, box, orgId);
  if (!link) return undefined;
  autotask.rememberZone(link.credentials.username, link.zone);
  const budget = Math.floor((link.requestThreshold ?? DEFAULT_HOURLY_THRESHOLD) * config.AUTOTASK_HOURLY_BUDGET_SHARE);
  return autotask.as(link.credentials, gates.forOrg(orgId, budget, connection));
}

/** As `linkedSession`, but failing for good when there is no confirmed link. */
export async function connectedSession(deps: SessionDeps, orgId: string): Promise<AutotaskSession> {
  const session = await linkedSession(deps, orgId);
  if (!session) throw ApplicationFailure.nonRetryable('Autotask is not linked for this org, or its link is not confirmed', 'not_connected');
  return session;
}

/** Autotask errors as Temporal failures: wrong credentials and missing rights are final, the rest retried (429s after a pause). */
export function asActivityFailure(err: unknown): never {
  if (err instanceof BudgetExhausted) {
    throw ApplicationFailure.create({ type: 'budget_exhausted', message: err.message, nextRetryDelay: Math.max(1_000, err.retryAt.getTime() - Date.now()) });
  }
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
