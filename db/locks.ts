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
