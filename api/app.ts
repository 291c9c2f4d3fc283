import type { Client } from '@temporalio/client';
import express from 'express';
import type { Config } from '../config';
import type { Logger } from '../config/logger';
import type { Database } from '../db/client';
import type { OrgLock } from '../db/locks';
import type { SecretBox } from '../security/secret-box';
import { alertsRouter } from './alerts';
import { authenticate, requireOrgAccess } from './auth';
import type { ConnectionEvents } from './connection-events';
import { catalogRouter } from './catalog';
import { connectionRouter } from './connection';
import { mappingsRouter } from './mappings';
import { tenantsRouter } from './tenants';
import { errorHandler, notFound } from './errors';
import { openApiDocument } from './openapi';

export interface AppDeps {
  config: Config;
  db: Database;
  box: SecretBox;
  temporal: Client;
  events: ConnectionEvents;
  /** Serializes an org's link changes across processes. */
  lock: OrgLock;
  log: Logger;
  /** Readiness probes: each resolves when its dependency answers. */
  probes: { database: () => Promise<unknown>; temporal: () => Promise<unknown> };
}

/** Request bodies are small forms; anything bigger is a mistake or an attack. */
const MAX_BODY = '16kb';
/** Except alert batches: up to 100 events with long descriptions. */
const MAX_ALERT_BODY = '4mb';

export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false); // our own ETags describe the resource, not the bytes

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const checks = await Promise.allSettled([deps.probes.database(), deps.probes.temporal()]);
    const [database, temporal] = checks.map((c) => (c.status === 'fulfilled' ? 'ok' : 'unreachable'));
    const ready = database === 'ok' && temporal === 'ok';
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not_ready', database, temporal });
  });
  const openApi = openApiDocument();
  app.get('/v1/openapi.json', (_req, res) => {
    res.json(openApi);
  });

  const v1 = express.Router();
  v1.use(authenticate(deps.config.API_TOKENS));
  v1.use('/orgs/:orgId/alerts', express.json({ limit: MAX_ALERT_BODY, strict: true }));
  v1.use(express.json({ limit: MAX_BODY, strict: true }));
  v1.use('/orgs/:orgId', requireOrgAccess);
  v1.use('/orgs/:orgId/autotask/connection', connectionRouter(deps));
  v1.use('/orgs/:orgId/autotask/catalog', catalogRouter(deps));
  v1.use('/orgs/:orgId/autotask/mappings', mappingsRouter(deps));
  v1.use('/orgs/:orgId/tenants', tenantsRouter(deps));
  v1.use('/orgs/:orgId/alerts', alertsRouter(deps));
  app.use('/v1', v1);

  app.use(notFound);
  app.use(errorHandler(deps.log));
  return app;
}
