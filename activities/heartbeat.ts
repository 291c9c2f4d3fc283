import { Context } from '@temporalio/activity';

/**
 * Runs slow work (an Autotask call can take minutes) while heartbeating, so a dead worker is noticed within the
 * heartbeat timeout instead of the whole attempt timeout; cancellation aborts the work through the signal.
 * `details` is what each heartbeat carries: a checkpoint that a retried attempt resumes from.
 */
export async function whileHeartbeating<T>(work: (signal: AbortSignal) => Promise<T>, details?: unknown): Promise<T> {
  const context = Context.current();
  const everyMs = Math.max(500, (context.info.heartbeatTimeoutMs ?? 30_000) / 3);
  const timer = setInterval(() => context.heartbeat(details), everyMs);
  try {
    return await work(context.cancellationSignal);
  } finally {
    clearInterval(timer);
  }
}
