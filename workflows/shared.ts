// Names and types shared by the workflows, their activities and the API. Must stay deterministic: no I/O here.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineUpdate } from '@temporalio/workflow';

/** Custom search attribute that makes every workflow of an org findable in the Temporal UI: `PetraOrgId = "org-1"`. */
export const PETRA_ORG_ID = defineSearchAttributeKey('PetraOrgId', SearchAttributeType.KEYWORD);

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

export type LinkOutcome = { status: 'connected'; zone: ZoneInfo } | { status: 'failed'; failure: LinkFailure; zone?: ZoneInfo };

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
