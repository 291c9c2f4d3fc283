import { ApplicationFailure } from '@temporalio/activity';
import { type AutotaskClient, type AutotaskSession, isAutotaskError } from '../autotask/client';
import type { Database } from '../db/client';
import { readAttemptCredentials, recordOutcome } from '../db/connections';
import type { SecretBox } from '../security/secret-box';
import { type LinkAttempt, linkFailureMessages, type LinkOutcome, type ZoneInfo } from '../workflows/shared';
import { asActivityFailure } from './autotask-session';
import { whileHeartbeating } from './heartbeat';

export interface LinkActivityDeps {
  db: Database;
  box: SecretBox;
  autotask: AutotaskClient;
}

/** What Petra needs to do with each entity, and how Autotask names that right. */
const REQUIRED_ACCESS = [
  { entity: 'Companies', action: 'query' },
  { entity: 'Tickets', action: 'query' },
  { entity: 'Tickets', action: 'create' },
  { entity: 'Tickets', action: 'update' },
  { entity: 'TicketNotes', action: 'create' },
] as const;

export function createLinkActivities({ db, box, autotask }: LinkActivityDeps) {
  /** A session for the attempt's credentials; fails for good when newer credentials replaced them. */
  async function sessionFor(attempt: LinkAttempt): Promise<AutotaskSession> {
    const credentials = await readAttemptCredentials(db, box, attempt);
    if (!credentials) throw ApplicationFailure.nonRetryable('Newer credentials were saved for this org', 'superseded');
    return autotask.as(credentials);
  }

  return {
    async resolveZone(attempt: LinkAttempt): Promise<ZoneInfo> {
      const session = await sessionFor(attempt);
      const zone = await whileHeartbeating((signal) => session.zone({ signal }).catch(explain));
      return { name: zone.name, apiUrl: zone.apiUrl, webUrl: zone.webUrl };
    },

    /** Proves the credentials, then reads the database's hourly request threshold that the engine's budget is a share of. */
    async checkCredentials(attempt: LinkAttempt): Promise<number> {
      const session = await sessionFor(attempt);
      return whileHeartbeating(async (signal) => {
        await session.version({ signal }).catch(explain);
        return (await session.thresholdInformation({ signal }).catch(explain)).externalRequestThreshold;
      });
    },

    /** Reads each entity's access once and reports every missing right together, so the admin fixes them in one go. */
    async checkPermissions(attempt: LinkAttempt): Promise<void> {
      const session = await sessionFor(attempt);
      const entities = [...new Set(REQUIRED_ACCESS.map((r) => r.entity))];
      const infos = await whileHeartbeating((signal) =>
        Promise.all(entities.map((entity) => session.entityInformation(entity, { signal }).then((info) => [entity, info] as const))).catch(explain),
      );
      const access = new Map(infos);
      const missing = REQUIRED_ACCESS.filter(({ entity, action }) => {
        const info = access.get(entity)!;
        const key = `${action.charAt(0).toUpperCase()}${action.slice(1)}` as 'Query' | 'Create' | 'Update';
        return !info[`can${key}`] || !info[`userAccessFor${key}`];
      }).map(({ entity, action }) => `${entity}: ${action}`);
      if (missing.length > 0) {
        throw ApplicationFailure.create({
          type: 'permission_denied',
          nonRetryable: true,
          message: `${linkFailureMessages.permission_denied} Its security level does not allow: ${missing.join(', ')}.`,
          details: [`Missing access: ${missing.join(', ')}`],
        });
      }
    },

    async recordLinkOutcome(input: LinkAttempt & { outcome: LinkOutcome }): Promise<boolean> {
      return recordOutcome(db, input, input.outcome);
    },
  };
}

export type LinkActivities = ReturnType<typeof createLinkActivities>;

/** Turns Autotask's answer into a failure the workflow understands, in the linking guide's terms for credentials and rights. */
function explain(err: unknown): never {
  if (!isAutotaskError(err)) throw err;
  switch (err.kind) {
    case 'auth_failed':
      throw ApplicationFailure.create({ type: 'auth_failed', nonRetryable: true, message: linkFailureMessages.auth_failed, details: [err.detail] });
    case 'zone_not_found':
      throw ApplicationFailure.create({
        type: 'auth_failed',
        nonRetryable: true,
        message: `${linkFailureMessages.auth_failed} Autotask does not know this username.`,
        details: [err.detail],
      });
    case 'permission_denied':
      throw ApplicationFailure.create({ type: 'permission_denied', nonRetryable: true, message: linkFailureMessages.permission_denied, details: [err.detail] });
    default:
      return asActivityFailure(err);
  }
}
