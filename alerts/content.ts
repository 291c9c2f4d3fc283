// What an alert's ticket and notes say. Pure functions: the activity brings the alert, the configuration and the
// ticket's history.
import { createHash } from 'node:crypto';
import type { TicketFields, TicketNote } from '../autotask/client';
import type { AlertSnapshot } from '../db/schema';
import type { Settings } from '../mapping/configuration';
import type { AlertEvent } from '../workflows/shared';

/** Autotask's field lengths (TicketModel, TicketNoteModel). */
const LIMITS = { title: 255, description: 8_000, noteTitle: 250, noteDescription: 32_000, externalID: 50 } as const;

/**
 * The ticket's key in Autotask's `externalID`: derived from org and alert only, so every attempt, worker and run
 * computes the same one. A hash keeps it within 50 characters whatever the ids; a second ticket for the same alert
 * (reopen policy `new`) gets its own suffix.
 */
export function externalIdFor(orgId: string, alertId: string, generation: number): string {
  const digest = createHash('sha256').update(`${orgId}\u0000${alertId}`).digest('base64url').slice(0, 32);
  return generation > 1 ? `petra:${digest}:${generation}` : `petra:${digest}`;
}

export function snapshotOf(event: AlertEvent): AlertSnapshot {
  return { status: event.status, severity: event.severity, title: event.title, description: event.description, url: event.url ?? null };
}

export interface TicketPlan {
  companyID: number;
  externalID: string;
  status: number;
  priority: number;
  /** The ticket this alert had before it was resolved and reopened (reopen policy `new`). */
  previousTicketNumber: string | null;
}

export function ticketFields(event: AlertEvent, settings: Settings, plan: TicketPlan): TicketFields {
  const intro = plan.previousTicketNumber ? `This alert was resolved in ticket ${plan.previousTicketNumber} and has reopened.\n\n` : '';
  return {
    companyID: plan.companyID,
    title: truncate(event.title, LIMITS.title),
    description: truncate(`${intro}${event.description}\n\n${facts(event)}`, LIMITS.description),
    status: plan.status,
    priority: plan.priority,
    queueID: settings.queue!,
    externalID: plan.externalID,
    issueType: settings.issueType ?? undefined,
    subIssueType: settings.subIssueType ?? undefined,
    source: settings.source ?? undefined,
    ticketType: settings.ticketType ?? undefined,
  };
}

/** The note's title names the revision: it is how a retried note finds the one that may already have landed. */
export function noteTitle(alertId: string, revision: number): string {
  return truncate(`Petra alert ${alertId}: revision ${revision}`, LIMITS.noteTitle);
}

/** A note saying what changed since the revision the ticket last reflected. */
export function noteFor(alertId: string, event: AlertEvent, before: AlertSnapshot | null, settings: Settings, defaults: { noteType: number; publish: number }): TicketNote {
  const after = snapshotOf(event);
  const changes: string[] = [];
  const headline =
    after.status === 'resolved' ? 'The alert was resolved in Petra.' : before?.status === 'resolved' ? 'The alert reopened in Petra.' : 'The alert was updated in Petra.';
  if (before && before.severity !== after.severity) changes.push(`Severity: ${before.severity} → ${after.severity}`);
  if (before && before.title !== after.title) changes.push(`Title: ${after.title}`);
  if (!before || before.description !== after.description) changes.push(`Description:\n${after.description}`);
  if (before && before.url !== after.url && after.url) changes.push(`Link: ${after.url}`);
  const body = [headline, ...changes, facts(event)].join('\n\n');
  return {
    title: noteTitle(alertId, event.revision),
    description: truncate(body, LIMITS.noteDescription),
    noteType: settings.noteType ?? defaults.noteType,
    publish: settings.notePublish ?? defaults.publish,
  };
}

function facts(event: AlertEvent): string {
  const lines = [`Severity: ${event.severity}`, `Occurred at: ${event.occurredAt}`, `Petra alert: ${event.alertId} (revision ${event.revision})`];
  if (event.url) lines.push(`Open in Petra: ${event.url}`);
  return lines.join('\n');
}

/** Marks the cut (never inside a surrogate pair), so a long alert still makes a ticket. */
function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  return `${/[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut}…`;
}
