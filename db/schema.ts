import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
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
  /** Autotask's `externalRequestThreshold` (requests per hour for the whole database), read when the link was confirmed. */
  requestThreshold: integer('request_threshold'),
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
  noteType: integer('note_type'),
  notePublish: integer('note_publish'),
  /** Tickets of tenants without a mapping go to this company instead of waiting for one. */
  catchAllCompany: integer('catch_all_company'),
  /** What an alert that reopens after its ticket was resolved does: `reopen` that ticket, or open a `new` one. */
  reopenPolicy: text('reopen_policy', { enum: ['reopen', 'new'] }),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
});
export type ConfigurationRow = typeof autotaskConfiguration.$inferSelect;

export const alertStates = ['waiting_for_connection', 'waiting_for_mapping', 'creating', 'synced', 'failed'] as const;
export type AlertState = (typeof alertStates)[number];

/** What the ticket was last made to say, so the next revision's note can tell what changed. */
export interface AlertSnapshot {
  status: 'open' | 'updated' | 'resolved';
  severity: string;
  title: string;
  description: string;
  url: string | null;
}

/**
 * One row per (org, alert): the alert's Autotask ticket and how far it is in sync. The markers `pendingCreate` and
 * `notePendingRevision` are written before a create or note is sent: after a failure that may have reached Autotask,
 * they say to look the record up before sending it again.
 */
export const alertSyncs = pgTable(
  'alert_syncs',
  {
    orgId: text('org_id').notNull(),
    alertId: text('alert_id').notNull(),
    tenantId: text('tenant_id').notNull(),
    state: text('state', { enum: alertStates }).notNull(),
    receivedRevision: integer('received_revision').notNull(),
    appliedRevision: integer('applied_revision'),
    applied: jsonb('applied').$type<AlertSnapshot>(),
    companyId: integer('company_id'),
    ticketId: integer('ticket_id'),
    ticketNumber: text('ticket_number'),
    /** Counts the tickets this alert opened: a reopen under the `new` policy opens another, with its own externalID. */
    generation: integer('generation').notNull().default(1),
    previousTicketNumber: text('previous_ticket_number'),
    /** The Autotask status we last gave the ticket, to skip an update that would change nothing. */
    ticketStatus: integer('ticket_status'),
    /** The revision (and what it said) a create was sent for, until its ticket is known. */
    pendingCreate: jsonb('pending_create').$type<{ revision: number; snapshot: AlertSnapshot }>(),
    notePendingRevision: integer('note_pending_revision'),
    /** When the pending create or note was sent: Autotask may still be working on it for a while. */
    pendingSince: timestamp('pending_since', { withTimezone: true }),
    lastError: text('last_error'),
    lastErrorAt: timestamp('last_error_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.alertId] }), index('alert_syncs_by_state').on(t.orgId, t.state, t.alertId)],
);
export type AlertSyncRow = typeof alertSyncs.$inferSelect;

/** Autotask requests per org and minute: the rolling hour of them is checked against the org's hourly budget. */
export const autotaskRequestCounts = pgTable(
  'autotask_request_counts',
  {
    orgId: text('org_id').notNull(),
    minute: timestamp('minute', { withTimezone: true }).notNull(),
    count: integer('count').notNull(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.minute] })],
);
