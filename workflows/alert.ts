import { condition, continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { AlertActivities } from '../activities/alerts';
import { type AlertEvent, alertEventSignal, type AlertWorkflowInput, recheckSignal } from './shared';

export interface AlertRunSummary {
  /** The revision the ticket reflects when the run ends; `null` when this run applied none. */
  lastAppliedRevision: number | null;
  resolved: boolean;
}

/**
 * Keeps one alert's Autotask ticket in step with the alert, one revision at a time. Deliveries arriving meanwhile
 * are folded into the newest one not yet applied, so duplicates and late, older revisions cost nothing. While the
 * link or the mapping is missing, or Autotask refuses the ticket, the newest event waits here for a change (or a
 * newer event) instead of being dropped. The run ends once the alert is resolved or idle; the next event starts a
 * new one, which finds the ticket in the database.
 */
export async function syncAlert(input: AlertWorkflowInput): Promise<AlertRunSummary> {
  const { orgId, timeouts } = input;
  const { syncAlertRevision } = proxyActivities<AlertActivities>({
    startToCloseTimeout: timeouts.attemptMs,
    heartbeatTimeout: timeouts.heartbeatMs,
    // Autotask or the database being away is waited out, however long it takes; an alert is never given up.
    retry: { initialInterval: '1 second', maximumInterval: '1 minute', nonRetryableErrorTypes: ['unknown_alert'] },
  });

  let pending: AlertEvent | undefined = input.pending;
  let lastApplied: number | null = null;
  let resolved = false;
  let nudged = false;
  setHandler(alertEventSignal, (event) => {
    const newer = (lastApplied === null || event.revision > lastApplied) && (!pending || event.revision > pending.revision);
    if (newer) pending = event;
  });
  setHandler(recheckSignal, () => {
    nudged = true;
  });

  for (;;) {
    if (!pending) {
      if (resolved) break;
      await condition(() => pending !== undefined, timeouts.idleMs);
      // An event may land together with the idle timer firing: the event wins.
      if (pending === undefined) break;
      continue;
    }
    if (workflowInfo().continueAsNewSuggested) await continueAsNew<typeof syncAlert>({ ...input, pending });

    const event: AlertEvent = pending;
    pending = undefined;
    nudged = false;
    const outcome = await syncAlertRevision({ orgId, event });
    if (outcome.kind === 'applied') {
      lastApplied = outcome.revision;
      resolved = outcome.resolved;
      if (pending && (pending as AlertEvent).revision <= lastApplied) pending = undefined;
      continue;
    }
    // Waiting or refused: try again when told something changed, or when a newer revision arrives; a missing link
    // or mapping is also looked at again now and then, in case the change was never announced.
    pending ??= event;
    const changed = () => nudged || pending!.revision > event.revision;
    if (outcome.kind === 'waiting') await condition(changed, timeouts.recheckMs);
    else await condition(changed);
  }
  return { lastAppliedRevision: lastApplied, resolved };
}
