import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import type { Config } from '../config';
import { alertIdsIn } from '../db/alerts';
import type { Database } from '../db/client';
import type { AlertState } from '../db/schema';
import type { syncAlert } from '../workflows/alert';
import { type AlertEvent, type AlertTimeouts, alertEventSignal, alertWorkflowId, PETRA_ALERT_ID, PETRA_ORG_ID, PETRA_TENANT_ID, recheckSignal } from '../workflows/shared';

type AlertConfig = Pick<
  Config,
  'TEMPORAL_TASK_QUEUE' | 'ALERT_ATTEMPT_TIMEOUT_MS' | 'ALERT_HEARTBEAT_TIMEOUT_MS' | 'ALERT_RECHECK_INTERVAL_MS' | 'ALERT_IDLE_TIMEOUT_MS'
>;

const alertTimeouts = (config: AlertConfig): AlertTimeouts => ({
  attemptMs: config.ALERT_ATTEMPT_TIMEOUT_MS,
  heartbeatMs: config.ALERT_HEARTBEAT_TIMEOUT_MS,
  recheckMs: config.ALERT_RECHECK_INTERVAL_MS,
  idleMs: config.ALERT_IDLE_TIMEOUT_MS,
});

/**
 * Hands an event to its alert's workflow, starting one when none runs. Signal-with-start is atomic on the workflow id:
 * concurrent deliveries of one alert all reach the same run. Returns once Temporal has recorded the signal.
 */
export async function deliverAlertEvent(temporal: Client, config: AlertConfig, orgId: string, event: AlertEvent): Promise<void> {
  await temporal.workflow.signalWithStart<typeof syncAlert, [AlertEvent]>('syncAlert', {
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    workflowId: alertWorkflowId(orgId, event.alertId),
    args: [{ orgId, alertId: event.alertId, timeouts: alertTimeouts(config) }],
    signal: alertEventSignal,
    signalArgs: [event],
    typedSearchAttributes: [
      { key: PETRA_ORG_ID, value: orgId },
      { key: PETRA_TENANT_ID, value: event.tenantId },
      { key: PETRA_ALERT_ID, value: event.alertId },
    ],
  });
}

/** Tells one alert's workflow to try again; `false` when no run of it is open. */
export async function recheckAlert(temporal: Client, orgId: string, alertId: string): Promise<boolean> {
  try {
    await temporal.workflow.getHandle(alertWorkflowId(orgId, alertId)).signal(recheckSignal);
    return true;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}

/** How many signals go out at once when a change wakes many alerts. */
const NUDGE_CONCURRENCY = 20;

/** Wakes every alert of the org in one of these states; returns how many were woken. */
export async function nudgeAlerts(temporal: Client, db: Database, orgId: string, states: AlertState[]): Promise<number> {
  return recheckAlerts(temporal, orgId, await alertIdsIn(db, orgId, states));
}

/** Tells these alerts' workflows to try again; returns how many had an open run. */
export async function recheckAlerts(temporal: Client, orgId: string, alertIds: string[]): Promise<number> {
  let woken = 0;
  for (let i = 0; i < alertIds.length; i += NUDGE_CONCURRENCY) {
    const results = await Promise.all(alertIds.slice(i, i + NUDGE_CONCURRENCY).map((id) => recheckAlert(temporal, orgId, id)));
    woken += results.filter(Boolean).length;
  }
  return woken;
}
