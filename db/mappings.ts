import { and, asc, eq, getTableColumns, inArray, sql } from 'drizzle-orm';
import { applyPatch, Catalog, type ConfigurationPatch, type MappingProblem, type Settings, settingsColumns, settingsOf, validatePatch } from '../mapping/configuration';
import { findCompanies } from './catalog';
import type { Database } from './client';
import { autotaskConfiguration, autotaskPicklistValues, type TenantRow, tenants } from './schema';

type Executor = Pick<Database, 'select'>;

export async function upsertTenant(db: Database, orgId: string, tenantId: string, tenant: { name: string; domains: string[] }): Promise<{ row: TenantRow; created: boolean }> {
  const [row] = await db
    .insert(tenants)
    .values({ orgId, tenantId, ...tenant, companyId: null, updatedAt: new Date() })
    .onConflictDoUpdate({ target: [tenants.orgId, tenants.tenantId], set: { ...tenant, updatedAt: new Date() } })
    // xmax is 0 on a freshly inserted row version: tells a creation (201) from an update (200).
    .returning({ ...getTableColumns(tenants), created: sql<boolean>`xmax = 0` });
  const { created, ...saved } = row!;
  return { row: saved, created };
}

export function listTenants(db: Executor, orgId: string): Promise<TenantRow[]> {
  return db.select().from(tenants).where(eq(tenants.orgId, orgId)).orderBy(asc(tenants.tenantId));
}

export interface ConfigurationState {
  version: number;
  updatedAt: Date | null;
  settings: Settings;
  tenants: TenantRow[];
  catalog: Catalog;
}

/** The configuration with the part of the catalog it refers to (picklists, and the companies tenants map to). */
export async function loadConfiguration(db: Executor, orgId: string, extraCompanyIds: number[] = []): Promise<ConfigurationState> {
  const [[row], tenantRows, picklists] = await Promise.all([
    db.select().from(autotaskConfiguration).where(eq(autotaskConfiguration.orgId, orgId)),
    listTenants(db, orgId),
    db.select().from(autotaskPicklistValues).where(eq(autotaskPicklistValues.orgId, orgId)),
  ]);
  const catchAll = row?.catchAllCompany ?? null;
  const mapped = tenantRows.flatMap((t) => (t.companyId === null ? [] : [t.companyId]));
  const companyIds = [...new Set([...mapped, ...(catchAll === null ? [] : [catchAll]), ...extraCompanyIds])];
  const companies = await findCompanies(db, orgId, companyIds);
  return {
    version: row?.version ?? 0,
    updatedAt: row?.updatedAt ?? null,
    settings: settingsOf(row),
    tenants: tenantRows,
    catalog: new Catalog(picklists, new Map(companies.map((c) => [c.companyId, c]))),
  };
}

export type UpdateResult = { status: 'updated'; state: ConfigurationState } | { status: 'stale'; version: number } | { status: 'invalid'; problems: MappingProblem[] };

/**
 * Applies a change atomically: the org's configuration row is locked, the expected version checked, the change checked
 * against the catalog, then written with the next version. Concurrent changes queue on the lock, never interleave.
 */
export async function updateConfiguration(db: Database, orgId: string, patch: ConfigurationPatch, expectedVersion?: number): Promise<UpdateResult> {
  return db.transaction(async (tx) => {
    await tx.insert(autotaskConfiguration).values({ orgId, version: 0, updatedAt: new Date() }).onConflictDoNothing();
    const [locked] = await tx.select({ version: autotaskConfiguration.version }).from(autotaskConfiguration).where(eq(autotaskConfiguration.orgId, orgId)).for('update');
    if (expectedVersion !== undefined && locked!.version !== expectedVersion) return { status: 'stale', version: locked!.version };

    const patchedCompanies = [...Object.values(patch.tenants ?? {}), patch.settings.catchAllCompany].filter((id): id is number => typeof id === 'number');
    const current = await loadConfiguration(tx, orgId, patchedCompanies);
    const next = applyPatch(current.settings, patch.settings);
    const problems = validatePatch(patch, next, current.catalog, new Map(current.tenants.map((t) => [t.tenantId, t])));
    if (problems.length > 0) return { status: 'invalid', problems };

    const now = new Date();
    await tx
      .update(autotaskConfiguration)
      .set({ ...settingsColumns(next), version: locked!.version + 1, updatedAt: now })
      .where(eq(autotaskConfiguration.orgId, orgId));
    for (const [tenantId, companyId] of Object.entries(patch.tenants ?? {})) {
      await tx.update(tenants).set({ companyId, updatedAt: now }).where(and(eq(tenants.orgId, orgId), eq(tenants.tenantId, tenantId)));
    }
    return { status: 'updated', state: await loadConfiguration(tx, orgId) };
  });
}

export interface TicketSettings {
  /** The configuration's version these settings were read at. */
  version: number;
  settings: Settings;
  /** The Autotask company the tenant is mapped to. */
  tenantCompanyId: number | null;
  /** Picklist values used when the configuration leaves a choice open. */
  defaults: { priority: number | null; noteType: number; publish: number };
}

const DEFAULTED_PICKLISTS = ['Tickets.priority', 'TicketNotes.noteType', 'TicketNotes.publish'];

/** What opening or updating one tenant's ticket needs: a few rows, not the whole catalog. */
export async function loadTicketSettings(db: Executor, orgId: string, tenantId: string): Promise<TicketSettings> {
  const [[row], [tenant], values] = await Promise.all([
    db.select().from(autotaskConfiguration).where(eq(autotaskConfiguration.orgId, orgId)),
    db.select({ companyId: tenants.companyId }).from(tenants).where(and(eq(tenants.orgId, orgId), eq(tenants.tenantId, tenantId))),
    db
      .select()
      .from(autotaskPicklistValues)
      .where(and(eq(autotaskPicklistValues.orgId, orgId), inArray(autotaskPicklistValues.field, DEFAULTED_PICKLISTS), eq(autotaskPicklistValues.present, true), eq(autotaskPicklistValues.isActive, true)))
      .orderBy(asc(autotaskPicklistValues.sortOrder)),
  ]);
  const of = (field: string) => values.filter((v) => v.field === field);
  const defaultOf = (field: string) => of(field).find((v) => v.isDefault)?.value ?? null;
  return {
    version: row?.version ?? 0,
    settings: settingsOf(row),
    tenantCompanyId: tenant?.companyId ?? null,
    defaults: {
      priority: defaultOf('Tickets.priority'),
      noteType: defaultOf('TicketNotes.noteType') ?? 1,
      // Notes stay internal unless the configuration says otherwise: the first "Internal…" publish level of the tenant.
      publish: of('TicketNotes.publish').find((v) => /^internal/i.test(v.label))?.value ?? defaultOf('TicketNotes.publish') ?? 1,
    },
  };
}
