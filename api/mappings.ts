import type { Client } from '@temporalio/client';
import { Router } from 'express';
import type { Logger } from '../config/logger';
import { activeCompanies } from '../db/catalog';
import type { Database } from '../db/client';
import { type ConfigurationState, listTenants, loadConfiguration, updateConfiguration } from '../db/mappings';
import { type ConfigurationPatch, describeConfiguration } from '../mapping/configuration';
import { suggestMappings } from '../mapping/suggestions';
import { nudgeAlertsAfterChange } from './alert-nudges';
import { HttpError, invalidInput, requireJson } from './errors';
import { orgIdOf } from './org-params';
import { type ConfigurationResource, mappingPatchSchema } from './schemas';

/** `/v1/orgs/:orgId/autotask/mappings`: the configuration page's data; every change saves at once. */
export function mappingsRouter({ db, temporal, log }: { db: Database; temporal: Client; log: Logger }): Router {
  const router = Router({ mergeParams: true });

  router.get('/', async (req, res) => {
    const orgId = orgIdOf(req);
    const state = await loadConfiguration(db, orgId);
    res.set('ETag', etagOf(state.version)).json(toResource(orgId, state));
  });

  router.patch('/', async (req, res) => {
    requireJson(req);
    const parsed = mappingPatchSchema.safeParse(req.body);
    if (!parsed.success) throw invalidInput('request body', parsed.error);
    const { tenants, ...settings } = parsed.data;
    const patch: ConfigurationPatch = { tenants, settings };
    const orgId = orgIdOf(req);
    const result = await updateConfiguration(db, orgId, patch, expectedVersion(req.get('if-match')));
    if (result.status === 'stale') {
      throw new HttpError(412, 'version_mismatch', `The configuration changed meanwhile (now version ${result.version}); reload it and apply your change again`, {
        currentVersion: result.version,
      });
    }
    if (result.status === 'invalid') {
      const summary = result.problems.map((p) => `${p.field}: ${p.message}`).join('; ');
      throw new HttpError(422, 'invalid_mapping', `Not saved: ${summary}`, result.problems);
    }
    await nudgeAlertsAfterChange(temporal, db, log, orgId);
    res.set('ETag', etagOf(result.state.version)).json(toResource(orgId, result.state));
  });

  /** Proposals only: applying one is an explicit PATCH, and mapped tenants are never proposed again. */
  router.get('/suggestions', async (req, res) => {
    const orgId = orgIdOf(req);
    const [tenantRows, companies] = await Promise.all([listTenants(db, orgId), activeCompanies(db, orgId)]);
    res.json(
      suggestMappings(
        tenantRows.map((t) => ({ tenantId: t.tenantId, name: t.name, domains: t.domains, companyId: t.companyId })),
        companies.map((c) => ({ id: c.companyId, name: c.name, isActive: c.isActive, webAddress: c.webAddress })),
      ),
    );
  });

  return router;
}

function toResource(orgId: string, state: ConfigurationState): ConfigurationResource {
  return { orgId, version: state.version, updatedAt: state.updatedAt?.toISOString() ?? null, ...describeConfiguration(state.settings, state.catalog, state.tenants) };
}

const etagOf = (version: number) => `"${version}"`;

/** `If-Match: "7"` → 7. Anything else can never match the current version, so it is refused like a stale one. */
function expectedVersion(ifMatch: string | undefined): number | undefined {
  if (ifMatch === undefined || ifMatch.trim() === '*') return undefined;
  const match = /^\s*(?:W\/)?"(\d+)"\s*$/.exec(ifMatch);
  return match ? Number(match[1]) : -1;
}
