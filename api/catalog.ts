import type { Client } from '@temporalio/client';
import { Router } from 'express';
import type { Config } from '../config';
import { companyCounts, findCatalogState, findPicklists, searchCompanies } from '../db/catalog';
import type { Database } from '../db/client';
import { findConnection } from '../db/connections';
import type { CatalogStateRow } from '../db/schema';
import { requestCatalogRefresh } from '../temporal/catalog';
import { catalogRefreshWorkflowId } from '../workflows/shared';
import { HttpError, invalidInput, requireJson, viaTemporal } from './errors';
import { orgIdOf } from './org-params';
import { type CatalogStatus, companyCursorSchema, type CompanyPage, companySearchSchema, type Picklists, refreshRequestSchema } from './schemas';

export interface CatalogRouterDeps {
  config: Config;
  db: Database;
  temporal: Client;
}

/** `/v1/orgs/:orgId/autotask/catalog`: what the configuration page picks from, and its freshness. */
export function catalogRouter({ config, db, temporal }: CatalogRouterDeps): Router {
  const router = Router({ mergeParams: true });

  router.get('/', async (req, res) => {
    const orgId = orgIdOf(req);
    const [state, companies, picklists] = await Promise.all([findCatalogState(db, orgId), companyCounts(db, orgId), findPicklists(db, orgId)]);
    const status: CatalogStatus = {
      orgId,
      ...describeRefresh(state),
      companies,
      picklistValues: picklists.filter((v) => v.present).length,
      schedule: { everyMs: config.CATALOG_REFRESH_INTERVAL_MS, fullEveryMs: config.CATALOG_FULL_REFRESH_INTERVAL_MS },
    };
    res.json(status);
  });

  /** Search by name with keyset paging: cheap on any page, however many companies the MSP has. */
  router.get('/companies', async (req, res) => {
    const parsed = companySearchSchema.safeParse(req.query);
    if (!parsed.success) throw invalidInput('query', parsed.error);
    const { q, limit, cursor, includeInactive } = parsed.data;
    const after = cursor === undefined ? undefined : decodeCursor(cursor);
    const rows = await searchCompanies(db, orgIdOf(req), { query: q, limit, after, includeInactive });
    const last = rows.length === limit ? rows[rows.length - 1] : undefined;
    const page: CompanyPage = {
      items: rows.map((c) => ({
        id: c.companyId,
        name: c.name,
        type: c.companyType,
        isActive: c.isActive,
        webAddress: c.webAddress,
        lastModifiedAt: c.lastModifiedAt?.toISOString() ?? null,
      })),
      nextCursor: last ? Buffer.from(JSON.stringify([last.sortName, last.companyId])).toString('base64url') : null,
    };
    res.json(page);
  });

  /** Active values are the choices; `includeInactive=true` also lists the inactive ones (old tickets may carry them). */
  router.get('/picklists', async (req, res) => {
    const includeInactive = req.query.includeInactive === 'true';
    const picklists: Picklists['picklists'] = {};
    for (const v of await findPicklists(db, orgIdOf(req))) {
      if (!v.present || (!v.isActive && !includeInactive)) continue;
      (picklists[v.field] ??= []).push({ value: v.value, label: v.label, isActive: v.isActive, isDefault: v.isDefault, parentValue: v.parentValue });
    }
    res.json({ picklists });
  });

  /** Starts a refresh, or joins the one running: concurrent requests make one run. */
  router.post('/refresh', async (req, res) => {
    if (req.get('content-length') && req.get('content-length') !== '0') requireJson(req);
    const parsed = refreshRequestSchema.safeParse(req.body ?? {});
    if (!parsed.success) throw invalidInput('request body', parsed.error);
    const orgId = orgIdOf(req);
    if ((await findConnection(db, orgId))?.status !== 'connected') {
      throw new HttpError(409, 'not_connected', 'Autotask is not linked for this org, or the link is not confirmed yet');
    }
    const ticket = await viaTemporal(() => requestCatalogRefresh(temporal, config, orgId, parsed.data.full));
    res.status(202).json({ orgId, workflowId: catalogRefreshWorkflowId(orgId), ...ticket });
  });

  return router;
}

function decodeCursor(cursor: string): { name: string; id: number } {
  try {
    const [name, id] = companyCursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    return { name, id };
  } catch {
    throw new HttpError(400, 'invalid_request', 'Invalid cursor: pass the nextCursor of the previous page unchanged');
  }
}

function describeRefresh(state: CatalogStateRow | undefined): Pick<CatalogStatus, 'running' | 'lastRefresh'> {
  return {
    running: state?.runId
      ? { mode: state.runMode, startedAt: state.runStartedAt?.toISOString(), pagesDone: state.pagesDone, pagesExpected: state.pagesExpected }
      : null,
    lastRefresh: state?.lastFinishedAt
      ? {
          mode: state.lastMode,
          outcome: state.lastOutcome,
          error: state.lastError,
          startedAt: state.lastStartedAt?.toISOString(),
          finishedAt: state.lastFinishedAt.toISOString(),
          companyRows: state.lastCompanyRows,
          picklistValues: state.lastPicklistValues,
          pageCalls: state.lastPageCalls,
        }
      : null,
  };
}
