import { and, asc, count, eq, getTableColumns, gt, ilike, inArray, ne, notInArray, or, type SQL, sql } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import type { Database } from './client';
import {
  autotaskCatalogState,
  autotaskCompanies,
  autotaskPicklistValues,
  type CatalogStateRow,
  type CompanyRow,
  type PicklistValueRow,
  type RefreshMode,
} from './schema';

export type CompanyRecord = Omit<CompanyRow, 'orgId' | 'present' | 'seenInRun'>;
export type PicklistValueRecord = Omit<PicklistValueRow, 'orgId' | 'field' | 'present'>;

/** Writes one page of companies: new ones are added, known ones updated, and all are stamped as seen by this run. */
export async function upsertCompanies(db: Database, orgId: string, runId: string, companies: CompanyRecord[]): Promise<void> {
  if (companies.length === 0) return;
  await db
    .insert(autotaskCompanies)
    .values(companies.map((c) => ({ ...c, orgId, present: true, seenInRun: runId })))
    .onConflictDoUpdate({
      target: [autotaskCompanies.orgId, autotaskCompanies.companyId],
      set: { ...incoming(autotaskCompanies, ['name', 'companyType', 'isActive', 'webAddress', 'lastModifiedAt']), present: true, seenInRun: runId },
    });
}

/** After a full pass: companies Autotask no longer lists are marked gone, never deleted (mappings may point at them). */
export async function markUnseenCompaniesGone(db: Database, orgId: string, runId: string): Promise<number> {
  const gone = await db
    .update(autotaskCompanies)
    .set({ present: false })
    .where(and(eq(autotaskCompanies.orgId, orgId), ne(autotaskCompanies.seenInRun, runId), eq(autotaskCompanies.present, true)))
    .returning({ companyId: autotaskCompanies.companyId });
  return gone.length;
}

/** Replaces the values of one picklist field: values Autotask dropped stay, marked not present. */
export async function replacePicklist(db: Database, orgId: string, field: string, values: PicklistValueRecord[]): Promise<void> {
  await db.transaction(async (tx) => {
    if (values.length > 0) {
      await tx
        .insert(autotaskPicklistValues)
        .values(values.map((v) => ({ ...v, orgId, field, present: true })))
        .onConflictDoUpdate({
          target: [autotaskPicklistValues.orgId, autotaskPicklistValues.field, autotaskPicklistValues.value],
          set: { ...incoming(autotaskPicklistValues, ['label', 'isActive', 'isDefault', 'sortOrder', 'parentValue']), present: true },
        });
    }
    const kept = values.map((v) => v.value);
    await tx
      .update(autotaskPicklistValues)
      .set({ present: false })
      .where(
        and(
          eq(autotaskPicklistValues.orgId, orgId),
          eq(autotaskPicklistValues.field, field),
          kept.length > 0 ? notInArray(autotaskPicklistValues.value, kept) : undefined,
        ),
      );
  });
}

export async function findPicklists(db: Database, orgId: string): Promise<PicklistValueRow[]> {
  return db
    .select()
    .from(autotaskPicklistValues)
    .where(eq(autotaskPicklistValues.orgId, orgId))
    .orderBy(asc(autotaskPicklistValues.field), asc(autotaskPicklistValues.sortOrder), asc(autotaskPicklistValues.value));
}

export async function findCompanies(db: Pick<Database, 'select'>, orgId: string, companyIds: number[]): Promise<CompanyRow[]> {
  if (companyIds.length === 0) return [];
  return db
    .select()
    .from(autotaskCompanies)
    .where(and(eq(autotaskCompanies.orgId, orgId), inArray(autotaskCompanies.companyId, companyIds)));
}

export async function activeCompanies(db: Database, orgId: string): Promise<CompanyRow[]> {
  return db
    .select()
    .from(autotaskCompanies)
    .where(and(eq(autotaskCompanies.orgId, orgId), eq(autotaskCompanies.isActive, true), eq(autotaskCompanies.present, true)));
}

export interface CompanySearch {
  query?: string;
  limit: number;
  /** Keyset position: the lower-cased name and id of the last company of the previous page. */
  after?: { name: string; id: number };
  includeInactive: boolean;
}

/**
 * A page of companies ordered by name, for pickers over tens of thousands of companies (keyset, index-backed). Each row
 * carries its `sortName` as PostgreSQL lower-cases it, for the next page's cursor.
 */
export async function searchCompanies(db: Database, orgId: string, search: CompanySearch): Promise<Array<CompanyRow & { sortName: string }>> {
  const lowerName = sql<string>`lower(${autotaskCompanies.name})`;
  return db
    .select({ ...getTableColumns(autotaskCompanies), sortName: lowerName })
    .from(autotaskCompanies)
    .where(
      and(
        eq(autotaskCompanies.orgId, orgId),
        eq(autotaskCompanies.present, true),
        search.includeInactive ? undefined : eq(autotaskCompanies.isActive, true),
        search.query ? ilike(autotaskCompanies.name, `%${escapeLike(search.query)}%`) : undefined,
        search.after
          ? or(gt(lowerName, search.after.name), and(eq(lowerName, search.after.name), gt(autotaskCompanies.companyId, search.after.id)))
          : undefined,
      ),
    )
    .orderBy(asc(lowerName), asc(autotaskCompanies.companyId))
    .limit(search.limit);
}

export async function companyCounts(db: Database, orgId: string): Promise<{ total: number; active: number }> {
  const [row] = await db
    .select({ total: count(), active: sql<number>`count(*) filter (where ${autotaskCompanies.isActive})::int` })
    .from(autotaskCompanies)
    .where(and(eq(autotaskCompanies.orgId, orgId), eq(autotaskCompanies.present, true)));
  return { total: row?.total ?? 0, active: row?.active ?? 0 };
}

export async function findCatalogState(db: Database, orgId: string): Promise<CatalogStateRow | undefined> {
  const [row] = await db.select().from(autotaskCatalogState).where(eq(autotaskCatalogState.orgId, orgId));
  return row;
}

/** Marks a refresh as running, its progress at zero. */
export async function beginRefresh(db: Database, orgId: string, runId: string, mode: RefreshMode, startedAt: Date): Promise<void> {
  const running = { runId, runMode: mode, runStartedAt: startedAt, pagesDone: 0, pagesExpected: null };
  await db.insert(autotaskCatalogState).values({ orgId, ...running }).onConflictDoUpdate({ target: autotaskCatalogState.orgId, set: running });
}

export async function recordProgress(db: Database, orgId: string, runId: string, progress: { pagesDone: number; pagesExpected?: number | null }): Promise<void> {
  await db
    .update(autotaskCatalogState)
    .set(progress)
    .where(and(eq(autotaskCatalogState.orgId, orgId), eq(autotaskCatalogState.runId, runId)));
}

export interface RefreshResult {
  outcome: 'succeeded' | 'failed';
  error?: string;
  companyRows?: number;
  picklistValues?: number;
  pageCalls?: number;
  /** Only after a successful pass: where the next incremental pass starts. */
  watermark?: string | null;
}

/** Ends the run: its result becomes the "last refresh", and a successful pass moves the incremental watermark. */
export async function finishRefresh(db: Database, orgId: string, runId: string, result: RefreshResult): Promise<void> {
  const [state] = await db.select().from(autotaskCatalogState).where(and(eq(autotaskCatalogState.orgId, orgId), eq(autotaskCatalogState.runId, runId)));
  if (!state) return; // already finished (a retried activity)
  const succeeded = result.outcome === 'succeeded';
  await db
    .update(autotaskCatalogState)
    .set({
      runId: null,
      runMode: null,
      runStartedAt: null,
      lastMode: state.runMode,
      lastStartedAt: state.runStartedAt,
      lastFinishedAt: new Date(),
      lastOutcome: result.outcome,
      lastError: result.error ?? null,
      lastCompanyRows: result.companyRows ?? null,
      lastPicklistValues: result.picklistValues ?? null,
      lastPageCalls: result.pageCalls ?? null,
      ...(succeeded && result.watermark ? { companiesWatermark: new Date(result.watermark) } : {}),
      ...(succeeded && state.runMode === 'full' ? { lastFullAt: state.runStartedAt } : {}),
    })
    .where(and(eq(autotaskCatalogState.orgId, orgId), eq(autotaskCatalogState.runId, runId)));
}

/** `SET column = excluded.column` for each key: an upsert taking the incoming row's values. */
function incoming<T extends PgTable>(table: T, keys: Array<keyof T['_']['columns'] & string>): Record<string, SQL> {
  const columns = getTableColumns(table);
  return Object.fromEntries(keys.map((key) => [key, sql.raw(`excluded.${columns[key]!.name}`)]));
}

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);
