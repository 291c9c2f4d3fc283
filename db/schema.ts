import { pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export const connectionStatuses = ['verifying', 'connected', 'failed'] as const;
export type ConnectionStatus = (typeof connectionStatuses)[number];

export const linkFailureCodes = ['auth_failed', 'permission_denied', 'timeout'] as const;
export type LinkFailureCode = (typeof linkFailureCodes)[number];

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
  failureCode: text('failure_code', { enum: linkFailureCodes }),
  failureMessage: text('failure_message'),
  failureDetail: text('failure_detail'),
  requestedAt: timestamp('requested_at', { withTimezone: true }).notNull(),
  verifiedAt: timestamp('verified_at', { withTimezone: true }),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
});

export type ConnectionRow = typeof autotaskConnections.$inferSelect;
