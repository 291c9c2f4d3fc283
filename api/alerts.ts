import type { Client } from '@temporalio/client';
import { Router } from 'express';
import type { Config } from '../config';
import { acceptAlertEvent, findAlert, listAlerts } from '../db/alerts';
import type { Database } from '../db/client';
import { findConnection } from '../db/connections';
import type { AlertSyncRow } from '../db/schema';
import { deliverAlertEvent, recheckAlert } from '../temporal/alerts';
import { alertWorkflowId } from '../workflows/shared';
import { HttpError, invalidInput, requireJson, viaTemporal } from './errors';
import { orgIdOf } from './org-params';
import {
  type AlertBatchResult,
  alertEventSchema,
  alertIdSchema,
  alertListQuerySchema,
  type AlertPage,
  type AlertResource,
  type EventResult,
  MAX_ALERT_BATCH,
} from './schemas';

export interface AlertsRouterDeps {
  config: Config;
  db: Database;
  temporal: Client;
}

/** Events of one batch handed to Temporal at once. */
const DELIVERY_CONCURRENCY = 10;

/** `/v1/orgs/:orgId/alerts`: Petra's alert pipeline delivers here; each alert becomes one Autotask ticket. */
export function alertsRouter({ config, db, temporal }: AlertsRouterDeps): Router {
  const router = Router({ mergeParams: true });

  /** One event (an object) or a batch (an array): 202 once each accepted event is recorded by its workflow. */
  router.post('/', async (req, res) => {
    requireJson(req);
    const orgId = orgIdOf(req);
    if (!Array.isArray(req.body)) {
      const result = await accept(orgId, req.body, 0);
      if (result.error) throw new HttpError(result.status, result.error.code, result.error.message, result.error.details);
      res.status(202).json(result);
      return;
    }
    const events: unknown[] = req.body;
    if (events.length === 0 || events.length > MAX_ALERT_BATCH) {
      throw new HttpError(400, 'invalid_request', `A batch holds 1 to ${MAX_ALERT_BATCH} events; this one has ${events.length}`);
    }
    const results: EventResult[] = [];
    for (let i = 0; i < events.length; i += DELIVERY_CONCURRENCY) {
      results.push(...(await Promise.all(events.slice(i, i + DELIVERY_CONCURRENCY).map((event, j) => accept(orgId, event, i + j)))));
    }
    const accepted = results.filter((r) => r.status === 202).length;
    const body: AlertBatchResult = { accepted, rejected: results.length - accepted, results };
    res.status(batchStatus(results)).json(body);
  });

  router.get('/', async (req, res) => {
    const parsed = alertListQuerySchema.safeParse(req.query);
    if (!parsed.success) throw invalidInput('query', parsed.error);
    const { cursor, ...filter } = parsed.data;
    const orgId = orgIdOf(req);
    const [page, webUrl] = await Promise.all([listAlerts(db, orgId, { ...filter, after: cursor }), autotaskWebUrl(orgId)]);
    const body: AlertPage = { items: page.items.map((row) => toResource(row, webUrl)), nextCursor: page.next };
    res.json(body);
  });

  router.get('/:alertId', async (req, res) => {
    const orgId = orgIdOf(req);
    const row = await findAlert(db, orgId, alertIdOf(req));
    if (!row) throw new HttpError(404, 'not_found', `No alert ${req.params.alertId} was received for this org`);
    res.json(toResource(row, await autotaskWebUrl(orgId)));
  });

  /** Tries a failed or waiting alert again now, without waiting for a configuration change or catalog refresh. */
  router.post('/:alertId/retry', async (req, res) => {
    const orgId = orgIdOf(req);
    const alertId = alertIdOf(req);
    const row = await findAlert(db, orgId, alertId);
    if (!row) throw new HttpError(404, 'not_found', `No alert ${alertId} was received for this org`);
    if (row.state === 'synced' || row.state === 'creating') {
      throw new HttpError(409, 'nothing_to_retry', `Alert ${alertId} is ${row.state}; only failed or waiting alerts can be retried (its lastError says what it is waiting for)`);
    }
    const woken = await viaTemporal(() => recheckAlert(temporal, orgId, alertId));
    if (!woken) throw new HttpError(409, 'nothing_to_retry', `No workflow holds alert ${alertId}; deliver its latest event again`);
    res.status(202).json(toResource(row, await autotaskWebUrl(orgId)));
  });

  async function accept(orgId: string, input: unknown, index: number): Promise<EventResult> {
    const parsed = alertEventSchema.safeParse(input);
    const ids = { index, alertId: parsed.data?.alertId ?? null, revision: parsed.data?.revision ?? null };
    if (!parsed.success) {
      const { code, message, details } = invalidInput(`event ${index}`, parsed.error);
      return { ...ids, status: 400, error: { code, message, details } };
    }
    const event = parsed.data;
    const recorded = await acceptAlertEvent(db, orgId, event);
    if (recorded.status === 'tenant_mismatch') {
      const message = `Alert ${event.alertId} belongs to tenant ${recorded.tenantId}, not ${event.tenantId}`;
      return { ...ids, status: 409, error: { code: 'tenant_mismatch', message } };
    }
    try {
      await viaTemporal(() => deliverAlertEvent(temporal, config, orgId, event));
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      return { ...ids, status: err.status, error: { code: err.code, message: err.message } };
    }
    return { ...ids, status: 202 };
  }

  async function autotaskWebUrl(orgId: string): Promise<string | null> {
    return (await findConnection(db, orgId))?.zoneWebUrl ?? null;
  }

  return router;
}

/**
 * Any accepted event makes the batch a success, each rejected one saying why in its own result. With none accepted,
 * a retryable failure (503) wins over the others, so the sender delivers the batch again.
 */
function batchStatus(results: EventResult[]): number {
  const statuses = new Set(results.map((r) => r.status));
  for (const status of [202, 503, 400, 409]) if (statuses.has(status)) return status;
  return 400;
}

function alertIdOf(req: { params: Record<string, string> }): string {
  const parsed = alertIdSchema.safeParse(req.params.alertId);
  if (!parsed.success) throw invalidInput('alert id in the path', parsed.error);
  return parsed.data;
}

/** Autotask's web UI opens a ticket by id through this command URL. */
const ticketUrl = (webUrl: string, ticketId: number) => `${webUrl.replace(/\/?$/, '/')}Autotask/AutotaskExtend/ExecuteCommand.aspx?Code=OpenTicketDetail&TicketID=${ticketId}`;

function toResource(row: AlertSyncRow, webUrl: string | null): AlertResource {
  return {
    orgId: row.orgId,
    alertId: row.alertId,
    tenantId: row.tenantId,
    state: row.state,
    ticket: row.ticketId === null ? null : { id: row.ticketId, number: row.ticketNumber, url: webUrl ? ticketUrl(webUrl, row.ticketId) : null },
    previousTicketNumber: row.previousTicketNumber,
    lastReceivedRevision: row.receivedRevision,
    lastAppliedRevision: row.appliedRevision,
    lastError: row.lastError && row.lastErrorAt ? { message: row.lastError, at: row.lastErrorAt.toISOString() } : null,
    workflowId: alertWorkflowId(row.orgId, row.alertId),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
