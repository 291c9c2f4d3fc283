import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  proxyActivities,
  setHandler,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { CatalogActivities, RefreshPlan } from '../activities/catalog';
import { type CatalogRefreshInput, type RefreshTicket, requestRefresh } from './shared';

// Short calls to Temporal itself; retried while it is away.
const { requestCatalogRefresh } = proxyActivities<CatalogActivities>({ startToCloseTimeout: '1 minute', retry: { maximumInterval: '30 seconds' } });

const catalog = proxyActivities<CatalogActivities>({
  // A full pass over tens of thousands of companies takes minutes; heartbeats catch a dead worker sooner.
  startToCloseTimeout: '1 hour',
  heartbeatTimeout: '1 minute',
  // Failures no retry can fix (no confirmed link, credentials Autotask refuses) come marked non-retryable.
  retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', maximumAttempts: 10 },
});

export interface CatalogRefreshSummary {
  mode: 'incremental' | 'full';
  picklistValues: number;
  companyRows: number;
  pageCalls: number;
}

/**
 * Refreshes an org's catalog: the ticket picklists, then the companies (changed ones, or all on a full pass).
 * Refresh requests arriving meanwhile join the pass still reading; any arriving once it has read everything (or asking
 * for a full pass during an incremental one) are served together by one more pass, so none is lost and none doubles.
 */
export async function refreshAutotaskCatalog(input: CatalogRefreshInput): Promise<CatalogRefreshSummary> {
  let pass = 1;
  let full = input.full ?? false;
  let reading = true;
  let mode: RefreshPlan['mode'] | undefined;
  let again: { full: boolean } | undefined;
  setHandler(requestRefresh, (request) => {
    const joins = reading && (!request.full || full || mode === 'full');
    if (!joins) again = { full: (again?.full ?? false) || request.full };
    return { runId: workflowInfo().runId, pass: joins ? pass : pass + 1 };
  });

  for (;;) {
    const plan = await catalog.beginCatalogRefresh({ ...input, full, runId: uuid4() });
    mode = plan.mode;
    const outcome = await onePass(input.orgId, plan, () => (reading = false)).then(
      (summary) => ({ summary }),
      (failure: unknown) => ({ failure }),
    );
    if (!again) {
      await condition(allHandlersFinished);
      if ('failure' in outcome) throw outcome.failure;
      return outcome.summary;
    }
    // A failed pass still owes the requests that arrived during it their pass.
    ({ full } = again);
    again = undefined;
    reading = true;
    mode = undefined;
    pass += 1;
  }
}

async function onePass(orgId: string, plan: RefreshPlan, readingDone: () => void): Promise<CatalogRefreshSummary> {
  try {
    const picklistValues = await catalog.refreshPicklists({ orgId });
    const companies = await catalog.refreshCompanies({ orgId, plan });
    readingDone();
    const summary = { mode: plan.mode, picklistValues, companyRows: companies.rows, pageCalls: companies.pageCalls };
    await catalog.finishCatalogRefresh({ orgId, runId: plan.runId, outcome: 'succeeded', ...summary, watermark: companies.watermark });
    return summary;
  } catch (err) {
    readingDone();
    const error = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
    await catalog.finishCatalogRefresh({ orgId, runId: plan.runId, outcome: 'failed', error });
    throw ApplicationFailure.create({ type: 'refresh_failed', message: `The catalog refresh failed: ${error}`, nonRetryable: true });
  }
}

/** Started by the org's Schedule: a refresh request like any other (it joins a refresh already running). */
export async function scheduledCatalogRefresh({ orgId }: { orgId: string }): Promise<RefreshTicket> {
  return requestCatalogRefresh({ orgId });
}
