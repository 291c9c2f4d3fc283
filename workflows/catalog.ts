import { ApplicationFailure, executeChild, log, proxyActivities, uuid4 } from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { CatalogActivities } from '../activities/catalog';
import { type CatalogRefreshInput, catalogRefreshWorkflowId, PETRA_ORG_ID } from './shared';

/** What a Schedule or a refresh cannot fix by retrying: no confirmed link, or credentials Autotask refuses. */
const FINAL = ['not_connected', 'auth_failed', 'zone_not_found', 'permission_denied'];

const catalog = proxyActivities<CatalogActivities>({
  // A full pass over tens of thousands of companies takes minutes; heartbeats catch a dead worker sooner.
  startToCloseTimeout: '1 hour',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', maximumAttempts: 10, nonRetryableErrorTypes: FINAL },
});

export interface CatalogRefreshSummary {
  mode: 'incremental' | 'full';
  picklistValues: number;
  companyRows: number;
  pageCalls: number;
}

/** Refreshes an org's catalog: the ticket picklists, then the companies (changed ones, or all on a full pass). */
export async function refreshAutotaskCatalog(input: CatalogRefreshInput): Promise<CatalogRefreshSummary> {
  const { orgId } = input;
  const plan = await catalog.beginCatalogRefresh({ ...input, runId: uuid4() });
  try {
    const picklistValues = await catalog.refreshPicklists({ orgId });
    const companies = await catalog.refreshCompanies({ orgId, plan });
    const summary = { mode: plan.mode, picklistValues, companyRows: companies.rows, pageCalls: companies.pageCalls };
    await catalog.finishCatalogRefresh({ orgId, runId: plan.runId, outcome: 'succeeded', ...summary, watermark: companies.watermark });
    return summary;
  } catch (err) {
    const error = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
    await catalog.finishCatalogRefresh({ orgId, runId: plan.runId, outcome: 'failed', error });
    throw ApplicationFailure.create({ type: 'refresh_failed', message: `The catalog refresh failed: ${error}`, nonRetryable: true });
  }
}

/** Started by the org's Schedule: runs a refresh, or joins the one already running (e.g. a manual one). */
export async function scheduledCatalogRefresh(input: CatalogRefreshInput): Promise<void> {
  try {
    await executeChild(refreshAutotaskCatalog, {
      workflowId: catalogRefreshWorkflowId(input.orgId),
      args: [input],
      typedSearchAttributes: [{ key: PETRA_ORG_ID, value: input.orgId }],
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    log.info('A refresh of this catalog is already running; this scheduled one is skipped', { orgId: input.orgId });
  }
}
