import { ActivityFailure, ApplicationFailure, log, proxyActivities, TimeoutFailure } from '@temporalio/workflow';
import type { AlertActivities } from '../activities/alerts';
import type { CatalogActivities } from '../activities/catalog';
import type { LinkActivities } from '../activities/link';
import { FINAL_LINK_FAILURES, type LinkFailure, type LinkOutcome, type LinkVerificationInput, linkFailureMessages, type ZoneInfo } from './shared';

// An outcome must never be lost, nor the catalog schedule of a confirmed link: keep trying while a dependency is away.
const durable = { startToCloseTimeout: '30 seconds', retry: { initialInterval: '1 second', maximumInterval: '30 seconds' } } as const;
const { recordLinkOutcome } = proxyActivities<LinkActivities>(durable);
const { syncCatalogSchedule, requestCatalogRefresh } = proxyActivities<CatalogActivities>(durable);
const { nudgeAlerts } = proxyActivities<AlertActivities>(durable);

/**
 * Verifies one set of Autotask credentials for an org: find the zone, prove the credentials, prove the permissions,
 * then record the outcome. Transient failures are retried until the deadline; wrong credentials never are.
 */
export async function verifyAutotaskLink(input: LinkVerificationInput): Promise<LinkOutcome> {
  const { orgId, attemptId, timeouts } = input;
  const deadline = Date.now() + timeouts.deadlineMs;
  const attempt = { orgId, attemptId };

  /** Each step may use whatever is left of the verification's deadline, retries included. */
  const step = () => {
    const remainingMs = Math.max(1_000, deadline - Date.now());
    return proxyActivities<LinkActivities>({
      startToCloseTimeout: Math.min(timeouts.attemptMs, remainingMs),
      scheduleToCloseTimeout: remainingMs,
      heartbeatTimeout: timeouts.heartbeatMs,
      retry: {
        initialInterval: timeouts.retryInitialMs,
        maximumInterval: timeouts.retryMaxMs,
        backoffCoefficient: 2,
        nonRetryableErrorTypes: [...FINAL_LINK_FAILURES],
      },
    });
  };

  let zone: ZoneInfo | undefined;
  let outcome: LinkOutcome;
  try {
    zone = await step().resolveZone(attempt);
    const requestThreshold = await step().checkCredentials(attempt);
    await step().checkPermissions(attempt);
    outcome = { status: 'connected', zone, requestThreshold };
  } catch (err) {
    const failure = toLinkFailure(err);
    if (!failure) throw err;
    outcome = { status: 'failed', failure, zone };
  }

  const recorded = await recordLinkOutcome({ ...attempt, outcome });
  if (!recorded) log.info('Newer credentials were saved meanwhile; this outcome was discarded', { orgId });
  // A confirmed link gets its catalog schedule and a first refresh right away, and the alerts waiting for it go on;
  // a failed one loses the schedule.
  else if ((await syncCatalogSchedule(attempt)) === 'scheduled') {
    await requestCatalogRefresh({ orgId });
    await nudgeAlerts({ orgId, states: ['waiting_for_connection'] });
  }
  return outcome;
}

/** Maps an activity failure to what the admin is told; `undefined` for failures that are not about the link. */
function toLinkFailure(err: unknown): LinkFailure | undefined {
  if (!(err instanceof ActivityFailure)) return undefined;
  const cause = err.cause;
  if (cause instanceof ApplicationFailure && (cause.type === 'auth_failed' || cause.type === 'permission_denied')) {
    return { code: cause.type, message: cause.message, detail: String(cause.details?.[0] ?? '') };
  }
  if (cause instanceof ApplicationFailure && cause.type === 'superseded') {
    throw ApplicationFailure.nonRetryable('Newer credentials were saved; this verification is obsolete', 'superseded');
  }
  return { code: 'timeout', message: linkFailureMessages.timeout, detail: lastReason(err) };
}

/** The most specific reason in a failure chain, e.g. "Autotask did not answer GET /…/Version within 120 s". */
function lastReason(err: Error): string {
  let reason = err.message;
  for (let cause: unknown = err.cause; cause instanceof Error; cause = cause.cause) {
    reason = cause instanceof TimeoutFailure ? (cause.timeoutType && timeoutReasons[cause.timeoutType]) ?? cause.message : cause.message;
  }
  return reason;
}

const timeoutReasons: Record<string, string> = {
  START_TO_CLOSE: 'One attempt took longer than allowed',
  SCHEDULE_TO_START: 'No worker picked the verification up',
  SCHEDULE_TO_CLOSE: 'The verification deadline passed',
  HEARTBEAT: 'The worker verifying the link stopped responding',
};
