/**
 * What went wrong with an Autotask call, in the categories a caller acts on:
 * - `auth_failed`: 401, or 500 "IntegrationCode is invalid." — never retry (repeated bad secrets can lock the user)
 * - `zone_not_found`: zoneInformation answered "Zone information could not be determined" (unknown username)
 * - `permission_denied`: 403 (inactive user, security level without the right)
 * - `thread_limit`: 429, Autotask's per-integration concurrency or hourly limit — retry after a pause
 * - `validation`: 4xx or 500 with Autotask's own `errors[]` explaining what it refused
 * - `not_found`: 404 on a record
 * - `transient`: other 5xx, dropped connections, timeouts — retry
 */
export type AutotaskErrorKind =
  | 'auth_failed'
  | 'zone_not_found'
  | 'permission_denied'
  | 'thread_limit'
  | 'validation'
  | 'not_found'
  | 'transient';

export class AutotaskError extends Error {
  override readonly name = 'AutotaskError';

  constructor(
    readonly kind: AutotaskErrorKind,
    message: string,
    /** Autotask's own error texts, verbatim. */
    readonly errors: string[] = [],
    readonly status?: number,
    /** Seconds Autotask asked us to wait (Retry-After), when it said. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }

  /** Autotask's own words when it gave any, else our description. */
  get detail(): string {
    return this.errors.length > 0 ? this.errors.join(' ') : this.message;
  }
}

export function isAutotaskError(err: unknown): err is AutotaskError {
  return err instanceof Error && err.name === 'AutotaskError' && 'kind' in err;
}
