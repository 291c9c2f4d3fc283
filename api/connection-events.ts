import type { Sql } from 'postgres';

const CHANNEL = 'autotask_connection_changed';

/**
 * Wakes long-polls when a link changes in any process: a database trigger NOTIFYs with the org id
 * (db/migrations/0001_connection_change_notify.sql), whichever process wrote the change.
 */
export class ConnectionEvents {
  private readonly waiters = new Map<string, Set<() => void>>();
  private unlisten?: () => Promise<void>;

  async start(sql: Sql): Promise<void> {
    const { unlisten } = await sql.listen(CHANNEL, (orgId) => this.wake(orgId));
    this.unlisten = unlisten;
  }

  async stop(): Promise<void> {
    await this.unlisten?.();
    for (const orgId of [...this.waiters.keys()]) this.wake(orgId);
  }

  /** Subscribes now, resolves on the next change of the org (or after `timeoutMs`, or when `signal` aborts). */
  nextChange(orgId: string, timeoutMs: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const set = this.waiters.get(orgId) ?? new Set();
      this.waiters.set(orgId, set);
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        set.delete(done);
        if (set.size === 0 && this.waiters.get(orgId) === set) this.waiters.delete(orgId);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      signal.addEventListener('abort', done);
      set.add(done);
    });
  }

  private wake(orgId: string): void {
    for (const done of [...(this.waiters.get(orgId) ?? [])]) done();
  }
}
