import { activityInfo, getClient, heartbeat, log } from '@temporalio/activity';
import { z } from 'zod';
import { isAutotaskError, type QueryBody } from '../autotask/client';
import type { Config } from '../config';
import { beginRefresh, type CompanyRecord, findCatalogState, finishRefresh, markUnseenCompaniesGone, recordProgress, replacePicklist, upsertCompanies } from '../db/catalog';
import { findConnection } from '../db/connections';
import type { OrgLock } from '../db/locks';
import type { RefreshMode } from '../db/schema';
import { failedAlertProbes } from '../db/alerts';
import { nudgeAlerts, recheckAlerts } from '../temporal/alerts';
import { deleteCatalogSchedule, ensureCatalogSchedule, requestCatalogRefresh } from '../temporal/catalog';
import { CATALOG_PICKLISTS, type CatalogRefreshInput, type LinkAttempt, type RefreshTicket } from '../workflows/shared';
import { asActivityFailure, connectedSession, type SessionDeps } from './autotask-session';
import { whileHeartbeating } from './heartbeat';

export interface CatalogActivityDeps extends SessionDeps {
  config: Config;
  lock: OrgLock;
}

/** Autotask's largest page. */
const PAGE_SIZE = 500;
const COMPANY_FIELDS = ['id', 'companyName', 'companyType', 'isActive', 'webAddress', 'lastTrackedModifiedDateTime'];

const companySchema = z.object({
  id: z.number().int(),
  companyName: z.string(),
  companyType: z.number().int().nullish(),
  isActive: z.boolean(),
  webAddress: z.string().nullish(),
  lastTrackedModifiedDateTime: z.string().nullish(),
});

/** Where a company pass stands, kept in heartbeat details so a retried attempt resumes instead of starting over. */
interface CompanyCheckpoint {
  nextPageUrl: string | null;
  pagesDone: number;
  rows: number;
  pageCalls: number;
  watermark: string | null;
}

export interface RefreshPlan {
  runId: string;
  mode: RefreshMode;
  startedAt: string;
  /** Incremental passes read the companies changed after this instant. */
  since: string | null;
}

export function createCatalogActivities(deps: CatalogActivityDeps) {
  const { db, config, lock } = deps;
  return {
    /** Starts a run: full when asked, when there is no watermark yet, or when the last full pass is too old. */
    async beginCatalogRefresh(input: CatalogRefreshInput & { runId: string }): Promise<RefreshPlan> {
      const state = await findCatalogState(db, input.orgId);
      const now = new Date();
      const fullDue = !state?.lastFullAt || now.getTime() - state.lastFullAt.getTime() >= input.fullEveryMs;
      const mode: RefreshMode = input.full || fullDue || !state?.companiesWatermark ? 'full' : 'incremental';
      await beginRefresh(db, input.orgId, input.runId, mode, now);
      return { runId: input.runId, mode, startedAt: now.toISOString(), since: mode === 'incremental' ? state!.companiesWatermark!.toISOString() : null };
    },

    /** Reads the ticket and note picklists: one call per entity, in parallel (Autotask limits threads per entity). */
    async refreshPicklists({ orgId }: { orgId: string }): Promise<number> {
      const session = await connectedSession(deps, orgId);
      const stored = await Promise.all(
        Object.entries(CATALOG_PICKLISTS).map(async ([entity, wanted]) => {
          const fields = await whileHeartbeating((signal) => session.entityFields(entity, { signal })).catch(asActivityFailure);
          let values = 0;
          for (const name of wanted) {
            const field = fields.find((f) => f.name.toLowerCase() === name.toLowerCase());
            const picklist = (field?.picklistValues ?? []).map((v) => ({
              value: Number(v.value),
              label: v.label,
              isActive: v.isActive,
              isDefault: v.isDefaultValue,
              sortOrder: v.sortOrder,
              parentValue: v.parentValue ? Number(v.parentValue) : null,
            }));
            await replacePicklist(db, orgId, `${entity}.${name}`, picklist);
            values += picklist.length;
          }
          return values;
        }),
      );
      return stored.reduce((a, b) => a + b, 0);
    },

    /**
     * Reads companies page by page (⌈N/500⌉ page calls), writing each page as it arrives so memory stays flat. A failed
     * attempt resumes from its last checkpoint; rows are upserted by id, so a page read twice changes nothing.
     */
    async refreshCompanies({ orgId, plan }: { orgId: string; plan: RefreshPlan }): Promise<CompanyCheckpoint> {
      const session = await connectedSession(deps, orgId);
      const body: QueryBody = {
        MaxRecords: PAGE_SIZE,
        IncludeFields: COMPANY_FIELDS,
        filter: plan.since ? [{ op: 'gt', field: 'lastTrackedModifiedDateTime', value: plan.since }] : [{ op: 'gte', field: 'id', value: 0 }],
      };
      const fresh: CompanyCheckpoint = { nextPageUrl: null, pagesDone: 0, rows: 0, pageCalls: 0, watermark: plan.since };
      const resumedFrom = activityInfo().heartbeatDetails as CompanyCheckpoint | undefined;
      let checkpoint = resumedFrom ?? fresh;
      if (!resumedFrom && plan.mode === 'full') {
        // Only full passes count first: the progress bar is worth a call there, not on a quiet incremental pass.
        const total = await whileHeartbeating((signal) => session.count('Companies', body, { signal })).catch(asActivityFailure);
        await recordProgress(db, orgId, plan.runId, { pagesDone: 0, pagesExpected: Math.ceil(total / PAGE_SIZE) });
      }
      // A retry after the last page (e.g. while marking gone companies) has nothing left to read.
      while (checkpoint.pagesDone === 0 || checkpoint.nextPageUrl) {
        const from = checkpoint;
        const page = await whileHeartbeating((signal) => session.queryPage('Companies', body, from.nextPageUrl, { signal }), from).catch((err: unknown) => {
          // A cursor kept across a failed attempt may have expired: when Autotask refuses it, read the pass from the start.
          if (from === resumedFrom && isAutotaskError(err) && (err.kind === 'validation' || err.kind === 'not_found')) return undefined;
          return asActivityFailure(err);
        });
        if (!page) {
          checkpoint = fresh;
          continue;
        }
        const companies = page.items.map((item) => toCompanyRecord(companySchema.parse(item)));
        await upsertCompanies(db, orgId, plan.runId, companies);
        checkpoint = {
          nextPageUrl: page.nextPageUrl,
          pagesDone: checkpoint.pagesDone + 1,
          rows: checkpoint.rows + companies.length,
          pageCalls: checkpoint.pageCalls + 1,
          watermark: latest(checkpoint.watermark, companies),
        };
        heartbeat(checkpoint);
        await recordProgress(db, orgId, plan.runId, { pagesDone: checkpoint.pagesDone });
      }
      if (plan.mode === 'full') await markUnseenCompaniesGone(db, orgId, plan.runId);
      return { ...checkpoint, watermark: nextWatermark(plan, checkpoint.watermark) };
    },

    /**
     * Records the run's result. After a good pass, a value or company that came back may be what an alert needed:
     * those waiting for a mapping look again, and refused ones are probed, one per refusal (`failedAlertProbes`), so a
     * cause that persists costs one request per refresh, not one per alert.
     */
    async finishCatalogRefresh(input: { orgId: string; runId: string } & Parameters<typeof finishRefresh>[3]): Promise<void> {
      const { orgId, runId, ...result } = input;
      await finishRefresh(db, orgId, runId, result);
      if (result.outcome !== 'succeeded') return;
      try {
        await nudgeAlerts(getClient(), db, orgId, ['waiting_for_mapping']);
        await recheckAlerts(getClient(), orgId, await failedAlertProbes(db, orgId));
      } catch (err) {
        // Best effort: the alerts also look again on their own interval, or at the next refresh.
        log.warn('could not wake the alerts after the refresh', { orgId, error: err instanceof Error ? err.message : String(err) });
      }
    },

    /**
     * After a verification: a confirmed link gets its refresh schedule, a failed one loses it. Under the org's link lock
     * and only for the current attempt, so an unlink or newer credentials saved meanwhile are never undone.
     */
    async syncCatalogSchedule({ orgId, attemptId }: LinkAttempt): Promise<'scheduled' | 'removed' | 'superseded'> {
      return lock(orgId, async () => {
        const link = await findConnection(db, orgId);
        if (link?.attemptId !== attemptId) return 'superseded';
        if (link.status !== 'connected') {
          await deleteCatalogSchedule(getClient(), orgId);
          return 'removed';
        }
        await ensureCatalogSchedule(getClient(), config, orgId);
        return 'scheduled';
      });
    },

    /** Asks for a refresh as the API does: the running one takes it, or one starts. */
    async requestCatalogRefresh({ orgId }: { orgId: string }): Promise<RefreshTicket> {
      return requestCatalogRefresh(getClient(), config, orgId, false);
    },
  };
}

export type CatalogActivities = ReturnType<typeof createCatalogActivities>;

function toCompanyRecord(c: z.infer<typeof companySchema>): CompanyRecord {
  return {
    companyId: c.id,
    name: c.companyName,
    companyType: c.companyType ?? null,
    isActive: c.isActive,
    webAddress: c.webAddress || null,
    lastModifiedAt: c.lastTrackedModifiedDateTime ? new Date(c.lastTrackedModifiedDateTime) : null,
  };
}

/**
 * Changes landing while a pass runs may sit on pages it has already read, and Autotask's clock is not ours: the next
 * incremental pass starts no later than this long before the pass began, so it sees them.
 */
const WATERMARK_OVERLAP_MS = 2 * 60_000;

/** Where the next incremental pass starts: the newest change seen, capped as above, never earlier than before. */
function nextWatermark(plan: RefreshPlan, newest: string | null): string | null {
  if (!newest) return plan.since;
  const cap = Date.parse(plan.startedAt) - WATERMARK_OVERLAP_MS;
  const capped = Math.min(Date.parse(newest), cap);
  return new Date(plan.since ? Math.max(capped, Date.parse(plan.since)) : capped).toISOString();
}

/** The newest modification instant seen so far. */
function latest(watermark: string | null, companies: CompanyRecord[]): string | null {
  let newest = watermark ? new Date(watermark) : null;
  for (const c of companies) if (c.lastModifiedAt && (!newest || c.lastModifiedAt > newest)) newest = c.lastModifiedAt;
  return newest?.toISOString() ?? null;
}
