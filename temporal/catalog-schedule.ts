import { type Client, ScheduleAlreadyRunning, ScheduleNotFoundError, type ScheduleOptions, ScheduleOverlapPolicy } from '@temporalio/client';
import type { Config } from '../config';
import { type CatalogRefreshInput, catalogScheduleId, PETRA_ORG_ID } from '../workflows/shared';

type ScheduleConfig = Pick<Config, 'CATALOG_REFRESH_INTERVAL_MS' | 'CATALOG_REFRESH_JITTER_MS' | 'CATALOG_FULL_REFRESH_INTERVAL_MS' | 'TEMPORAL_TASK_QUEUE'>;

/** Creates the org's catalog refresh schedule, or brings an existing one up to date (idempotent); returns what it runs. */
export async function ensureCatalogSchedule(temporal: Client, config: ScheduleConfig, orgId: string): Promise<CatalogRefreshInput> {
  const refresh: CatalogRefreshInput = { orgId, fullEveryMs: config.CATALOG_FULL_REFRESH_INTERVAL_MS };
  const options: Omit<ScheduleOptions, 'scheduleId'> = {
    spec: { intervals: [{ every: config.CATALOG_REFRESH_INTERVAL_MS }], jitter: config.CATALOG_REFRESH_JITTER_MS },
    action: {
      type: 'startWorkflow',
      workflowType: 'scheduledCatalogRefresh',
      workflowId: `autotask-catalog-scheduled:${orgId}`,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      args: [refresh],
      typedSearchAttributes: [{ key: PETRA_ORG_ID, value: orgId }],
    },
    // A refresh still running when the next is due makes the next one pointless.
    policies: { overlap: ScheduleOverlapPolicy.SKIP },
  };
  try {
    await temporal.schedule.create({ scheduleId: catalogScheduleId(orgId), ...options });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await temporal.schedule.getHandle(catalogScheduleId(orgId)).update((previous) => ({ ...previous, spec: options.spec, action: options.action, policies: options.policies }));
  }
  return refresh;
}

/** Removes an org's refresh schedule; nothing to do when there is none. */
export async function deleteCatalogSchedule(temporal: Client, orgId: string): Promise<void> {
  try {
    await temporal.schedule.getHandle(catalogScheduleId(orgId)).delete();
  } catch (err) {
    if (!(err instanceof ScheduleNotFoundError)) throw err;
  }
}
