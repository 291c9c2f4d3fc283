import { ApplicationFailure, getClient, log } from '@temporalio/activity';
import type { Sql } from 'postgres';
import { externalIdFor, noteFor, noteTitle, snapshotOf, ticketFields } from '../alerts/content';
import { type AutotaskSession, isAutotaskError } from '../autotask/client';
import type { Config } from '../config';
import { type AlertChange, alertIdsFailedWith, findAlert, markAlertFailed, updateAlert } from '../db/alerts';
import type { TryLock } from '../db/locks';
import { loadTicketSettings, type TicketSettings } from '../db/mappings';
import { BudgetExhausted } from '../db/request-gate';
import type { AlertState, AlertSyncRow } from '../db/schema';
import { nudgeAlerts, recheckAlerts } from '../temporal/alerts';
import type { AlertEvent, AlertOutcome } from '../workflows/shared';
import { asActivityFailure, linkedSession, type SessionDeps } from './autotask-session';
import { whileHeartbeating } from './heartbeat';

export interface AlertActivityDeps extends SessionDeps {
  config: Config;
  tryLock: TryLock;
}

export function createAlertActivities(deps: AlertActivityDeps) {
  const { db, tryLock } = deps;
  /** One revision applied to one ticket; `row` follows every change written, so each step sees the last one. */
  class RevisionSync {
    constructor(
      private readonly session: AutotaskSession,
      public row: AlertSyncRow,
      private readonly event: AlertEvent,
      private readonly config: TicketSettings,
      private readonly signal: AbortSignal,
    ) {}

    async run(): Promise<AlertOutcome> {
      if (this.row.appliedRevision === null || this.event.revision > this.row.appliedRevision) {
        const waiting = await this.apply();
        if (waiting) return waiting;
      }
      // Autotask answers a create with the id only; the number may still be missing after an interrupted attempt.
      if (this.row.ticketNumber === null) {
        const ticket = await this.session.ticket(this.row.ticketId!, { signal: this.signal });
        await this.save({ ticketNumber: ticket.ticketNumber });
      }
      await this.save({ state: 'synced', notePendingRevision: null, pendingSince: null, lastError: null, lastErrorAt: null });
      return { kind: 'applied', revision: this.row.appliedRevision!, resolved: this.row.applied?.status === 'resolved' };
    }

    /** Opens the ticket, or adds the revision's note and status to it. */
    private async apply(): Promise<AlertOutcome | undefined> {
      const { settings } = this.config;
      for (;;) {
        const reopening = this.row.applied?.status === 'resolved' && this.event.status !== 'resolved';
        if (this.row.ticketId !== null && reopening && settings.reopenPolicy === 'new') {
          // The resolved ticket stays as it is; the alert starts over with a ticket of its own key.
          await this.save({ ticketId: null, ticketNumber: null, ticketStatus: null, generation: this.row.generation + 1, previousTicketNumber: this.row.ticketNumber });
        }
        if (this.row.ticketId === null) {
          const waiting = await this.openTicket();
          if (waiting || this.row.appliedRevision! >= this.event.revision) return waiting;
          // The ticket found is an earlier revision's: bring it up to this one, as any ticket.
          continue;
        }

        await this.addNote();
        const target = this.event.status === 'resolved' ? settings.resolutionStatus : reopening ? (settings.updateStatus ?? settings.creationStatus) : settings.updateStatus;
        if (target !== null && target !== this.row.ticketStatus) {
          await this.session.updateTicket(this.row.ticketId, { status: target }, { signal: this.signal });
          await this.save({ ticketStatus: target });
        }
        await this.save({ appliedRevision: this.event.revision, applied: snapshotOf(this.event) });
        return undefined;
      }
    }

    /**
     * Opens the ticket, unless one with its key already exists because an earlier attempt's answer was lost. A new
     * ticket reflects the revision it was opened for from the moment it exists: no note is owed for that revision.
     */
    private async openTicket(): Promise<AlertOutcome | undefined> {
      const { settings, tenantCompanyId, defaults } = this.config;
      const companyId = tenantCompanyId ?? settings.catchAllCompany;
      const priority = settings.priorities[this.event.severity] ?? defaults.priority;
      const missing = [
        companyId === null && `map tenant ${this.row.tenantId} to an Autotask company`,
        settings.queue === null && 'choose the queue for new tickets',
        settings.creationStatus === null && 'choose the status on creation',
        priority === null && `choose the priority for ${this.event.severity} alerts`,
      ].filter((m): m is string => typeof m === 'string');
      if (missing.length > 0) return waitFor(this.row, 'mapping', `Waiting for the Autotask configuration: ${missing.join('; ')}`);

      const resolved = this.event.status === 'resolved' && settings.resolutionStatus !== null;
      const status = resolved ? settings.resolutionStatus! : settings.creationStatus!;
      const externalID = externalIdFor(this.row.orgId, this.row.alertId, this.row.generation);
      await this.save({ state: 'creating', companyId });

      const pending = this.row.pendingCreate;
      if (pending) {
        const existing = await this.session.findTicketByExternalId(externalID, { signal: this.signal });
        if (existing) {
          // An earlier attempt's create landed, its answer lost: the ticket shows what that create sent.
          await this.save({ ticketId: existing.id, ticketNumber: existing.ticketNumber, ticketStatus: existing.status, pendingCreate: null, pendingSince: null, appliedRevision: pending.revision, applied: pending.snapshot });
          return undefined;
        }
        this.awaitEarlierRequest();
      }
      const snapshot = snapshotOf(this.event);
      await this.save({ pendingCreate: { revision: this.event.revision, snapshot }, pendingSince: new Date() });
      const fields = ticketFields(this.event, settings, { companyID: companyId!, externalID, status, priority: priority!, previousTicketNumber: this.row.previousTicketNumber });
      const ticketId = await this.session.createTicket(fields, { signal: this.signal }).catch(async (err: unknown) => {
        // Refused outright: nothing of this create exists (and an earlier one was given time to show), so no lookup is owed.
        if (isAutotaskError(err) && err.kind === 'validation') await this.save({ pendingCreate: null, pendingSince: null });
        throw err;
      });
      await this.save({ ticketId, ticketNumber: null, ticketStatus: status, pendingCreate: null, pendingSince: null, appliedRevision: this.event.revision, applied: snapshot });
      return undefined;
    }

    /** At most one note per revision: before sending again, look for the one an interrupted attempt may have added. */
    private async addNote(): Promise<void> {
      const ticketId = this.row.ticketId!;
      const title = noteTitle(this.row.alertId, this.event.revision);
      if (this.row.notePendingRevision === this.event.revision) {
        if (await this.session.hasTicketNote(ticketId, title, { signal: this.signal })) return;
        this.awaitEarlierRequest();
      }
      await this.save({ notePendingRevision: this.event.revision, pendingSince: new Date() });
      const note = noteFor(this.row.alertId, this.event, this.row.applied, this.config.settings, this.config.defaults);
      await this.session.createTicketNote(ticketId, note, { signal: this.signal });
    }

    /**
     * A create or note sent earlier and not found may still be on its way: Autotask keeps working on a request the
     * client gave up on. It is sent again only once that one has had time to land (and the lookup came back empty).
     */
    private awaitEarlierRequest(): void {
      const waitMs = (this.row.pendingSince?.getTime() ?? 0) + deps.config.AUTOTASK_REQUEST_TIMEOUT_MS * 2 - Date.now();
      if (waitMs > 0) {
        throw ApplicationFailure.create({ type: 'awaiting_earlier_request', message: 'An earlier request for this alert may still land in Autotask; looking again before sending it anew', nextRetryDelay: waitMs });
      }
    }

    private async save(change: AlertChange): Promise<void> {
      await updateAlert(db, this.row.orgId, this.row.alertId, change);
      this.row = { ...this.row, ...change };
    }
  }

  return {
    /**
     * Brings the alert's ticket up to the event's revision: opens it, or adds the note and status the revision calls
     * for. Safe to run again after any failure: the markers written before each create or note make a retry look
     * for what may already have landed instead of sending it twice.
     */
    async syncAlertRevision({ orgId, event }: { orgId: string; event: AlertEvent }): Promise<AlertOutcome> {
      // One attempt per alert at a time, even when a stalled attempt outlives its heartbeat timeout.
      const locked = await tryLock(`alert:${orgId}:${event.alertId}`, (connection) => syncRevision(orgId, event, connection));
      if (locked === 'busy') {
        throw ApplicationFailure.create({ type: 'alert_busy', message: 'An earlier attempt for this alert is still running', nextRetryDelay: '2 seconds' });
      }
      return locked.result;
    },

    /** Wakes the alerts of an org that wait in one of these states (a link was confirmed). */
    async nudgeAlerts({ orgId, states }: { orgId: string; states: AlertState[] }): Promise<number> {
      return nudgeAlerts(getClient(), db, orgId, states);
    },
  };

  async function syncRevision(orgId: string, event: AlertEvent, connection: Sql): Promise<AlertOutcome> {
    const row = await findAlert(db, orgId, event.alertId);
    if (!row) throw ApplicationFailure.nonRetryable(`Alert ${event.alertId} of org ${orgId} was never accepted`, 'unknown_alert');
    const numberMissing = row.ticketId !== null && row.ticketNumber === null;
    if (row.appliedRevision !== null && event.revision <= row.appliedRevision && !numberMissing) {
      return { kind: 'applied', revision: row.appliedRevision, resolved: row.applied?.status === 'resolved' };
    }

    const session = await linkedSession(deps, orgId, connection);
    if (!session) return waitFor(row, 'connection', 'Autotask is not linked, or its link is being verified or failed: link Autotask again in Petra');
    const ticketSettings = await loadTicketSettings(db, orgId, row.tenantId);

    let sync: RevisionSync | undefined;
    try {
      const outcome = await whileHeartbeating((signal) => (sync = new RevisionSync(session, row, event, ticketSettings, signal)).run());
      if (outcome.kind === 'applied' && row.state === 'failed' && row.lastError) await wakeAlike(orgId, row.lastError);
      return outcome;
    } catch (err) {
      const current = sync?.row ?? row;
      if (isAutotaskError(err)) {
        if (err.kind === 'validation') return fail(current, err.detail, ticketSettings.version);
        // A ticket that had its number is no more (deleted or merged in Autotask): retrying cannot bring it back.
        if (err.kind === 'not_found' && current.ticketNumber !== null) {
          return fail(current, `Ticket ${current.ticketNumber} no longer exists in Autotask: ${err.detail}`, ticketSettings.version);
        }
        if (err.kind === 'auth_failed' || err.kind === 'zone_not_found' || err.kind === 'permission_denied') {
          return waitFor(row, 'connection', `Autotask refused the link's credentials: ${err.detail}`);
        }
      } else if (!(err instanceof BudgetExhausted)) throw err;
      // Retried by Temporal (after a spent budget, once it allows again); meanwhile the alert says why it waits.
      await updateAlert(db, orgId, row.alertId, { lastError: isAutotaskError(err) ? err.detail : err.message, lastErrorAt: new Date() });
      return asActivityFailure(err);
    }
  }

  /** A refused alert went through: the ones refused alike may go through now too. Best effort: the next catalog refresh probes them anyway. */
  async function wakeAlike(orgId: string, error: string): Promise<void> {
    try {
      await recheckAlerts(getClient(), orgId, await alertIdsFailedWith(db, orgId, error));
    } catch (err) {
      log.warn('could not wake the alerts refused alike', { orgId, error: err instanceof Error ? err.message : String(err) });
    }
  }

  async function waitFor(row: AlertSyncRow, reason: 'connection' | 'mapping', error: string): Promise<AlertOutcome> {
    const state = reason === 'connection' ? 'waiting_for_connection' : 'waiting_for_mapping';
    await updateAlert(db, row.orgId, row.alertId, { state, lastError: error, lastErrorAt: new Date() });
    return { kind: 'waiting', reason, error };
  }

  /** Autotask refused what we sent, and only a change on the MSP's side can fix it. */
  async function fail(row: AlertSyncRow, error: string, configVersion: number): Promise<AlertOutcome> {
    if (!(await markAlertFailed(db, row.orgId, row.alertId, error, configVersion))) {
      throw ApplicationFailure.create({ type: 'configuration_changed', message: `The configuration changed during this attempt, which Autotask refused: ${error}`, nextRetryDelay: '1 second' });
    }
    return { kind: 'failed', error };
  }
}

export type AlertActivities = ReturnType<typeof createAlertActivities>;
