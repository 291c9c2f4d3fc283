import type { Logger } from '../config/logger';

/** Routes the Temporal SDK's logs through ours, dropping its debug chatter and any payloads it attaches. */
export function temporalLogger(log: Logger) {
  const route = (level: string, message: string, meta?: Record<string, unknown>) => {
    const target = { ERROR: log.error, WARN: log.warn, INFO: log.info }[level];
    target?.(message, pickSafe(meta));
  };
  const at = (level: string) => (message: string, meta?: Record<string, unknown>) => route(level, message, meta);
  return { log: route, trace: at('TRACE'), debug: at('DEBUG'), info: at('INFO'), warn: at('WARN'), error: at('ERROR') };
}

/** Keeps identifiers and error texts from the SDK's log metadata; never workflow or activity payloads. */
function pickSafe(meta: Record<string, unknown> = {}): Record<string, unknown> {
  const safe: Record<string, unknown> = {};
  for (const key of ['workflowId', 'workflowType', 'activityType', 'activityId', 'attempt', 'taskQueue', 'state']) if (key in meta) safe[key] = meta[key];
  if (meta.error instanceof Error) safe.error = meta.error.message;
  return safe;
}
