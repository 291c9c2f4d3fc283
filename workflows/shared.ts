// Names and types shared by the workflows, their activities and the API. Must stay deterministic: no I/O here.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineSignal, defineUpdate } from '@temporalio/workflow';

/** Custom search attribute that makes every workflow of an org findable in the Temporal UI: `PetraOrgId = "org-1"`. */
export const PETRA_ORG_ID = defineSearchAttributeKey('PetraOrgId', SearchAttributeType.KEYWORD);

/** With the org: an alert's workflow is findable by its tenant and by its alert id. */
export const PETRA_TENANT_ID = defineSearchAttributeKey('PetraTenantId', SearchAttributeType.KEYWORD);
export const PETRA_ALERT_ID = defineSearchAttributeKey('PetraAlertId', SearchAttributeType.KEYWORD);
export const SEARCH_ATTRIBUTES = [PETRA_ORG_ID, PETRA_TENANT_ID, PETRA_ALERT_ID];

export const linkWorkflowId = (orgId: string) => `autotask-link:${orgId}`;

export interface LinkAttempt {
  orgId: string;
  /** Identifies the credentials being verified; the secret itself never enters workflow history. */
  attemptId: string;
}

export interface LinkTimeouts {
  /** Longest one Autotask call may take before the attempt is abandoned and retried. */
  attemptMs: number;
  /** A worker that stops heartbeating for this long is presumed dead and the call moves elsewhere. */
  heartbeatMs: number;
  /** Transient failures are retried until this long after the verification started, then it fails as `timeout`. */
  deadlineMs: number;
  retryInitialMs: number;
  retryMaxMs: number;
}

export interface LinkVerificationInput extends LinkAttempt {
  timeouts: LinkTimeouts;
}

export interface ZoneInfo {
  name: string;
  apiUrl: string;
  webUrl: string;
}

export const LINK_FAILURE_CODES = ['auth_failed', 'permission_denied', 'timeout'] as const;
export type LinkFailureCode = (typeof LINK_FAILURE_CODES)[number];

export interface LinkFailure {
  code: LinkFailureCode;
  /** What the admin should do, in the terms of Petra's linking guide. */
  message: string;
  /** Autotask's own words, or what we observed. */
  detail: string;
}

export type LinkOutcome =
  | { status: 'connected'; zone: ZoneInfo; /** Autotask's requests per hour for the database. */ requestThreshold: number }
  | { status: 'failed'; failure: LinkFailure; zone?: ZoneInfo };

/** Failure types thrown by the link activities that must not be retried. */
export const FINAL_LINK_FAILURES = ['auth_failed', 'permission_denied', 'superseded'] as const;

export const linkFailureMessages: Record<LinkFailureCode, string> = {
  auth_failed:
    'Authentication failed. Re-enter the Username, Password and Tracking Identifier of the Autotask API user, and confirm in Autotask that its Security Level is "API User (system)".',
  permission_denied:
    'Autotask refused permission. Ensure the API user is active and has the correct security role in Autotask.',
  timeout:
    'Autotask did not answer in time. Wait 1–2 minutes and try again; if it keeps happening, contact Petra Support (support@petrasecurity.com).',
};

/** One refresh of an org's catalog at a time: manual and scheduled requests join the run under this id. */
export const catalogRefreshWorkflowId = (orgId: string) => `autotask-catalog-refresh:${orgId}`;
export const catalogScheduleId = (orgId: string) => `autotask-catalog:${orgId}`;

export interface CatalogRefreshInput {
  orgId: string;
  /** Read every company again, not only the ones changed since the last pass. */
  full?: boolean;
  /** A pass is full anyway when the last full one is older than this. */
  fullEveryMs: number;
}

export interface RefreshTicket {
  /** The refresh run that serves the request. */
  runId: string;
  /** Which pass of that run: requests made while a pass reads join it; later ones get the next pass. */
  pass: number;
}

/** Asks the org's running refresh (started along with it when none runs) to serve a refresh request. */
export const requestRefresh = defineUpdate<RefreshTicket, [{ full: boolean }]>('requestRefresh');

/** The picklists kept in the catalog, as `Entity.field`. */
export const CATALOG_PICKLISTS = {
  Tickets: ['queueID', 'status', 'priority', 'issueType', 'subIssueType', 'source', 'ticketType', 'ticketCategory'],
  TicketNotes: ['noteType', 'publish'],
} as const;

export const ALERT_STATUSES = ['open', 'updated', 'resolved'] as const;
export const ALERT_SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;

/** One delivery from Petra's alert pipeline; `revision` grows with every change of the alert. */
export interface AlertEvent {
  tenantId: string;
  alertId: string;
  revision: number;
  status: (typeof ALERT_STATUSES)[number];
  severity: (typeof ALERT_SEVERITIES)[number];
  title: string;
  description: string;
  url?: string;
  occurredAt: string;
}

/** One workflow per (org, alert): every delivery of the alert goes to it, however many arrive at once. */
export const alertWorkflowId = (orgId: string, alertId: string) => `alert:${orgId}:${alertId}`;

export interface AlertTimeouts {
  attemptMs: number;
  heartbeatMs: number;
  recheckMs: number;
  idleMs: number;
}

export interface AlertWorkflowInput {
  orgId: string;
  alertId: string;
  timeouts: AlertTimeouts;
  /** An event carried over from the previous run (continue-as-new) that is not applied yet. */
  pending?: AlertEvent;
}

/** Delivers an event to the alert's workflow (signal-with-start: the first delivery starts it). */
export const alertEventSignal = defineSignal<[AlertEvent]>('alertEvent');
/** Something the alert was waiting for may have changed (link, mapping, configuration, catalog, or an explicit retry). */
export const recheckSignal = defineSignal('recheck');

/**
 * What one attempt to bring the ticket up to the event's revision came to:
 * - `applied`: the ticket reflects this revision (or a later one);
 * - `waiting`: nothing to do until the link or the mapping is fixed;
 * - `failed`: Autotask refused the ticket or note (its text in `error`); a configuration change may fix it.
 */
export type AlertOutcome =
  | { kind: 'applied'; revision: number; resolved: boolean }
  | { kind: 'waiting'; reason: 'connection' | 'mapping'; error: string }
  | { kind: 'failed'; error: string };
