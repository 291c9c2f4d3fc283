import type { Client } from '@temporalio/client';
import type { Logger } from '../config/logger';
import type { Database } from '../db/client';
import { nudgeAlerts } from '../temporal/alerts';

/**
 * After a configuration change, the alerts it may unblock try again at once. The change is saved either way: an
 * alert that misses this nudge (Temporal away) still looks again on its own recheck interval, or at the next
 * catalog refresh.
 */
export async function nudgeAlertsAfterChange(temporal: Client, db: Database, log: Logger, orgId: string): Promise<void> {
  try {
    await nudgeAlerts(temporal, db, orgId, ['waiting_for_mapping', 'failed']);
  } catch (err) {
    log.warn('could not wake the alerts waiting for this change', { orgId, error: err instanceof Error ? err.message : String(err) });
  }
}
