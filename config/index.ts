import { z } from 'zod';

/** Parses `API_TOKENS`: comma-separated `token:scope` pairs, the scope an org id or `*` for platform services. */
const apiTokens = z
  .string()
  .default('')
  .transform((value, ctx) => {
    const tokens = new Map<string, string>();
    for (const pair of value.split(',').map((p) => p.trim()).filter(Boolean)) {
      const at = pair.lastIndexOf(':');
      const token = pair.slice(0, at);
      const scope = pair.slice(at + 1);
      if (at <= 0 || !scope || token.length < 16) {
        ctx.addIssue({ code: 'custom', message: 'expected comma-separated token:scope pairs, tokens at least 16 characters' });
        return z.NEVER;
      }
      tokens.set(token, scope);
    }
    return tokens;
  });

/** Parses `ENCRYPTION_KEY`: comma-separated `keyId:base64` 32-byte keys; the first encrypts, all decrypt (rotation). */
const encryptionKeys = z.string().transform((value, ctx) => {
  const keys = value.split(',').map((entry) => {
    const [id, material] = entry.trim().split(':');
    const key = Buffer.from(material ?? '', 'base64');
    return { id: id ?? '', key };
  });
  if (keys.some((k) => !/^[A-Za-z0-9_-]{1,32}$/.test(k.id) || k.key.length !== 32)) {
    ctx.addIssue({ code: 'custom', message: 'expected comma-separated keyId:base64 pairs, each key 32 bytes (openssl rand -base64 32)' });
    return z.NEVER;
  }
  return keys;
});

const milliseconds = (fallback: number) => z.coerce.number().int().positive().default(fallback);

export const envSchema = z.object({
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }),
  TEMPORAL_ADDRESS: z.string().default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('autotask-sync'),
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  API_TOKENS: apiTokens,
  ENCRYPTION_KEY: encryptionKeys,
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  AUTOTASK_ZONE_LOOKUP_URL: z.url().default('https://webservices.autotask.net/ATServicesRest/V1.0/zoneInformation'),
  /** One Autotask call may legitimately take 1–2 minutes. */
  AUTOTASK_REQUEST_TIMEOUT_MS: milliseconds(150_000),
  /** One verification step, the Autotask call included; the Temporal attempt is abandoned and retried after this. */
  LINK_ATTEMPT_TIMEOUT_MS: milliseconds(180_000),
  /** How long a link verification keeps retrying transient failures before it reports `timeout`. */
  LINK_VERIFY_DEADLINE_MS: milliseconds(600_000),
  /** A worker that dies mid-call is noticed after this long and the call is retried elsewhere. */
  LINK_HEARTBEAT_TIMEOUT_MS: milliseconds(20_000),
  LINK_RETRY_INITIAL_MS: milliseconds(2_000),
  LINK_RETRY_MAX_MS: milliseconds(60_000),
  /** How often each link's catalog (companies, picklists) is refreshed by its Temporal Schedule. */
  CATALOG_REFRESH_INTERVAL_MS: milliseconds(3_600_000),
  /** Spreads the scheduled refreshes of many orgs so they do not all hit Autotask at once. */
  CATALOG_REFRESH_JITTER_MS: z.coerce.number().int().min(0).default(300_000),
  /** A refresh reads every company again (not only changed ones) when the last full pass is older than this. */
  CATALOG_FULL_REFRESH_INTERVAL_MS: milliseconds(86_400_000),
  /** A workflow bundle built ahead of time (production); without it the worker bundles `workflows/` at start. */
  WORKFLOW_BUNDLE_PATH: z.string().optional(),
  /** Requests one link may have in flight per Autotask endpoint, across every worker (Autotask refuses a 4th with 429). */
  AUTOTASK_MAX_IN_FLIGHT_PER_ENDPOINT: z.coerce.number().int().min(1).max(3).default(3),
  /**
   * Share of the database's hourly request threshold (read from ThresholdInformation when the link is confirmed,
   * 10,000 until then) this engine may spend; every other tool of the MSP shares the rest, and Autotask slows every
   * call down once the hour passes 50 %.
   */
  AUTOTASK_HOURLY_BUDGET_SHARE: z.coerce.number().gt(0).max(1).default(0.3),
  /**
   * Activities one worker runs at once; Autotask calls beyond the limits above wait their turn inside them. Each
   * may hold a PostgreSQL connection while it runs: the worker opens up to this many plus 10.
   */
  WORKER_MAX_CONCURRENT_ACTIVITIES: z.coerce.number().int().positive().default(10),
  /** One attempt at bringing an alert's ticket up to date (a create is up to 3 Autotask calls). */
  ALERT_ATTEMPT_TIMEOUT_MS: milliseconds(600_000),
  /** A worker that dies while syncing an alert is noticed after this long and the attempt moves elsewhere. */
  ALERT_HEARTBEAT_TIMEOUT_MS: milliseconds(30_000),
  /** An alert waiting for a link or a mapping checks again this often, in case a change was not announced. */
  ALERT_RECHECK_INTERVAL_MS: milliseconds(900_000),
  /** An alert's workflow run ends after this long without events; a later event starts a new one. */
  ALERT_IDLE_TIMEOUT_MS: milliseconds(86_400_000),
  /** Longest a `Prefer: wait=N` long-poll may hold a request. */
  API_MAX_WAIT_SECONDS: z.coerce.number().int().positive().default(60),
});

/** Durations that only work in this order: a heartbeat inside an attempt, a request inside an attempt, jitter inside an interval. */
const configSchema = envSchema.superRefine((env, ctx) => {
  if (env.LINK_ATTEMPT_TIMEOUT_MS <= env.AUTOTASK_REQUEST_TIMEOUT_MS) {
    ctx.addIssue({ code: 'custom', path: ['LINK_ATTEMPT_TIMEOUT_MS'], message: 'must be longer than AUTOTASK_REQUEST_TIMEOUT_MS, so a slow Autotask answer is classified before the attempt is abandoned' });
  }
  if (env.CATALOG_REFRESH_JITTER_MS >= env.CATALOG_REFRESH_INTERVAL_MS) {
    ctx.addIssue({ code: 'custom', path: ['CATALOG_REFRESH_JITTER_MS'], message: 'must be shorter than CATALOG_REFRESH_INTERVAL_MS' });
  }
  if (env.ALERT_HEARTBEAT_TIMEOUT_MS >= env.ALERT_ATTEMPT_TIMEOUT_MS) {
    ctx.addIssue({ code: 'custom', path: ['ALERT_HEARTBEAT_TIMEOUT_MS'], message: 'must be shorter than ALERT_ATTEMPT_TIMEOUT_MS' });
  }
  if (env.LINK_HEARTBEAT_TIMEOUT_MS >= env.LINK_ATTEMPT_TIMEOUT_MS) {
    ctx.addIssue({ code: 'custom', path: ['LINK_HEARTBEAT_TIMEOUT_MS'], message: 'must be shorter than LINK_ATTEMPT_TIMEOUT_MS' });
  }
});

export type Config = z.infer<typeof envSchema>;

/** Parses the environment once; a bad value throws an error naming each offending variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

export class ConfigError extends Error {}

/** For process entry points: parse or exit with the message (never a stack trace full of env values). */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): Config {
  try {
    return loadConfig(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(err.message);
    process.exit(1);
  }
}
