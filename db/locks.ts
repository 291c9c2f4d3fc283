import type { Sql } from 'postgres';

export type OrgLock = <T>(orgId: string, work: () => Promise<T>) => Promise<T>;

/**
 * Per-org mutual exclusion across every API and worker process: saving credentials and starting their verification,
 * unlinking, and setting up the catalog of a confirmed link take turns, so none of them can undo another halfway.
 * A session advisory lock on a reserved connection: the work itself commits as it goes.
 */
export function linkLock(sql: Sql): OrgLock {
  return async (orgId, work) => {
    const connection = await sql.reserve();
    const key = `autotask-link:${orgId}`;
    try {
      await connection`select pg_advisory_lock(hashtext(${key}))`;
      try {
        return await work();
      } finally {
        await connection`select pg_advisory_unlock(hashtext(${key}))`;
      }
    } finally {
      connection.release();
    }
  };
}

export type TryLock = <T>(key: string, work: (connection: Sql) => Promise<T>) => Promise<{ result: T } | 'busy'>;

/**
 * Runs `work` unless another process holds `key`: a session advisory lock on a reserved connection, so the lock
 * goes with the connection when a worker dies, while a stalled (not dead) worker keeps others out until it is done.
 * `work` gets the reserved connection, to take its other session locks on it rather than reserving a second one.
 */
export function tryLock(sql: Sql): TryLock {
  return async (key, work) => {
    const connection = await sql.reserve();
    try {
      const [{ locked }] = await connection<[{ locked: boolean }]>`select pg_try_advisory_lock(hashtextextended(${key}, 0)) as locked`;
      if (!locked) return 'busy';
      try {
        return { result: await work(connection) };
      } finally {
        await connection`select pg_advisory_unlock(hashtextextended(${key}, 0))`;
      }
    } finally {
      connection.release();
    }
  };
}
