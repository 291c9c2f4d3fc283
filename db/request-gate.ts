import type { Sql } from 'postgres';
import type { RequestGate } from '../autotask/client';

/** The org's hourly Autotask budget is spent; nothing may be sent before `retryAt`. */
export class BudgetExhausted extends Error {
  override readonly name = 'BudgetExhausted';

  constructor(readonly retryAt: Date) {
    super(`This link's hourly Autotask request budget is spent; requests resume at ${retryAt.toISOString()}`);
  }
}

/** How long a caller waits between looks at the shared slots while all of them are taken. */
const SLOT_POLL_MS = { min: 10, max: 40 };

/**
 * Autotask's limits for every link, kept across all worker processes through PostgreSQL:
 * - at most `maxInFlight` requests per (org, endpoint): each one holds one of that many advisory locks for its
 *   duration, on a reserved connection, so a worker that dies frees its slots with its connections;
 * - at most the org's hourly budget of requests in any rolling hour (`spend_autotask_request`, db/migrations/0003).
 * Inside a process, callers beyond `maxInFlight` queue in order and only the first few look at the shared slots.
 */
export class RequestGates {
  private readonly queues = new Map<string, Semaphore>();

  constructor(
    private readonly sql: Sql,
    private readonly maxInFlight: number,
  ) {}

  /** `connection`: a connection the caller has reserved already, for the slot locks (so one caller holds one connection). */
  forOrg(orgId: string, hourlyBudget: number, connection?: Sql): RequestGate {
    return { run: (endpoint, work, signal) => this.run(orgId, hourlyBudget, endpoint, work, signal, connection) };
  }

  private async run<T>(orgId: string, hourlyBudget: number, endpoint: string, work: () => Promise<T>, signal?: AbortSignal, borrowed?: Sql): Promise<T> {
    const key = `autotask-gate:${orgId}:${endpoint.toLowerCase()}`;
    let queue = this.queues.get(key);
    if (!queue) this.queues.set(key, (queue = new Semaphore(this.maxInFlight)));
    const leave = await queue.enter(signal);
    try {
      const reserved = borrowed ? undefined : await this.sql.reserve();
      const connection = borrowed ?? reserved!;
      try {
        const slot = await this.claimSlot(connection, key, signal);
        try {
          // Text, not Date: drizzle's postgres-js driver turns off the driver's own date parsing.
          const [{ retry_at: retryAt }] = await connection<[{ retry_at: string | null }]>`select spend_autotask_request(${orgId}, ${hourlyBudget})::text as retry_at`;
          if (retryAt) throw new BudgetExhausted(new Date(retryAt));
          return await work();
        } finally {
          await connection`select pg_advisory_unlock(hashtext(${key}), ${slot})`;
        }
      } finally {
        reserved?.release();
      }
    } finally {
      leave();
    }
  }

  private async claimSlot(connection: Sql, key: string, signal?: AbortSignal): Promise<number> {
    for (;;) {
      for (let slot = 0; slot < this.maxInFlight; slot++) {
        const [{ claimed }] = await connection<[{ claimed: boolean }]>`select pg_try_advisory_lock(hashtext(${key}), ${slot}) as claimed`;
        if (claimed) return slot;
      }
      signal?.throwIfAborted();
      await new Promise((resolve) => setTimeout(resolve, SLOT_POLL_MS.min + Math.random() * (SLOT_POLL_MS.max - SLOT_POLL_MS.min)));
    }
  }
}

/** A first-come, first-served counting semaphore. */
class Semaphore {
  private readonly waiting: Array<() => void> = [];

  constructor(private free: number) {}

  async enter(signal?: AbortSignal): Promise<() => void> {
    if (this.free > 0) this.free -= 1;
    else {
      await new Promise<void>((resolve, reject) => {
        const turn = () => {
          signal?.removeEventListener('abort', abandon);
          resolve();
        };
        const abandon = () => {
          this.waiting.splice(this.waiting.indexOf(turn), 1);
          reject(signal!.reason);
        };
        this.waiting.push(turn);
        signal?.addEventListener('abort', abandon, { once: true });
      });
    }
    let left = false;
    return () => {
      if (left) return;
      left = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.free += 1;
    };
  }
}
