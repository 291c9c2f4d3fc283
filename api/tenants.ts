import { Router } from 'express';
import type { Database } from '../db/client';
import { listTenants, upsertTenant } from '../db/mappings';
import type { TenantRow } from '../db/schema';
import { invalidInput, requireJson } from './errors';
import { orgIdOf } from './org-params';
import { tenantIdSchema, tenantRequestSchema } from './schemas';

/** `/v1/orgs/:orgId/tenants`: Petra registers its tenants here; their mapping is part of the Autotask configuration. */
export function tenantsRouter({ db }: { db: Database }): Router {
  const router = Router({ mergeParams: true });

  router.put('/:tenantId', async (req, res) => {
    requireJson(req);
    const tenantId = tenantIdSchema.safeParse(req.params.tenantId);
    if (!tenantId.success) throw invalidInput('tenant id in the path', tenantId.error);
    const body = tenantRequestSchema.safeParse(req.body);
    if (!body.success) throw invalidInput('request body', body.error);
    const { row, created } = await upsertTenant(db, orgIdOf(req), tenantId.data, body.data);
    res.status(created ? 201 : 200).json(toTenant(row));
  });

  router.get('/', async (req, res) => {
    res.json({ items: (await listTenants(db, orgIdOf(req))).map(toTenant) });
  });

  return router;
}

const toTenant = ({ tenantId, name, domains, companyId }: TenantRow) => ({ tenantId, name, domains, companyId });
