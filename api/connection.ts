import { createHash } from 'node:crypto';
import { type Client, WorkflowIdConflictPolicy, WorkflowNotFoundError } from '@temporalio/client';
import { Router } from 'express';
import type { Config } from '../config';
import type { Database } from '../db/client';
import type { OrgLock } from '../db/locks';
import { beginLinkAttempt, deleteConnection, findConnection, recordOutcome } from '../db/connections';
import type { ConnectionRow } from '../db/schema';
import type { SecretBox } from '../security/secret-box';
import { deleteCatalogSchedule } from '../temporal/catalog';
import type { verifyAutotaskLink } from '../workflows/link';
import { catalogRefreshWorkflowId, linkFailureMessages, linkWorkflowId, PETRA_ORG_ID } from '../workflows/shared';
import type { ConnectionEvents } from './connection-events';
import { HttpError, invalidInput, requireJson, viaTemporal } from './errors';
import { orgIdOf } from './org-params';
import { type ConnectionResource, type LinkRequest, linkRequestSchema, waitHeaderSchema } from './schemas';

export interface ConnectionRouterDeps {
  config: Config;
  db: Database;
  box: SecretBox;
  temporal: Client;
  events: ConnectionEvents;
  lock: OrgLock;
}

/** `/v1/orgs/:orgId/autotask/connection`: link, read (optionally waiting for a change), unlink. */
export function connectionRouter({ config, db, box, temporal, events, lock }: ConnectionRouterDeps): Router {
  const router = Router({ mergeParams: true });

  router.put('/', async (req, res) => {
    requireJson(req);
    const parsed = linkRequestSchema.safeParse(req.body);
    if (!parsed.success) throw invalidInput('request body', parsed.error);
    const orgId = orgIdOf(req);
    const row = await lock(orgId, () => saveAndVerify(orgId, parsed.data));
    res.status(202).location(req.originalUrl).json(toResource(orgId, row));
  });

  /** Stores the credentials as the org's newest attempt and starts verifying them (stopping any older verification). */
  async function saveAndVerify(orgId: string, credentials: LinkRequest): Promise<ConnectionRow> {
    const row = await beginLinkAttempt(db, box, orgId, credentials);
    try {
      await temporal.workflow.start<typeof verifyAutotaskLink>('verifyAutotaskLink', {
        taskQueue: config.TEMPORAL_TASK_QUEUE,
        workflowId: linkWorkflowId(orgId),
        // Newest credentials win: a verification still running for older ones is terminated.
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.TERMINATE_EXISTING,
        typedSearchAttributes: [{ key: PETRA_ORG_ID, value: orgId }],
        args: [
          {
            orgId,
            attemptId: row.attemptId,
            timeouts: {
              attemptMs: config.LINK_ATTEMPT_TIMEOUT_MS,
              heartbeatMs: config.LINK_HEARTBEAT_TIMEOUT_MS,
              deadlineMs: config.LINK_VERIFY_DEADLINE_MS,
              retryInitialMs: config.LINK_RETRY_INITIAL_MS,
              retryMaxMs: config.LINK_RETRY_MAX_MS,
            },
          },
        ],
      });
    } catch (err) {
      // Nothing will verify these credentials: say so in the link's state rather than leave it `verifying` forever.
      const detail = `The verification could not be started: ${err instanceof Error ? err.message : String(err)}`;
      await recordOutcome(db, row, { status: 'failed', failure: { code: 'timeout', message: linkFailureMessages.timeout, detail } });
      throw new HttpError(503, 'temporal_unavailable', 'The verification could not be started; try again in a minute');
    }
    return row;
  }

  router.get('/', async (req, res) => {
    const orgId = orgIdOf(req);
    const waitSeconds = requestedWait(req.get('prefer'), config.API_MAX_WAIT_SECONDS);
    const known = req.get('if-none-match');
    const read = async () => {
      const resource = toResource(orgId, await findConnection(db, orgId));
      return { resource, etag: etagOf(resource) };
    };

    // Long-poll: subscribe before each read, so a change landing between the read and the wait is not missed.
    const waiting = known !== undefined && waitSeconds > 0;
    const deadline = Date.now() + waitSeconds * 1000;
    const disconnected = new AbortController();
    res.on('close', () => disconnected.abort());
    let current: Awaited<ReturnType<typeof read>>;
    for (;;) {
      const change = waiting ? events.nextChange(orgId, deadline - Date.now(), disconnected.signal) : undefined;
      current = await read();
      if (!change || current.etag !== known || Date.now() >= deadline || disconnected.signal.aborted) break;
      await change;
    }
    res.set('ETag', current.etag).set('Cache-Control', 'no-store');
    if (known && current.etag === known) {
      res.status(304).end();
      return;
    }
    res.json(current.resource);
  });

  router.delete('/', async (req, res) => {
    const orgId = orgIdOf(req);
    await lock(orgId, async () => {
      // Stop what uses the credentials first: if Temporal is away, nothing is changed and the client may retry.
      await viaTemporal(async () => {
        await deleteCatalogSchedule(temporal, orgId);
        await terminate(temporal, linkWorkflowId(orgId), 'The Autotask link was removed');
        await terminate(temporal, catalogRefreshWorkflowId(orgId), 'The Autotask link was removed');
      });
      await deleteConnection(db, orgId);
    });
    res.status(204).end();
  });

  return router;
}

/** Terminates a workflow if it is still running. */
async function terminate(temporal: Client, workflowId: string, reason: string): Promise<void> {
  try {
    await temporal.workflow.getHandle(workflowId).terminate(reason);
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err; // already finished: nothing to stop
  }
}

function toResource(orgId: string, row: ConnectionRow | undefined): ConnectionResource {
  if (!row) return { orgId, status: 'not_linked' };
  return {
    orgId,
    status: row.status,
    username: row.username,
    zone: row.zoneName && row.zoneApiUrl && row.zoneWebUrl ? { name: row.zoneName, apiUrl: row.zoneApiUrl, webUrl: row.zoneWebUrl } : undefined,
    failure: row.failureCode ? { code: row.failureCode, message: row.failureMessage ?? '', detail: row.failureDetail ?? '' } : undefined,
    requestedAt: row.requestedAt.toISOString(),
    verifiedAt: row.verifiedAt?.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

const etagOf = (resource: ConnectionResource) => `"${createHash('sha256').update(JSON.stringify(resource)).digest('base64url').slice(0, 22)}"`;

/** Seconds asked for with `Prefer: wait=N`, capped; 0 when not asked. */
function requestedWait(prefer: string | undefined, maxSeconds: number): number {
  const match = /(?:^|[,;\s])wait=([^,;\s]+)/i.exec(prefer ?? '');
  if (!match) return 0;
  const parsed = waitHeaderSchema.safeParse({ wait: match[1] });
  if (!parsed.success) throw invalidInput('Prefer header', parsed.error);
  return Math.min(parsed.data.wait, maxSeconds);
}
