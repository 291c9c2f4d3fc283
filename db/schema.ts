import { sql } from 'drizzle-orm';
import { boolean, index, integer, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { LINK_FAILURE_CODES } from '../workflows/shared';

export const connectionStatuses = ['verifying', 'connected', 'failed'] as const;

/**
 * One Autotask link per Petra organization. Each PUT of credentials starts a new attempt (`attemptId`); only the
 * verification that belongs to the current attempt may write its outcome, so an older run never overwrites a newer one.
 */
export const autotaskConnections = pgTable('autotask_connections', {
  orgId: text('org_id').primaryKey(),
  attemptId: uuid('attempt_id').notNull(),
  status: text('status', { enum: connectionStatuses }).notNull(),
  username: text('username').notNull(),
  /** The secret and tracking identifier, sealed with AES-256-GCM (security/secret-box.ts), bound to the org id. */
  credentialsSealed: text('credentials_sealed').notNull(),
  zoneName: text('zone_name'),
  zoneApiUrl: text('zone_api_url'),
  zoneWebUrl: text('zone_web_url'),
  failureCode: text('failure_code', { enum: LINK_FAILURE_CODES }),
  failureMessage: text('failure_message'),
  failureDetail: text('failure_detail'),
  requestedAt: timestamp('requested_at', { withTimezone: true }).notNull(),
  verifiedAt: timestamp('verified_at', { withTimezone: true }),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
});

export type ConnectionRow = typeof autotaskConnections.$inferSelect;

/** Autotask Companies as last read from the org's Autotask; `present` turns false when a full pass no longer sees one. */
export const autotaskCompanies = pgTable(
  'autotask_companies',
  {
    orgId: text('org_id').notNull(),
    companyId: integer('company_id').notNull(),
    name: text('name').notNull(),
    companyType: integer('company_type'),
    isActive: boolean('is_active').notNull(),
    webAddress: text('web_address'),
    lastModifiedAt: timestamp('last_modified_at', { withTimezone: true }),
    present: boolean('present').notNull().default(true),
    /** The refresh run that last saw this company; a full pass marks the unseen ones as gone. */
    seenInRun: uuid('seen_in_run').notNull(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.companyId] }), index('autotask_companies_by_name').on(t.orgId, sql`lower(${t.name})`, t.companyId)],
);
export type CompanyRow = typeof autotaskCompanies.$inferSelect;

/** The ticket and note picklists (queues, statuses, priorities, …). Values are integers on write, strings in Autotask's metadata. */
export const autotaskPicklistValues = pgTable(
  'autotask_picklist_values',
  {
    orgId: text('org_id').notNull(),
    /** `Tickets.status`, `TicketNotes.publish`, … */
    field: text('field').notNull(),
    value: integer('value').notNull(),
    label: text('label').notNull(),
    isActive: boolean('is_active').notNull(),
    isDefault: boolean('is_default').notNull(),
    sortOrder: integer('sort_order').notNull(),
    parentValue: integer('parent_value'),
    present: boolean('present').notNull().default(true),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.field, t.value] })],
);
export type PicklistValueRow = typeof autotaskPicklistValues.$inferSelect;

export const refreshOutcomes = ['succeeded', 'failed'] as const;
export const refreshModes = ['incremental', 'full'] as const;
export type RefreshMode = (typeof refreshModes)[number];

/** Per org: the refresh running now (with progress) and the last one's result; the incremental watermark. */
export const autotaskCatalogState = pgTable('autotask_catalog_state', {
  orgId: text('org_id').primaryKey(),
  runId: uuid('run_id'),
  runMode: text('run_mode', { enum: refreshModes }),
  runStartedAt: timestamp('run_started_at', { withTimezone: true }),
  pagesDone: integer('pages_done').notNull().default(0),
  pagesExpected: integer('pages_expected'),
  lastMode: text('last_mode', { enum: refreshModes }),
  lastStartedAt: timestamp('last_started_at', { withTimezone: true }),
  lastFinishedAt: timestamp('last_finished_at', { withTimezone: true }),
  lastOutcome: text('last_outcome', { enum: refreshOutcomes }),
  lastError: text('last_error'),
  lastCompanyRows: integer('last_company_rows'),
  lastPicklistValues: integer('last_picklist_values'),
  lastPageCalls: integer('last_page_calls'),
  /** Highest `lastTrackedModifiedDateTime` seen: the next incremental pass asks for companies changed after it. */
  companiesWatermark: timestamp('companies_watermark', { withTimezone: true, precision: 3 }),
  lastFullAt: timestamp('last_full_at', { withTimezone: true }),
});
export type CatalogStateRow = typeof autotaskCatalogState.$inferSelect;

/** Petra's customers (Microsoft 365 tenants), registered by the platform; each may be mapped to an Autotask Company. */
export const tenants = pgTable(
  'tenants',
  {
    orgId: text('org_id').notNull(),
    tenantId: text('tenant_id').notNull(),
    name: text('name').notNull(),
    domains: text('domains').array().notNull(),
    companyId: integer('company_id'),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.tenantId] })],
);
export type TenantRow = typeof tenants.$inferSelect;

/**
 * How an org's tickets are opened in Autotask. `version` counts every change of the whole mapping configuration,
 * tenant → company mappings included, so two admins cannot silently overwrite each other (If-Match).
 */
export const autotaskConfiguration = pgTable('autotask_configuration', {
  orgId: text('org_id').primaryKey(),
  version: integer('version').notNull(),
  queue: integer('queue'),
  creationStatus: integer('creation_status'),
  updateStatus: integer('update_status'),
  resolutionStatus: integer('resolution_status'),
  priorityLow: integer('priority_low'),
  priorityMedium: integer('priority_medium'),
  priorityHigh: integer('priority_high'),
  priorityCritical: integer('priority_critical'),
  issueType: integer('issue_type'),
  subIssueType: integer('sub_issue_type'),
  source: integer('source'),
  ticketType: integer('ticket_type'),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
});
export type ConfigurationRow = typeof autotaskConfiguration.$inferSelect;
