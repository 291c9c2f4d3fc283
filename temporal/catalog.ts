import {
  type Client,
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  type ScheduleOptions,
  ScheduleOverlapPolicy,
  WithStartWorkflowOperation,
  WorkflowIdConflictPolicy,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import type { Config } from '../config';
import type { refreshAutotaskCatalog } from '../workflows/catalog';
import { catalogRefreshWorkflowId, catalogScheduleId, PETRA_ORG_ID, type RefreshTicket, requestRefresh } from '../workflows/shared';

// Every way a catalog refresh starts (the API, a confirmed link, the Schedule) goes through here.

type CatalogConfig = Pick<Config, 'CATALOG_REFRESH_INTERVAL_MS' | 'CATALOG_REFRESH_JITTER_MS' | 'CATALOG_FULL_REFRESH_INTERVAL_MS' | 'TEMPORAL_TASK_QUEUE'>;

/**
 * Hands a refresh request to the org's running refresh, starting one if none runs. A run that finishes just as the
 * request reaches it cannot take it any more; the request then starts the next run.
 */
export async function requestCatalogRefresh(temporal: Client, config: CatalogConfig, orgId: string, full: boolean): Promise<RefreshTicket> {
  for (let attempt = 1; ; attempt++) {
    const startWorkflowOperation = new WithStartWorkflowOperation<typeof refreshAutotaskCatalog>('refreshAutotaskCatalog', {
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      workflowId: catalogRefreshWorkflowId(orgId),
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      typedSearchAttributes: [{ key: PETRA_ORG_ID, value: orgId }],
      args: [{ orgId, full, fullEveryMs: config.CATALOG_FULL_REFRESH_INTERVAL_MS }],
    });
    try {
      return await temporal.workflow.executeUpdateWithStart(requestRefresh, { args: [{ full }], startWorkflowOperation });
    } catch (err) {
      if (attempt === 3 || !(err instanceof WorkflowUpdateFailedError || err instanceof WorkflowNotFoundError)) throw err;
    }
  }
}

/** Creates the org's refresh schedule, or brings an existing one up to date (idempotent). */
export async function ensureCatalogSchedule(temporal: Client, config: CatalogConfig, orgId: string): Promise<void> {
  const options: Omit<ScheduleOptions, 'scheduleId'> = {
    spec: { intervals: [{ every: config.CATALOG_REFRESH_INTERVAL_MS }], jitter: config.CATALOG_REFRESH_JITTER_MS },
    action: {
      type: 'startWorkflow',
      workflowType: 'scheduledCatalogRefresh',
      workflowId: `autotask-catalog-scheduled:${orgId}`,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      args: [{ orgId }],
      typedSearchAttributes: [{ key: PETRA_ORG_ID, value: orgId }],
    },
    // A scheduled start only hands a request to the refresh workflow, which coalesces them; SKIP keeps starts from
    // piling up while the worker is away.
    policies: { overlap: ScheduleOverlapPolicy.SKIP },
  };
  try {
    await temporal.schedule.create({ scheduleId: catalogScheduleId(orgId), ...options });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await temporal.schedule.getHandle(catalogScheduleId(orgId)).update((previous) => ({ ...previous, spec: options.spec, action: options.action, policies: options.policies }));
  }
}

/** Removes an org's refresh schedule; nothing to do when there is none. */
export async function deleteCatalogSchedule(temporal: Client, orgId: string): Promise<void> {
  try {
    await temporal.schedule.getHandle(catalogScheduleId(orgId)).delete();
  } catch (err) {
    if (!(err instanceof ScheduleNotFoundError)) throw err;
  }
}
